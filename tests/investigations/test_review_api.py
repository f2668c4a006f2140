"""The commission's review of a finding or a remedial order through the API (`POST
/findings/{id}/review/`, `POST /remedial-orders/{id}/review/`): the same service as the staff
workspace's actions (`review_record`), open to the roles with the review permission (a
commission member), refused to the team that determined it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from commission import roles
from commission.models import CaseEvent
from investigations import services
from investigations.models import CommissionReview
from tests.factories.investigations import determined_violation, open_agency_monitoring

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _events(investigation, actor) -> int:
    return CaseEvent.objects.for_subject(investigation).filter(actor=actor).count()


def _member(tw):
    tw.base.member.groups.add(Group.objects.get(name=roles.MEMBERS))
    return tw.base.member


def test_a_member_reviews_a_finding_and_the_team_may_not(tw):
    investigation = open_agency_monitoring(tw)
    finding = determined_violation(tw, investigation)
    member = _member(tw)
    body = {"outcome": "remanded", "reasons": "Interview the supervisors too."}
    refused = client_for(tw.rep).post(f"/api/v1/findings/{finding.pk}/review/", body)
    assert refused.status_code == 403
    assert not CommissionReview.objects.exists()
    before = _events(investigation, member)
    response = client_for(member).post(f"/api/v1/findings/{finding.pk}/review/", body)
    assert response.status_code == 201, response.content
    review = CommissionReview.objects.get()
    assert (review.finding, review.outcome, review.reviewed_by) == (finding, "remanded", member)
    assert response.json()["outcome"] == "remanded"
    assert _events(investigation, member) == before + 1
    empty = client_for(member).post(
        f"/api/v1/findings/{finding.pk}/review/", {"outcome": "upheld", "reasons": " "}
    )
    assert empty.status_code == 400
    assert empty.json()["code"] == "invalid"


def test_a_member_reviews_a_remedial_order_and_the_team_may_not(tw):
    investigation = open_agency_monitoring(tw)
    order = services.remedial_order_issue(
        investigation=investigation,
        addressee=tw.base.employer,
        findings=[determined_violation(tw, investigation)],
        text="Reinstate the dismissed workers.",
        steps=[services.StepInput("Reinstate the workers", 30)],
        actor=tw.lead,
    )
    member = _member(tw)
    body = {"outcome": "upheld", "reasons": "The order follows the findings."}
    assert (
        client_for(tw.rep).post(f"/api/v1/remedial-orders/{order.pk}/review/", body).status_code
        == 403
    )
    before = _events(investigation, member)
    response = client_for(member).post(f"/api/v1/remedial-orders/{order.pk}/review/", body)
    assert response.status_code == 201, response.content
    assert CommissionReview.objects.get().order == order
    assert _events(investigation, member) == before + 1


def test_staff_file_the_complaint_of_an_order_past_due_and_the_team_may_not(tw):
    """`POST /remedial-orders/{id}/file-complaint/`: the workspace's *File the complaint*
    (`remedial_order_escalate`), for staff with the review permission, once."""
    import datetime as dt

    import time_machine

    from commission.models import Clock
    from tests.factories.hearings import staff_create
    from tests.investigations.test_services import _order

    investigation = open_agency_monitoring(tw)
    order = _order(tw, investigation, days=30)
    due = Clock.objects.filter(kind="remedial_order_due").order_by("due_at").first().due_at
    url = f"/api/v1/remedial-orders/{order.pk}/file-complaint/"
    staff = staff_create()
    assert client_for(staff).post(url).status_code == 400  # not yet past due
    with time_machine.travel(due + dt.timedelta(hours=1)):
        assert client_for(tw.rep).post(url).status_code == 403
        answer = client_for(staff).post(url)
        again = client_for(staff).post(url)
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "failed"
    assert answer.json()["complaint"]
    assert again.json()["complaint"] == answer.json()["complaint"]  # once
    assert _events(investigation, staff) == 2  # the order failed; the complaint filed
