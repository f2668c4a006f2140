import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from commission.actors import SYSTEM
from commission.models import CaseEvent, Clock
from complaints.models import Case, ComplianceStatement
from hearings import selectors, services
from hearings.models import GovernmentConsultation, Hearing, HearingParticipant, Submission
from tests.factories import hearings as f


def test_schedule_on_day_50_publishes_notice_and_moves_the_case(world, seated, at):
    at(f.day(20))
    hearing = f.hearing_schedule(seated)
    seated.refresh_from_db()
    assert seated.status == Case.Status.HEARING_SCHEDULED
    assert seated.hearing_scheduled_for == f.day(50, 9)
    assert hearing.notice_published_at == f.day(20)
    assert "https://hearings.example.org/pe-2026" in hearing.notice_text
    assert (
        CaseEvent.objects.for_subject(hearing)
        .public()
        .filter(verb="hearing_notice_published")
        .exists()
    )


def test_day_60_is_labour_day_so_the_last_day_is_30_april(world, seated, at):
    clock = selectors.case_clock(case=seated, kind=Clock.Kind.HEARING_BY)
    assert clock.nominal_last_day == dt.date(2026, 5, 1)
    assert clock.last_day == dt.date(2026, 4, 30)


@pytest.mark.parametrize(
    "when",
    [
        f.day(60, 9),  # 1 May: a holiday, the deadline moved back to 30 April
        f.day(61, 9),
        f.day(120, 9),
    ],
)
def test_a_hearing_after_day_60_is_refused(world, seated, at, when):
    """Must hold: a hearing after day 60 is refused (never moved)."""
    at(f.day(20))
    with pytest.raises(ValidationError, match="no later than day 60"):
        f.hearing_schedule(seated, when=when)
    assert not Hearing.objects.filter(case=seated).exists()
    # The last minute of the last day is still allowed.
    hearing = f.hearing_schedule(seated, when=f.day(59, 23, 59))
    assert hearing.scheduled_for.date() == dt.date(2026, 4, 30)


def test_a_hearing_needs_the_notice_period(world, seated, at, settings):
    settings.HEARINGS_NOTICE_DAYS = 15
    at(f.day(40))
    with pytest.raises(ValidationError, match="at least 15 days"):
        f.hearing_schedule(seated, when=f.day(54))
    assert f.hearing_schedule(seated, when=f.day(55)).pk


def test_rescheduling_keeps_the_day_60_limit(world, scheduled, at):
    at(f.day(25))
    with pytest.raises(ValidationError, match="no later than day 60"):
        services.hearing_reschedule(
            hearing=scheduled, scheduled_for=f.day(62), reason="Room", actor=SYSTEM
        )
    moved = services.hearing_reschedule(
        hearing=scheduled, scheduled_for=f.day(52, 9), reason="Room unavailable", actor=SYSTEM
    )
    assert moved.sequence == 1
    assert moved.notice_published_at == f.day(25)


def test_participants_register_and_file_before_the_hearing(world, scheduled, at):
    at(f.day(30))
    p = world.parties
    union = services.participant_register(
        hearing=scheduled, organization=p.union, actor=p.union_user
    )
    hro = services.participant_register(hearing=scheduled, organization=p.hro, actor=p.hro_user)
    assert union.role == HearingParticipant.Role.COMPLAINANT
    assert hro.role == HearingParticipant.Role.COMPLAINANT
    with pytest.raises(PermissionDenied):
        services.participant_register(
            hearing=scheduled, organization=p.employer, actor=p.union_user
        )
    gov = services.participant_register(
        hearing=scheduled,
        organization=p.gov_us,
        role=HearingParticipant.Role.COMPLAINING_GOVERNMENT,
        actor=world.staff,
    )
    assert gov.role == "complaining_government"
    s = services.submission_file(
        participant=union,
        kind=Submission.Kind.WRITTEN_EVIDENCE,
        title="Payroll records",
        text="Payroll shows the dismissals.",
        upload=SimpleUploadedFile("payroll.csv", b"name,date\nA,2026-01-12\n"),
        actor=p.union_user,
    )
    assert s.number == 1
    assert len(s.sha256) == 64
    assert s.file.name.endswith(".csv")
    with pytest.raises(PermissionDenied):
        services.submission_file(
            participant=union, kind="written_argument", title="x", text="y", actor=p.hro_user
        )
    at(f.day(50, 10))
    with pytest.raises(ValidationError, match="before the hearing"):
        services.submission_file(
            participant=hro, kind="written_argument", title="Late", text="Late", actor=p.hro_user
        )
    with pytest.raises(ValidationError, match="Registration closes"):
        services.participant_register(
            hearing=scheduled, organization=p.gov_pe, role="respondent", actor=world.staff
        )


def test_a_supporting_organization_registers(world, scheduled, at):
    at(f.day(30))
    from commission.models import Organization, OrganizationMembership
    from tests.factories.commission import OrganizationFactory, PersonFactory, UserFactory

    other = OrganizationFactory(kind=Organization.Kind.LABOR_ORGANIZATION, name="Federación")
    user = UserFactory(username="fed")
    OrganizationMembership.objects.create(
        organization=other, person=PersonFactory(user=user), role="delegate"
    )
    part = services.participant_register(hearing=scheduled, organization=other, actor=user)
    assert part.role == HearingParticipant.Role.SUPPORTING_ORGANIZATION


def test_holding_the_hearing_meets_the_clock_and_opens_the_window(world, heard, at):
    case = heard.case
    case.refresh_from_db()
    assert case.status == Case.Status.HEARD
    hearing_clock = selectors.case_clock(case=case, kind=Clock.Kind.HEARING_BY)
    assert hearing_clock.status == Clock.Status.MET
    assert hearing_clock.met_at == f.day(50, 9)
    window = selectors.case_clock(case=case, kind=Clock.Kind.WRITTEN_ARGUMENTS_CLOSE)
    assert window.days == 14
    assert window.last_day < selectors.case_clock(case=case, kind="decision_by").last_day
    # A window: open (pending) until its due instant, never met at its opening.
    assert window.is_window
    assert window.status == Clock.Status.PENDING
    assert window.met_at is None
    assert (
        not CaseEvent.objects.for_subject(case)
        .filter(verb="clock_met")
        .exclude(data__kind=Clock.Kind.HEARING_BY)
    )


def test_written_arguments_after_the_window_are_refused(world, scheduled, at):
    """Must hold: written arguments after the window are refused."""
    at(f.day(30))
    p = world.parties
    union = services.participant_register(
        hearing=scheduled, organization=p.union, actor=p.union_user
    )
    at(f.day(50, 15))
    services.hearing_record_held(hearing=scheduled, held_at=f.day(50, 9), actor=world.staff)
    window = selectors.case_clock(case=scheduled.case, kind=Clock.Kind.WRITTEN_ARGUMENTS_CLOSE)
    at(window.due_at - dt.timedelta(minutes=1))
    ok = services.submission_file(
        participant=union,
        kind=Submission.Kind.POST_HEARING_ARGUMENT,
        title="Closing argument",
        text="The record shows the violations.",
        actor=p.union_user,
    )
    assert ok.pk
    at(window.due_at + dt.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="window for written arguments closed"):
        services.submission_file(
            participant=union,
            kind=Submission.Kind.POST_HEARING_ARGUMENT,
            title="Too late",
            text="After the window.",
            actor=p.union_user,
        )


def test_the_window_closes_at_its_due_instant_and_is_never_missed(world, scheduled, at):
    """The sweep records the written-arguments window closed (not missed), once, publicly,
    and sends nothing about it; arguments are refused from the due instant on, also before
    the sweep has run."""
    from commission.models import ClockNotice
    from commission.services import clock_sweep

    at(f.day(30))
    p = world.parties
    union = services.participant_register(
        hearing=scheduled, organization=p.union, actor=p.union_user
    )
    at(f.day(50, 15))
    services.hearing_record_held(hearing=scheduled, held_at=f.day(50, 9), actor=world.staff)
    case = scheduled.case
    window = selectors.case_clock(case=case, kind=Clock.Kind.WRITTEN_ARGUMENTS_CLOSE)
    assert window.next_action_at == window.due_at
    # Before the due instant the sweep leaves the window alone and sends nothing about it.
    at(window.due_at - dt.timedelta(hours=1))
    clock_sweep()
    window.refresh_from_db()
    assert window.status == Clock.Status.PENDING
    at(window.due_at + dt.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="window for written arguments closed"):
        services.submission_file(
            participant=union,
            kind=Submission.Kind.POST_HEARING_ARGUMENT,
            title="Too late",
            text="After the window, before the sweep.",
            actor=p.union_user,
        )
    report = clock_sweep()
    assert report.windows_closed == 1
    assert clock_sweep().windows_closed == 0
    window.refresh_from_db()
    assert window.status == Clock.Status.CLOSED
    assert window.closed_at == window.due_at
    assert window.missed_at is None
    assert window.next_action_at is None
    assert not ClockNotice.objects.filter(clock=window).exists()
    closed = CaseEvent.objects.for_subject(case).filter(verb="clock_window_closed")
    assert [(e.occurred_at, e.is_public) for e in closed] == [(window.due_at, True)]
    assert not CaseEvent.objects.for_subject(case).filter(
        verb="clock_missed", data__kind=Clock.Kind.WRITTEN_ARGUMENTS_CLOSE
    )
    with pytest.raises(ValidationError, match="window for written arguments closed"):
        services.submission_file(
            participant=union,
            kind=Submission.Kind.POST_HEARING_ARGUMENT,
            title="Too late",
            text="After the window and the sweep.",
            actor=p.union_user,
        )


def test_a_window_that_would_not_close_before_the_decision_deadline_is_refused(
    world, scheduled, at
):
    at(f.day(50, 15))
    with pytest.raises(ValidationError, match="must close before the decision deadline"):
        services.hearing_record_held(
            hearing=scheduled, held_at=f.day(50, 9), written_arguments_days=39, actor=SYSTEM
        )
    assert Hearing.objects.get(pk=scheduled.pk).status == Hearing.Status.SCHEDULED
    services.hearing_record_held(
        hearing=scheduled, held_at=f.day(50, 9), written_arguments_days=0, actor=SYSTEM
    )
    with pytest.raises(ValidationError, match="must close before"):
        services.written_arguments_window_open(hearing=scheduled, days=40, actor=SYSTEM)
    assert (
        services.written_arguments_window_open(hearing=scheduled, days=30, actor=SYSTEM).days == 30
    )


def test_consultations_run_inside_the_60_days_and_compliance_does_not_cancel(world, scheduled, at):
    p = world.parties
    at(f.day(35))
    c = services.consultation_record(
        case=scheduled.case,
        requesting_government=p.gov_us,
        responding_government=p.gov_pe,
        held_on=f.day(34).date(),
        summary="The United States is satisfied that Peru now complies.",
        outcome=GovernmentConsultation.Outcome.COMPLIANCE_DECLARED,
        compliance_statement_text="Peru has come into compliance.",
        actor=world.staff,
    )
    assert isinstance(c.compliance_statement, ComplianceStatement)
    scheduled.refresh_from_db()
    assert scheduled.status == Hearing.Status.SCHEDULED
    case = Case.objects.get(pk=scheduled.case_id)
    assert case.status == Case.Status.HEARING_SCHEDULED
    assert not hasattr(services, "hearing_cancel")
    assert set(Hearing.Status.values) == {"scheduled", "held"}
    at(f.day(70))
    with pytest.raises(ValidationError, match="inside the 60 days"):
        services.consultation_record(
            case=scheduled.case,
            requesting_government=p.gov_us,
            responding_government=p.gov_pe,
            held_on=f.day(65).date(),
            summary="Late",
            outcome="no_agreement",
            actor=SYSTEM,
        )


def test_the_hearing_record_is_stored_by_content(world, heard, at):
    at(f.day(51))
    item = services.record_item_upload(
        hearing=heard,
        kind="transcript",
        description="Transcript of the hearing",
        upload=SimpleUploadedFile("transcript.txt", b"Transcript text"),
        actor=world.staff,
    )
    import hashlib

    assert item.sha256 == hashlib.sha256(b"Transcript text").hexdigest()
    assert item.file.name == f"hearings/record/{item.sha256[:2]}/{item.sha256}.txt"
    assert item.file.read() == b"Transcript text"


def test_the_ical_feed_lists_hearings(world, scheduled, client):
    response = client.get("/hearings/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VCALENDAR" in body
    assert "BEGIN:VEVENT" in body
    assert f"UID:hearing-{scheduled.pk}@" in body
    assert "DTSTART:20260421T140000Z" in body
    assert scheduled.case.docket_number in body
    assert "https://hearings.example.org/pe-2026" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
