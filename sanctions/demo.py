"""Demo of the Peru sanctions (DOMAIN.md, "Sanctions"): the decision's three sanctions —
against the employer, the buying corporation and the prison agency — specified while the
hearings demo drafts the decision and in force from its issue; then the employer's first
benchmark (reinstatement with back pay) verified by the Lima team, a lift hearing noticed and
held, and that step lifted by a reasoned determination; its second benchmark still pending.

Each step runs at its own date (time-machine), after the decision's issue. Idempotent: a step
already recorded is not recorded again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from commission.actors import SYSTEM
from commission.models import InvestigativeTeam, Organization, SupplyRelationship
from hearings.models import Decision

from . import services
from .models import (
    BenchmarkVerification,
    LiftDetermination,
    LiftHearing,
    LiftNotice,
    SanctionOrder,
    SanctionSpecification,
)


def _org(kind: str, name: str) -> Organization:
    return Organization.objects.get(kind=kind, name=name)


def decision_sanctions(decision: Decision) -> None:
    """The Peru decision's sanctions (hearings.hooks calls this while its demo drafts it)."""
    K = Organization.Kind
    employer = _org(K.EMPLOYER, "Confecciones del Pacífico S.A.C.")
    buyer = _org(K.GLOBAL_CORPORATION, "Northfield Apparel Group, Inc.")
    prison = _org(K.GOVERNMENT_AGENCY, "National Penitentiary System")
    supply = SupplyRelationship.objects.filter(corporation=buyer, supplier=employer).first()
    findings = {f.allegation.number: f for f in decision.findings.select_related("allegation")}
    B = services.BenchmarkInput
    if SanctionSpecification.objects.filter(decision=decision).exists():
        return
    services.sanction_specify(
        actor=SYSTEM,
        decision=decision,
        target="firm",
        target_organization=employer,
        instrument="tariff",
        magnitude=Decimal("35"),
        unit="percent_ad_valorem",
        estimated_benefit=Decimal("12"),
        benefit_method="Labor cost saved by dismissing pregnant workers and refusing to bargain, "
        "as a share of the value of the garments exported (payroll records and export "
        "declarations of the last two years).",
        description="An additional tariff on every garment of the employer entering the "
        "United States.",
        deterrence_reasoning="Larger than what the employer saves by dismissing pregnant "
        "workers and refusing to bargain, so that violating never pays.",
        findings=[findings[1], findings[2]],
        benchmarks=[
            B(
                description="Reinstatement with back pay of the dismissed workers",
                metric="share of the eleven workers reinstated with back pay",
                direction="at_least",
                target_value=Decimal("100"),
                unit="%",
                verification_method="Payroll audit by the investigative team and confidential "
                "interviews off the premises.",
                lift_share_percent=Decimal("50"),
            ),
            B(
                description="Recognition of the union and a first bargaining session",
                metric="union recognized in writing and bargaining begun",
                direction="achieved",
                verification_method="Copy of the recognition and the minutes of bargaining, "
                "confirmed by the union.",
                lift_share_percent=Decimal("50"),
            ),
        ],
    )
    if supply is not None:
        services.sanction_specify(
            actor=SYSTEM,
            decision=decision,
            target="global_corporation",
            target_organization=buyer,
            supply_relationship=supply,
            instrument="monetary_penalty",
            magnitude=Decimal("2500000"),
            unit="currency",
            currency="USD",
            penalty_period="yearly",
            estimated_benefit=Decimal("900000"),
            benefit_method="The buyer's yearly margin on the shirts sourced from the employer "
            "(import volumes times the price difference with compliant suppliers).",
            description="A monetary penalty on the buying corporation supplied by the workplace.",
            deterrence_reasoning="Removes more than the buyer's margin on the goods sourced "
            "there, so that sourcing from violators does not pay.",
            findings=list(findings.values()),
            benchmarks=[
                B(
                    description="No prison labor and full compliance at the supplier",
                    metric="inmates working on the buyer's orders",
                    direction="at_most",
                    target_value=Decimal("0"),
                    unit="workers",
                    verification_method="Unannounced visits to the supplier and the prisons.",
                    lift_share_percent=Decimal("100"),
                )
            ],
        )
    services.sanction_specify(
        actor=SYSTEM,
        decision=decision,
        target="government_entity",
        target_organization=prison,
        instrument="benefit_withdrawal",
        magnitude=Decimal("50"),
        unit="percent_of_benefits",
        estimated_benefit=Decimal("20"),
        benefit_method="What the penitentiary system earns from the workshops, as a share of "
        "the cooperation benefits it receives (its published accounts).",
        description="Withdrawal of half the cooperation benefits to the penitentiary system.",
        deterrence_reasoning="Large enough to end the supply of prison labor to private firms.",
        findings=[findings[3]],
        benchmarks=[
            B(
                description="No inmate works for a private employer",
                metric="inmates working for private employers",
                direction="at_most",
                target_value=Decimal("0"),
                unit="workers",
                verification_method="Inspection of every prison workshop by the team.",
                lift_share_percent=Decimal("100"),
            )
        ],
    )


@contextmanager
def _at(instant: dt.datetime) -> Iterator[None]:
    import time_machine

    with time_machine.travel(instant, tick=False):
        yield


def load() -> None:
    """After the hearings demo: the employer's sanction, one step verified and lifted."""
    order = (
        SanctionOrder.objects.filter(
            specification__target="firm",
            specification__target_organization__name="Confecciones del Pacífico S.A.C.",
        )
        .select_related("specification")
        .first()
    )
    team = InvestigativeTeam.objects.filter(name="Lima Garment Sector Team").first()
    if order is None or team is None:
        return
    User = get_user_model()
    lead = User.objects.get(username="team.lead")
    staff = User.objects.filter(is_superuser=True).order_by("pk").first()
    if staff is None:
        return
    first = order.specification.benchmarks.get(position=1)
    days = dt.timedelta(days=settings.SANCTIONS_LIFT_NOTICE_DAYS)
    verified_at = order.in_force_from + dt.timedelta(hours=2)
    noticed_at = verified_at + dt.timedelta(hours=1)
    hearing_at = noticed_at + days + dt.timedelta(hours=1)
    if hearing_at + dt.timedelta(hours=4) > timezone.now():
        return  # the decision is too recent for the story to have happened yet
    if not BenchmarkVerification.objects.filter(benchmark=first).exists():
        with _at(verified_at):
            services.benchmark_verify(
                benchmark=first,
                team=team,
                measured_on=timezone.localdate(),
                measured_value=Decimal("100"),
                method_applied="Payroll audit of the eleven workers and interviews off the "
                "premises: all eleven reinstated, back pay paid in full.",
                actor=lead,
            )
    notice = LiftNotice.objects.filter(order=order, benchmark=first).first()
    if notice is None:
        with _at(noticed_at):
            notice = services.lift_notice_publish(
                order=order,
                benchmark=first,
                hearing_at=hearing_at,
                location="Lima, the commission's regional office, and online",
                text="Public hearing on lifting the first step (half) of the additional tariff "
                "on Confecciones del Pacífico: labor and human-rights organizations may present "
                "evidence.",
                actor=staff,
            )
    if not LiftHearing.objects.filter(notice=notice).exists():
        with _at(notice.hearing_at + dt.timedelta(hours=1)):
            services.lift_hearing_record(
                notice=notice,
                presenters="Sindicato de Trabajadores de Confecciones del Pacífico; Centro de "
                "Derechos Laborales y Humanos",
                record="The union confirmed the reinstatement of all eleven workers with back "
                "pay; the human-rights organization presented no contrary evidence.",
                actor=staff,
            )
    if not LiftDetermination.objects.filter(order=order, benchmark=first).exists():
        with _at(notice.hearing_at + dt.timedelta(hours=3)):
            render = services.sanction_lift_step(
                order=order,
                benchmark=first,
                reasoning="The team's payroll audit verified every dismissed worker reinstated "
                "with back pay, and the hearing brought no contrary evidence. The first step is "
                "lifted; the second (recognition of the union and bargaining) is not yet met.",
                actor=staff,
            )
            # The worker's part, at the scenario's date (the task queued on commit then
            # finds the render done and leaves it alone).
            services.lift_render_run(render_id=render.pk)
