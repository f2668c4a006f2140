"""The permission matrix: each role × each team object × read / write, through the services
(the doors — portal, API, admin — call the same functions and are tested on top).

Roles: the team's staff member (decides), the team's worker representative (recorded the
interview), a staff member of another team, commission staff not on the team, a commission
member, a signed-in user without a role, and an anonymous visitor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from investigations import selectors, services
from tests.factories.investigations import (
    INTERVIEWEE,
    STATEMENT,
    determined_violation,
    open_agency_monitoring,
)

pytestmark = pytest.mark.django_db

ROLES = ["team_staff", "team_rep", "other_team", "commission_staff", "member", "outsider", "anon"]
OBJECTS = [
    "investigation",
    "site_visit",
    "interview",
    "interview_confidential",
    "interview_file",
    "finding",
    "determination",
    "demand",
    "order",
    "verification",
]
R, W = "read", "write"
# Who may do what. Reads of the record: the team and the commission (staff and members);
# the confidential interview record: only the explicit grant (the interviewer here). Writes:
# the team; determinations, orders and access grants: the team's staff member only.
# An interview's files go with its confidential record: read and added only with the grant.
CONFIDENTIAL = {"interview_confidential", "interview_file"}
ALLOWED = {
    "team_staff": {(o, R) for o in OBJECTS if o not in CONFIDENTIAL}
    | {(o, W) for o in OBJECTS if o != "interview_file"},
    "team_rep": {(o, R) for o in OBJECTS}
    | {(o, W) for o in OBJECTS if o not in {"interview_confidential", "determination", "order"}},
    "other_team": set(),
    "commission_staff": {(o, R) for o in OBJECTS if o not in CONFIDENTIAL},
    "member": {(o, R) for o in OBJECTS if o not in CONFIDENTIAL},
    "outsider": set(),
    "anon": set(),
}


def _user(tw, role):
    return {
        "team_staff": tw.lead,
        "team_rep": tw.rep,
        "other_team": tw.other_lead,
        "commission_staff": tw.base.staff,
        "member": tw.base.member,
        "outsider": tw.base.outsider,
        "anon": AnonymousUser(),
    }[role]


def _scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def _attempt(fn) -> bool:
    try:
        fn()
    except PermissionDenied:
        return False
    return True


def _matrix(tw, user) -> set[tuple[str, str]]:
    today = timezone.localdate()
    investigation = open_agency_monitoring(tw)
    interview = services.interview_record(
        investigation=investigation,
        held_on=today,
        place_description="Union hall",
        off_premises=True,
        interviewee_name=INTERVIEWEE,
        statement=STATEMENT,
        actor=tw.rep,
    )
    stored = services.interview_file_add(
        interview=interview, upload=_scan(), kind="scan", actor=tw.rep
    )
    finding = determined_violation(tw, investigation)
    order = services.remedial_order_issue(
        investigation=investigation,
        addressee=tw.base.employer,
        findings=[finding],
        text="Reinstate",
        steps=[services.StepInput("Reinstate", 30)],
        actor=tw.lead,
    )
    draft = services.finding_draft(
        investigation=investigation,
        criterion_version=tw.rule,
        result="violation",
        summary="s",
        facts="f",
        observed_on=today,
        actor=tw.rep,
    )
    visible = investigation in selectors.investigations_for_user(user)
    assert visible == services.can_view(user, investigation)
    got = {(o, R) for o in OBJECTS if o not in CONFIDENTIAL and visible}
    if _attempt(lambda: services.interview_file_read(file=stored, user=user, door="t")):
        got.add(("interview_file", R))
    if _attempt(
        lambda: services.interview_confidential_read(interview=interview, user=user, door="t")
    ):
        got.add(("interview_confidential", R))
    writes = {
        "investigation": lambda: (
            services.investigation_conclude(
                investigation=open_agency_monitoring(tw), reason="done", actor=user
            )
            if user == tw.lead
            else services.site_visit_record(
                investigation=investigation,
                place="x",
                visited_on=today,
                announced=True,
                observations="x",
                actor=user,
            )
        ),
        "site_visit": lambda: services.site_visit_record(
            investigation=investigation,
            place="Ate",
            visited_on=today,
            announced=False,
            observations="o",
            actor=user,
        ),
        "interview": lambda: services.interview_record(
            investigation=investigation,
            held_on=today,
            place_description="Parish hall",
            off_premises=True,
            interviewee_name="N",
            statement="S",
            actor=user,
        ),
        "interview_confidential": lambda: services.interview_access_grant(
            interview=interview, user=tw.base.staff, reason="r", actor=user
        ),
        "interview_file": lambda: services.interview_file_add(
            interview=interview, upload=_scan(), kind="audio", actor=user
        ),
        "finding": lambda: services.finding_draft(
            investigation=investigation,
            criterion_version=tw.rule,
            result="compliant",
            summary="s",
            facts="f",
            observed_on=today,
            actor=user,
        ),
        "determination": lambda: services.finding_determine(
            finding=draft,
            positions=[services.PositionInput(tw.lead_membership, "violation")],
            actor=user,
        ),
        "demand": lambda: services.demand_issue(
            investigation=investigation,
            addressee=tw.base.employer,
            instrument="request",
            scope="wages",
            description="Payroll",
            days=10,
            actor=user,
        ),
        "order": lambda: services.remedial_order_issue(
            investigation=investigation,
            addressee=tw.base.employer,
            findings=[finding],
            text="t",
            steps=[services.StepInput("s", 10)],
            actor=user,
        ),
        "verification": lambda: services.verification_record(
            order=order,
            visited_on=today,
            basis="inspection",
            outcome="not_complied",
            observations="o",
            measured_value=Decimal("1"),
            measured_unit="workers",
            actor=user,
        ),
    }
    for name, write in writes.items():
        if _attempt(write):
            got.add((name, W))
    return got


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(tw, role):
    got = _matrix(tw, _user(tw, role))
    expected = ALLOWED[role]
    assert sorted(got - expected) == [], "allowed but should not be"
    assert sorted(expected - got) == [], "refused but should be allowed"


def test_matrix_covers_every_role_and_object():
    assert set(ALLOWED) == set(ROLES)
    assert all(isinstance(v, set) for v in ALLOWED.values())
    assert dt.date  # the matrix is evaluated for each role above
