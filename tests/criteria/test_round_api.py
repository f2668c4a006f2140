"""Opening the members' vote and closing a round through the API (`POST
/criteria-rounds/{code}/open-voting/`, `…/close/`): the same services as the staff
workspace's actions on Deliberation rounds, which write the round's public events; a
participant who is neither member nor staff is refused (the service words it)."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from commission.models import CaseEvent
from criteria.models import DeliberationRound
from tests.criteria.support import at

from .test_rounds import DAY, _convene

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_staff_open_the_vote_and_close_the_round(members, staff_user, filer):
    round_ = _convene(staff_user)
    base = f"/api/v1/criteria-rounds/{round_.code}"
    with at(DAY + dt.timedelta(days=11)):
        refused = _client(filer).post(f"{base}/open-voting/")
        assert refused.status_code in (400, 403)
        assert "open the vote" in refused.json()["detail"]
        round_.refresh_from_db()
        assert round_.status == DeliberationRound.Status.CONVENED
        before = CaseEvent.objects.for_subject(round_).count()
        opened = _client(staff_user).post(f"{base}/open-voting/")
        assert opened.status_code == 200, opened.content
        assert opened.json()["status"] == DeliberationRound.Status.VOTING
        assert CaseEvent.objects.for_subject(round_).count() == before + 1
        assert _client(filer).post(f"{base}/close/", {"reason": "x"}).status_code in (400, 403)
        closed = _client(staff_user).post(f"{base}/close/", {"reason": "The term ended."})
        assert closed.status_code == 200, closed.content
    round_.refresh_from_db()
    assert round_.status == DeliberationRound.Status.CLOSED
    event = CaseEvent.objects.for_subject(round_).order_by("pk").last()
    assert (event.actor_id, event.reason) == (staff_user.pk, "The term ended.")
