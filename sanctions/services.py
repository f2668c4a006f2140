"""Every write of the sanctions app (docs/adr/0060): specifying a decision's sanctions (with the
deterrence check), putting them in force when the decision issues, verifying benchmarks,
and lifting — notice, hearing, reasoned determination with its opinion PDF — or waiving.

Each rule lives here once; the admin's case steps, the staff admin, the team's workspace and
the REST API call these functions. Nothing here edits or deletes a record of a sanction in
force: every step is a new row (the models' integrity declarations refuse the rest).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypeGuard

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import SYSTEM, Actor, actor_is_user, actor_user
from commission.models import (
    InvestigativeTeam,
    Organization,
    Sector,
    SupplyRelationship,
    TeamMembership,
)
from commission.models import TradingPartner as Country
from commission.services import case_event_record
from commission.transitions import status_transition
from complaints.models import Respondent
from criteria.models import CriterionVersion
from hearings import services as hearings_services
from hearings.models import AllegationFinding, Decision

from . import selectors
from .models import (
    BenchmarkVerification,
    LiftDetermination,
    LiftHearing,
    LiftNotice,
    LiftRender,
    SanctionBenchmark,
    SanctionOrder,
    SanctionSpecification,
    SanctionWaiver,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

PERM_NOTICE = "sanctions.publish_lift_notice"
PERM_HEARING = "sanctions.record_lift_hearing"
PERM_DETERMINE = "sanctions.determine_lift"
PERM_WAIVE = "sanctions.record_waiver"
PERM_DRAFT = hearings_services.PERM_DRAFT


def _authenticated(actor: Actor) -> TypeGuard[User]:
    return actor_is_user(actor)


def _user(actor: Actor) -> User | None:
    return actor_user(actor)


def _require_perm(actor: Actor, perm: str, *, system: bool = False) -> None:
    """The actor holds `perm`; the SYSTEM actor only where the service admits it."""
    if actor is SYSTEM and system:
        return
    if not (_authenticated(actor) and actor.has_perm(perm)):
        raise PermissionDenied(_("You are not allowed to do this."))


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


# --- Specification, as part of a draft decision -----------------------------------------


@dataclass(frozen=True)
class BenchmarkInput:
    description: str
    metric: str
    direction: str
    verification_method: str
    lift_share_percent: Decimal
    target_value: Decimal | None = None
    unit: str = ""
    criterion_version: CriterionVersion | None = None


def _check_sanction_target(
    decision: Decision,
    target: str,
    country: Country | None,
    sector: Sector | None,
    organization: Organization | None,
    supply: SupplyRelationship | None,
) -> None:
    T = SanctionSpecification.Target
    K = Organization.Kind
    if target == T.COUNTRY and country is None:
        raise ValidationError(_("Name the country."))
    if target == T.SECTOR and (sector is None or country is None):
        raise ValidationError(_("Name the sector and its country."))
    if target == T.FIRM and (organization is None or organization.kind != K.EMPLOYER):
        raise ValidationError(_("A firm-targeted sanction names an employer / workplace."))
    if target == T.GOVERNMENT_ENTITY and (
        organization is None or organization.kind not in (K.GOVERNMENT, K.GOVERNMENT_AGENCY)
    ):
        raise ValidationError(_("Name the government or government agency."))
    if target == T.GLOBAL_CORPORATION:
        if organization is None or organization.kind != K.GLOBAL_CORPORATION:
            raise ValidationError(_("Name the global corporation."))
        if supply is None or supply.corporation_id != organization.pk:
            raise ValidationError(
                _("Name the supply relationship through which the workplace supplies it.")
            )
        respondent_workplaces = set(
            Respondent.objects.filter(case=decision.case, organization__isnull=False).values_list(
                "organization", flat=True
            )
        )
        if supply.supplier_id not in respondent_workplaces:
            raise ValidationError(
                _("The supplying workplace must be a respondent found in violation in this case.")
            )


def deterrence_check(
    *, magnitude: Decimal, estimated_benefit: Decimal | None, method: str
) -> Decimal:
    """A sanction must cost its target more than violating gains it: the magnitude must exceed
    the estimated benefit of non-compliance (in the sanction's unit), and the estimate says how
    it was made. Returns the estimated benefit checked."""
    if estimated_benefit is None:
        raise ValidationError(
            _("Estimate the benefit of non-compliance to the target, in the sanction's unit.")
        )
    if Decimal(estimated_benefit) < 0:
        raise ValidationError(_("The estimated benefit of non-compliance is not negative."))
    _text(method, _("Say how the benefit of non-compliance was estimated."))
    if Decimal(magnitude) <= Decimal(estimated_benefit):
        raise ValidationError(
            _(
                "The magnitude (%(magnitude)s) does not exceed the estimated benefit of "
                "non-compliance (%(benefit)s): a sanction that costs less than violating gains "
                "does not deter."
            )
            % {"magnitude": Decimal(magnitude), "benefit": Decimal(estimated_benefit)}
        )
    return estimated_benefit


def sanction_specify(  # noqa: C901 (one refusal per field of the specification; to be split)
    *,
    decision: Decision,
    target: str,
    instrument: str,
    magnitude: Decimal,
    unit: str,
    description: str,
    deterrence_reasoning: str,
    findings: Iterable[AllegationFinding],
    benchmarks: list[BenchmarkInput],
    estimated_benefit: Decimal | None,
    benefit_method: str,
    target_country: Country | None = None,
    target_sector: Sector | None = None,
    target_organization: Organization | None = None,
    supply_relationship: SupplyRelationship | None = None,
    currency: str = "",
    penalty_period: str = "",
    actor: Actor,
) -> SanctionSpecification:
    """Specify a sanction as part of a decision on a complaint: target, instrument, magnitude
    (set to deter, not to compensate: above the estimated benefit of non-compliance), the
    findings it answers and its ordered benchmarks of actual compliance, whose lifting shares
    add up to 100 %."""
    # `None` is refused (a TypeError), a panelist or a holder of the permission acts, SYSTEM is
    # background work (the demo).
    hearings_services.panel_actor_require(actor=actor, panel=decision.panel, perm=PERM_DRAFT)
    S = SanctionSpecification
    if target not in S.Target.values:
        raise ValidationError(_("Choose the target."))
    if instrument not in S.INSTRUMENTS_FOR_TARGET[target]:
        raise ValidationError(
            _("A %(instrument)s does not fit a %(target)s target.")
            % {
                "instrument": S.Instrument(instrument).label
                if instrument in S.Instrument.values
                else instrument,
                "target": S.Target(target).label,
            }
        )
    if unit not in S.UNITS_FOR_INSTRUMENT[instrument]:
        raise ValidationError(_("The unit does not fit the instrument."))
    magnitude = Decimal(magnitude)
    if magnitude <= 0:
        raise ValidationError(_("A sanction has a positive magnitude."))
    if (
        unit in (S.Unit.PERCENT_AD_VALOREM, S.Unit.PERCENT_REDUCTION, S.Unit.PERCENT_OF_BENEFITS)
        and magnitude > 100
    ):
        raise ValidationError(_("A percentage is at most 100."))
    currency = (currency or "").strip().upper()
    if unit == S.Unit.CURRENCY and len(currency) != 3:
        raise ValidationError(_("Give the currency (ISO 4217 code)."))
    if instrument == S.Instrument.MONETARY_PENALTY and penalty_period not in S.PenaltyPeriod.values:
        raise ValidationError(_("Say whether the penalty is paid once, per month or per year."))
    deterrence_check(
        magnitude=magnitude, estimated_benefit=estimated_benefit, method=benefit_method
    )
    description = _text(description, _("State the sanction's terms."))
    deterrence_reasoning = _text(
        deterrence_reasoning, _("Explain why this level deters (a sanction does not compensate).")
    )
    findings = list(findings)
    if not findings:
        raise ValidationError(_("Say which findings of violation the sanction answers."))
    if not benchmarks:
        raise ValidationError(_("A sanction states the benchmarks of compliance for lifting it."))
    total = sum((Decimal(b.lift_share_percent) for b in benchmarks), Decimal(0))
    if total != Decimal(100):
        raise ValidationError(
            _(
                "The benchmarks' lifting shares add up to %(total)s %%, not 100 %%: a sanction is "
                "lifted fully only at full compliance."
            )
            % {"total": total}
        )
    for b in benchmarks:
        if b.direction not in SanctionBenchmark.Direction.values:
            raise ValidationError(_("Choose the benchmark's direction."))
        if b.direction != SanctionBenchmark.Direction.ACHIEVED and b.target_value is None:
            raise ValidationError(_("A measured benchmark has a target value."))
        _text(b.description, _("Describe each benchmark."))
        _text(b.metric, _("Name each benchmark's measured outcome."))
        _text(b.verification_method, _("Say how each benchmark is verified."))
    with transaction.atomic():
        locked = hearings_services.decision_draft_lock(decision=decision)
        if locked.kind != Decision.Kind.COMPLAINT:
            raise ValidationError(
                _("Sanctions are ordered on a complaint; a petition granted files the complaint.")
            )
        for f in findings:
            if f.decision_id != locked.pk:
                raise ValidationError(_("The findings must belong to this decision."))
            if f.determination != AllegationFinding.Determination.VIOLATION:
                raise ValidationError(
                    _("A sanction answers a finding of violation (allegation %(n)s is not).")
                    % {"n": f.allegation.number}
                )
        _check_sanction_target(
            locked, target, target_country, target_sector, target_organization, supply_relationship
        )
        number = (S.objects.filter(decision=locked).aggregate(n=Max("number"))["n"] or 0) + 1
        spec = S.objects.create(
            decision=locked,
            number=number,
            target=target,
            target_country=target_country,
            target_sector=target_sector,
            target_organization=target_organization,
            supply_relationship=supply_relationship,
            instrument=instrument,
            magnitude=magnitude,
            unit=unit,
            currency=currency if unit == S.Unit.CURRENCY else "",
            penalty_period=penalty_period if instrument == S.Instrument.MONETARY_PENALTY else "",
            description=description,
            deterrence_reasoning=deterrence_reasoning,
            estimated_benefit=Decimal(estimated_benefit or 0),
            benefit_method=benefit_method.strip(),
        )
        spec.findings.set(findings)
        for position, b in enumerate(benchmarks, start=1):
            SanctionBenchmark.objects.create(
                sanction=spec,
                position=position,
                description=b.description.strip(),
                metric=b.metric.strip()[:200],
                direction=b.direction,
                target_value=b.target_value,
                unit=b.unit.strip()[:64],
                criterion_version=b.criterion_version,
                verification_method=b.verification_method.strip(),
                lift_share_percent=Decimal(b.lift_share_percent),
            )
    return spec


def sanction_remove(*, sanction: SanctionSpecification, actor: Actor) -> None:
    """Remove a sanction from a draft decision (once adopted, nothing is removed)."""
    hearings_services.panel_actor_require(
        actor=actor, panel=sanction.decision.panel, perm=PERM_DRAFT
    )
    with transaction.atomic():
        hearings_services.decision_draft_lock(decision=sanction.decision)
        sanction.benchmarks.all().delete()
        sanction.findings.clear()
        sanction.delete()


def decision_sanction_problems(decision: Decision) -> list[str]:
    """What the decision lacks in sanctions (hearings asks through `hearings.hooks`): every
    finding of violation answered by a sanction, every sanction with its benchmarks and with
    a magnitude above the estimated benefit of non-compliance."""
    if decision.kind != Decision.Kind.COMPLAINT:
        return []
    problems: list[str] = []
    sanctions = list(
        SanctionSpecification.objects.filter(decision=decision).prefetch_related(
            "findings", "benchmarks"
        )
    )
    violations = (
        AllegationFinding.objects.filter(
            decision=decision, determination=AllegationFinding.Determination.VIOLATION
        )
        .select_related("allegation")
        .order_by("allegation__number")
    )
    covered = {f.pk for s in sanctions for f in s.findings.all()}
    for f in violations:
        if f.pk not in covered:
            problems.append(
                _(
                    "Allegation %(n)s: a violation is found but no sanction is specified for "
                    "it. A finding of violation must produce sanctions."
                )
                % {"n": f.allegation.number}
            )
    for s in sanctions:
        if not s.benchmarks.all():
            problems.append(_("Sanction %(n)s has no benchmark.") % {"n": s.number})
        if s.estimated_benefit is None or s.magnitude <= s.estimated_benefit:
            problems.append(
                _("Sanction %(n)s does not exceed the estimated benefit of non-compliance.")
                % {"n": s.number}
            )
    return problems


# --- In force from the decision's issue ---------------------------------------------------


def sanction_orders_issue(
    *, decision: Decision, issued_at: dt.datetime, actor: Actor
) -> list[SanctionOrder]:
    """Put every sanction of an issued decision in force from `issued_at`, flagging a target
    sanctioned before. Called in the transaction that issues the decision (hearings.hooks);
    running it again creates nothing."""
    if decision.status != Decision.Status.ISSUED:
        raise ValidationError(_("Sanctions are in force only from the decision's issue."))
    orders = []
    for spec in SanctionSpecification.objects.filter(decision=decision).order_by("number"):
        existing = SanctionOrder.objects.filter(specification=spec).first()
        if existing is not None:
            orders.append(existing)
            continue
        estimated_benefit = deterrence_check(
            magnitude=spec.magnitude,
            estimated_benefit=spec.estimated_benefit,
            method=spec.benefit_method or spec.deterrence_reasoning,
        )
        repeat = bool(selectors.prior_orders(specification=spec))
        order = SanctionOrder.objects.create(
            specification=spec,
            in_force_from=issued_at,
            magnitude=spec.magnitude,
            estimated_benefit=estimated_benefit,
            benefit_method=spec.benefit_method or spec.deterrence_reasoning,
            repeat_violator=repeat,
        )
        case_event_record(
            subject=decision.case,
            verb="sanction_in_force",
            actor=_user(actor),
            to_status="in_force",
            data={
                "sanction": str(order.public_id),
                "number": spec.number,
                "magnitude": str(order.magnitude),
                "estimated_benefit": str(order.estimated_benefit),
                "repeat_violator": repeat,
            },
            is_public=True,
            occurred_at=issued_at,
        )
        orders.append(order)
    return orders


def _issued(decision: Decision, issued_at: dt.datetime, actor: Actor | None) -> None:
    sanction_orders_issue(
        decision=decision, issued_at=issued_at, actor=actor if actor is not None else SYSTEM
    )


# --- Verification by an investigative team -------------------------------------------------


def _met(benchmark: SanctionBenchmark, value: Decimal | None, achieved: bool | None) -> bool:
    D = SanctionBenchmark.Direction
    if benchmark.direction == D.ACHIEVED:
        return achieved is True
    if value is None or benchmark.target_value is None:
        return False
    if benchmark.direction == D.AT_LEAST:
        return value >= benchmark.target_value
    return value <= benchmark.target_value


def benchmark_verify(
    *,
    benchmark: SanctionBenchmark,
    team: InvestigativeTeam,
    measured_on: dt.date,
    method_applied: str,
    measured_value: Decimal | None = None,
    achieved: bool | None = None,
    actor: Actor,
) -> BenchmarkVerification:
    """Record an investigative team's verification report on a benchmark of a sanction in
    force: the value it measured (or, for an achieved/not achieved benchmark, what it observed)
    and how. The benchmark is met only when the measured value meets its target. There is no
    other way to mark a benchmark met: no plan, intent, "steps being taken" or budget
    constraint is an input here."""
    if (
        not _authenticated(actor)
        or not TeamMembership.objects.filter(team=team, person__user=actor).exists()
    ):
        raise PermissionDenied(_("Only a member of the investigative team files its report."))
    D = SanctionBenchmark.Direction
    if benchmark.direction == D.ACHIEVED:
        if achieved is None:
            raise ValidationError(_("Say whether the outcome was observed achieved."))
        measured_value = None
    else:
        if measured_value is None:
            raise ValidationError(
                _("A verification states the measured value; intentions and plans are not one.")
            )
        measured_value = Decimal(measured_value)
        achieved = None
    method_applied = _text(method_applied, _("Say how the value was measured."))
    if measured_on > timezone.localdate():
        raise ValidationError(_("A value is measured, not forecast: the date is in the future."))
    now = timezone.now()
    with transaction.atomic():
        order = (
            SanctionOrder.objects.select_for_update()
            .filter(specification_id=benchmark.sanction_id)
            .select_related("specification__decision__case")
            .first()
        )
        if order is None:
            raise ValidationError(_("The sanction is not in force: its decision is not issued."))
        if selectors.order_closed(order=order):
            raise ValidationError(_("The sanction is no longer in force."))
        met = _met(benchmark, measured_value, achieved)
        verification = BenchmarkVerification.objects.create(
            benchmark=benchmark,
            team=team,
            measured_value=measured_value,
            achieved=achieved,
            measured_on=measured_on,
            method_applied=method_applied,
            met=met,
            submitted_at=now,
            submitted_by=_user(actor),
        )
        case_event_record(
            subject=order.specification.decision.case,
            verb="benchmark_verified" if met else "benchmark_not_met",
            actor=_user(actor),
            data={
                "sanction": str(order.public_id),
                "benchmark": str(benchmark.public_id),
                "measured_value": None if measured_value is None else str(measured_value),
                "achieved": achieved,
                "team": team.name,
            },
            is_public=True,
        )
    return verification


# --- Lifting: notice, hearing, determination -----------------------------------------------


def _check_step_verified(order: SanctionOrder, benchmark: SanctionBenchmark | None) -> None:
    if benchmark is None:
        unmet = selectors.benchmarks_unmet(order=order)
        if unmet:
            raise ValidationError(
                _(
                    "A sanction is lifted fully only when every benchmark is met; not verified "
                    "met: %(list)s."
                )
                % {"list": "; ".join(f"{b.position}. {b.metric}" for b in unmet)}
            )
        return
    if benchmark.sanction_id != order.specification_id:
        raise ValidationError(_("The benchmark is not one of this sanction's."))
    if not selectors.benchmark_met(benchmark=benchmark):
        raise ValidationError(
            _(
                "Benchmark %(n)s is not verified met by an investigative team's report: a step "
                "is lifted only on verified compliance."
            )
            % {"n": benchmark.position}
        )
    if LiftDetermination.objects.filter(order=order, benchmark=benchmark).exists():
        raise ValidationError(_("This step is already lifted."))


def _check_open(order: SanctionOrder) -> None:
    if selectors.order_closed(order=order):
        raise ValidationError(_("The sanction is no longer in force."))


def lift_notice_publish(
    *,
    order: SanctionOrder,
    benchmark: SanctionBenchmark | None,
    hearing_at: dt.datetime,
    location: str,
    text: str,
    actor: Actor,
) -> LiftNotice:
    """Publish the notice of a public hearing on lifting a step (or, without a benchmark, on
    the full lifting), at least `SANCTIONS_LIFT_NOTICE_DAYS` before it. Only a verified step
    is put to a hearing."""
    _require_perm(actor, PERM_NOTICE)
    if hearing_at.tzinfo is None:
        raise ValidationError(_("Give the hearing's date and time with its time zone."))
    location = _text(location, _("Say where the hearing is held."))
    text = _text(text, _("Write the notice."))
    now = timezone.now()
    days = settings.SANCTIONS_LIFT_NOTICE_DAYS
    if hearing_at < now + dt.timedelta(days=days):
        raise ValidationError(
            _("Public notice is given at least %(days)s days before the hearing.") % {"days": days}
        )
    with transaction.atomic():
        locked = SanctionOrder.objects.select_for_update().get(pk=order.pk)
        _check_open(locked)
        _check_step_verified(locked, benchmark)
        notice = LiftNotice.objects.create(
            order=locked,
            benchmark=benchmark,
            published_at=now,
            hearing_at=hearing_at,
            location=location,
            text=text,
            published_by=_user(actor),
        )
        case_event_record(
            subject=locked.specification.decision.case,
            verb="sanction_lift_noticed",
            actor=_user(actor),
            data={
                "sanction": str(locked.public_id),
                "benchmark": str(benchmark.public_id) if benchmark else None,
                "hearing_at": hearing_at.isoformat(),
            },
            is_public=True,
        )
    return notice


def lift_hearing_record(
    *, notice: LiftNotice, record: str, presenters: str = "", actor: Actor
) -> LiftHearing:
    """Record the public hearing on lifting as held, at or after its noticed time, with the
    organizations that presented evidence."""
    _require_perm(actor, PERM_HEARING)
    record = _text(record, _("Write the record of the hearing."))
    now = timezone.now()
    with transaction.atomic():
        locked = LiftNotice.objects.select_for_update().select_related("order").get(pk=notice.pk)
        if LiftHearing.objects.filter(notice=locked).exists():
            raise ValidationError(_("This hearing is already recorded as held."))
        if now < locked.hearing_at:
            raise ValidationError(_("The hearing is held at the time its notice gave, not before."))
        hearing = LiftHearing.objects.create(
            notice=locked,
            held_at=now,
            presenters=presenters.strip(),
            record=record,
            recorded_by=_user(actor),
        )
        case_event_record(
            subject=locked.order.specification.decision.case,
            verb="sanction_lift_hearing_held",
            actor=_user(actor),
            data={"sanction": str(locked.order.public_id), "notice": str(locked.public_id)},
            is_public=True,
        )
    return hearing


def lift_problems(*, order: SanctionOrder, benchmark: SanctionBenchmark | None) -> list[str]:
    """Why the step (or, without a benchmark, the full lifting) cannot be determined now, in
    the order the rules apply: verification, notice, hearing."""
    try:
        _check_open(order)
        _check_step_verified(order, benchmark)
    except ValidationError as exc:
        return list(exc.messages)
    notice = selectors.lift_notice_for(order=order, benchmark=benchmark)
    if notice is None:
        return [_("No public notice of a hearing on this lifting was given.")]
    days = settings.SANCTIONS_LIFT_NOTICE_DAYS
    if notice.hearing_at - notice.published_at < dt.timedelta(days=days):
        return [
            _("Public notice is given at least %(days)s days before the hearing.") % {"days": days}
        ]
    hearing = getattr(notice, "hearing", None)
    if hearing is None:
        return [_("The public hearing on this lifting has not been held.")]
    if hasattr(hearing, "determination"):
        return [_("This hearing's determination is already made.")]
    return []


def _lift_in_progress(order: SanctionOrder, benchmark: SanctionBenchmark | None) -> bool:
    renders = LiftRender.objects.filter(
        order=order, status__in=[LiftRender.Status.QUEUED, LiftRender.Status.RENDERING]
    )
    if benchmark is None:
        return renders.filter(benchmark__isnull=True).exists()
    return renders.filter(benchmark=benchmark).exists()


def sanction_lift_step(
    *,
    order: SanctionOrder,
    benchmark: SanctionBenchmark | None,
    reasoning: str,
    actor: Actor,
) -> LiftRender:
    """The reasoned determination after the lift hearing: the magnitude in force is reduced by
    the benchmark's share of the ordered magnitude — or, with no benchmark, lifted fully, which
    only full compliance allows. Refused unless, in order, the step is verified met, notice was
    given in time and the public hearing was held.

    The request is checked and answered at once; the determination's opinion PDF is rendered
    by a Celery task (`sanctions.tasks.lift_determination_render`), which records the
    determination only when the whole render succeeded (`lift_render_run`)."""
    _require_perm(actor, PERM_DETERMINE)
    reasoning = _text(reasoning, _("Give the reasons for the determination."))
    with transaction.atomic():
        locked = SanctionOrder.objects.select_for_update().get(pk=order.pk)
        problems = lift_problems(order=locked, benchmark=benchmark)
        if problems:
            raise ValidationError(problems)
        if _lift_in_progress(locked, benchmark):
            raise ValidationError(
                _("This determination is already being issued: its opinion is rendering.")
            )
        render = LiftRender.objects.create(
            order=locked,
            benchmark=benchmark,
            reasoning=reasoning,
            requested_at=timezone.now(),
            requested_by=_user(actor),
        )
        _queue_lift_render(render.pk)
    return render


def _queue_lift_render(render_id: int, *, countdown: int = 0) -> None:
    def send() -> None:
        from .tasks import lift_determination_render

        if countdown:
            lift_determination_render.apply_async((render_id,), countdown=countdown)
        else:
            lift_determination_render.delay(render_id)

    transaction.on_commit(send)


def _lift_transition(render: LiftRender, to_status: str) -> None:
    status_transition(render, to_status)


def lift_render_run(*, render_id: int) -> LiftRender:
    """Render the determination's opinion PDF and, only when all of it succeeded, record the
    determination — the rules checked again on the locked sanction — in one transaction. Safe
    to run twice: a render already claimed, done or failed is left as it is."""
    from . import opinion

    now = timezone.now()
    claimed = LiftRender.objects.filter(pk=render_id, status=LiftRender.Status.QUEUED).update(
        status=LiftRender.Status.RENDERING, started_at=now, attempts=F("attempts") + 1, error=""
    )
    if not claimed:
        return LiftRender.objects.get(pk=render_id)
    render = LiftRender.objects.select_related("order", "benchmark").get(pk=render_id)
    order, benchmark = render.order, render.benchmark
    try:
        problems = lift_problems(order=order, benchmark=benchmark)
        if problems:
            raise ValidationError(problems)
        in_force = selectors.magnitude_in_force(order=order)
        if benchmark is None:
            reduction = in_force
        else:
            share = order.magnitude * benchmark.lift_share_percent / 100
            reduction = min(in_force, share.quantize(Decimal("0.01")))
            lifted = selectors.lifted_benchmark_ids(order=order)
            others = [b for b in selectors.order_benchmarks(order=order) if b.pk != benchmark.pk]
            if all(b.pk in lifted for b in others):
                reduction = in_force  # the last step lifts what remains
        after = in_force - reduction
        notice = selectors.lift_notice_for(order=order, benchmark=benchmark)
        assert notice is not None  # noqa: S101 - lift_problems checked it  # nosec B101
        determined_at = timezone.now()
        rendered = opinion.determination_pdf(
            order=order,
            benchmark=benchmark,
            notice=notice,
            reasoning=render.reasoning,
            in_force=in_force,
            after=after,
            at=determined_at,
        )
        with transaction.atomic():
            locked = SanctionOrder.objects.select_for_update().get(pk=order.pk)
            render = LiftRender.objects.select_for_update().get(pk=render_id)
            if render.status != LiftRender.Status.RENDERING:
                return render
            problems = lift_problems(order=locked, benchmark=benchmark)
            if problems or selectors.magnitude_in_force(order=locked) != in_force:
                raise ValidationError(problems or [_("The magnitude in force changed.")])
            determination = LiftDetermination(
                order=locked,
                hearing=notice.hearing,
                benchmark=benchmark,
                full=after == 0,
                reasoning=render.reasoning,
                reduction=reduction,
                magnitude_after=after,
                determined_at=determined_at,
                determined_by=render.requested_by,
                sha256=hashlib.sha256(rendered.data).hexdigest(),
                signed=rendered.signed,
            )
            determination.pdf.save(
                f"{locked.public_id}-{determined_at:%Y%m%d%H%M%S}.pdf",
                ContentFile(rendered.data),
                save=False,
            )
            determination.save()
            case_event_record(
                subject=locked.specification.decision.case,
                verb="sanction_lifted" if after == 0 else "sanction_step_lifted",
                actor=render.requested_by,
                from_status=str(in_force),
                to_status=str(after),
                reason=render.reasoning[:500],
                data={
                    "sanction": str(locked.public_id),
                    "benchmark": str(benchmark.public_id) if benchmark else None,
                    "reduction": str(reduction),
                    "sha256": determination.sha256,
                },
                is_public=True,
            )
            _lift_transition(render, LiftRender.Status.DONE)
            render.determination = determination
            render.finished_at = timezone.now()
            render.save(update_fields=["status", "determination", "finished_at"])
        return render
    except Exception as exc:
        logger.exception("lift determination render %s failed", render_id)
        return _lift_render_failed(render_id, exc)


def _lift_render_failed(render_id: int, exc: Exception) -> LiftRender:
    reason = f"{exc.__class__.__name__}: {exc}"[:2000]
    if isinstance(exc, ValidationError):
        reason = "; ".join(exc.messages)[:2000]
    with transaction.atomic():
        render = LiftRender.objects.select_for_update().select_related("order").get(pk=render_id)
        if render.status != LiftRender.Status.RENDERING:
            return render
        _lift_transition(render, LiftRender.Status.FAILED)
        render.error = reason or exc.__class__.__name__
        render.finished_at = timezone.now()
        render.save(update_fields=["status", "error", "finished_at"])
        case_event_record(
            subject=render.order.specification.decision.case,
            verb="sanction_lift_render_failed",
            from_status=LiftRender.Status.RENDERING,
            to_status=LiftRender.Status.FAILED,
            reason=render.error[:500],
            data={"sanction": str(render.order.public_id), "render": render.pk},
        )
        retryable = not isinstance(exc, ValidationError)
        if retryable and render.attempts < settings.OPINION_RENDER_MAX_ATTEMPTS:
            _lift_transition(render, LiftRender.Status.QUEUED)
            render.save(update_fields=["status"])
            _queue_lift_render(render.pk, countdown=30 * render.attempts)
    return render


def lift_render_retry(*, render: LiftRender, actor: Actor) -> LiftRender:
    """Retry a failed determination render (staff who may determine lifting), once its cause is
    fixed; the rules are checked again when it runs."""
    _require_perm(actor, PERM_DETERMINE)
    with transaction.atomic():
        locked = LiftRender.objects.select_for_update().get(pk=render.pk)
        if locked.status != LiftRender.Status.FAILED:
            raise ValidationError(_("Only a failed render is retried."))
        _lift_transition(locked, LiftRender.Status.QUEUED)
        locked.save(update_fields=["status"])
        _queue_lift_render(locked.pk)
    return locked


# --- Waiver ---------------------------------------------------------------------------------


def sanction_waive(
    *,
    order: SanctionOrder,
    national_security_grounds: str,
    house_vote: str,
    senate_vote: str,
    president_signature: str,
    actor: Actor,
) -> SanctionWaiver:
    """Record a waiver of a sanction in force: only on national-security grounds, with the
    references of the votes of both houses of Congress and the president's signature."""
    _require_perm(actor, PERM_WAIVE)
    missing = []
    if not (national_security_grounds or "").strip():
        missing.append(_("the national-security grounds"))
    if not (house_vote or "").strip():
        missing.append(_("the vote of the House of Representatives"))
    if not (senate_vote or "").strip():
        missing.append(_("the vote of the Senate"))
    if not (president_signature or "").strip():
        missing.append(_("the president's signature"))
    if missing:
        raise ValidationError(
            _("A waiver is recorded only with %(list)s.")
            % {"list": ", ".join(str(m) for m in missing)}
        )
    with transaction.atomic():
        locked = SanctionOrder.objects.select_for_update().get(pk=order.pk)
        _check_open(locked)
        waiver = SanctionWaiver.objects.create(
            order=locked,
            national_security_grounds=national_security_grounds.strip(),
            house_vote=house_vote.strip()[:300],
            senate_vote=senate_vote.strip()[:300],
            president_signature=president_signature.strip()[:300],
            recorded_at=timezone.now(),
            recorded_by=_user(actor),
        )
        case_event_record(
            subject=locked.specification.decision.case,
            verb="sanction_waived",
            actor=_user(actor),
            to_status="waived",
            data={
                "sanction": str(locked.public_id),
                "house_vote": waiver.house_vote,
                "senate_vote": waiver.senate_vote,
            },
            is_public=True,
        )
    return waiver
