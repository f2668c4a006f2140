import datetime as dt

import pytest

from commission import roles
from commission.actors import SYSTEM
from commission.models import InvestigativeTeam, TeamMembership
from tests.factories import hearings as f
from tests.factories.commission import PersonFactory
from tests.hearings.conftest import *  # noqa: F403 (the hearings fixtures)
from tests.hearings.conftest import _eager_tasks, _english, _media  # noqa: F401


@pytest.fixture(autouse=True)
def _notice_days(settings):
    settings.SANCTIONS_LIFT_NOTICE_DAYS = 14
    settings.SANCTIONS_REPEAT_FACTOR = 1.5


@pytest.fixture
def drafted(world, heard, at):
    from hearings import services

    at(f.day(70))
    decision = services.decision_open(case=heard.case, actor=SYSTEM)
    f.findings_complete(decision, world.criteria)
    return decision


@pytest.fixture
def issued(world, drafted, at, django_capture_on_commit_callbacks):
    """The Peru decision issued on day 85 with its three sanctions, in force."""
    from hearings import services

    f.sanctions_complete(drafted, world.parties)
    at(f.day(85))
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_issue(decision=drafted, actor=SYSTEM)
    drafted.refresh_from_db()
    return drafted


@pytest.fixture
def team(world):
    """The Lima team with one member (a worker-organization investigator)."""
    user = f.user_in(roles.TEAM, "team.member")
    person = PersonFactory(user=user, full_name="Ana Torres")
    team = InvestigativeTeam.objects.create(
        name="Lima Garment Sector Team", country=world.parties.pe
    )
    TeamMembership.objects.create(
        team=team, person=person, role=TeamMembership.Role.WORKER_ORGANIZATION
    )
    team.member = user
    return team


@pytest.fixture
def staff(world):
    return world.staff


@pytest.fixture
def member(world):
    """A commission member (determines lifting)."""
    return f.user_in(roles.MEMBERS, "member.determines")


def later(days: int, hour: int = 10) -> dt.datetime:
    return f.day(85 + days, hour)
