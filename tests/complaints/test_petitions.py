"""Petitions: the commission files the complaint (a new, linked complaint whose clocks start at
that filing) or denies with a reasoned opinion; court review of a denial on the three grounds,
and the court's order — an order compelling the filing files the linked complaint."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from commission.models import CaseEvent, Clock
from commission.selectors import clocks_for_subject
from complaints import services
from complaints.models import Case, CourtReview
from tests.factories.complaints import case_in_status, file_case

pytestmark = pytest.mark.django_db
S = Case.Status


def test_granting_a_petition_files_a_linked_complaint_with_its_own_clocks(world):
    petition = file_case(world, kind=Case.Kind.PETITION, received_days_ago=30)
    granted_at = timezone.now()
    with time_machine.travel(granted_at, tick=False):
        complaint = services.petition_file_complaint(
            petition=petition,
            complainant=world.us_government,
            reasoning="The findings show violations of the criteria.",
            actor=world.staff,
        )
    petition.refresh_from_db()
    assert petition.status == S.COMPLAINT_FILED
    assert petition.outcome_reference == complaint.docket_number
    assert complaint.kind == Case.Kind.COMPLAINT
    assert complaint.originating_petition == petition
    assert complaint.received_via == Case.Channel.COMMISSION
    assert complaint.received_at == granted_at
    assert complaint.complainants.get().organization == world.us_government
    assert complaint.respondents.count() == petition.respondents.count()
    assert [a.summary for a in complaint.allegations.order_by("number")] == [
        a.summary for a in petition.allegations.order_by("number")
    ]
    assert list(complaint.allegations.get(number=1).criteria.all()) == world.criteria[:1]
    clocks = {c.kind: c for c in clocks_for_subject(subject=complaint)}
    assert clocks["hearing_by"].trigger_at == granted_at
    assert clocks["hearing_by"].trigger_event == "complaint_filed"
    decision = clocks_for_subject(subject=petition).get(kind="decision_by")
    assert decision.status == Clock.Status.MET
    assert decision.met_at == granted_at


def test_a_petition_is_filed_in_the_name_of_a_government(world):
    petition = file_case(world, kind=Case.Kind.PETITION, received_days_ago=3)
    with pytest.raises(ValidationError, match="name of a government"):
        services.petition_file_complaint(
            petition=petition, complainant=world.union, reasoning="R.", actor=world.staff
        )


def test_a_denial_carries_its_reasoned_opinion_and_meets_the_decision_clock(world):
    petition = case_in_status(world, kind=Case.Kind.PETITION, status=S.HEARD)
    reasoning = "Findings: ... The facts found do not breach FOA-001 because ..."
    services.petition_deny(
        petition=petition, reasoning=reasoning, reference="OP-2026-7", actor=world.staff
    )
    petition.refresh_from_db()
    assert petition.status == S.DENIED
    assert petition.outcome_reasoning == reasoning
    assert petition.outcome_reference == "OP-2026-7"
    event = CaseEvent.objects.for_subject(petition).get(verb="petition_denied")
    assert event.reason == reasoning
    assert event.is_public
    assert clocks_for_subject(subject=petition).get(kind="decision_by").status == "met"


def test_a_late_outcome_stays_recorded_as_a_miss(world):
    petition = file_case(world, kind=Case.Kind.PETITION, received_days_ago=100)
    services.case_hearing_schedule(
        case=petition, scheduled_for=timezone.now() - dt.timedelta(days=5), actor=world.staff
    )
    services.case_hearing_record_held(
        case=petition, held_at=timezone.now() - dt.timedelta(days=4), actor=world.staff
    )
    services.petition_deny(petition=petition, reasoning="Reasons.", actor=world.staff)
    clock = clocks_for_subject(subject=petition).get(kind="decision_by")
    assert clock.status == Clock.Status.MISSED
    assert clock.completed_at is not None


@pytest.mark.parametrize(
    "grounds",
    [
        ["ground_record_unsupported"],
        ["ground_criteria_misapplied"],
        ["ground_criteria_not_most_protective"],
        ["ground_record_unsupported", "ground_criteria_not_most_protective"],
    ],
)
def test_court_review_names_its_grounds(world, grounds):
    petition = case_in_status(world, kind=Case.Kind.PETITION, status=S.DENIED)
    review = services.court_review_file(
        petition=petition,
        court="U.S. Court of International Trade",
        court_case_number="26-00123",
        grounds=grounds,
        filed_on=timezone.localdate(),
        actor=world.staff,
    )
    petition.refresh_from_db()
    assert petition.status == S.UNDER_COURT_REVIEW
    assert {name for name in grounds if getattr(review, name)} == set(grounds)
    assert len(review.grounds) == len(grounds)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"grounds": []}, "three grounds"),
        ({"grounds": ["effect_on_trade"]}, "three grounds"),
        ({"court": " "}, "Name the court"),
        ({"court_case_number": ""}, "case number"),
        ({"filed_on": "tomorrow"}, "future"),
        ({"filed_on": "before_denial"}, "cannot precede the denial"),
    ],
)
def test_court_review_refusals(world, kwargs, message):
    petition = case_in_status(world, kind=Case.Kind.PETITION, status=S.DENIED)
    values = {
        "court": "Court",
        "court_case_number": "1",
        "grounds": ["ground_record_unsupported"],
        "filed_on": timezone.localdate(),
        **kwargs,
    }
    if values["filed_on"] == "tomorrow":
        values["filed_on"] = timezone.localdate() + dt.timedelta(days=1)
    elif values["filed_on"] == "before_denial":
        values["filed_on"] = timezone.localdate() - dt.timedelta(days=3)
    with pytest.raises(ValidationError, match=message):
        services.court_review_file(petition=petition, actor=world.staff, **values)


def test_an_order_compelling_the_filing_files_the_linked_complaint(world):
    petition = case_in_status(world, kind=Case.Kind.PETITION, status=S.UNDER_COURT_REVIEW)
    denial_reasons = petition.outcome_reasoning
    review = petition.court_reviews.get()
    review = services.court_order_record(
        review=review,
        order=CourtReview.Order.COMPEL_FILING,
        order_date=timezone.localdate(),
        order_text="The commission shall file the complaint within 10 days.",
        complainant=world.us_government,
        actor=world.staff,
    )
    petition.refresh_from_db()
    complaint = review.complaint
    assert petition.status == S.COMPLAINT_FILED
    assert petition.outcome_reasoning == denial_reasons  # the denial stays on record
    assert complaint.originating_petition == petition
    assert complaint.received_via == Case.Channel.COURT_ORDER
    assert clocks_for_subject(subject=complaint).count() == 2
    assert complaint.compelling_review == review
    with pytest.raises(ValidationError, match="already recorded"):
        services.court_order_record(
            review=review,
            order=CourtReview.Order.UPHOLD_DENIAL,
            order_date=timezone.localdate(),
            order_text="x",
            actor=world.staff,
        )


def test_an_order_upholding_the_denial_returns_the_petition_to_denied(world):
    petition = case_in_status(world, kind=Case.Kind.PETITION, status=S.UNDER_COURT_REVIEW)
    services.court_order_record(
        review=petition.court_reviews.get(),
        order=CourtReview.Order.UPHOLD_DENIAL,
        order_date=timezone.localdate(),
        order_text="The denial is supported by the record.",
        actor=world.staff,
    )
    petition.refresh_from_db()
    assert petition.status == S.DENIED
    assert not petition.complaints_filed.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"order": "dismiss"}, "Unknown order"),
        ({"order_text": ""}, "what the court ordered"),
        ({"complainant": None}, "Name the government"),
        ({"order_date": "future"}, "future"),
    ],
)
def test_court_order_refusals(world, change, message):
    petition = case_in_status(world, kind=Case.Kind.PETITION, status=S.UNDER_COURT_REVIEW)
    values = {
        "order": CourtReview.Order.COMPEL_FILING,
        "order_date": timezone.localdate(),
        "order_text": "File it.",
        "complainant": world.us_government,
        **change,
    }
    if values["order_date"] == "future":
        values["order_date"] = timezone.localdate() + dt.timedelta(days=2)
    with pytest.raises(ValidationError, match=message):
        services.court_order_record(
            review=petition.court_reviews.get(), actor=world.staff, **values
        )
    petition.refresh_from_db()
    assert petition.status == S.UNDER_COURT_REVIEW
    assert petition.court_reviews.get().order == CourtReview.Order.PENDING
