"""Convening a round, adding a right and recording which rule binds, through the API
(`POST /criteria-rounds/`, `/criteria-rights/`, `/rule-resolutions/`): the same services as the
staff workspace's add forms; whom the service refuses is refused here."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from commission.models import CaseEvent
from criteria.models import Criterion, DeliberationRound, Right, RuleResolution
from tests.criteria.support import at, open_criterion

from .test_rounds import DAY

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_staff_convene_a_round_and_a_filer_may_not(members, staff_user, filer):
    body = {
        "code": "2026-9",
        "title_en": "Round",
        "notice_en": "Notice.",
        "submissions_open_on": DAY.isoformat(),
        "submissions_close_on": (DAY + dt.timedelta(days=10)).isoformat(),
    }
    with at(DAY):
        refused = _client(filer).post("/api/v1/criteria-rounds/", body)
        assert refused.status_code in (400, 403)
        assert "convene" in refused.json()["detail"]
        assert not DeliberationRound.objects.exists()
        assert APIClient().post("/api/v1/criteria-rounds/", body).status_code == 401
        response = _client(staff_user).post("/api/v1/criteria-rounds/", body)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == DeliberationRound.Status.CONVENED
    round_ = DeliberationRound.objects.get()
    event = CaseEvent.objects.for_subject(round_).get()
    assert (event.verb, event.actor_id) == ("round.convened", staff_user.pk)


def test_staff_add_a_right_and_a_filer_may_not(staff_user, filer):
    body = {"code": "XYZ", "name_en": "A new right"}
    assert _client(filer).post("/api/v1/criteria-rights/", body).status_code in (400, 403)
    assert not Right.objects.filter(code="XYZ").exists()
    response = _client(staff_user).post("/api/v1/criteria-rights/", body)
    assert response.status_code == 201, response.content
    assert Right.objects.get(pk=response.json()["id"]).code == "XYZ"


def test_only_a_sitting_member_records_which_rule_binds(rights, members, staff_user):
    criterion = open_criterion(rights["FOA"], Criterion.Kind.RULE, "union-access", staff_user)
    body = {
        "governs": "union-access",
        "binding_criterion": criterion.code,
        "reason_en": "Most protective.",
        "effective_from": "2026-12-02",
    }
    with at(DAY):
        refused = _client(staff_user).post("/api/v1/rule-resolutions/", body)
        assert refused.status_code in (400, 403)
        assert "sitting commission member" in refused.json()["detail"]
        assert not RuleResolution.objects.exists()
        response = _client(members[0].person.user).post("/api/v1/rule-resolutions/", body)
    assert response.status_code == 201, response.content
    assert RuleResolution.objects.get().binding_criterion == criterion
