"""The case's workflow steps in the REST API (`/api/v1/docket/{docket}/steps/{step}/`,
complaints/api_steps.py): each is the staff workspace's step — the same form, the same
service — taken with an API token. The role the step allows succeeds and the service writes
the case's event, by that account; another role is refused with 403; the docs' table lists
every step's endpoint."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from unittest import mock

import pytest
from rest_framework.test import APIClient

from commission.models import CaseEvent
from commission.services import api_token_issue
from complaints.api_steps import step_endpoints
from hearings import services
from sanctions import services as sanctions_services
from tests.factories import hearings as f

from .conftest import login
from .test_case_steps import local
from .test_step_services import (  # noqa: F401 (fixtures)
    CHAIR_MAY,
    STAFF_MAY,
    STEPS,
    drafted,
    drafted_for_commission,
    held_without_window,
    recommended,
    vacated,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
STEPS_BY_SLUG = {step[0]: step[3] for step in STEPS}


def api(user) -> APIClient:
    """A client with the account's API token, issued as staff issue them."""
    login(user)  # the account's recorded staff flag, as the workspace tests set it
    _token, raw = api_token_issue(user=user, actor=user, name="steps")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.user = user
    return client


def endpoint(case, slug: str) -> str:
    return f"/api/v1/docket/{case.docket_number}/steps/{slug}/"


def _events(case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(docket_number=case.docket_number).order_by("pk"))


def _actor(world, who):
    return world.staff if who == "staff" else world.members.jurist_us.person.user


def _court_user():
    from commission import roles
    from commission.models import CourtUser
    from tests.factories.commission import PersonFactory

    user = f.user_in(roles.COURT, "court.clerk")
    return CourtUser.objects.create(person=PersonFactory(user=user), court="Court of Appeal")


def _findings_done(world, obj, at):
    f.findings_complete(obj, world.criteria)


def _ready_to_issue(world, obj, at):
    f.findings_complete(obj, world.criteria)
    f.sanctions_complete(obj, world.parties)
    at(f.day(85, 11))


# The steps taken for real, from a state where the rules let them pass: slug, stage, who,
# what to do first (world, object, at), the body (world, object). The API answers 201 and
# the service writes the case's event, by the caller.
REAL = [
    ("assign", "case", "staff", None, lambda w, o: {"staff_user": w.staff.pk}),
    ("intake-check", "case", "staff", None, lambda w, o: {"note": "Complete."}),
    (
        "compliance-statement",
        "case",
        "staff",
        None,
        lambda w, o: {
            "government": w.parties.gov_pe.pk,
            "statement": "The workers were reinstated.",
            "received_at": local(f.FILED_AT + dt.timedelta(minutes=3)),
        },
    ),
    (
        "court-order-record",
        "case",
        "staff",
        None,
        lambda w, o: {
            "court_user": _court_user().pk,
            "court_case_number": "CA-2026-17",
            "kind": "produce_record",
            "order_date": "2026-03-02",
            "text": "Produce the record.",
        },
    ),
    (
        "panel-select",
        "case",
        "staff",
        lambda w, o, at: f.declare_all(w.members, o),
        lambda w, o: {},
    ),
    ("conflict-declare", "case", "chair", None, STEPS_BY_SLUG["conflict-declare"]),
    ("hearing-schedule", "seated", "staff", None, STEPS_BY_SLUG["hearing-schedule"]),
    ("hearing-reschedule", "scheduled", "staff", None, STEPS_BY_SLUG["hearing-reschedule"]),
    (
        "participant-register",
        "scheduled",
        "staff",
        None,
        lambda w, o: {"organization": w.parties.gov_us.pk, "role": "complaining_government"},
    ),
    ("consultation", "scheduled", "staff", None, STEPS_BY_SLUG["consultation"]),
    (
        "hearing-held",
        "scheduled",
        "staff",
        lambda w, o, at: at(f.day(50, 15)),
        STEPS_BY_SLUG["hearing-held"],
    ),
    ("record-upload", "heard", "staff", None, STEPS_BY_SLUG["record-upload"]),
    ("decision-open", "heard", "chair", lambda w, o, at: at(f.day(70)), lambda w, o: {}),
    ("decision-issue", "drafted", "chair", _ready_to_issue, lambda w, o: {}),
]
# Drafting the decision — its findings, the sanctions it specifies — is the panel's
# deliberation, kept in the draft: these services write no case event until the decision is
# issued (then `decision_issue` does). The API answers 201 and the draft holds the change.
DRAFT_ONLY = [
    ("finding-record", None),
    ("fact-add", None),
    ("criterion-apply", None),
    ("sanction-specify", _findings_done),
]


@pytest.mark.parametrize(("slug", "stage", "who", "arrange", "data"), REAL)
def test_each_step_succeeds_for_its_role_and_writes_the_case_event(
    request, world, at, slug, stage, who, arrange, data, django_capture_on_commit_callbacks
):
    obj = request.getfixturevalue(stage)
    case = getattr(obj, "case", obj)
    if arrange is not None:
        arrange(world, obj, at)
    user = _actor(world, who)
    client = api(user)
    before = _events(case)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(endpoint(case, slug), data(world, obj), format="multipart")
    assert response.status_code == 201, response.content[:800]
    assert response.json()["step"] == slug
    new = [e for e in _events(case) if e not in before]
    assert new, f"{slug}: no case event"
    assert any(e.actor_id == user.pk for e in new), [(e.verb, e.actor_id) for e in new]


@pytest.mark.parametrize(("slug", "arrange"), DRAFT_ONLY)
def test_drafting_steps_succeed_for_the_panel(request, world, at, slug, arrange):
    decision = request.getfixturevalue("drafted")
    if arrange is not None:
        arrange(world, decision, at)
    user = _actor(world, "chair")
    payload = STEPS_BY_SLUG[slug](world, decision)
    response = api(user).post(endpoint(decision.case, slug), payload, format="multipart")
    assert response.status_code == 201, response.content[:800]
    assert response.json()["detail"]  # the workspace's message of success


@pytest.mark.parametrize(("slug", "stage", "who", "data", "service", "keyword"), STEPS)
def test_each_step_refuses_another_role(request, world, slug, stage, who, data, service, keyword):
    obj = request.getfixturevalue(stage)
    case = getattr(obj, "case", obj)
    # The other side of the workflow: staff do not draft, a panelist does not run the
    # hearing; where both may (choosing the panel), an account in no role.
    if slug in STAFF_MAY and slug in CHAIR_MAY:
        other = f.user_in("Nobody", "someone.else")
    elif who == "staff":
        other = world.members.jurist_us.person.user
    else:
        other = world.staff
    before = len(_events(case))
    home = sanctions_services if service == "sanction_specify" else services
    with mock.patch.object(home, service, side_effect=AssertionError("called")):
        refused = api(other).post(endpoint(case, slug), data(world, obj), format="multipart")
        outsider = APIClient()
        outsider.force_authenticate(world.parties.union_user)
        closed = outsider.post(endpoint(case, slug), {}, format="json")
    assert refused.status_code == 403, (slug, refused.content[:300])
    assert len(_events(case)) == before
    assert closed.status_code == 403
    assert APIClient().post(endpoint(case, slug), {}, format="json").status_code == 401


def test_json_bodies_and_refusals(world, case, at):
    """A JSON body (booleans, ids, a list of rows) works as the form does; the service's
    refusal is a 400 in the API's error body, with the clock's arithmetic where one runs."""
    at(f.day(2))
    member = world.members.jurist_us.person.user
    client = api(member)
    response = client.post(
        endpoint(case, "conflict-declare"),
        {"has_conflict": False, "statement": ""},
        format="json",
    )
    assert response.status_code == 201, response.content
    staff = api(world.staff)
    early = staff.post(
        endpoint(case, "hearing-schedule"),
        {"scheduled_for": local(f.day(3, 9)), "location": "Lima", "duration_minutes": 180},
        format="json",
    )
    assert early.status_code == 400
    body = early.json()
    assert (body["status"], body["code"]) == (400, "invalid")
    assert body["detail"]
    missing = staff.post(endpoint(case, "consultation"), {}, format="json")
    assert missing.status_code == 400
    assert "held_on" in missing.json()["errors"]
    assert staff.post(endpoint(case, "deny"), {}, format="json").status_code == 404  # a complaint
    offered = staff.get(f"/api/v1/docket/{case.docket_number}/steps/").json()
    assert "consultation" in {s["step"] for s in offered["steps"]}


def test_every_registered_step_has_its_endpoint_and_its_row_in_the_docs():
    from django.urls import reverse

    from complaints.admin import CASE_STEPS

    docs = DOCS.read_text(encoding="utf-8")
    assert set(step_endpoints()) == set(CASE_STEPS)
    for slug in CASE_STEPS:
        path = reverse(f"case-step-{slug}", kwargs={"docket_number": "C-2026-00001"})
        assert path == f"/api/v1/docket/C-2026-00001/steps/{slug}/"
        assert f"`POST /docket/{{docket}}/steps/{slug}/`" in docs, (
            f"{slug} missing from docs/api.md"
        )
