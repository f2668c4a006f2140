"""The team's door on the portal, and the team records and forum pages (query counts that do
not grow with the number of findings)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from investigations import services
from investigations.models import ConfidentialAccess, Finding, Interview, ProtocolMandate
from tests.factories.investigations import (
    INTERVIEWEE,
    STATEMENT,
    determined_violation,
    open_agency_monitoring,
)

pytestmark = pytest.mark.django_db


def test_workspace_needs_sign_in_and_shows_the_team_investigations(client, tw):
    mine = open_agency_monitoring(tw)
    theirs = open_agency_monitoring(tw, team=tw.other_team)
    response = client.get(reverse("investigations:workspace"))
    assert response.status_code == 302
    assert "sign-in" in response["Location"]
    client.force_login(tw.rep)
    page = client.get(reverse("investigations:workspace")).content.decode()
    assert mine.number in page
    assert theirs.number not in page
    assert client.get(reverse("investigations:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("investigations:detail", args=[mine.pk])).status_code == 200


def test_interview_recorded_on_the_portal_is_confidential(client, tw):
    investigation = open_agency_monitoring(tw)
    client.force_login(tw.rep)
    url = reverse("investigations:interview-new", args=[investigation.pk])
    data = {
        "held_on": timezone.localdate().isoformat(),
        "place_description": "Union hall, Ate",
        "interviewee_name": INTERVIEWEE,
        "statement": STATEMENT,
        "language": "es",
    }
    refused = client.post(url, data)  # the box "off company premises" left unticked
    assert refused.status_code == 200
    assert "off company premises" in refused.content.decode()
    assert not Interview.objects.exists()
    response = client.post(url, {**data, "off_premises": "on"})
    assert response.status_code == 302
    interview = Interview.objects.get()
    detail = client.get(reverse("investigations:detail", args=[investigation.pk])).content.decode()
    assert INTERVIEWEE not in detail
    assert "Worker 1" in detail
    own = client.get(reverse("investigations:interview", args=[interview.pk])).content.decode()
    assert INTERVIEWEE in own
    assert ConfidentialAccess.objects.filter(user=tw.rep, door="portal").count() == 1
    client.force_login(tw.lead)  # on the team, without the grant
    other = client.get(reverse("investigations:interview", args=[interview.pk])).content.decode()
    assert INTERVIEWEE not in other
    assert STATEMENT not in other
    assert ConfidentialAccess.objects.count() == 1


def test_determination_and_order_on_the_portal(client, tw):
    investigation = open_agency_monitoring(tw)
    finding = services.finding_draft(
        investigation=investigation,
        criterion_version=tw.rule,
        result="violation",
        summary="Union not recognized",
        facts="Refuses to bargain.",
        observed_on=timezone.localdate(),
        actor=tw.rep,
    )
    client.force_login(tw.lead)
    url = reverse("investigations:finding-determine", args=[finding.pk])
    response = client.post(
        url,
        {
            f"position_{tw.lead_membership.pk}": "violation",
            f"position_{tw.rep_membership.pk}": "violation",
        },
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == Finding.Status.DETERMINED
    response = client.post(
        reverse("investigations:order-new", args=[investigation.pk]),
        {
            "addressee": tw.base.employer.pk,
            "findings": [finding.pk],
            "text": "Recognize the union and bargain.",
            "issued_on": timezone.localdate().isoformat(),
            "step_1": "Recognize the union in writing",
            "step_1_days": "15",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(reverse("investigations:detail", args=[investigation.pk])).content.decode()
    assert "Recognize the union in writing" in page


def test_other_team_and_anonymous_cannot_post(client, tw):
    investigation = open_agency_monitoring(tw)
    url = reverse("investigations:site-visit-new", args=[investigation.pk])
    data = {"place": "Ate", "visited_on": "2026-01-01", "observations": "x"}
    assert client.post(url, data).status_code == 302  # to sign in
    client.force_login(tw.other_lead)
    assert client.post(url, data).status_code == 404
    client.force_login(tw.base.staff)  # commission staff read, never write as the team
    assert client.post(url, data).status_code == 403


def _findings(tw, investigation, n):
    for _ in range(n):
        determined_violation(tw, investigation)


@pytest.mark.parametrize("name", ["forum", "team", "detail", "workspace"])
def test_query_counts_do_not_grow_with_findings(client, tw, name):
    investigation = open_agency_monitoring(tw)
    client.force_login(tw.lead)
    url = {
        "forum": reverse("investigations:forum"),
        "team": reverse("investigations:team", args=[tw.team.pk]),
        "detail": reverse("investigations:detail", args=[investigation.pk]),
        "workspace": reverse("investigations:workspace"),
    }[name]
    _findings(tw, investigation, 1)
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _findings(tw, investigation, 6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_team_records_count_violations_remediation_and_relapses(client, tw):
    investigation = open_agency_monitoring(tw)
    first = determined_violation(tw, investigation)
    order = services.remedial_order_issue(
        investigation=investigation,
        addressee=tw.base.employer,
        findings=[first],
        text="Reinstate",
        steps=[services.StepInput("Reinstate", 30)],
        actor=tw.lead,
    )
    services.verification_record(
        order=order,
        visited_on=timezone.localdate(),
        basis="inspection",
        outcome="complied",
        observations="Reinstated.",
        actor=tw.rep,
    )
    relapse = services.finding_draft(
        investigation=investigation,
        criterion_version=tw.rule,
        result="violation",
        summary="Dismissals again",
        facts="Two more.",
        observed_on=timezone.localdate(),
        relapse_of=first,
        actor=tw.rep,
    )
    services.finding_determine(
        finding=relapse,
        positions=[services.PositionInput(tw.lead_membership, "violation")],
        actor=tw.lead,
    )
    from investigations.selectors import team_records

    today = timezone.localdate()
    record = team_records(since=today - dt.timedelta(days=1), until=today)
    mine = next(r for r in record if r.team == tw.team)
    assert (mine.violations_found, mine.remediated, mine.relapses) == (2, 1, 1)
    assert mine.median_days_to_remediation == 0.0
    other = next(r for r in record if r.team == tw.other_team)
    assert other.violations_found == 0
    page = client.get(reverse("investigations:forum")).content.decode()
    assert tw.team.name in page
    assert tw.other_team.name in page


def test_members_mandate_protocol_changes_on_the_forum(client, tw):
    url = reverse("investigations:forum")
    data = {
        "team": tw.team.pk,
        "change": "Interview workers before any announced visit.",
        "reasons": "The Arequipa team's method found twice the violations.",
        "effective_on": timezone.localdate().isoformat(),
    }
    client.force_login(tw.rep)
    assert client.post(url, data).status_code == 403
    client.force_login(tw.base.member)
    assert client.post(url, data).status_code == 302
    mandate = ProtocolMandate.objects.get()
    assert mandate.mandated_by == tw.base.member
    assert "Interview workers before" in client.get(url).content.decode()


def test_spanish_workspace(client, tw):
    open_agency_monitoring(tw)
    client.force_login(tw.rep)
    page = client.get(reverse("investigations:workspace"), HTTP_ACCEPT_LANGUAGE="es")
    assert "Espacio de trabajo del equipo" in page.content.decode()


def test_staff_open_investigations_on_the_portal(client, tw):
    from tests.factories.commission import OrganizationFactory

    for n in range(4):
        OrganizationFactory(name=f"Taller {n}", country=tw.base.peru, sector=tw.base.sector)
    url = reverse("investigations:open")
    client.force_login(tw.rep)
    assert client.get(url).status_code == 403
    client.force_login(tw.base.staff)
    response = client.post(
        url,
        {
            "kind": "employer_sample",
            "team": tw.team.pk,
            "title": "Garment employers",
            "sector": tw.base.sector.pk,
            "sample_size": "3",
            "seed": "forum-2026",
        },
    )
    assert response.status_code == 302
    from investigations.models import Investigation
    from investigations.sampling import sample_draw

    investigation = Investigation.objects.get(kind="employer_sample")
    assert investigation.sample == sample_draw(
        frame=investigation.sample_frame, size=3, seed="forum-2026"
    )
    refused = client.post(
        url, {"kind": "expedited", "team": tw.team.pk, "title": "x", "complaint": "C-1999-00001"}
    )
    assert "No case has this docket number" in refused.content.decode()


def test_member_issues_a_personal_api_token(client, tw):
    import re

    from commission.models import ApiToken

    client.force_login(tw.rep)
    page = client.post(reverse("investigations:token"))
    key = re.search(r"lrc_[\w-]+", page.content.decode()).group(0)
    token = ApiToken.objects.get(user=tw.rep, revoked_at__isnull=True)
    assert key.startswith(token.prefix)
    assert key not in token.digest
    assert page["Cache-Control"] == "no-store"
    client.force_login(tw.base.outsider)
    assert client.post(reverse("investigations:token")).status_code == 403
