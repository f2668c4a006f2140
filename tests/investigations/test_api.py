"""The team's door in the REST API: per-member tokens, team scoping, the confidential record
behind its grant (and logged), and the same services as the portal."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from investigations import services
from investigations.models import ConfidentialAccess, Finding, Interview, RemedialOrder
from tests.factories.investigations import INTERVIEWEE, STATEMENT, open_agency_monitoring

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    token = services.member_token_issue(user=user, actor=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_token_only_for_team_members(tw):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.member_token_issue(user=tw.base.outsider, actor=tw.base.outsider)


def test_member_sees_only_the_team_investigations(tw):
    mine = open_agency_monitoring(tw)
    theirs = open_agency_monitoring(tw, team=tw.other_team)
    client = client_for(tw.rep)
    listed = client.get("/api/v1/investigations/").json()["results"]
    assert [row["number"] for row in listed] == [mine.number]
    assert client.get(f"/api/v1/investigations/{theirs.pk}/").status_code == 404
    assert APIClient().get("/api/v1/investigations/").status_code in {401, 403}
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.get("/api/v1/investigations/").status_code == 401


def test_team_records_through_the_api(tw):
    investigation = open_agency_monitoring(tw)
    rep, lead = client_for(tw.rep), client_for(tw.lead)
    today = timezone.localdate().isoformat()
    url = f"/api/v1/investigations/{investigation.pk}"
    response = rep.post(
        f"{url}/interviews/",
        {
            "held_on": today,
            "place_description": "Parish hall, Ate",
            "off_premises": True,
            "interviewee_name": INTERVIEWEE,
            "statement": STATEMENT,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert INTERVIEWEE not in response.content.decode()
    interview = Interview.objects.get()
    # The worker representative who interviewed reads it back (logged); the lead may not.
    assert lead.get(f"/api/v1/interviews/{interview.pk}/").status_code == 200
    assert INTERVIEWEE not in lead.get(f"/api/v1/interviews/{interview.pk}/").content.decode()
    assert lead.get(f"/api/v1/interviews/{interview.pk}/confidential/").status_code == 403
    confidential = rep.get(f"/api/v1/interviews/{interview.pk}/confidential/")
    assert confidential.json()["name"] == INTERVIEWEE
    assert ConfidentialAccess.objects.filter(user=tw.rep, door="api").count() == 1
    refused = rep.post(
        f"{url}/interviews/",
        {
            "held_on": today,
            "place_description": "Factory canteen",
            "off_premises": False,
            "interviewee_name": "x",
            "statement": "y",
        },
        format="json",
    )
    assert refused.status_code == 400
    finding = rep.post(
        f"{url}/findings/",
        {
            "criterion_version": tw.measure.identifier,
            "result": "violation",
            "summary": "Cotton dust above the limit",
            "facts": "Cutting floor.",
            "observed_on": today,
            "measured_value": "340",
            "measured_unit": "µg/m³",
            "measuring_method": "Gravimetric, 8-hour TWA",
            "workers_affected": 80,
        },
        format="json",
    )
    assert finding.status_code == 201, finding.content
    finding_id = finding.json()["id"]
    positions = {
        "positions": [
            {"membership": tw.lead_membership.pk, "position": "violation"},
            {"membership": tw.rep_membership.pk, "position": "violation"},
        ]
    }
    assert (
        rep.post(f"/api/v1/findings/{finding_id}/determine/", positions, format="json").status_code
        == 403
    )
    determined = lead.post(f"/api/v1/findings/{finding_id}/determine/", positions, format="json")
    assert determined.json()["status"] == Finding.Status.DETERMINED
    order = lead.post(
        f"{url}/orders/",
        {
            "addressee": tw.base.employer.pk,
            "findings": [finding_id],
            "text": "Install extraction.",
            "steps": [{"description": "Install extraction", "days": 30}],
            "capacity_measures": [{"recipient": "employer", "description": "OSH training"}],
        },
        format="json",
    )
    assert order.status_code == 201, order.content
    assert order.json()["steps"][0]["clock_status"] == "pending"
    plan = rep.post(
        f"/api/v1/remedial-orders/{order.json()['id']}/verifications/",
        {"visited_on": today, "basis": "plan", "outcome": "complied", "observations": "A plan"},
        format="json",
    )
    assert plan.status_code == 400
    assert RemedialOrder.objects.get().status == "open"
    other = client_for(tw.other_lead)
    assert other.get(f"/api/v1/remedial-orders/{order.json()['id']}/").status_code == 404


def test_list_query_count_does_not_grow(tw):
    client = client_for(tw.rep)
    open_agency_monitoring(tw)
    client.get("/api/v1/investigations/")  # warm the process-wide content-type cache
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/investigations/")
    for _ in range(5):
        open_agency_monitoring(tw)
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/investigations/")
    assert len(many) == len(few)
