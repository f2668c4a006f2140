"""The rules of investigations, through `investigations.services`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commission.actors import SYSTEM
from commission.models import CaseEvent, Clock, TeamMembership
from commission.services import clock_sweep
from complaints.models import Case, Evidence
from investigations import sampling, services
from investigations.models import (
    ConfidentialAccess,
    DisclosureDemand,
    Finding,
    Interview,
    Investigation,
    RemedialOrder,
)
from tests.factories.commission import OrganizationFactory, PersonFactory
from tests.factories.complaints import file_case
from tests.factories.investigations import (
    INTERVIEWEE,
    STATEMENT,
    determined_violation,
    open_agency_monitoring,
)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


# --- teams ---------------------------------------------------------------------------------


def test_team_needs_staff_and_keeps_its_last_staff_member(tw):
    with pytest.raises(ValidationError, match="at least one commission staff"):
        services.team_member_remove(membership=tw.lead_membership, actor=SYSTEM)
    second = services.team_member_add(
        team=tw.team, person=PersonFactory(), role=TeamMembership.Role.STAFF, actor=SYSTEM
    )
    services.team_member_remove(membership=tw.lead_membership, actor=SYSTEM)
    assert list(tw.team.memberships.filter(role="staff")) == [second]


def test_enforcement_official_needs_a_note_on_legitimacy(tw):
    with pytest.raises(ValidationError, match="legitimate"):
        services.team_member_add(
            team=tw.team,
            person=PersonFactory(),
            role=TeamMembership.Role.ENFORCEMENT_OFFICIAL,
            actor=SYSTEM,
        )
    services.team_member_add(
        team=tw.team,
        person=PersonFactory(),
        role=TeamMembership.Role.ENFORCEMENT_OFFICIAL,
        note="Career inspector, no ties to the employer; elected by the regional union board.",
        actor=SYSTEM,
    )


def test_only_staff_with_the_permission_manage_teams(tw):
    with pytest.raises(PermissionDenied):
        services.team_member_add(
            team=tw.team, person=PersonFactory(), role="womens_organization", actor=tw.rep
        )


# --- kinds of investigation ----------------------------------------------------------------


def test_complaint_filed_opens_a_targeted_investigation_for_the_country_team(
    tw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(tw.base, received_days_ago=1)
    investigation = Investigation.objects.get(complaint=case)
    assert investigation.kind == Investigation.Kind.TARGETED
    assert investigation.trigger == Investigation.Trigger.COMPLAINT_FILED
    assert investigation.team == tw.team  # covers the employer's sector
    # Exactly once, however many times the task runs.
    services.investigation_open_for_complaint(case_id=case.pk)
    assert Investigation.objects.filter(complaint=case).count() == 1
    assert CaseEvent.objects.for_subject(case).filter(verb="investigation_opened").exists()


def test_staff_open_expedited_fact_gathering_before_a_hearing(tw):
    case = file_case(tw.base, received_days_ago=1)
    with pytest.raises(PermissionDenied):
        services.investigation_open(
            kind="expedited", team=tw.team, title="Facts", complaint=case, actor=tw.rep
        )
    investigation = services.investigation_open(
        kind="expedited", team=tw.team, title="Facts", complaint=case, actor=tw.base.staff
    )
    assert investigation.kind == "expedited"
    assert investigation.number.startswith("I-")


def test_agency_monitoring_names_the_agency(tw):
    with pytest.raises(ValidationError, match="agency"):
        services.investigation_open(
            kind="agency_monitoring",
            team=tw.team,
            title="x",
            subjects=[tw.base.employer],
            actor=tw.base.staff,
        )
    assert open_agency_monitoring(tw).subjects.count() == 2


def test_employer_sample_is_reproducible_from_method_and_seed(tw):
    for n in range(12):
        OrganizationFactory(name=f"Taller {n}", country=tw.base.peru, sector=tw.base.sector)
    investigation = services.investigation_open_sample(
        team=tw.team,
        title="Garment employers 2026",
        country=tw.base.peru,
        sector=tw.base.sector,
        size=5,
        actor=tw.base.staff,
    )
    investigation.refresh_from_db()
    assert investigation.sample_seed
    assert investigation.sample_method == sampling.METHOD
    assert len(investigation.sample) == 5
    assert set(investigation.sample) <= set(investigation.sample_frame)
    # Anyone can redraw it from what is recorded.
    redrawn = sampling.sample_draw(
        frame=investigation.sample_frame,
        size=investigation.sample_size,
        seed=investigation.sample_seed,
        method=investigation.sample_method,
    )
    assert redrawn == investigation.sample
    assert sorted(investigation.subjects.values_list("pk", flat=True)) == investigation.sample
    # The same seed gives the same sample in a new investigation; another seed another one.
    again = services.investigation_open_sample(
        team=tw.team,
        title="again",
        country=tw.base.peru,
        sector=tw.base.sector,
        size=5,
        seed=investigation.sample_seed,
        actor=SYSTEM,
    )
    assert again.sample == investigation.sample
    others = {
        tuple(sampling.sample_draw(frame=investigation.sample_frame, size=5, seed=str(s)))
        for s in range(20)
    }
    assert len(others) > 1


def test_sample_pinned_values_never_change():
    """The method's output is pinned: a change in the drawing would make old samples
    unreproducible."""
    assert sampling.sample_draw(
        frame=list(range(1, 21)), size=4, seed="abc"
    ) == sampling.sample_draw(frame=list(range(20, 0, -1)), size=4, seed="abc")
    assert sampling.sample_draw(frame=list(range(1, 21)), size=4, seed="abc") == [2, 4, 5, 12]


def test_sample_size_must_fit_the_frame(tw):
    with pytest.raises(ValidationError, match="sample size"):
        services.investigation_open_sample(
            team=tw.team, title="x", country=tw.base.peru, size=50, actor=SYSTEM
        )


# --- activities and confidentiality --------------------------------------------------------


def test_interview_encrypted_off_premises_and_confidential(tw):
    investigation = open_agency_monitoring(tw)
    with pytest.raises(ValidationError, match="off company premises"):
        services.interview_record(
            investigation=investigation,
            held_on=today(),
            place_description="Factory canteen",
            off_premises=False,
            interviewee_name=INTERVIEWEE,
            statement=STATEMENT,
            actor=tw.rep,
        )
    interview = services.interview_record(
        investigation=investigation,
        held_on=today(),
        place_description="Union hall, Ate",
        off_premises=True,
        interviewee_name=INTERVIEWEE,
        statement=STATEMENT,
        actor=tw.rep,
    )
    assert interview.pseudonym == "Worker 1"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT interviewee_name, statement FROM investigations_interview WHERE id = %s",
            [interview.pk],
        )
        raw_name, raw_statement = cursor.fetchone()
    assert INTERVIEWEE not in raw_name
    assert STATEMENT not in raw_statement
    # The interviewer reads it back; each read is logged.
    record = services.interview_confidential_read(interview=interview, user=tw.rep, door="test")
    assert record.name == INTERVIEWEE
    assert record.statement == STATEMENT
    assert ConfidentialAccess.objects.filter(user=tw.rep, interview=interview).count() == 1
    # The team's staff member, commission staff, a superuser: not without an explicit grant.
    from tests.factories.commission import UserFactory

    boss = UserFactory(username="root", is_superuser=True, is_staff=True)
    for user in (tw.lead, tw.base.staff, tw.base.member, boss, tw.other_lead):
        with pytest.raises(PermissionDenied):
            services.interview_confidential_read(interview=interview, user=user, door="test")
    services.interview_access_grant(
        interview=interview, user=tw.base.staff, reason="Intake check", actor=tw.lead
    )
    services.interview_confidential_read(interview=interview, user=tw.base.staff, door="test")
    with pytest.raises(PermissionDenied):
        services.interview_access_grant(interview=interview, user=tw.lead, reason="x", actor=tw.rep)
    with pytest.raises(ValidationError):
        services.interview_access_grant(
            interview=interview, user=tw.base.outsider, reason="x", actor=tw.lead
        )
    assert ConfidentialAccess.objects.count() == 2
    # Nothing names the interviewee in the events.
    assert not any(
        INTERVIEWEE in str(e.data) or INTERVIEWEE in e.reason for e in CaseEvent.objects.all()
    )


def test_excerpt_never_names_the_interviewee(tw):
    investigation = open_agency_monitoring(tw)
    interview = services.interview_record(
        investigation=investigation,
        held_on=today(),
        place_description="Union hall",
        off_premises=True,
        interviewee_name=INTERVIEWEE,
        statement=STATEMENT,
        actor=tw.rep,
    )
    with pytest.raises(ValidationError, match="pseudonym"):
        services.interview_excerpt_add(
            interview=interview, text=f"{INTERVIEWEE} was dismissed", actor=tw.rep
        )
    with pytest.raises(PermissionDenied):  # cannot read the statement: cannot excerpt it
        services.interview_excerpt_add(interview=interview, text="dismissed", actor=tw.lead)
    excerpt = services.interview_excerpt_add(
        interview=interview,
        text="Dismissed the day after announcing her pregnancy.",
        actor=tw.rep,
    )
    assert excerpt.interview == interview


def test_other_team_cannot_record(tw):
    investigation = open_agency_monitoring(tw)
    with pytest.raises(PermissionDenied):
        services.site_visit_record(
            investigation=investigation,
            place="Ate",
            visited_on=today(),
            announced=False,
            observations="x",
            actor=tw.other_lead,
        )
    visit = services.site_visit_record(
        investigation=investigation,
        place="Ate",
        visited_on=today(),
        announced=False,
        observations="Unannounced: doors locked at the cutting floor.",
        actor=tw.rep,
    )
    assert not visit.announced


def test_disclosure_demand_is_a_clock_swept_with_misses_and_penalty(tw):
    investigation = open_agency_monitoring(tw)
    with pytest.raises(ValidationError, match="agencies"):
        services.demand_issue(
            investigation=investigation,
            addressee=tw.base.employer,
            instrument="mandatory",
            scope="budgets",
            description="x",
            days=10,
            actor=tw.rep,
        )
    with pytest.raises(ValidationError, match="global corporation"):
        services.demand_issue(
            investigation=investigation,
            addressee=tw.base.employer,
            instrument="mandatory",
            scope="affiliates_suppliers",
            description="x",
            days=10,
            actor=tw.rep,
        )
    demand = services.demand_issue(
        investigation=investigation,
        addressee=tw.base.employer,
        instrument="subpoena",
        scope="wages",
        description="Payroll records 2025–2026",
        days=10,
        actor=tw.rep,
    )
    clock = Clock.objects.get(kind=Clock.Kind.DISCLOSURE_DUE, subject_id=str(demand.pk))
    assert clock.docket_number == investigation.number
    assert clock.status == "pending"
    with pytest.raises(ValidationError, match="after the due date"):
        services.demand_record_penalty(demand=demand, penalty="Daily fine", actor=tw.lead)
    with time_machine.travel(clock.due_at + dt.timedelta(days=1)):
        first = clock_sweep()
        second = clock_sweep()
        assert first.misses == 1
        assert second.misses == 0
        clock.refresh_from_db()
        assert clock.status == Clock.Status.MISSED
        # The team hears of it, like a statutory miss.
        assert clock.notices.filter(kind="missed").get().recipient_count == 2
        with pytest.raises(PermissionDenied):  # staff of the team record the penalty
            services.demand_record_penalty(demand=demand, penalty="Daily fine", actor=tw.rep)
        services.demand_record_penalty(
            demand=demand,
            penalty="Daily fine until disclosure",
            amount=Decimal("5000"),
            currency="pen",
            actor=tw.lead,
        )
    demand.refresh_from_db()
    assert demand.status == DisclosureDemand.Status.NOT_DISCLOSED
    assert demand.penalty_currency == "PEN"


def test_disclosure_in_time_meets_the_clock(tw):
    investigation = open_agency_monitoring(tw)
    demand = services.demand_issue(
        investigation=investigation,
        addressee=tw.base.agency,
        instrument="mandatory",
        scope="budgets",
        description="Inspectorate budget",
        days=15,
        actor=tw.rep,
    )
    services.demand_record_disclosure(
        demand=demand, summary="Budget 2026 received", disclosed_at=timezone.now(), actor=tw.rep
    )
    assert Clock.objects.get(subject_id=str(demand.pk), kind="disclosure_due").status == "met"
    with pytest.raises(ValidationError):
        services.demand_record_disclosure(
            demand=demand, summary="again", disclosed_at=timezone.now(), actor=tw.rep
        )


# --- findings and determinations -----------------------------------------------------------


def test_staff_position_prevails_and_dissents_are_kept(tw):
    investigation = open_agency_monitoring(tw)
    finding = services.finding_draft(
        investigation=investigation,
        criterion_version=tw.rule,
        result="violation",
        summary="Union not recognized",
        facts="The employer refuses to bargain.",
        observed_on=today(),
        actor=tw.rep,
    )
    positions = [
        services.PositionInput(tw.lead_membership, "insufficient_evidence", "No documents yet."),
        services.PositionInput(tw.rep_membership, "violation", "Fifty workers say so."),
    ]
    with pytest.raises(PermissionDenied):  # the worker representative does not decide
        services.finding_determine(finding=finding, positions=positions, actor=tw.rep)
    services.finding_determine(finding=finding, positions=positions, actor=tw.lead)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.DETERMINED
    assert finding.result == "insufficient_evidence"
    dissents = finding.determination.dissents
    assert [(d.membership, d.position, d.reasoning) for d in dissents] == [
        (tw.rep_membership, "violation", "Fifty workers say so.")
    ]
    with pytest.raises(ValidationError, match="already"):
        services.finding_determine(finding=finding, positions=positions, actor=tw.lead)


def test_finding_applies_the_version_in_force_and_measures_need_values(tw):
    investigation = open_agency_monitoring(tw)
    with pytest.raises(ValidationError, match="in force"):
        services.finding_draft(
            investigation=investigation,
            criterion_version=tw.rule,
            result="violation",
            summary="x",
            facts="y",
            observed_on=dt.date(2019, 5, 1),
            actor=tw.rep,
        )
    with pytest.raises(ValidationError, match="performance measure"):
        services.finding_draft(
            investigation=investigation,
            criterion_version=tw.measure,
            result="violation",
            summary="Cotton dust",
            facts="Dust",
            observed_on=today(),
            actor=tw.rep,
        )
    finding = determined_violation(tw, investigation, measure=True)
    assert finding.measured_value == Decimal("340")
    assert finding.measured_unit == "µg/m³"


# --- remedial orders and escalation --------------------------------------------------------


def _order(tw, investigation, *, days=30, issued_days_ago=0):
    finding = determined_violation(tw, investigation)
    return services.remedial_order_issue(
        investigation=investigation,
        addressee=tw.base.employer,
        findings=[finding],
        text="Reinstate the dismissed workers with back pay.",
        steps=[
            services.StepInput("Reinstate the fourteen workers", days),
            services.StepInput("Pay back wages", days + 10),
        ],
        capacity_measures=[
            services.CapacityInput("employer", "Training of supervisors on maternity protection")
        ],
        issued_at=timezone.now() - dt.timedelta(days=issued_days_ago),
        actor=tw.lead,
    )


def test_order_needs_determined_violations_and_staff(tw):
    investigation = open_agency_monitoring(tw)
    draft = services.finding_draft(
        investigation=investigation,
        criterion_version=tw.rule,
        result="violation",
        summary="x",
        facts="y",
        observed_on=today(),
        actor=tw.rep,
    )
    with pytest.raises(ValidationError, match="violations determined"):
        services.remedial_order_issue(
            investigation=investigation,
            addressee=tw.base.employer,
            findings=[draft],
            text="x",
            steps=[services.StepInput("x", 10)],
            actor=tw.lead,
        )
    finding = determined_violation(tw, investigation)
    with pytest.raises(PermissionDenied):
        services.remedial_order_issue(
            investigation=investigation,
            addressee=tw.base.employer,
            findings=[finding],
            text="x",
            steps=[services.StepInput("x", 10)],
            actor=tw.rep,
        )


def test_plan_or_promise_never_counts_as_compliance(tw):
    investigation = open_agency_monitoring(tw)
    order = _order(tw, investigation)
    for basis in ("plan", "promise"):
        with pytest.raises(ValidationError, match="plan or a promise"):
            services.verification_record(
                order=order,
                visited_on=today(),
                basis=basis,
                outcome="complied",
                observations="The employer promises to reinstate.",
                actor=tw.rep,
            )
    services.verification_record(
        order=order,
        visited_on=today(),
        basis="inspection",
        outcome="complied",
        observations="All fourteen workers back at their machines.",
        actor=tw.rep,
    )
    order.refresh_from_db()
    assert order.status == RemedialOrder.Status.VERIFIED_COMPLIED
    assert set(
        Clock.objects.filter(kind="remedial_order_due").values_list("status", flat=True)
    ) == {"met"}


def test_missed_due_date_files_a_complaint_exactly_once(tw, django_capture_on_commit_callbacks):
    investigation = open_agency_monitoring(tw)
    order = _order(tw, investigation, days=30)
    services.verification_record(
        order=order,
        visited_on=today(),
        basis="inspection",
        outcome="not_complied",
        observations="Only two workers reinstated.",
        measured_value=Decimal("2"),
        measured_unit="workers",
        measuring_method="Payroll and headcount",
        actor=tw.rep,
    )
    order.refresh_from_db()
    assert order.status == RemedialOrder.Status.OPEN  # the due date has not passed yet
    clock = Clock.objects.filter(kind="remedial_order_due").order_by("due_at").first()
    before = Case.objects.count()
    with (
        time_machine.travel(clock.due_at + dt.timedelta(hours=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        clock_sweep()  # the miss queues the escalation task (run at once here)
    order.refresh_from_db()
    assert order.status == RemedialOrder.Status.FAILED
    with time_machine.travel(clock.due_at + dt.timedelta(hours=1)):
        clock_sweep()
        services.remedial_orders_escalate_due()
    order.refresh_from_db()
    assert order.status == RemedialOrder.Status.FAILED
    assert Case.objects.count() == before + 1
    complaint = order.complaint
    assert complaint.kind == "complaint"
    assert complaint.received_via == "investigation"
    assert set(
        Clock.objects.filter(
            subject_id=str(complaint.pk), kind__in=["hearing_by", "decision_by"]
        ).values_list("kind", flat=True)
    ) == {"hearing_by", "decision_by"}
    allegation = complaint.allegations.get()
    assert allegation.criteria.get() == tw.rule.criterion
    assert allegation.workers_affected == 14
    evidence = Evidence.objects.get(case=complaint)
    body = evidence.file.read().decode()
    assert tw.rule.identifier in body
    assert INTERVIEWEE not in body
    assert complaint.complainants.get().organization.name.startswith(tw.team.name)
    # No targeted investigation of the team's own complaint.
    assert not Investigation.objects.filter(complaint=complaint).exists()
    # Later sweeps (the second step's miss) file nothing more.
    last = Clock.objects.filter(kind="remedial_order_due").order_by("due_at").last()
    with time_machine.travel(last.due_at + dt.timedelta(hours=1)):
        clock_sweep()
        services.remedial_orders_escalate_due()
    assert Case.objects.count() == before + 1


def test_failed_verification_after_the_due_date_escalates(tw):
    investigation = open_agency_monitoring(tw)
    order = _order(tw, investigation, days=10, issued_days_ago=40)
    services.verification_record(
        order=order,
        visited_on=today(),
        basis="worker_interviews",
        outcome="not_complied",
        observations="No one reinstated.",
        actor=tw.rep,
    )
    order.refresh_from_db()
    assert order.status == RemedialOrder.Status.FAILED
    assert order.complaint_id


def test_commission_review_and_protocol_mandate(tw):
    investigation = open_agency_monitoring(tw)
    finding = determined_violation(tw, investigation)
    with pytest.raises(PermissionDenied):
        services.review_record(finding=finding, outcome="upheld", reasons="ok", actor=tw.rep)
    review = services.review_record(
        finding=finding,
        outcome="remanded",
        reasons="Interview more workers.",
        actor=tw.base.member,
    )
    assert review.reviewed_by == tw.base.member
    with pytest.raises(PermissionDenied):
        services.protocol_mandate(
            team=tw.team, change="x", reasons="y", effective_on=today(), actor=tw.base.staff
        )
    mandate = services.protocol_mandate(
        team=tw.team,
        change="Unannounced visits first",
        reasons="Forum 2026-Q3",
        effective_on=today(),
        actor=tw.base.member,
    )
    assert mandate.mandated_at
    assert mandate.team == tw.team


def test_reassigning_moves_access(tw):
    investigation = open_agency_monitoring(tw)
    interview = services.interview_record(
        investigation=investigation,
        held_on=today(),
        place_description="Union hall",
        off_premises=True,
        interviewee_name=INTERVIEWEE,
        statement=STATEMENT,
        actor=tw.rep,
    )
    services.investigation_assign_team(
        investigation=investigation, team=tw.other_team, reason="Workload", actor=tw.base.staff
    )
    assert not services.can_write(tw.rep, investigation)
    assert services.can_write(tw.other_lead, investigation)
    assert not services.can_read_confidential(tw.rep, interview)
    assert Interview.objects.count() == 1


def test_interview_key_rotation(tw, settings):
    from cryptography.fernet import Fernet
    from django.db import connection

    investigation = open_agency_monitoring(tw)
    interview = services.interview_record(
        investigation=investigation,
        held_on=today(),
        place_description="Union hall",
        off_premises=True,
        interviewee_name=INTERVIEWEE,
        statement=STATEMENT,
        actor=tw.rep,
    )

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement FROM investigations_interview WHERE id = %s", [interview.pk]
            )
            return cursor.fetchone()[0]

    before = raw()
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert services.interview_fields_reencrypt() == 1
    assert raw() != before
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Interview.objects.get(pk=interview.pk).statement == STATEMENT


def test_team_complaint_is_written_in_the_commission_language(tw):
    from django.utils import translation

    investigation = open_agency_monitoring(tw)
    order = _order(tw, investigation, days=10, issued_days_ago=40)
    with translation.override("es"):
        services.verification_record(
            order=order,
            visited_on=today(),
            basis="inspection",
            outcome="not_complied",
            observations="Nadie fue reincorporado.",
            actor=tw.rep,
        )
    order.refresh_from_db()
    assert order.complaint.language == "en"
    assert order.complaint.remedies_sought.startswith("Sanctions until")


def test_staff_file_the_complaint_of_an_order_past_due_and_the_events_name_them(tw):
    """The workspace's "file the complaint": staff who review investigations escalate an order
    past due, and the investigation's events record who; a team member without that
    permission is refused before anything changes."""
    from tests.factories.hearings import staff_create

    investigation = open_agency_monitoring(tw)
    order = _order(tw, investigation, days=30)
    clock = Clock.objects.filter(kind="remedial_order_due").order_by("due_at").first()
    staff = staff_create()
    with time_machine.travel(clock.due_at + dt.timedelta(hours=1)):
        with pytest.raises(PermissionDenied):
            services.remedial_order_escalate(order_id=order.pk, actor=tw.rep)
        order.refresh_from_db()
        assert order.status == RemedialOrder.Status.OPEN
        services.remedial_order_escalate(order_id=order.pk, actor=staff)
    order.refresh_from_db()
    assert order.status == RemedialOrder.Status.FAILED
    assert order.complaint is not None
    events = CaseEvent.objects.for_subject(investigation)
    assert events.get(verb="remedial_order_failed").actor == staff
    assert events.get(verb="complaint_filed").actor == staff
