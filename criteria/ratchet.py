"""The ratchet (non-derogation, ADR 0010): a criterion can only get stronger.

A new version may never be less protective than the latest one. A measure's threshold may only
tighten (after unit conversion, compared at the precision the register records; incomparable
units are refused), its direction and averaging period may not change, applicability may only
widen, versions take effect in order, and a criterion may only be retired when a recorded,
at-least-as-protective successor in force replaces it. A measure may not be weaker than a
standard it cites either: the most protective binds.

Every door (admin, portal, API, commands, the demo) reaches these checks through the services:
`criterion_revision_check` and `criterion_retirement_check` state every reason a draft is
refused when it is filed, and `version_refusals` checks again, under the criterion's lock, when
the version is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.models import Sector, TradingPartner

from . import isic, units
from .drafts import VersionDraft
from .models import AveragingPeriod, Criterion, CriterionVersion, Direction
from .resolution import more_protective, number


def _fmt(value: Decimal | None) -> str:
    return "—" if value is None else number(value)


def at_declared_precision(value: Decimal) -> Decimal:
    """`value` rounded to the precision thresholds are declared at (the decimal places of
    `CriterionVersion.threshold`). A conversion between units may not be exact in decimal
    (minutes to hours divides by 60), so two measures are compared at the precision the
    register records, never at the last digit of a 28-digit quotient: 2,880 minutes a week
    equals 48 hours a week."""
    places = CriterionVersion._meta.get_field("threshold").decimal_places
    with localcontext() as context:
        context.prec = 50
        return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


# --------------------------------------------------------------------------- a draft's content


@dataclass
class Resolved:
    """A draft's codes, resolved to rows (what the version will be written with)."""

    countries: list[TradingPartner] = field(default_factory=list)
    sectors: list[Sector] = field(default_factory=list)
    source_countries: dict[str, TradingPartner] = field(default_factory=dict)
    source_industries: dict[str, Sector] = field(default_factory=dict)
    successor: Criterion | None = None


def _kind_errors(kind: str, draft: VersionDraft) -> list[str]:
    errors: list[str] = []
    if draft.successor:
        errors.append(_("Only a retirement names a successor."))
    if kind != Criterion.Kind.MEASURE:
        if draft.direction or draft.threshold is not None or draft.unit or draft.averaging_period:
            errors.append(
                _("A bright-line rule has no threshold, unit, direction or averaging period.")
            )
        if draft.measuring_method_en or draft.measuring_method_es:
            errors.append(_("A bright-line rule has no measuring method."))
        return errors
    if draft.direction not in Direction.values:
        errors.append(_("A performance measure has a direction: at most or at least."))
    if draft.threshold is None:
        errors.append(_("A performance measure has a threshold."))
    elif draft.threshold < 0:
        errors.append(_("A threshold cannot be negative."))
    if not draft.unit:
        errors.append(_("A performance measure has a unit."))
    else:
        try:
            units.unit_validate(draft.unit)
        except ValidationError as exc:
            errors.extend(exc.messages)
    return errors


def _applicability_codes(draft: VersionDraft, resolved: Resolved) -> list[str]:
    errors: list[str] = []
    if not draft.all_countries:
        resolved.countries = list(TradingPartner.objects.filter(code__in=draft.countries))
        missing = set(draft.countries) - {c.code for c in resolved.countries}
        if missing:
            errors.append(
                _("Unknown trading partners: %(codes)s.") % {"codes": ", ".join(sorted(missing))}
            )
        if not draft.countries:
            errors.append(_("Name the trading partners it applies to, or apply it to all."))
    if not draft.all_sectors:
        resolved.sectors = list(Sector.objects.filter(isic_code__in=draft.sectors))
        missing = set(draft.sectors) - {s.isic_code for s in resolved.sectors}
        if missing:
            errors.append(
                _("Unknown sectors (ISIC Rev. 4): %(codes)s.")
                % {"codes": ", ".join(sorted(missing))}
            )
        if not draft.sectors:
            errors.append(_("Name the sectors it applies to, or apply it to all sectors."))
    return errors


def _source_codes(draft: VersionDraft, resolved: Resolved) -> list[str]:
    errors: list[str] = []
    if not draft.sources:
        errors.append(
            _(
                "A criterion cites at least one source: international law, the trading "
                "partner's domestic law, or international best practice."
            )
        )
    country_codes = {s.country for s in draft.sources if s.country}
    resolved.source_countries = {
        c.code: c for c in TradingPartner.objects.filter(code__in=country_codes)
    }
    for code in sorted(country_codes - set(resolved.source_countries)):
        errors.append(_("A source names an unknown country: %(code)s.") % {"code": code})
    industry_codes = {s.comparison_industry for s in draft.sources if s.comparison_industry}
    resolved.source_industries = {
        s.isic_code: s for s in Sector.objects.filter(isic_code__in=industry_codes)
    }
    for code in sorted(industry_codes - set(resolved.source_industries)):
        errors.append(_("A source names an unknown industry: %(code)s.") % {"code": code})
    return errors


def _citation_errors(draft: VersionDraft) -> list[str]:
    """A measure may not be weaker than a standard it cites: the most protective binds."""
    errors: list[str] = []
    if draft.threshold is None:  # checked by the caller: only a measure's threshold binds
        return errors
    for source in draft.sources:
        if source.value is None:
            continue
        try:
            value = units.convert(source.value, source.unit, draft.unit)
        except (units.IncomparableUnits, ValidationError):
            errors.append(
                _(
                    "The cited source's threshold (%(value)s %(unit)s) cannot be compared "
                    "with the measure's unit %(measure_unit)s."
                )
                % {"value": _fmt(source.value), "unit": source.unit, "measure_unit": draft.unit}
            )
            continue
        cited, threshold = at_declared_precision(value), at_declared_precision(draft.threshold)
        if more_protective(draft.direction, cited, threshold):
            errors.append(
                _(
                    "The measure (%(threshold)s %(unit)s) is less protective than a source it "
                    "cites (%(citation)s: %(value)s %(source_unit)s); the most protective "
                    "standard binds."
                )
                % {
                    "threshold": _fmt(draft.threshold),
                    "unit": draft.unit,
                    "citation": source.instrument or source.comparator_name,
                    "value": _fmt(source.value),
                    "source_unit": source.unit,
                }
            )
    return errors


def draft_check(*, kind: str, draft: VersionDraft, retirement: bool = False) -> Resolved:
    """Check a draft's own content against the criterion's kind and resolve its codes; raise
    ValidationError with every reason it is refused."""
    if retirement:
        successor = (
            Criterion.objects.filter(code=draft.successor).first() if draft.successor else None
        )
        if successor is None:
            raise ValidationError(
                [_("A retirement names the successor criterion that replaces it (by its code).")]
            )
        return Resolved(successor=successor)
    resolved = Resolved()
    errors = _kind_errors(kind, draft)
    errors += _applicability_codes(draft, resolved)
    errors += _source_codes(draft, resolved)
    if kind == Criterion.Kind.MEASURE and draft.threshold is not None and draft.unit:
        errors += _citation_errors(draft)
    if errors:
        raise ValidationError(errors)
    return resolved


def _successor(resolved: Resolved) -> Criterion:
    """The successor a retirement's draft resolved to (`draft_check` refuses one without)."""
    if resolved.successor is None:
        raise ValidationError(
            [_("A retirement names the successor criterion that replaces it (by its code).")]
        )
    return resolved.successor


# --------------------------------------------------------------------------- against the latest


def _applicability_violations(
    *, previous: CriterionVersion, draft: VersionDraft, label: str
) -> list[str]:
    errors: list[str] = []
    if not draft.all_countries:
        if previous.applies_to_all_countries:
            errors.append(
                _("%(label)s applies to all trading partners; it may not be narrowed.")
                % {"label": label}
            )
        else:
            lost = {c.code for c in previous.countries.all()} - set(draft.countries)
            if lost:
                errors.append(
                    _("%(label)s applies to %(codes)s; applicability may only widen.")
                    % {"label": label, "codes": ", ".join(sorted(lost))}
                )
    if not draft.all_sectors:
        if previous.applies_to_all_sectors:
            errors.append(
                _("%(label)s applies to all sectors; it may not be narrowed.") % {"label": label}
            )
        else:
            lost_sectors = [
                s.isic_code
                for s in previous.sectors.all()
                if not any(isic.covers(new, s.isic_code) for new in draft.sectors)
            ]
            if lost_sectors:
                errors.append(
                    _("%(label)s applies to sectors %(codes)s; applicability may only widen.")
                    % {"label": label, "codes": ", ".join(sorted(lost_sectors))}
                )
    return errors


def _threshold_violations(
    *,
    previous: CriterionVersion,
    direction: str,
    threshold: Decimal | None,
    unit: str,
    averaging_period: str,
    label: str,
) -> list[str]:
    if direction != previous.direction:
        return [
            _("%(label)s is “%(old)s”; the direction of a measure may not change.")
            % {"label": label, "old": previous.get_direction_display()}
        ]
    if averaging_period != previous.averaging_period:
        return [
            _(
                "%(label)s is measured as “%(old)s”; a different averaging period is a different "
                "quantity and cannot be compared."
            )
            % {
                "label": label,
                "old": dict(AveragingPeriod.choices).get(previous.averaging_period, ""),
            }
        ]
    if threshold is None or previous.threshold is None:  # a measure's versions all have one
        return []
    try:
        converted = units.convert(threshold, unit, previous.unit)
    except (units.IncomparableUnits, ValidationError):
        return [
            _(
                "%(label)s is expressed in %(old_unit)s; %(new_unit)s cannot be compared with it, "
                "so the revision is refused."
            )
            % {"label": label, "old_unit": previous.unit, "new_unit": unit}
        ]
    converted = at_declared_precision(converted)
    in_force = at_declared_precision(previous.threshold)
    if not more_protective(direction, in_force, converted):
        return []
    return [
        _(
            "Refused: a revision may never be less protective than the version in force. "
            "%(label)s requires %(sign)s %(old)s %(old_unit)s; the proposed %(new)s "
            "%(new_unit)s is weaker by %(margin)s %(old_unit)s."
        )
        % {
            "label": label,
            "sign": "≤" if direction == Direction.AT_MOST else "≥",
            "old": _fmt(previous.threshold),
            "old_unit": previous.unit,
            "new": _fmt(threshold),
            "new_unit": unit,
            "margin": _fmt(abs(converted - in_force)),
        }
    ]


def ratchet_violations(
    *, criterion: Criterion, previous: CriterionVersion | None, draft: VersionDraft
) -> list[str]:
    """Every reason `draft` would be less protective than `previous` (the latest version)."""
    if previous is None:
        return []
    label = previous.identifier
    if previous.is_retirement:
        return [
            _("%(label)s retired the criterion; it can no longer be revised.") % {"label": label}
        ]
    errors: list[str] = []
    if draft.effective_from <= previous.effective_from:
        errors.append(
            _("A new version takes effect after %(label)s (in force from %(date)s).")
            % {"label": label, "date": previous.effective_from.isoformat()}
        )
    if criterion.kind == Criterion.Kind.MEASURE:
        errors += _threshold_violations(
            previous=previous,
            direction=draft.direction,
            threshold=draft.threshold,
            unit=draft.unit,
            averaging_period=draft.averaging_period,
            label=label,
        )
    errors += _applicability_violations(previous=previous, draft=draft, label=label)
    return errors


def _successor_violations(
    *,
    criterion: Criterion,
    previous: CriterionVersion,
    successor: Criterion,
    replacement: CriterionVersion,
    effective_from: dt.date,
) -> list[str]:
    """The successor in force must cover at least everything the retired criterion covered,
    and (for a measure) be at least as protective."""
    label = _("The successor %(id)s") % {"id": replacement.identifier}
    covers = VersionDraft(
        text_en="-",
        effective_from=effective_from,
        all_countries=replacement.applies_to_all_countries,
        countries=sorted(c.code for c in replacement.countries.all()),
        all_sectors=replacement.applies_to_all_sectors,
        sectors=sorted(s.isic_code for s in replacement.sectors.all()),
    )
    errors = [
        _("%(successor)s does not cover what it replaces: %(why)s")
        % {"successor": label, "why": message}
        for message in _applicability_violations(
            previous=previous, draft=covers, label=previous.identifier
        )
    ]
    if criterion.kind != Criterion.Kind.MEASURE:
        return errors
    if successor.governs != criterion.governs:
        errors.append(
            _("The successor of a measure must govern the same quantity (%(governs)s).")
            % {"governs": criterion.governs}
        )
    errors += [
        _("%(successor)s is not at least as protective: %(why)s")
        % {"successor": label, "why": message}
        for message in _threshold_violations(
            previous=previous,
            direction=replacement.direction,
            threshold=replacement.threshold,
            unit=replacement.unit,
            averaging_period=replacement.averaging_period,
            label=previous.identifier,
        )
    ]
    return errors


def retirement_violations(
    *,
    criterion: Criterion,
    previous: CriterionVersion | None,
    successor: Criterion,
    effective_from: dt.date,
    rationale: str,
) -> list[str]:
    """Every reason retiring `criterion` in favour of `successor` is refused."""
    from .selectors import criterion_version_in_force

    if previous is None:
        return [_("A criterion with no version in the register cannot be retired.")]
    if previous.is_retirement:
        return [_("%(label)s already retired the criterion.") % {"label": previous.identifier}]
    errors: list[str] = []
    if effective_from <= previous.effective_from:
        errors.append(
            _("A retirement takes effect after %(label)s (in force from %(date)s).")
            % {"label": previous.identifier, "date": previous.effective_from.isoformat()}
        )
    if not rationale.strip():
        errors.append(
            _("Record why the successor is at least as protective as the criterion it replaces.")
        )
    if successor.pk == criterion.pk:
        return [*errors, _("A criterion cannot be its own successor.")]
    if successor.kind != criterion.kind:
        return [
            *errors,
            _("The successor must be of the same kind (rule or performance measure)."),
        ]
    replacement = criterion_version_in_force(criterion=successor, on=effective_from)
    if replacement is None:
        return [
            *errors,
            _(
                "The successor %(code)s must be in force on %(date)s, when the retirement takes effect."
            )
            % {"code": successor.code, "date": effective_from.isoformat()},
        ]
    return errors + _successor_violations(
        criterion=criterion,
        previous=previous,
        successor=successor,
        replacement=replacement,
        effective_from=effective_from,
    )


def _latest(criterion: Criterion) -> CriterionVersion | None:
    return CriterionVersion.objects.filter(criterion=criterion).order_by("-number").first()


def version_refusals(
    *,
    criterion: Criterion,
    previous: CriterionVersion | None,
    draft: VersionDraft,
    provenance: str,
    rationale: str,
    retirement: bool,
) -> tuple[Resolved, list[str]]:
    """When a version is written (the criterion locked, `previous` its latest version): the
    draft's resolved codes, and every reason it may not be written — content, ratchet, and
    the order of the record (a promulgated version takes effect tomorrow at the earliest; the
    historical record closes once a round has adopted a version)."""
    resolved = draft_check(kind=criterion.kind, draft=draft, retirement=retirement)
    if retirement:
        errors = retirement_violations(
            criterion=criterion,
            previous=previous,
            successor=_successor(resolved),
            effective_from=draft.effective_from,
            rationale=rationale,
        )
    else:
        errors = ratchet_violations(criterion=criterion, previous=previous, draft=draft)
    today = timezone.localdate()
    if provenance == CriterionVersion.Provenance.ROUND:
        if draft.effective_from <= today:
            errors.append(
                _(
                    "A promulgated version takes effect at the earliest the day after its "
                    "adoption (%(date)s); what was in force on a day that has begun never changes."
                )
                % {"date": (today + dt.timedelta(days=1)).isoformat()}
            )
    elif CriterionVersion.objects.filter(
        criterion=criterion, provenance=CriterionVersion.Provenance.ROUND
    ).exists():
        errors.append(
            _(
                "%(code)s already has versions adopted in deliberation rounds; the historical "
                "record can no longer be added to."
            )
            % {"code": criterion.code}
        )
    return resolved, errors


def criterion_revision_check(
    *, criterion: Criterion, draft: VersionDraft | dict[str, Any]
) -> VersionDraft:
    """Raise ValidationError with every reason `draft` may not become the criterion's next
    version (content and ratchet); return the parsed draft otherwise."""
    draft = VersionDraft.from_dict(draft)
    draft_check(kind=criterion.kind, draft=draft)
    errors = ratchet_violations(criterion=criterion, previous=_latest(criterion), draft=draft)
    if errors:
        raise ValidationError(errors, code="derogation")
    return draft


def criterion_retirement_check(
    *, criterion: Criterion, draft: VersionDraft | dict[str, Any], rationale: str
) -> VersionDraft:
    """Raise ValidationError with every reason retiring `criterion` as `draft` says is refused;
    return the parsed draft otherwise."""
    draft = VersionDraft.from_dict(draft)
    resolved = draft_check(kind=criterion.kind, draft=draft, retirement=True)
    errors = retirement_violations(
        criterion=criterion,
        previous=_latest(criterion),
        successor=_successor(resolved),
        effective_from=draft.effective_from,
        rationale=rationale,
    )
    if errors:
        raise ValidationError(errors, code="derogation")
    return draft
