"""The ratchet's refusal is a clear error through every door: admin, API, portal, management
command and direct service call. And the doors that succeed go through the same services."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from criteria import services
from criteria.models import Criterion, DeliberationRound, Proposal
from tests.criteria.support import at, historical, measure_draft, open_criterion

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)
WEAKER = "Refused: a revision may never be less protective"


@pytest.fixture
def dust(rights, staff_user, countries, sectors):
    criterion = open_criterion(
        rights["OSH"], Criterion.Kind.MEASURE, "cotton-dust", staff_user, code="OSH-001"
    )
    historical(criterion, measure_draft(200, effective_from=dt.date(2024, 1, 1)), staff_user)
    return criterion


@pytest.fixture
def round_(staff_user):
    with at(DAY):
        return services.round_convene(
            actor=staff_user,
            code="2026-3",
            title_en="Round",
            notice_en="Notice.",
            submissions_open_on=DAY,
            submissions_close_on=DAY + dt.timedelta(days=5),
        )


def _form(threshold, **extra):
    data = {
        "kind": "revision",
        "criterion": "OSH-001",
        "participant_role": "worker_organization",
        "text_en": "Exposure shall not exceed the limit.",
        "effective_from": "2027-01-01",
        "direction": "at_most",
        "threshold": str(threshold),
        "unit": "µg/m³",
        "averaging_period": "twa_8h",
        "all_countries": "on",
        "all_sectors": "on",
        "sources": json.dumps([{"kind": "international_law", "instrument": "ILO C155"}]),
        "rationale": "Stronger.",
    }
    data.update(extra)
    return data


def test_service_door(dust, round_, filer):
    with at(DAY), pytest.raises(ValidationError) as excinfo:
        services.proposal_submit(
            round=round_,
            actor=filer,
            kind="revision",
            criterion=dust,
            draft=measure_draft(250),
            rationale="r",
            participant_role="worker_organization",
        )
    assert WEAKER in " ".join(excinfo.value.messages)


def test_portal_door(client, dust, round_, filer):
    client.force_login(filer)
    url = f"/criteria/rounds/{round_.code}/propose/"
    with at(DAY):
        refused = client.post(url, _form(250))
        assert refused.status_code == 200
        assert WEAKER in refused.content.decode()
        assert not Proposal.objects.exists()
        accepted = client.post(url, _form(150))
    assert accepted.status_code == 302
    assert Proposal.objects.get().draft["threshold"] == "150"


def test_api_door(client, dust, round_, filer):
    client.force_login(filer)
    body = {
        "round": round_.code,
        "kind": "revision",
        "criterion": "OSH-001",
        "participant_role": "worker_organization",
        "rationale": "r",
        "draft": {**measure_draft(250), "effective_from": "2027-01-01"},
    }
    with at(DAY):
        refused = client.post("/api/v1/criteria-proposals/", body, content_type="application/json")
        assert refused.status_code == 400
        assert WEAKER in " ".join(refused.json()["errors"]["detail"])
        body["draft"]["threshold"] = "150"
        accepted = client.post("/api/v1/criteria-proposals/", body, content_type="application/json")
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["status"] == "filed"


def test_api_vote_and_decide_are_members_only(client, dust, round_, filer, members, staff_user):
    with at(DAY):
        proposal = services.proposal_submit(
            round=round_,
            actor=filer,
            kind="revision",
            criterion=dust,
            draft=measure_draft(150),
            rationale="r",
            participant_role="worker_organization",
        )
    with at(DAY + dt.timedelta(days=6)):
        services.round_open_voting(round=round_, actor=staff_user)
        client.force_login(filer)
        url = f"/api/v1/criteria-proposals/{proposal.pk}/"
        assert client.post(url + "vote/", {"choice": "yes"}).status_code == 400
        for member in members[:2]:
            client.force_login(member.person.user)
            assert client.post(url + "vote/", {"choice": "yes"}).status_code == 200
        decided = client.post(url + "decide/")
    assert decided.status_code == 200
    assert decided.json()["status"] == "adopted"
    assert decided.json()["adopted_version"] == "OSH-001/v2"


def test_admin_door(client, dust, round_, staff_user):
    client.force_login(staff_user)
    with at(DAY):
        form = _form(250, round=str(round_.pk))
        refused = client.post("/admin/criteria/proposal/add/", form)
        assert refused.status_code == 200
        assert WEAKER in refused.content.decode()
        assert not Proposal.objects.exists()
        accepted = client.post("/admin/criteria/proposal/add/", _form(150, round=str(round_.pk)))
    assert accepted.status_code == 302, accepted.content.decode()[:3000]
    assert Proposal.objects.get().filed_by == staff_user


def test_admin_vote_and_decide_actions(client, dust, round_, filer, members):
    with at(DAY):
        proposal = services.proposal_submit(
            round=round_,
            actor=filer,
            kind="revision",
            criterion=dust,
            draft=measure_draft(150),
            rationale="r",
            participant_role="worker_organization",
        )
    with at(DAY + dt.timedelta(days=6)):
        client.force_login(members[0].person.user)
        client.post(
            "/admin/criteria/deliberationround/",
            {"action": "open_voting", "_selected_action": [round_.pk]},
        )
        round_.refresh_from_db()
        assert round_.status == DeliberationRound.Status.VOTING
        for member in members[:2]:
            client.force_login(member.person.user)
            client.post(
                "/admin/criteria/proposal/",
                {"action": "vote_yes", "_selected_action": [proposal.pk]},
            )
        client.post(
            "/admin/criteria/proposal/", {"action": "decide", "_selected_action": [proposal.pk]}
        )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ADOPTED
    assert proposal.votes.count() == 2


def test_admin_cannot_edit_or_delete_versions(client, dust, staff_user, admin_user):
    version = dust.versions.get()
    client.force_login(admin_user)  # even a superuser
    page = client.get(f"/admin/criteria/criterionversion/{version.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get(f"/admin/criteria/criterionversion/{version.pk}/delete/").status_code == 403
    assert client.get("/admin/criteria/criterion/add/").status_code == 403


def test_command_door(dust, round_, filer, tmp_path):
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps({**measure_draft(250), "effective_from": "2027-01-01"}))
    args = [
        "criteria_propose",
        "--round",
        round_.code,
        "--user",
        filer.username,
        "--kind",
        "revision",
        "--criterion",
        "OSH-001",
        "--draft",
        str(draft),
        "--rationale",
        "r",
        "--role",
        "worker_organization",
    ]
    with at(DAY):
        with pytest.raises(CommandError, match=WEAKER):
            call_command(*args)
        draft.write_text(json.dumps({**measure_draft(150), "effective_from": "2027-01-01"}))
        call_command(*args)
    assert Proposal.objects.get().criterion == dust
