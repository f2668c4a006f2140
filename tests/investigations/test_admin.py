"""The staff workspace for investigations: read-only rows, actions that call the services, and
no interviewee identity anywhere."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from commission import roles
from investigations import services
from investigations.models import CommissionReview, Investigation
from tests.factories.investigations import (
    INTERVIEWEE,
    STATEMENT,
    determined_violation,
    open_agency_monitoring,
)

pytestmark = pytest.mark.django_db


def test_staff_reassign_a_team_through_the_action(client, tw):
    investigation = open_agency_monitoring(tw)
    client.force_login(tw.base.staff)
    url = reverse("admin:investigations_investigation_changelist")
    page = client.post(url, {"action": "assign_team", "_selected_action": [investigation.pk]})
    assert page.status_code == 200
    assert b"Assign the investigative team" in page.content
    done = client.post(
        url,
        {
            "action": "assign_team",
            "_selected_action": [investigation.pk],
            "apply": "1",
            "team": tw.other_team.pk,
            "reason": "The Arequipa team covers mining.",
        },
    )
    assert done.status_code == 302
    assert Investigation.objects.get().team == tw.other_team


def test_member_reviews_a_finding_with_reasons(client, tw):
    investigation = open_agency_monitoring(tw)
    finding = determined_violation(tw, investigation)
    tw.base.member.groups.add(Group.objects.get(name=roles.MEMBERS))
    client.force_login(tw.base.member)
    client.post(
        reverse("admin:investigations_finding_changelist"),
        {
            "action": "uphold",
            "_selected_action": [finding.pk],
            "apply": "1",
            "reasons": "The dismissal records support it.",
        },
    )
    review = CommissionReview.objects.get()
    assert review.reasons == "The dismissal records support it."
    assert review.reviewed_by == tw.base.member


def test_admin_never_shows_the_interviewee(client, tw):
    investigation = open_agency_monitoring(tw)
    interview = services.interview_record(
        investigation=investigation,
        held_on=timezone.localdate(),
        place_description="Union hall",
        off_premises=True,
        interviewee_name=INTERVIEWEE,
        statement=STATEMENT,
        actor=tw.rep,
    )
    client.force_login(tw.base.staff)
    for url in (
        reverse("admin:investigations_interview_changelist"),
        reverse("admin:investigations_interview_change", args=[interview.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert INTERVIEWEE not in page.content.decode()
        assert STATEMENT not in page.content.decode()


def test_staff_assign_and_reassign_a_complaints_team_from_its_page(client, settings, tw):
    from tests.factories.complaints import file_case

    settings.STAFF_TWO_FACTOR = False
    case = file_case(tw.base, received_days_ago=1)  # no task ran: no investigation yet
    assert not Investigation.objects.filter(complaint=case).exists()
    act = reverse("admin:complaints_case_act", args=[case.pk, "team-assign"])
    client.force_login(tw.rep)  # a team member is not staff: no such step for them
    assert client.get(act).status_code in (302, 403)

    client.force_login(tw.base.staff)
    page = client.get(reverse("admin:complaints_case_change", args=[case.pk]))
    assert b"/act/team-assign/" in page.content
    refused = client.post(act, {"team": tw.team.pk, "reason": ""})
    assert refused.status_code == 200  # the form says what is missing; nothing is written
    assert not Investigation.objects.filter(complaint=case).exists()
    client.post(act, {"team": tw.team.pk, "reason": "Covers the garment sector."})
    investigation = Investigation.objects.get(complaint=case)
    assert investigation.kind == Investigation.Kind.TARGETED
    assert investigation.team == tw.team
    client.post(act, {"team": tw.other_team.pk, "reason": "The Lima team recused itself."})
    investigation.refresh_from_db()
    assert investigation.team == tw.other_team
    assert Investigation.objects.filter(complaint=case).count() == 1

    listing = reverse("admin:complaints_case_changelist")
    other = client.get(listing, {"team": tw.other_team.pk}).content.decode()
    assert case.docket_number in other
    assert case.docket_number not in client.get(listing, {"team": tw.team.pk}).content.decode()
