"""The sanctions' rules through their services: in force from the decision's issue,
deterrence, verification by a team only, lifting in order (verified, noticed, heard,
determined), full lifting only at full compliance, waivers only with both votes and the
president's signature, and nothing edited or deleted."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from commission.actors import SYSTEM
from commission.models import CaseEvent
from hearings import selectors as hearings_selectors
from hearings.models import Decision
from sanctions import selectors, services
from sanctions.models import (
    BenchmarkVerification,
    LiftDetermination,
    SanctionOrder,
    SanctionSpecification,
)
from tests.factories import hearings as f

from .conftest import later


def _employer_order(decision: Decision) -> SanctionOrder:
    return SanctionOrder.objects.get(specification__decision=decision, specification__number=1)


def _verify(order, team, position=1, value=Decimal("100"), achieved=None):
    benchmark = order.specification.benchmarks.get(position=position)
    return services.benchmark_verify(
        benchmark=benchmark,
        team=team,
        measured_value=value if benchmark.direction != "achieved" else None,
        achieved=achieved if benchmark.direction == "achieved" else None,
        measured_on=dt.date(2025, 1, 1) if False else later(0).date(),
        method_applied="Payroll audit.",
        actor=team.member,
    )


def _notice(order, staff, benchmark, at, days=15):
    at(later(1))
    return services.lift_notice_publish(
        order=order,
        benchmark=benchmark,
        hearing_at=later(1 + days),
        location="Lima",
        text="Hearing on lifting.",
        actor=staff,
    )


def _hold(notice, staff, at):
    at(notice.hearing_at + dt.timedelta(hours=2))
    return services.lift_hearing_record(
        notice=notice, presenters="The union", record="No contrary evidence.", actor=staff
    )


def _rendered(render) -> LiftDetermination:
    """What the worker does with a lift determination's render (sanctions.tasks)."""
    render = services.lift_render_run(render_id=render.pk)
    assert render.status == "done", render.error
    return render.determination


def _step_ready(issued, team, staff, at, position=1):
    order = _employer_order(issued)
    at(later(0, 12))
    _verify(order, team, position=position, achieved=True)
    benchmark = order.specification.benchmarks.get(position=position)
    notice = _notice(order, staff, benchmark, at)
    _hold(notice, staff, at)
    return order, benchmark


def test_issuing_puts_every_sanction_in_force(issued):
    orders = SanctionOrder.objects.filter(specification__decision=issued)
    assert orders.count() == 3
    order = _employer_order(issued)
    assert order.in_force_from == issued.issued_at
    assert order.magnitude == Decimal("35")
    assert order.estimated_benefit == Decimal("12")
    assert CaseEvent.objects.filter(verb="sanction_in_force").count() == 3
    assert selectors.magnitude_in_force(order=order) == Decimal("35")


def test_the_opinion_shows_the_deterrence_comparison(issued):
    from hearings import opinion

    context = opinion.decision_context(issued)
    first = context["sanctions"][0]
    assert first["benefit"] == "12 %"
    assert "35" in first["magnitude"]
    assert context["findings"][0]["sanction_numbers"] == [1, 2]
    assert hearings_selectors.decision_full(pk=issued.pk) is not None


@pytest.mark.parametrize(("magnitude", "benefit"), [("10", "10"), ("10", "11")])
def test_a_magnitude_not_above_the_benefit_is_refused(world, drafted, magnitude, benefit):
    with pytest.raises(ValidationError, match="does not exceed the estimated benefit"):
        services.sanction_specify(
            actor=SYSTEM,
            decision=drafted,
            target="firm",
            target_organization=world.parties.employer,
            instrument="tariff",
            magnitude=Decimal(magnitude),
            unit="percent_ad_valorem",
            estimated_benefit=Decimal(benefit),
            benefit_method="Savings",
            description="Terms",
            deterrence_reasoning="Deters",
            findings=list(drafted.findings.all()),
            benchmarks=[f.benchmark()],
        )


def test_the_benefit_must_be_estimated_and_explained(world, drafted):
    kwargs = {
        "decision": drafted,
        "target": "firm",
        "target_organization": world.parties.employer,
        "instrument": "tariff",
        "magnitude": Decimal("20"),
        "unit": "percent_ad_valorem",
        "description": "Terms",
        "deterrence_reasoning": "Deters",
        "findings": list(drafted.findings.all()),
        "benchmarks": [f.benchmark()],
    }
    with pytest.raises(ValidationError, match="Estimate the benefit"):
        services.sanction_specify(
            actor=SYSTEM, estimated_benefit=None, benefit_method="x", **kwargs
        )
    with pytest.raises(ValidationError, match="how the benefit"):
        services.sanction_specify(
            actor=SYSTEM, estimated_benefit=Decimal("5"), benefit_method=" ", **kwargs
        )


def test_a_monetary_penalty_states_its_period(world, drafted):
    with pytest.raises(ValidationError, match="per month or per year"):
        services.sanction_specify(
            actor=SYSTEM,
            decision=drafted,
            target="global_corporation",
            target_organization=world.parties.buyer,
            supply_relationship=world.parties.supply,
            instrument="monetary_penalty",
            magnitude=Decimal("1000"),
            unit="currency",
            currency="USD",
            estimated_benefit=Decimal("10"),
            benefit_method="Margin",
            description="Terms",
            deterrence_reasoning="Deters",
            findings=list(drafted.findings.all()),
            benchmarks=[f.benchmark()],
        )


def test_the_buying_corporation_is_proposed_from_the_supply_relationships(world, drafted):
    proposed = selectors.global_corporations_proposed(decision=drafted)
    assert [s.corporation for s in proposed] == [world.parties.buyer]


def test_only_a_team_member_verifies_and_only_a_measured_value_counts(issued, team, staff, at):
    order = _employer_order(issued)
    benchmark = order.specification.benchmarks.get(position=1)
    at(later(0, 12))
    with pytest.raises(PermissionDenied):
        services.benchmark_verify(
            benchmark=benchmark,
            team=team,
            measured_value=Decimal("100"),
            measured_on=later(0).date(),
            method_applied="Audit.",
            actor=staff,
        )
    with pytest.raises(ValidationError, match="measured value"):
        services.benchmark_verify(
            benchmark=benchmark,
            team=team,
            measured_value=None,
            measured_on=later(0).date(),
            method_applied="The employer is taking steps and plans to reinstate.",
            actor=team.member,
        )
    short = services.benchmark_verify(
        benchmark=benchmark,
        team=team,
        measured_value=Decimal("60"),
        measured_on=later(0).date(),
        method_applied="Payroll audit: 60 % reinstated.",
        actor=team.member,
    )
    assert not short.met
    assert not selectors.benchmark_met(benchmark=benchmark)
    met = _verify(order, team)
    assert met.met
    assert selectors.benchmark_met(benchmark=benchmark)
    assert CaseEvent.objects.filter(verb="benchmark_verified").count() == 1
    assert CaseEvent.objects.filter(verb="benchmark_not_met").count() == 1


def test_lifting_without_verification_is_refused(issued, staff, member, at):
    order = _employer_order(issued)
    benchmark = order.specification.benchmarks.get(position=1)
    at(later(1))
    with pytest.raises(ValidationError, match="not verified met"):
        services.lift_notice_publish(
            order=order,
            benchmark=benchmark,
            hearing_at=later(20),
            location="Lima",
            text="Notice",
            actor=staff,
        )
    with pytest.raises(ValidationError, match="not verified met"):
        services.sanction_lift_step(
            order=order, benchmark=benchmark, reasoning="Taking steps.", actor=member
        )


def test_lifting_without_notice_is_refused(issued, team, staff, member, at):
    order = _employer_order(issued)
    at(later(0, 12))
    _verify(order, team)
    benchmark = order.specification.benchmarks.get(position=1)
    with pytest.raises(ValidationError, match="No public notice"):
        services.sanction_lift_step(
            order=order, benchmark=benchmark, reasoning="Verified.", actor=member
        )
    at(later(1))
    with pytest.raises(ValidationError, match="at least 14 days"):
        services.lift_notice_publish(
            order=order,
            benchmark=benchmark,
            hearing_at=later(10),
            location="Lima",
            text="Notice",
            actor=staff,
        )


def test_lifting_without_the_hearing_is_refused(issued, team, staff, member, at):
    order = _employer_order(issued)
    at(later(0, 12))
    _verify(order, team)
    benchmark = order.specification.benchmarks.get(position=1)
    notice = _notice(order, staff, benchmark, at)
    at(notice.hearing_at - dt.timedelta(hours=1))
    with pytest.raises(ValidationError, match="not before"):
        services.lift_hearing_record(notice=notice, record="Early.", actor=staff)
    with pytest.raises(ValidationError, match="has not been held"):
        services.sanction_lift_step(
            order=order, benchmark=benchmark, reasoning="Verified.", actor=member
        )


def test_a_step_is_lifted_with_its_opinion_and_the_magnitude_falls(issued, team, staff, member, at):
    order, benchmark = _step_ready(issued, team, staff, at)
    with pytest.raises(PermissionDenied):
        services.sanction_lift_step(order=order, benchmark=benchmark, reasoning="x", actor=staff)
    determination = _rendered(
        services.sanction_lift_step(
            order=order, benchmark=benchmark, reasoning="Verified and heard.", actor=member
        )
    )
    assert determination.reduction == Decimal("21.00")  # 60 % of 35
    assert determination.magnitude_after == Decimal("14.00")
    assert not determination.full
    assert determination.pdf.read().startswith(b"%PDF")
    assert selectors.magnitude_in_force(order=order) == Decimal("14.00")
    assert CaseEvent.objects.filter(verb="sanction_step_lifted").count() == 1
    with pytest.raises(ValidationError, match="already"):
        services.sanction_lift_step(
            order=order, benchmark=benchmark, reasoning="Again.", actor=member
        )


def test_a_full_lift_with_a_benchmark_unmet_is_refused(issued, team, staff, member, at):
    order = _employer_order(issued)
    at(later(0, 12))
    _verify(order, team, position=1)
    at(later(1))
    with pytest.raises(ValidationError, match="every benchmark is met"):
        services.lift_notice_publish(
            order=order,
            benchmark=None,
            hearing_at=later(20),
            location="Lima",
            text="Full lifting",
            actor=staff,
        )
    with pytest.raises(ValidationError, match="every benchmark is met"):
        services.sanction_lift_step(order=order, benchmark=None, reasoning="x", actor=member)


def test_the_full_lifting_at_full_compliance(issued, team, staff, member, at):
    order = _employer_order(issued)
    at(later(0, 12))
    _verify(order, team, position=1)
    _verify(order, team, position=2, achieved=True)
    notice = _notice(order, staff, None, at)
    _hold(notice, staff, at)
    determination = _rendered(
        services.sanction_lift_step(
            order=order, benchmark=None, reasoning="Full compliance verified.", actor=member
        )
    )
    assert determination.full
    assert determination.magnitude_after == 0
    assert selectors.order_closed(order=order)
    row = selectors.register_row(public_id=order.public_id)
    assert row.status == "lifted"
    assert row.lifted_percent == 100


@pytest.mark.parametrize(
    "missing", ["national_security_grounds", "house_vote", "senate_vote", "president_signature"]
)
def test_a_waiver_missing_any_act_is_refused(issued, staff, missing):
    order = _employer_order(issued)
    acts = {
        "national_security_grounds": "A threat to supply of defense materiel.",
        "house_vote": "H.J.Res. 12, roll call 311",
        "senate_vote": "S.J.Res. 9, roll call 140",
        "president_signature": "Signed 2026-03-01",
    }
    acts[missing] = ""
    with pytest.raises(ValidationError, match="A waiver is recorded only with"):
        services.sanction_waive(order=order, actor=staff, **acts)
    acts[missing] = "given"
    waiver = services.sanction_waive(order=order, actor=staff, **acts)
    assert waiver.pk
    assert selectors.order_closed(order=order)


def test_nothing_of_a_sanction_in_force_is_edited_or_deleted(issued, team, at):
    order = _employer_order(issued)
    at(later(0, 12))
    verification = _verify(order, team)
    with pytest.raises((ValidationError, IntegrityError)), transaction.atomic():
        SanctionOrder.objects.filter(pk=order.pk).update(magnitude=Decimal("1"))
    with pytest.raises((ValidationError, IntegrityError)), transaction.atomic():
        BenchmarkVerification.objects.filter(pk=verification.pk).update(met=False)
    with pytest.raises((ValidationError, IntegrityError)), transaction.atomic():
        BenchmarkVerification.objects.filter(pk=verification.pk).delete()
    with pytest.raises((ValidationError, IntegrityError)), transaction.atomic():
        SanctionSpecification.objects.filter(pk=order.specification_id).update(magnitude=1)
    assert not LiftDetermination.objects.exists()


def test_a_repeat_violator_is_flagged_with_a_higher_magnitude_proposed(issued, world):
    from complaints.models import Case

    # A new case against the same employer: the earlier order flags it.
    at_case = f.complaint_file(world.parties, world.criteria, withhold=True)
    assert isinstance(at_case, Case)
    flags = selectors.repeat_violators(case_id=at_case.pk)
    by_org = {r.organization: r for r in flags}
    assert by_org[world.parties.employer].prior >= 1
    assert by_org[world.parties.employer].factor >= Decimal("1.5")
