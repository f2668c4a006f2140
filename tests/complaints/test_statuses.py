"""No discretionary exit: statuses move only along `Case.TRANSITIONS`, through the services
that carry reasons; nothing withdraws, closes, dismisses, deletes a case or moves its receipt.
Every refusal is tested in every status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from commission.models import CaseEvent
from commission.selectors import clocks_for_subject
from complaints import services
from complaints.models import IMMUTABLE_FIELDS, Case, CourtReview
from tests.factories.complaints import case_in_status, decision_issued_record, file_case

pytestmark = pytest.mark.django_db
S = Case.Status
K = Case.Kind

ALL = [(kind, status) for kind in K.values for status in Case.TRANSITIONS[kind]]


def test_the_transition_table_covers_every_status_and_has_no_exit_without_reasons():
    assert set(Case.TRANSITIONS[K.COMPLAINT]) == {S.FILED, S.HEARING_SCHEDULED, S.HEARD, S.DECIDED}
    assert set(Case.TRANSITIONS[K.PETITION]) == {
        S.FILED,
        S.HEARING_SCHEDULED,
        S.HEARD,
        S.COMPLAINT_FILED,
        S.DENIED,
        S.UNDER_COURT_REVIEW,
    }
    # The only ends are reasoned outcomes; nothing leaves them except court review of a denial.
    assert Case.TRANSITIONS[K.COMPLAINT][S.DECIDED] == frozenset()
    assert Case.TRANSITIONS[K.PETITION][S.COMPLAINT_FILED] == frozenset()
    assert Case.TRANSITIONS[K.PETITION][S.DENIED] == {S.UNDER_COURT_REVIEW}
    for word in ("withdrawn", "closed", "dismissed", "withdraw", "close", "dismiss"):
        assert word not in S.values
    assert not any(hasattr(services, name) for name in dir(services) if name[-8:] == "withdraw")
    assert not [n for n in dir(services) if n.startswith(("case_close", "case_dismiss"))]


@pytest.mark.parametrize(("kind", "status"), ALL)
def test_every_status_is_reachable_through_the_services(world, kind, status):
    case = case_in_status(world, kind=kind, status=status)
    case.refresh_from_db()
    assert case.status == status


def _attempts(world, case):
    """Each step of the proceedings, as a call, keyed by the status it leads to."""
    now = timezone.now()

    def court_order():
        review = case.court_reviews.filter(order="pending").first()
        if review is None:
            review = CourtReview.objects.create(
                petition=case,
                court="Court",
                court_case_number=f"X-{case.pk}-{now.timestamp()}",
                ground_record_unsupported=True,
                filed_on=timezone.localdate(),
            )
        services.court_order_record(
            review=review,
            order=CourtReview.Order.UPHOLD_DENIAL,
            order_date=timezone.localdate(),
            order_text="Denial upheld.",
            actor=world.staff,
        )

    return {
        "schedule": (
            S.HEARING_SCHEDULED,
            lambda: services.case_hearing_schedule(
                case=case, scheduled_for=now - dt.timedelta(hours=5), actor=world.staff
            ),
        ),
        "held": (
            S.HEARD,
            lambda: services.case_hearing_record_held(
                case=case, held_at=now - dt.timedelta(hours=4), actor=world.staff
            ),
        ),
        "decide": (
            S.DECIDED,
            lambda: (
                decision_issued_record(case),
                services.complaint_decide(complaint=case, reasoning="R.", actor=world.staff),
            ),
        ),
        "deny": (
            S.DENIED,
            lambda: services.petition_deny(petition=case, reasoning="R.", actor=world.staff),
        ),
        "file_complaint": (
            S.COMPLAINT_FILED,
            lambda: services.petition_file_complaint(
                petition=case, complainant=world.us_government, reasoning="R.", actor=world.staff
            ),
        ),
        "court_review": (
            S.UNDER_COURT_REVIEW,
            lambda: services.court_review_file(
                petition=case,
                court="Court",
                court_case_number=f"R-{case.pk}",
                grounds=["ground_record_unsupported"],
                filed_on=timezone.localdate(),
                actor=world.staff,
            ),
        ),
        "court_order": (S.DENIED, court_order),
    }


def _allowed(kind: str, status: str, step: str, to_status: str) -> bool:
    if step == "schedule" and status == S.HEARING_SCHEDULED:
        return True  # a reschedule: no status change, recorded as such
    if step == "decide" and kind != K.COMPLAINT:
        return False
    if step in {"deny", "file_complaint", "court_review", "court_order"} and kind != K.PETITION:
        return False
    if step == "court_order":
        return status == S.UNDER_COURT_REVIEW
    if step == "deny":
        return status == S.HEARD  # the table's other way into "denied" is the court's order
    return to_status in Case.TRANSITIONS[kind][status]


STEPS = ["schedule", "held", "decide", "deny", "file_complaint", "court_review", "court_order"]


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize(("kind", "status"), ALL)
def test_each_step_is_allowed_exactly_where_the_table_allows_it(world, kind, status, step):
    case = case_in_status(world, kind=kind, status=status)
    to_status, attempt = _attempts(world, case)[step]
    events_before = CaseEvent.objects.for_subject(case).count()
    if _allowed(kind, status, step, to_status):
        attempt()
        case.refresh_from_db()
        expected = status if (step == "schedule" and status == S.HEARING_SCHEDULED) else to_status
        assert case.status == expected
        assert CaseEvent.objects.for_subject(case).count() > events_before
    else:
        with pytest.raises(ValidationError):
            attempt()
        case.refresh_from_db()
        assert case.status == status
        assert CaseEvent.objects.for_subject(case).count() == events_before


@pytest.mark.parametrize(("kind", "status"), ALL)
def test_a_withdrawal_request_is_recorded_and_ends_nothing(world, kind, status):
    case = case_in_status(world, kind=kind, status=status)
    clocks_before = list(clocks_for_subject(subject=case).values_list("due_at", "status"))
    event = services.case_withdrawal_request_record(
        case=case, statement="The complainants ask to withdraw.", actor=world.staff
    )
    case.refresh_from_db()
    assert case.status == status
    assert event.verb == "withdrawal_requested"
    assert event.is_public
    assert list(clocks_for_subject(subject=case).values_list("due_at", "status")) == clocks_before


@pytest.mark.parametrize(("kind", "status"), ALL)
def test_a_governments_statement_of_compliance_is_recorded_and_ends_nothing(world, kind, status):
    case = case_in_status(world, kind=kind, status=status)
    row = services.compliance_statement_record(
        case=case,
        government=world.us_government,
        statement="The respondent now complies.",
        received_at=timezone.now() - dt.timedelta(hours=1),
        actor=world.staff,
    )
    case.refresh_from_db()
    assert case.status == status
    assert row.case_id == case.pk
    assert CaseEvent.objects.for_subject(case).filter(verb="compliance_statement_recorded").exists()


def test_a_statement_of_compliance_comes_from_a_government(world):
    case = file_case(world, received_days_ago=2)
    with pytest.raises(ValidationError, match="Only a government"):
        services.compliance_statement_record(
            case=case,
            government=world.employer,
            statement="We comply now.",
            received_at=timezone.now(),
            actor=world.staff,
        )


@pytest.mark.parametrize("reasoning", ["", "   "])
@pytest.mark.parametrize("outcome", ["decide", "deny"])
def test_an_outcome_without_reasons_is_refused(world, outcome, reasoning):
    kind = K.COMPLAINT if outcome == "decide" else K.PETITION
    case = case_in_status(world, kind=kind, status=S.HEARD)
    record = services.complaint_decide if outcome == "decide" else services.petition_deny
    target = {"complaint" if outcome == "decide" else "petition": case}
    with pytest.raises(ValidationError, match="reasons"):
        record(**target, reasoning=reasoning, actor=world.staff)
    case.refresh_from_db()
    assert case.status == S.HEARD


@pytest.mark.parametrize("status", ["withdrawn", "closed", "dismissed", "decided_without_reasons"])
def test_the_database_refuses_any_other_status(world, status):
    case = file_case(world, received_days_ago=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case._base_manager.filter(pk=case.pk).update(status=status)


def test_the_database_refuses_an_outcome_without_reasons(world):
    case = case_in_status(world, kind=K.COMPLAINT, status=S.HEARD)
    decision_issued_record(case)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=S.DECIDED)


def test_a_complaint_is_decided_only_with_an_issued_decision(world):
    """A complaint heard but with no issued decision cannot be set to decided: not by the
    service, not through the ORM, not by SQL (commission.integrity)."""
    case = case_in_status(world, kind=K.COMPLAINT, status=S.HEARD)
    rule = "complaints.Case.status:requires:issued_decision"
    with pytest.raises(ValidationError, match=rule):
        services.complaint_decide(complaint=case, reasoning="R.", actor=world.staff)
    with pytest.raises(ValidationError, match=rule):
        Case.objects.filter(pk=case.pk).update(
            status=S.DECIDED, outcome_at=timezone.now(), outcome_reasoning="R."
        )
    with pytest.raises(DatabaseError, match=rule), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE complaints_case SET status = 'decided', outcome_at = %s, "
                "outcome_reasoning = 'R.' WHERE id = %s",
                [timezone.now(), case.pk],
            )
    case.refresh_from_db()
    assert case.status == S.HEARD


def test_a_case_is_never_deleted(world):
    case = file_case(world, received_days_ago=1)
    with pytest.raises(ValidationError):
        case.delete()
    with pytest.raises(ValidationError):
        Case.objects.filter(pk=case.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM complaints_case WHERE id = %s", [case.pk])
    assert Case.objects.filter(pk=case.pk).exists()


@pytest.mark.parametrize("field", IMMUTABLE_FIELDS)
def test_nothing_moves_a_filing(world, field):
    case = file_case(world, received_days_ago=3)
    value = {
        "received_at": case.received_at + dt.timedelta(days=2),
        "recorded_at": case.recorded_at + dt.timedelta(days=2),
        "kind": K.PETITION,
        "docket_number": "C-2026-99999",
        "received_via": "email",
    }[field]
    setattr(case, field, value)
    with pytest.raises(ValidationError):
        case.save(update_fields=[field])
    with pytest.raises(ValidationError):
        case.save()
    with pytest.raises(ValidationError):
        Case.objects.filter(pk=case.pk).update(**{field: value})
    column = Case._meta.get_field(field).column
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE complaints_case SET {column} = %s WHERE id = %s",  # noqa: S608 - test
            [Case._meta.get_field(field).get_db_prep_save(value, connection), case.pk],
        )
    fresh = Case.objects.get(pk=case.pk)
    assert getattr(fresh, field) != value


def test_the_outcome_of_a_petition_is_only_given_by_the_commission_services(world):
    petition = case_in_status(world, kind=K.PETITION, status=S.HEARD)
    with pytest.raises(ValidationError, match="Only a complaint"):
        services.complaint_decide(complaint=petition, reasoning="R.", actor=world.staff)
    complaint = case_in_status(world, kind=K.COMPLAINT, status=S.HEARD)
    with pytest.raises(ValidationError, match="Only a petition"):
        services.petition_deny(petition=complaint, reasoning="R.", actor=world.staff)


@pytest.mark.parametrize("user", ["delegate", "outsider"])
def test_outcomes_need_the_permission(world, user):
    from django.core.exceptions import PermissionDenied

    case = case_in_status(world, kind=K.COMPLAINT, status=S.HEARD)
    with pytest.raises(PermissionDenied):
        services.complaint_decide(complaint=case, reasoning="R.", actor=getattr(world, user))


def test_a_withdrawal_request_is_recorded_by_a_complainant_or_staff_only(world):
    """Nobody else — not an outsider, not a respondent's delegate, not an anonymous visitor,
    and not a caller that leaves the actor out — puts a withdrawal request on the record."""
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    from commission.models import OrganizationMembership
    from tests.factories.commission import PersonFactory, UserFactory

    case = file_case(world, organization=world.union)
    respondent_delegate = UserFactory(username="employer.delegate")
    OrganizationMembership.objects.create(
        organization=world.employer,
        person=PersonFactory(user=respondent_delegate),
        role=OrganizationMembership.Role.DELEGATE,
    )
    events_before = CaseEvent.objects.for_subject(case).count()
    for actor in (None, AnonymousUser(), world.outsider, respondent_delegate):
        with pytest.raises(PermissionDenied):
            services.case_withdrawal_request_record(
                case=case, statement="We withdraw.", actor=actor
            )
    assert CaseEvent.objects.for_subject(case).count() == events_before
    for actor in (world.delegate, world.staff):
        event = services.case_withdrawal_request_record(
            case=case, statement="We ask to withdraw.", actor=actor
        )
        assert event.actor == actor


def test_evidence_is_added_to_a_filed_case_by_intake_staff_only(world):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.core.files.uploadedfile import SimpleUploadedFile

    from complaints.models import Evidence

    case = file_case(world, organization=world.union)

    def upload():
        return SimpleUploadedFile("notes.txt", b"Dates of the dismissals.", "text/plain")

    for actor in (None, AnonymousUser(), world.outsider, world.delegate):
        with pytest.raises(PermissionDenied):
            services.evidence_add(case=case, upload=upload(), actor=actor)
    assert not Evidence.objects.filter(case=case).exists()
    services.evidence_add(case=case, upload=upload(), actor=world.staff)
    assert Evidence.objects.filter(case=case).count() == 1
