"""Specification, as part of a draft decision: target, instrument and magnitude (the deterrence
check), the findings a sanction answers and its benchmarks; what a decision lacks in sanctions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from commission.actors import Actor
from commission.models import Organization, Sector, SupplyRelationship
from commission.models import TradingPartner as Country
from complaints.models import Respondent
from criteria.models import CriterionVersion
from hearings import services as hearings_services
from hearings.models import AllegationFinding, Decision

from ..models import SanctionBenchmark, SanctionSpecification
from ._common import PERM_DRAFT, _text


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
