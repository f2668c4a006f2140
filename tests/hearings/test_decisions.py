import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from commission.actors import SYSTEM
from commission.models import Clock
from complaints.models import Case
from hearings import selectors, services
from hearings.models import Decision, Opinion, OpinionRender
from sanctions import services as sanctions_services
from tests.factories import hearings as f


@pytest.fixture
def drafted(world, heard, at):
    at(f.day(70))
    decision = services.decision_open(case=heard.case, actor=SYSTEM)
    f.findings_complete(decision, world.criteria)
    return decision


def issue(decision, django_capture_on_commit_callbacks, actor=SYSTEM, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        render = services.decision_issue(decision=decision, actor=actor, **kwargs)
    render.refresh_from_db()
    decision.refresh_from_db()
    return render


def test_criteria_versions_are_those_in_force_on_the_relevant_date(world, heard, at):
    at(f.day(70))
    decision = services.decision_open(case=heard.case, actor=SYSTEM)
    finding = decision.findings.get(allegation__number=1)
    assert finding.relevant_date == dt.date(2026, 1, 12)
    app = services.criterion_apply(
        finding=finding, criterion=world.criteria.pregnancy.criterion, actor=SYSTEM
    )
    assert app.version.identifier.endswith("/v2")
    services.finding_record(finding=finding, relevant_date=dt.date(2025, 12, 1), actor=SYSTEM)
    app.refresh_from_db()
    assert app.version.identifier.endswith("/v1")
    with pytest.raises(ValidationError, match="No version of"):
        services.finding_record(finding=finding, relevant_date=dt.date(2020, 1, 1), actor=SYSTEM)


def test_a_violation_decision_without_sanctions_is_refused(
    world, drafted, at, django_capture_on_commit_callbacks
):
    """Must hold: a decision finding violations cannot be issued without sanctions."""
    at(f.day(85))
    with pytest.raises(ValidationError) as excinfo:
        issue(drafted, django_capture_on_commit_callbacks)
    assert "no sanction is specified" in " ".join(excinfo.value.messages)
    drafted.refresh_from_db()
    assert drafted.status == Decision.Status.DRAFT
    assert not OpinionRender.objects.exists()
    # A sanction for only some violations is still refused.
    findings = list(drafted.findings.order_by("allegation__number"))
    sanctions_services.sanction_specify(
        actor=SYSTEM,
        decision=drafted,
        target="firm",
        target_organization=world.parties.employer,
        instrument="tariff",
        magnitude=Decimal("30"),
        unit="percent_ad_valorem",
        description="Tariff",
        deterrence_reasoning="Deters",
        estimated_benefit=Decimal("10"),
        benefit_method="Savings as a share of exports.",
        findings=findings[:1],
        benchmarks=[f.benchmark()],
    )
    with pytest.raises(ValidationError, match="Allegation 2"):
        issue(drafted, django_capture_on_commit_callbacks)


def test_a_no_violation_decision_needs_no_sanction(
    world, heard, at, django_capture_on_commit_callbacks
):
    at(f.day(70))
    decision = services.decision_open(case=heard.case, actor=SYSTEM)
    f.findings_complete(decision, world.criteria, violation=False)
    at(f.day(85))
    render = issue(decision, django_capture_on_commit_callbacks)
    assert render.status == OpinionRender.Status.DONE
    assert decision.status == Decision.Status.ISSUED


def test_no_effect_on_trade_anywhere():
    from django.apps import apps

    for model in apps.get_app_config("hearings").get_models():
        for field in model._meta.get_fields():
            assert "trade" not in field.name, (model, field.name)


def test_issuing_registers_the_opinion_decides_the_case_and_meets_the_clock(
    world, drafted, at, django_capture_on_commit_callbacks
):
    f.sanctions_complete(drafted, world.parties)
    at(f.day(85, 11))
    render = issue(
        drafted, django_capture_on_commit_callbacks, actor=world.members.jurist_us.person.user
    )
    assert render.status == OpinionRender.Status.DONE, render.error
    assert drafted.status == Decision.Status.ISSUED
    assert drafted.issued_at == f.day(85, 11) == drafted.effective_at
    opinion = Opinion.objects.get(decision=drafted)
    assert opinion.reference == f"{drafted.case.docket_number}/OP"
    assert opinion.page_count >= 3
    case = Case.objects.get(pk=drafted.case_id)
    assert case.status == Case.Status.DECIDED
    clock = selectors.case_clock(case=case, kind=Clock.Kind.DECISION_BY)
    assert clock.status == Clock.Status.MET
    assert clock.met_at == f.day(85, 11)
    # The sanctions keep their stable ids for the sanctions app.
    assert drafted.sanctions.count() == 3
    assert all(s.public_id and s.benchmarks.exists() for s in drafted.sanctions.all())


def test_issuing_after_day_90_is_possible_and_the_miss_stays(
    world, drafted, at, django_capture_on_commit_callbacks
):
    f.sanctions_complete(drafted, world.parties)
    at(f.day(95))
    render = issue(drafted, django_capture_on_commit_callbacks)
    assert render.status == OpinionRender.Status.DONE
    clock = selectors.case_clock(case=drafted.case, kind=Clock.Kind.DECISION_BY)
    assert clock.status == Clock.Status.MISSED
    assert clock.completed_at == f.day(95)
    assert clock.days_overdue >= 1


def test_the_decision_waits_for_the_written_arguments_window(
    world, drafted, at, django_capture_on_commit_callbacks
):
    f.sanctions_complete(drafted, world.parties)
    at(f.day(60))
    with pytest.raises(ValidationError, match="window for written arguments is open"):
        issue(drafted, django_capture_on_commit_callbacks)
    window = selectors.case_clock(case=drafted.case, kind=Clock.Kind.WRITTEN_ARGUMENTS_CLOSE)
    assert window.status == Clock.Status.PENDING  # open, not "met" at its opening
    at(window.due_at)  # the last instant of the window: still open
    assert any(
        "window for written arguments" in p for p in services.decision_problems(decision=drafted)
    )
    # Closed from its due instant on, whether or not the sweep has recorded it yet.
    at(window.due_at + dt.timedelta(microseconds=1))
    assert not any(
        "window for written arguments" in p for p in services.decision_problems(decision=drafted)
    )
    from commission.services import clock_sweep

    clock_sweep()
    window.refresh_from_db()
    assert window.status == Clock.Status.CLOSED
    assert not any(
        "window for written arguments" in p for p in services.decision_problems(decision=drafted)
    )


def test_the_commission_adopts_on_the_panels_recommendation(
    world, heard, at, settings, django_capture_on_commit_callbacks
):
    settings.HEARINGS_DECISION_ADOPTION = "commission"
    at(f.day(70))
    decision = services.decision_open(case=heard.case, actor=SYSTEM)
    assert decision.adoption == Decision.Adoption.COMMISSION
    f.findings_complete(decision, world.criteria)
    f.sanctions_complete(decision, world.parties)
    at(f.day(80))
    with pytest.raises(ValidationError, match="recommended"):
        issue(decision, django_capture_on_commit_callbacks, adoption_record="Minutes 12")
    services.decision_recommend(decision=decision, actor=world.members.worker_pe.person.user)
    with pytest.raises(ValidationError, match="Record the commission's adoption"):
        issue(decision, django_capture_on_commit_callbacks)
    render = issue(
        decision, django_capture_on_commit_callbacks, adoption_record="Minutes 12, vote 4-0"
    )
    assert render.status == OpinionRender.Status.DONE
    assert decision.status == Decision.Status.ISSUED
    assert decision.adoption_record == "Minutes 12, vote 4-0"


def test_an_issued_decision_is_frozen(world, drafted, at, django_capture_on_commit_callbacks):
    f.sanctions_complete(drafted, world.parties)
    at(f.day(85))
    issue(drafted, django_capture_on_commit_callbacks)
    finding = drafted.findings.first()
    with pytest.raises(ValidationError, match="no longer be changed"):
        services.finding_record(finding=finding, reasoning="Changed", actor=SYSTEM)
    with pytest.raises(ValidationError, match="no longer be changed"):
        sanctions_services.sanction_remove(actor=SYSTEM, sanction=drafted.sanctions.first())


def _petition(world, at):
    at(f.FILED_AT + dt.timedelta(minutes=5))
    petition = f.complaint_file(world.parties, world.criteria, kind=Case.Kind.PETITION)
    at(f.day(3))
    f.panel_seat(world.members, petition)
    at(f.day(20))
    hearing = f.hearing_schedule(petition)
    at(f.day(50, 15))
    services.hearing_record_held(hearing=hearing, held_at=f.day(50, 9), actor=SYSTEM)
    at(f.day(70))
    return services.decision_open(case=petition, actor=SYSTEM)


def test_a_petition_granted_files_the_linked_complaint(
    world, at, django_capture_on_commit_callbacks
):
    decision = _petition(world, at)
    f.findings_complete(decision, world.criteria)
    at(f.day(80))
    with pytest.raises(ValidationError, match="name the government"):
        issue(decision, django_capture_on_commit_callbacks)
    services.decision_update(
        decision=decision, filing_government=world.parties.gov_us, actor=SYSTEM
    )
    render = issue(decision, django_capture_on_commit_callbacks)
    assert render.status == OpinionRender.Status.DONE, render.error
    petition = Case.objects.get(pk=decision.case_id)
    assert petition.status == Case.Status.COMPLAINT_FILED
    complaint = Case.objects.get(originating_petition=petition)
    assert complaint.kind == Case.Kind.COMPLAINT
    assert complaint.status == Case.Status.FILED


def test_a_petition_denied_gets_its_reasoned_opinion(world, at, django_capture_on_commit_callbacks):
    decision = _petition(world, at)
    f.findings_complete(decision, world.criteria, violation=False)
    at(f.day(80))
    render = issue(decision, django_capture_on_commit_callbacks)
    assert render.status == OpinionRender.Status.DONE, render.error
    petition = Case.objects.get(pk=decision.case_id)
    assert petition.status == Case.Status.DENIED
    assert Opinion.objects.filter(decision=decision).exists()
    assert not Case.objects.filter(originating_petition=petition).exists()


def test_sanctions_are_not_part_of_a_petition_decision(world, at):
    decision = _petition(world, at)
    f.findings_complete(decision, world.criteria)
    with pytest.raises(ValidationError, match="Sanctions are ordered on a complaint"):
        f.sanctions_complete(decision, world.parties)
