"""Reads of the sanctions app: what is in force and how far each sanction has been lifted,
computed from the append-only records (the ordered magnitude less the steps lifted), the
public register in a constant number of queries, and the repeat violators."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from commission.models import Organization, SupplyRelationship
from complaints.models import Case, Respondent
from hearings.models import Decision

from .models import (
    BenchmarkVerification,
    LiftDetermination,
    LiftNotice,
    SanctionBenchmark,
    SanctionOrder,
    SanctionSpecification,
    SanctionWaiver,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ZERO = Decimal(0)


def order_benchmarks(*, order: SanctionOrder) -> list[SanctionBenchmark]:
    return list(SanctionBenchmark.objects.filter(sanction_id=order.specification_id))


def benchmark_met(*, benchmark: SanctionBenchmark) -> bool:
    """Met when the latest verification report on it found it met."""
    latest = (
        BenchmarkVerification.objects.filter(benchmark=benchmark)
        .order_by("-submitted_at", "-pk")
        .first()
    )
    return bool(latest and latest.met)


def benchmarks_unmet(*, order: SanctionOrder) -> list[SanctionBenchmark]:
    return [b for b in order_benchmarks(order=order) if not benchmark_met(benchmark=b)]


def lifted_benchmark_ids(*, order: SanctionOrder) -> set[int]:
    return set(
        LiftDetermination.objects.filter(order=order, benchmark__isnull=False).values_list(
            "benchmark_id", flat=True
        )
    )


def magnitude_in_force(*, order: SanctionOrder) -> Decimal:
    last = LiftDetermination.objects.filter(order=order).order_by("-determined_at", "-pk").first()
    return order.magnitude if last is None else last.magnitude_after


def order_closed(*, order: SanctionOrder) -> bool:
    """Lifted fully or waived."""
    return (
        SanctionWaiver.objects.filter(order=order).exists()
        or LiftDetermination.objects.filter(order=order, magnitude_after=0).exists()
    )


def lift_notice_for(
    *, order: SanctionOrder, benchmark: SanctionBenchmark | None
) -> LiftNotice | None:
    """The latest notice of a hearing on this step (or on the full lifting)."""
    notices = LiftNotice.objects.filter(order=order).select_related("hearing")
    notices = (
        notices.filter(benchmark__isnull=True)
        if benchmark is None
        else notices.filter(benchmark=benchmark)
    )
    return notices.order_by("-published_at", "-pk").first()


# --- Repeat violators -----------------------------------------------------------------------


def _organizations_of(specification: SanctionSpecification) -> set[int]:
    ids: set[int] = set()
    if specification.target_organization_id:
        ids.add(specification.target_organization_id)
    relationship = specification.supply_relationship
    if relationship is not None:
        ids.add(relationship.supplier_id)
    return ids


def prior_orders(*, specification: SanctionSpecification) -> list[SanctionOrder]:
    """Earlier sanctions in force against the same employer, workplace, corporation or
    entity, on other cases."""
    ids = _organizations_of(specification)
    if not ids:
        return []
    return list(
        SanctionOrder.objects.filter(
            Q(specification__target_organization__in=ids)
            | Q(specification__supply_relationship__supplier__in=ids)
        ).exclude(specification__decision__case_id=specification.decision.case_id)
    )


@dataclass(frozen=True)
class RepeatViolator:
    organization: Organization
    prior: int
    factor: Decimal


def repeat_violators(*, case_id: int) -> list[RepeatViolator]:
    """The respondents of a case (and the corporations they supply) sanctioned on earlier
    cases, with the factor by which a higher magnitude is proposed."""
    respondents = set(
        Respondent.objects.filter(case_id=case_id, organization__isnull=False).values_list(
            "organization_id", flat=True
        )
    )
    buyers = set(
        SupplyRelationship.objects.filter(supplier__in=respondents).values_list(
            "corporation_id", flat=True
        )
    )
    ids = respondents | buyers
    counts: dict[int, int] = {}
    for target, supplier in (
        SanctionOrder.objects.filter(
            Q(specification__target_organization__in=ids)
            | Q(specification__supply_relationship__supplier__in=ids)
        )
        .exclude(specification__decision__case_id=case_id)
        .values_list(
            "specification__target_organization_id",
            "specification__supply_relationship__supplier_id",
        )
    ):
        for org in {target, supplier} & ids:
            counts[org] = counts.get(org, 0) + 1
    factor = Decimal(str(settings.SANCTIONS_REPEAT_FACTOR))
    return [
        RepeatViolator(organization=o, prior=counts[o.pk], factor=factor ** counts[o.pk])
        for o in Organization.objects.filter(pk__in=counts).order_by("name")
    ]


def global_corporations_proposed(*, decision: Decision) -> list[SupplyRelationship]:
    """The buying global corporations a sanction may target: those the respondent workplaces
    of the case supply."""
    workplaces = Respondent.objects.filter(case=decision.case, organization__isnull=False).values(
        "organization_id"
    )
    return list(
        SupplyRelationship.objects.filter(supplier__in=workplaces)
        .select_related("supplier", "corporation")
        .order_by("corporation__name")
    )


# --- The public register --------------------------------------------------------------------


@dataclass
class StepRow:
    position: int
    description: str
    metric: str
    target: str
    share: Decimal
    met: bool
    lifted: bool


@dataclass
class RegisterRow:
    order: SanctionOrder
    in_force: Decimal
    lifted_percent: int
    status: str
    steps: list[StepRow] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)


def register_orders() -> QuerySet[SanctionOrder]:
    return SanctionOrder.objects.select_related(
        "specification__decision__case",
        "specification__target_organization",
        "specification__target_country",
        "specification__target_sector",
        "waiver",
    ).prefetch_related(
        Prefetch(
            "specification__benchmarks",
            queryset=SanctionBenchmark.objects.prefetch_related(
                Prefetch(
                    "verifications",
                    queryset=BenchmarkVerification.objects.order_by("submitted_at", "pk"),
                )
            ).order_by("position"),
        ),
        Prefetch(
            "determinations",
            queryset=LiftDetermination.objects.order_by("determined_at", "pk"),
        ),
        Prefetch(
            "notices",
            queryset=LiftNotice.objects.select_related("hearing").order_by("published_at", "pk"),
        ),
    )


def _row(order: SanctionOrder) -> RegisterRow:
    determinations = list(order.determinations.all())
    lifted_ids = {d.benchmark_id for d in determinations if d.benchmark_id}
    in_force = determinations[-1].magnitude_after if determinations else order.magnitude
    waived = hasattr(order, "waiver")
    if waived:
        status = "waived"
    elif in_force == 0:
        status = "lifted"
    else:
        status = "in_force"
    steps = []
    for b in order.specification.benchmarks.all():
        verifications = list(b.verifications.all())
        steps.append(
            StepRow(
                position=b.position,
                description=b.description,
                metric=b.metric,
                target=b.target_display,
                share=b.lift_share_percent,
                met=bool(verifications and verifications[-1].met),
                lifted=b.pk in lifted_ids or in_force == 0,
            )
        )
    lifted_percent = (
        100
        if order.magnitude == 0
        else int(((order.magnitude - in_force) * 100 / order.magnitude).to_integral_value())
    )
    history: list[dict[str, Any]] = [
        {"at": order.in_force_from, "what": "in_force", "magnitude": order.magnitude}
    ]
    for b in order.specification.benchmarks.all():
        for v in b.verifications.all():
            history.append(
                {
                    "at": v.submitted_at,
                    "what": "verified" if v.met else "not_met",
                    "step": b.position,
                }
            )
    for n in order.notices.all():
        history.append({"at": n.published_at, "what": "noticed", "hearing_at": n.hearing_at})
        hearing = getattr(n, "hearing", None)
        if hearing is not None:
            history.append({"at": hearing.held_at, "what": "hearing_held"})
    for d in determinations:
        history.append(
            {
                "at": d.determined_at,
                "what": "lifted" if d.full else "step_lifted",
                "magnitude": d.magnitude_after,
                "reduction": d.reduction,
            }
        )
    if waived:
        history.append({"at": order.waiver.recorded_at, "what": "waived"})
    history.sort(key=lambda h: h["at"])
    return RegisterRow(
        order=order,
        in_force=in_force,
        lifted_percent=lifted_percent,
        status=status,
        steps=steps,
        history=history,
    )


REGISTER_STATUSES = ("in_force", "lifted", "waived")


def sanction_register(
    *,
    in_force_only: bool = False,
    q: str = "",
    status: str = "",
    target: str = "",
    instrument: str = "",
) -> list[RegisterRow]:
    """Every sanction ordered, with its magnitude in force, its benchmark progress and the
    history of its steps: a fixed number of queries whatever the number of sanctions.

    Filtered by `q` (a docket number, the name of the target — employer, corporation, entity,
    country or sector), the kind of `target`, the `instrument` and the derived `status` (in
    force, lifted, waived)."""
    orders = register_orders()
    term = (q or "").strip()[:100]
    if term:
        orders = orders.filter(
            Q(specification__decision__case__docket_number__icontains=term)
            | Q(specification__target_organization__name__icontains=term)
            | Q(specification__target_country__name__icontains=term)
            | Q(specification__target_sector__title__icontains=term)
            | Q(specification__target_sector__isic_code__istartswith=term)
        )
    if target:
        orders = orders.filter(specification__target=target)
    if instrument:
        orders = orders.filter(specification__instrument=instrument)
    rows = [_row(o) for o in orders]
    if in_force_only:
        status = "in_force"
    if status:
        rows = [r for r in rows if r.status == status]
    return rows


def case_register_rows(*, case: Case) -> list[RegisterRow]:
    """The sanctions one case's decision ordered, as the register shows them (fixed queries)."""
    return [_row(o) for o in register_orders().filter(specification__decision__case=case)]


def register_row(*, public_id: uuid.UUID | str | None) -> RegisterRow | None:
    if public_id is None:
        return None
    order = register_orders().filter(public_id=public_id).first()
    return None if order is None else _row(order)


# --- Due for staff --------------------------------------------------------------------------


def lift_hearings_due(*, within_days: int = 14) -> list[LiftNotice]:
    """Noticed lift hearings not yet recorded as held, up to `within_days` ahead."""
    horizon = timezone.now() + dt.timedelta(days=within_days)
    return list(
        LiftNotice.objects.filter(hearing__isnull=True, hearing_at__lte=horizon)
        .select_related("order__specification__decision__case", "benchmark")
        .order_by("hearing_at")
    )


def benchmark_reviews_due() -> list[SanctionBenchmark]:
    """Benchmarks verified met whose step is not yet put to a lift hearing."""
    noticed = LiftNotice.objects.filter(benchmark__isnull=False).values("benchmark_id")
    met = BenchmarkVerification.objects.filter(met=True).values("benchmark_id")
    return list(
        SanctionBenchmark.objects.filter(pk__in=met, sanction__order__isnull=False)
        .exclude(pk__in=noticed)
        .exclude(sanction__order__waiver__isnull=False)
        .select_related("sanction__decision__case", "sanction__order")
        .order_by("sanction__decision__case__docket_number", "sanction__number", "position")
    )


def benchmarks_for_team(*, user: User) -> list[SanctionBenchmark]:
    """The benchmarks of sanctions in force a team member may verify (any team's member)."""
    return list(
        SanctionBenchmark.objects.filter(sanction__order__isnull=False)
        .exclude(sanction__order__waiver__isnull=False)
        .select_related("sanction__decision__case", "sanction__target_organization")
        .order_by("sanction__decision__case__docket_number", "sanction__number", "position")
    )
