"""The staff workspace is tested on the hearings scenario (the Peru complaint, filed on
2 March 2026 in Lima), driven through the admin with time travel."""

import pytest
from django.test import Client

from tests.hearings import conftest as scenario

# The hearings scenario's fixtures, shared.
_media = scenario._media
_english = scenario._english
_eager_tasks = scenario._eager_tasks
at = scenario.at
world = scenario.world
case = scenario.case
seated = scenario.seated
scheduled = scenario.scheduled
heard = scenario.heard


class SignedIn(Client):
    """A client signed in as `user` at every request: the scenario travels weeks in time,
    further than a session lasts."""

    def __init__(self, user, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def request(self, **request):
        self.force_login(self.user)
        return super().request(**request)


def login(user) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return SignedIn(user)


@pytest.fixture
def staff(world) -> Client:
    return login(world.staff)


@pytest.fixture
def chair(world) -> Client:
    """The presiding jurist (sits on the panel the scenario selects)."""
    return login(world.members.jurist_us.person.user)


@pytest.fixture
def off_panel(world) -> Client:
    """A member of the commission who does not sit on the scenario's panel."""
    return login(world.members.jurist_pe.person.user)


@pytest.fixture
def superuser(db) -> Client:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    return SignedIn(user)
