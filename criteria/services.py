"""Writes of the criteria register, and every rule about them.

* Promulgation: versions are created only here — by the adoption of a proposal in a
  deliberation round (`proposal_decide`), or, for the register's opening entries, from the
  commission's historical record (`criterion_version_record_historical`).
* The ratchet (non-derogation, ADR 0010): a new version may never be less protective than the
  latest one. A measure's threshold may only tighten (after unit conversion; incomparable units
  are refused), its direction and averaging period may not change, applicability may only widen,
  versions take effect in order, and a criterion may only be retired when a recorded,
  at-least-as-protective successor replaces it. `criterion_revision_check` states every reason a
  draft is refused; every door (admin, API, portal, commands) reaches it through these services.
* Deliberation rounds: convened with a public notice; participants file reports and proposals;
  only sitting commission members vote; quorum and majority are the round's own and enforced.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from commission import roles
from commission.models import (
    CommissionMember,
    InvestigativeTeam,
    Organization,
    OrganizationMembership,
    Sector,
    StaffMember,
    TeamMembership,
    TradingPartner,
)
from commission.services import case_event_record

from . import isic, units
from .drafts import SourceDraft, VersionDraft
from .models import (
    AveragingPeriod,
    Criterion,
    CriterionVersion,
    DeliberationRound,
    Direction,
    ParticipantRole,
    Proposal,
    Right,
    RoundReport,
    RuleResolution,
    Source,
    Vote,
)

# --------------------------------------------------------------------------- helpers


def _today() -> dt.date:
    return timezone.localdate()


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return format(Decimal(value).normalize(), "f")


def member_sitting(*, user, on: dt.date | None = None) -> CommissionMember | None:
    """The user's seat on the commission on `on` (today by default), if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    on = on or _today()
    return (
        CommissionMember.objects.filter(person__user=user, seated_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .select_related("person", "country")
        .order_by("-seated_on")
        .first()
    )


def _sitting_members_count(on: dt.date) -> int:
    return (
        CommissionMember.objects.filter(seated_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .count()
    )


def _require(user, perm: str, message: str) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm(perm):
        raise ValidationError(message, code="permission")


def _require_member_or_perm(user, perm: str, message: str) -> None:
    if member_sitting(user=user) is not None:
        return
    _require(user, perm, message)


# --------------------------------------------------------------------------- rights


def right_create(
    *,
    code: str,
    name_en: str,
    name_es: str = "",
    description_en: str = "",
    description_es: str = "",
    position: int = 0,
    actor=None,
) -> Right:
    """Add a rubric. Rubrics group criteria; they bind nothing by themselves."""
    _require(actor, "criteria.add_right", _("You are not allowed to add a right."))
    right = Right(
        code=code.strip().upper(),
        name_en=name_en.strip(),
        name_es=name_es.strip(),
        description_en=description_en,
        description_es=description_es,
        position=position,
    )
    right.full_clean()
    with transaction.atomic():
        right.save()
        case_event_record(
            subject=right,
            verb="right.created",
            actor=actor,
            is_public=True,
            data={"code": right.code},
        )
    return right


# --------------------------------------------------------------------------- validation


@dataclass
class _Resolved:
    countries: list[TradingPartner]
    sectors: list[Sector]
    source_countries: dict[str, TradingPartner]
    source_industries: dict[str, Sector]
    successor: Criterion | None = None


def _resolve(*, kind: str, draft: VersionDraft, retirement: bool = False) -> _Resolved:
    """Check a draft's own content against the criterion's kind and resolve its codes."""
    errors: list[str] = []
    if retirement:
        successor = (
            Criterion.objects.filter(code=draft.successor).first() if draft.successor else None
        )
        if successor is None:
            errors.append(
                _("A retirement names the successor criterion that replaces it (by its code).")
            )
        if errors:
            raise ValidationError(errors)
        return _Resolved([], [], {}, {}, successor)
    if draft.successor:
        errors.append(_("Only a retirement names a successor."))

    if kind == Criterion.Kind.MEASURE:
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
    else:
        if draft.direction or draft.threshold is not None or draft.unit or draft.averaging_period:
            errors.append(
                _("A bright-line rule has no threshold, unit, direction or averaging period.")
            )
        if draft.measuring_method_en or draft.measuring_method_es:
            errors.append(_("A bright-line rule has no measuring method."))

    countries: list[TradingPartner] = []
    if not draft.all_countries:
        countries = list(TradingPartner.objects.filter(code__in=draft.countries))
        missing = set(draft.countries) - {c.code for c in countries}
        if missing:
            errors.append(
                _("Unknown trading partners: %(codes)s.") % {"codes": ", ".join(sorted(missing))}
            )
        if not draft.countries:
            errors.append(_("Name the trading partners it applies to, or apply it to all."))
    sectors: list[Sector] = []
    if not draft.all_sectors:
        sectors = list(Sector.objects.filter(isic_code__in=draft.sectors))
        missing = set(draft.sectors) - {s.isic_code for s in sectors}
        if missing:
            errors.append(
                _("Unknown sectors (ISIC Rev. 4): %(codes)s.")
                % {"codes": ", ".join(sorted(missing))}
            )
        if not draft.sectors:
            errors.append(_("Name the sectors it applies to, or apply it to all sectors."))

    if not draft.sources:
        errors.append(
            _(
                "A criterion cites at least one source: international law, the trading "
                "partner's domestic law, or international best practice."
            )
        )
    source_country_codes = {s.country for s in draft.sources if s.country}
    source_countries = {
        c.code: c for c in TradingPartner.objects.filter(code__in=source_country_codes)
    }
    for code in sorted(source_country_codes - set(source_countries)):
        errors.append(_("A source names an unknown country: %(code)s.") % {"code": code})
    industry_codes = {s.comparison_industry for s in draft.sources if s.comparison_industry}
    source_industries = {
        s.isic_code: s for s in Sector.objects.filter(isic_code__in=industry_codes)
    }
    for code in sorted(industry_codes - set(source_industries)):
        errors.append(_("A source names an unknown industry: %(code)s.") % {"code": code})

    # A measure may not be weaker than a standard it cites: the most protective binds.
    if kind == Criterion.Kind.MEASURE and draft.threshold is not None and draft.unit:
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
            value, threshold = (
                _at_declared_precision(value),
                _at_declared_precision(draft.threshold),
            )
            weaker = (
                threshold > value if draft.direction == Direction.AT_MOST else threshold < value
            )
            if weaker:
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
    if errors:
        raise ValidationError(errors)
    return _Resolved(countries, sectors, source_countries, source_industries)


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
            lost = [
                s.isic_code
                for s in previous.sectors.all()
                if not any(isic.covers(new, s.isic_code) for new in draft.sectors)
            ]
            if lost:
                errors.append(
                    _("%(label)s applies to sectors %(codes)s; applicability may only widen.")
                    % {"label": label, "codes": ", ".join(sorted(lost))}
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
    errors: list[str] = []
    if direction != previous.direction:
        errors.append(
            _("%(label)s is “%(old)s”; the direction of a measure may not change.")
            % {"label": label, "old": previous.get_direction_display()}
        )
        return errors
    if averaging_period != previous.averaging_period:
        errors.append(
            _(
                "%(label)s is measured as “%(old)s”; a different averaging period is a different "
                "quantity and cannot be compared."
            )
            % {
                "label": label,
                "old": dict(AveragingPeriod.choices).get(previous.averaging_period, ""),
            }
        )
        return errors
    if threshold is None:
        return errors
    try:
        converted = units.convert(threshold, unit, previous.unit)
    except (units.IncomparableUnits, ValidationError):
        errors.append(
            _(
                "%(label)s is expressed in %(old_unit)s; %(new_unit)s cannot be compared with it, "
                "so the revision is refused."
            )
            % {"label": label, "old_unit": previous.unit, "new_unit": unit}
        )
        return errors
    converted, in_force = (
        _at_declared_precision(converted),
        _at_declared_precision(previous.threshold),
    )
    weaker = converted > in_force if direction == Direction.AT_MOST else converted < in_force
    if weaker:
        errors.append(
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
        )
    return errors


def _at_declared_precision(value: Decimal) -> Decimal:
    """`value` rounded to the precision thresholds are declared at (the decimal places of
    `CriterionVersion.threshold`). A conversion between units may not be exact in decimal
    (minutes to hours divides by 60), so two measures are compared at the precision the
    register records, never at the last digit of a 28-digit quotient: 2,880 minutes a week
    equals 48 hours a week."""
    places = CriterionVersion._meta.get_field("threshold").decimal_places
    with localcontext() as context:
        context.prec = 50
        return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def _ratchet_violations(
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


def _retirement_violations(
    *,
    criterion: Criterion,
    previous: CriterionVersion | None,
    successor: Criterion,
    effective_from: dt.date,
    rationale: str,
) -> list[str]:
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
        errors.append(_("A criterion cannot be its own successor."))
        return errors
    if successor.kind != criterion.kind:
        errors.append(_("The successor must be of the same kind (rule or performance measure)."))
        return errors
    replacement = criterion_version_in_force(criterion=successor, on=effective_from)
    if replacement is None:
        errors.append(
            _(
                "The successor %(code)s must be in force on %(date)s, when the retirement takes effect."
            )
            % {"code": successor.code, "date": effective_from.isoformat()}
        )
        return errors
    label = _("The successor %(id)s") % {"id": replacement.identifier}
    # The successor must cover at least everything the retired criterion covered.
    pretend = VersionDraft(
        text_en="-",
        effective_from=effective_from,
        all_countries=replacement.applies_to_all_countries,
        countries=sorted(c.code for c in replacement.countries.all()),
        all_sectors=replacement.applies_to_all_sectors,
        sectors=sorted(s.isic_code for s in replacement.sectors.all()),
    )
    for message in _applicability_violations(
        previous=previous, draft=pretend, label=previous.identifier
    ):
        errors.append(
            _("%(successor)s does not cover what it replaces: %(why)s")
            % {"successor": label, "why": message}
        )
    if criterion.kind == Criterion.Kind.MEASURE:
        if successor.governs != criterion.governs:
            errors.append(
                _("The successor of a measure must govern the same quantity (%(governs)s).")
                % {"governs": criterion.governs}
            )
        for message in _threshold_violations(
            previous=previous,
            direction=replacement.direction,
            threshold=replacement.threshold,
            unit=replacement.unit,
            averaging_period=replacement.averaging_period,
            label=previous.identifier,
        ):
            errors.append(
                _("%(successor)s is not at least as protective: %(why)s")
                % {"successor": label, "why": message}
            )
    return errors


def criterion_revision_check(*, criterion: Criterion, draft: VersionDraft | dict) -> VersionDraft:
    """Raise ValidationError with every reason `draft` may not become the criterion's next
    version (content and ratchet); return the parsed draft otherwise."""
    draft = VersionDraft.from_dict(draft)
    _resolve(kind=criterion.kind, draft=draft)
    previous = CriterionVersion.objects.filter(criterion=criterion).order_by("-number").first()
    errors = _ratchet_violations(criterion=criterion, previous=previous, draft=draft)
    if errors:
        raise ValidationError(errors, code="derogation")
    return draft


def criterion_retirement_check(
    *, criterion: Criterion, draft: VersionDraft | dict, rationale: str
) -> VersionDraft:
    draft = VersionDraft.from_dict(draft)
    resolved = _resolve(kind=criterion.kind, draft=draft, retirement=True)
    previous = CriterionVersion.objects.filter(criterion=criterion).order_by("-number").first()
    errors = _retirement_violations(
        criterion=criterion,
        previous=previous,
        successor=resolved.successor,
        effective_from=draft.effective_from,
        rationale=rationale,
    )
    if errors:
        raise ValidationError(errors, code="derogation")
    return draft


# --------------------------------------------------------------------------- writing versions


def _next_code(right: Right) -> str:
    prefix = f"{right.code}-"
    numbers = [
        int(code[len(prefix) :])
        for code in Criterion.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        if code[len(prefix) :].isdigit()
    ]
    return f"{prefix}{(max(numbers) if numbers else 0) + 1:03d}"


def _criterion_new(
    *, right: Right, kind: str, governs: str, title_en: str, title_es: str, code: str = ""
) -> Criterion:
    Right.objects.select_for_update().get(pk=right.pk)  # serialise code assignment per right
    criterion = Criterion(
        code=code or _next_code(right),
        right=right,
        kind=kind,
        governs=slugify(governs),
        title_en=title_en.strip(),
        title_es=title_es.strip(),
    )
    criterion.full_clean()
    criterion.save()
    return criterion


def _version_write(
    *,
    criterion: Criterion,
    draft: VersionDraft,
    provenance: str,
    actor,
    rationale_en: str = "",
    rationale_es: str = "",
    record_reference: str = "",
    proposal: Proposal | None = None,
    retirement: bool = False,
) -> CriterionVersion:
    """The one place a version row is written. Locks the criterion, re-checks every rule
    against the latest version, then writes the version, its sources and applicability, closes
    the previous version's period and records the public event."""
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    previous = CriterionVersion.objects.filter(criterion=criterion).order_by("-number").first()
    today = _today()
    resolved = _resolve(kind=criterion.kind, draft=draft, retirement=retirement)
    if retirement:
        errors = _retirement_violations(
            criterion=criterion,
            previous=previous,
            successor=resolved.successor,
            effective_from=draft.effective_from,
            rationale=rationale_en,
        )
    else:
        errors = _ratchet_violations(criterion=criterion, previous=previous, draft=draft)
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
    if errors:
        raise ValidationError(errors, code="derogation")

    number = (previous.number if previous else 0) + 1
    measure = criterion.kind == Criterion.Kind.MEASURE and not retirement
    version = CriterionVersion(
        criterion=criterion,
        number=number,
        identifier=f"{criterion.code}/v{number}",
        effective_from=draft.effective_from,
        is_retirement=retirement,
        successor=resolved.successor,
        text_en=draft.text_en,
        text_es=draft.text_es,
        direction=draft.direction if measure else "",
        threshold=draft.threshold if measure else None,
        unit=draft.unit if measure else "",
        averaging_period=draft.averaging_period if measure else "",
        measuring_method_en=draft.measuring_method_en if measure else "",
        measuring_method_es=draft.measuring_method_es if measure else "",
        applies_to_all_countries=draft.all_countries if not retirement else True,
        applies_to_all_sectors=draft.all_sectors if not retirement else True,
        rationale_en=rationale_en,
        rationale_es=rationale_es,
        provenance=provenance,
        proposal=proposal,
        record_reference=record_reference,
        promulgated_by=actor if actor is not None and actor.is_authenticated else None,
    )
    version.save()
    if previous is not None:
        CriterionVersion.objects.filter(pk=previous.pk, effective_until__isnull=True).update(
            effective_until=draft.effective_from
        )
    if not retirement:
        if resolved.countries:
            version.countries.set(resolved.countries)
        if resolved.sectors:
            version.sectors.set(resolved.sectors)
        Source.objects.bulk_create(
            [
                _source_row(version, position, source, resolved)
                for position, source in enumerate(draft.sources)
            ]
        )
    case_event_record(
        subject=criterion,
        verb="criterion.retired" if retirement else "criterion.version_promulgated",
        actor=actor,
        is_public=True,
        reason=rationale_en,
        data={
            "identifier": version.identifier,
            "effective_from": version.effective_from.isoformat(),
            "provenance": provenance,
            "proposal": str(proposal) if proposal else "",
            "record_reference": record_reference,
            "previous": previous.identifier if previous else "",
            "successor": resolved.successor.code if resolved.successor else "",
        },
    )
    return version


def _source_row(
    version: CriterionVersion, position: int, source: SourceDraft, resolved: _Resolved
) -> Source:
    return Source(
        version=version,
        position=position,
        kind=source.kind,
        instrument=source.instrument,
        article=source.article,
        supervisory_body=source.supervisory_body,
        decision_reference=source.decision_reference,
        country=resolved.source_countries.get(source.country) if source.country else None,
        comparator_name=source.comparator_name,
        comparison_region=source.comparison_region,
        comparison_income_level=source.comparison_income_level,
        comparison_labor_relations_system=source.comparison_labor_relations_system,
        comparison_industry=resolved.source_industries.get(source.comparison_industry)
        if source.comparison_industry
        else None,
        value=source.value,
        unit=source.unit,
        url=source.url,
        note=source.note,
    )


def _require_adoptable(proposal: Proposal, kind: str) -> None:
    """Versions from a round exist only as the result of a passing vote."""
    if proposal.kind != kind:
        raise ValidationError(_("This proposal is not of that kind."))
    if proposal.status != Proposal.Status.FILED:
        raise ValidationError(_("Only a filed, undecided proposal can be adopted."))
    if proposal.round.status != DeliberationRound.Status.VOTING:
        raise ValidationError(_("Proposals are adopted only while the round is voting."))
    tally = proposal_tally(proposal=proposal)
    if not tally.passes:
        raise ValidationError(tally.failure_reason())


def criterion_create(*, proposal: Proposal, actor) -> CriterionVersion:
    """Create the new criterion a passing proposal describes, with its first version."""
    _require_adoptable(proposal, Proposal.Kind.NEW_CRITERION)
    draft = VersionDraft.from_dict(proposal.draft)
    with transaction.atomic():
        criterion = _criterion_new(
            right=proposal.right,
            kind=proposal.criterion_kind,
            governs=proposal.governs,
            title_en=proposal.title_en,
            title_es=proposal.title_es,
        )
        return _version_write(
            criterion=criterion,
            draft=draft,
            provenance=CriterionVersion.Provenance.ROUND,
            actor=actor,
            rationale_en=proposal.rationale,
            record_reference=_record_reference(proposal),
            proposal=proposal,
        )


def criterion_revise(
    *, criterion: Criterion, draft: VersionDraft | dict, proposal: Proposal, actor
) -> CriterionVersion:
    """Promulgate the next, at-least-as-protective version of `criterion` (ratchet enforced)."""
    _require_adoptable(proposal, Proposal.Kind.REVISION)
    if proposal.criterion_id != criterion.pk:
        raise ValidationError(_("The proposal revises a different criterion."))
    return _version_adopt(criterion=criterion, draft=draft, proposal=proposal, actor=actor)


def criterion_retire(
    *, criterion: Criterion, draft: VersionDraft | dict, proposal: Proposal, actor
) -> CriterionVersion:
    """Retire `criterion` in favour of a recorded, at-least-as-protective successor."""
    _require_adoptable(proposal, Proposal.Kind.RETIREMENT)
    if proposal.criterion_id != criterion.pk:
        raise ValidationError(_("The proposal retires a different criterion."))
    return _version_adopt(
        criterion=criterion, draft=draft, proposal=proposal, actor=actor, retirement=True
    )


def _version_adopt(
    *,
    criterion: Criterion,
    draft: VersionDraft | dict,
    proposal: Proposal,
    actor,
    retirement: bool = False,
) -> CriterionVersion:
    """Write the version an adopted proposal of a deliberation round promulgates."""
    draft = VersionDraft.from_dict(draft)
    with transaction.atomic():
        return _version_write(
            criterion=criterion,
            draft=draft,
            provenance=CriterionVersion.Provenance.ROUND,
            actor=actor,
            rationale_en=proposal.rationale,
            record_reference=_record_reference(proposal),
            proposal=proposal,
            retirement=retirement,
        )


def _record_reference(proposal: Proposal) -> str:
    tally = proposal_tally(proposal=proposal)
    return _(
        "Round %(round)s, proposal %(number)s: %(yes)s for, %(no)s against, %(abstain)s abstaining"
    ) % {
        "round": proposal.round.code,
        "number": proposal.number,
        "yes": tally.yes,
        "no": tally.no,
        "abstain": tally.abstain,
    }


def criterion_record_historical(
    *,
    right: Right,
    kind: str,
    governs: str,
    title_en: str,
    title_es: str = "",
    code: str = "",
    actor,
) -> Criterion:
    """Open a criterion in the register for entries from the commission's historical record."""
    _require(
        actor,
        "criteria.add_criterionversion",
        _("Only commission members and staff enter the historical record."),
    )
    with transaction.atomic():
        criterion = _criterion_new(
            right=right, kind=kind, governs=governs, title_en=title_en, title_es=title_es, code=code
        )
        case_event_record(
            subject=criterion,
            verb="criterion.opened",
            actor=actor,
            is_public=True,
            data={"code": criterion.code},
        )
    return criterion


def criterion_version_record_historical(
    *,
    criterion: Criterion,
    draft: VersionDraft | dict,
    record_reference: str,
    rationale_en: str = "",
    rationale_es: str = "",
    actor,
) -> CriterionVersion:
    """Enter a version promulgated before the register was kept here, from the official
    record. The ratchet applies exactly as to adopted versions; once a criterion has a version
    adopted in a round, its history is closed."""
    _require(
        actor,
        "criteria.add_criterionversion",
        _("Only commission members and staff enter the historical record."),
    )
    if not record_reference.strip():
        raise ValidationError(_("Cite the official record the version is entered from."))
    draft = VersionDraft.from_dict(draft)
    with transaction.atomic():
        return _version_write(
            criterion=criterion,
            draft=draft,
            provenance=CriterionVersion.Provenance.HISTORICAL,
            actor=actor,
            rationale_en=rationale_en,
            rationale_es=rationale_es,
            record_reference=record_reference.strip(),
        )


# --------------------------------------------------------------------------- rule resolutions


def rule_resolution_record(
    *,
    actor,
    governs: str,
    binding_criterion: Criterion,
    reason_en: str,
    effective_from: dt.date,
    reason_es: str = "",
    country: TradingPartner | None = None,
    sector: Sector | None = None,
) -> RuleResolution:
    """A member records which of the competing rules on a matter binds, and why."""
    member = member_sitting(user=actor)
    if member is None:
        raise ValidationError(_("Only a sitting commission member records which rule binds."))
    errors = []
    if binding_criterion.kind != Criterion.Kind.RULE:
        errors.append(_("Resolutions choose among bright-line rules; measures resolve by value."))
    if binding_criterion.governs != governs:
        errors.append(
            _("%(code)s does not govern “%(governs)s”.")
            % {"code": binding_criterion.code, "governs": governs}
        )
    if not reason_en.strip():
        errors.append(_("Record why this rule is the most worker-protective."))
    if effective_from <= _today():
        errors.append(_("A resolution takes effect at the earliest tomorrow."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = RuleResolution.objects.create(
            governs=governs,
            country=country,
            sector=sector,
            binding_criterion=binding_criterion,
            reason_en=reason_en.strip(),
            reason_es=reason_es.strip(),
            effective_from=effective_from,
            recorded_by=member,
        )
        case_event_record(
            subject=binding_criterion,
            verb="criterion.rule_resolution_recorded",
            actor=actor,
            is_public=True,
            reason=record.reason_en,
            data={
                "governs": governs,
                "country": country.code if country else "",
                "sector": sector.isic_code if sector else "",
                "effective_from": effective_from.isoformat(),
            },
        )
    return record


# --------------------------------------------------------------------------- rounds


def round_convene(
    *,
    actor,
    code: str,
    title_en: str,
    notice_en: str,
    submissions_open_on: dt.date,
    submissions_close_on: dt.date,
    title_es: str = "",
    notice_es: str = "",
    meeting_on: dt.date | None = None,
    location: str = "",
    quorum_percent: int = 50,
    majority: str = DeliberationRound.Majority.SIMPLE,
) -> DeliberationRound:
    """Convene a deliberation round and publish its notice."""
    _require_member_or_perm(
        actor,
        "criteria.add_deliberationround",
        _("Only commission members and staff convene a deliberation round."),
    )
    today = _today()
    errors = []
    if submissions_open_on < today:
        errors.append(_("Reports and proposals cannot open before the notice is published."))
    if submissions_close_on < submissions_open_on:
        errors.append(_("Reports and proposals close after they open."))
    if meeting_on is not None and meeting_on <= submissions_close_on:
        errors.append(_("The deliberation meeting comes after reports and proposals close."))
    if not notice_en.strip():
        errors.append(_("A round is convened with a public notice."))
    if errors:
        raise ValidationError(errors)
    round_ = DeliberationRound(
        code=code.strip(),
        title_en=title_en.strip(),
        title_es=title_es.strip(),
        notice_en=notice_en.strip(),
        notice_es=notice_es.strip(),
        convened_on=today,
        submissions_open_on=submissions_open_on,
        submissions_close_on=submissions_close_on,
        meeting_on=meeting_on,
        location=location,
        quorum_percent=quorum_percent,
        majority=majority,
        convened_by=actor,
    )
    round_.full_clean()
    with transaction.atomic():
        round_.save()
        case_event_record(
            subject=round_,
            verb="round.convened",
            actor=actor,
            to_status=round_.status,
            is_public=True,
            reason=round_.notice_en,
            data={
                "code": round_.code,
                "submissions_open_on": submissions_open_on.isoformat(),
                "submissions_close_on": submissions_close_on.isoformat(),
            },
        )
    return round_


def _round_transition(*, round_: DeliberationRound, to: str, actor, reason: str = "") -> None:
    locked = DeliberationRound.objects.select_for_update().get(pk=round_.pk)
    if to not in DeliberationRound.TRANSITIONS[locked.status]:
        raise ValidationError(
            _("A round that is “%(status)s” cannot move to “%(to)s”.")
            % {
                "status": locked.get_status_display(),
                "to": dict(DeliberationRound.Status.choices)[to],
            }
        )
    old = locked.status
    locked.status = to
    fields = ["status"]
    if to == DeliberationRound.Status.VOTING:
        locked.voting_opened_at = timezone.now()
        fields.append("voting_opened_at")
    if to == DeliberationRound.Status.CLOSED:
        locked.closed_at = timezone.now()
        fields.append("closed_at")
    locked.save(update_fields=fields)
    case_event_record(
        subject=locked,
        verb=f"round.{to}",
        actor=actor,
        from_status=old,
        to_status=to,
        reason=reason,
        is_public=True,
    )
    round_.status = locked.status
    round_.voting_opened_at = locked.voting_opened_at
    round_.closed_at = locked.closed_at


def round_open_voting(*, round: DeliberationRound, actor) -> DeliberationRound:  # noqa: A002
    """Close reports and proposals and open the members' vote (after the announced window)."""
    _require_member_or_perm(
        actor,
        "criteria.change_deliberationround",
        _("Only commission members and staff open the vote."),
    )
    if _today() <= round.submissions_close_on:
        raise ValidationError(
            _("Reports and proposals are open until %(date)s; the vote opens after that.")
            % {"date": round.submissions_close_on.isoformat()}
        )
    with transaction.atomic():
        _round_transition(round_=round, to=DeliberationRound.Status.VOTING, actor=actor)
    return round


def round_close(*, round: DeliberationRound, actor, reason: str = "") -> DeliberationRound:  # noqa: A002
    """Close the round; proposals still undecided lapse (recorded as not adopted)."""
    _require_member_or_perm(
        actor,
        "criteria.change_deliberationround",
        _("Only commission members and staff close a round."),
    )
    with transaction.atomic():
        _round_transition(
            round_=round, to=DeliberationRound.Status.CLOSED, actor=actor, reason=reason
        )
        for proposal in Proposal.objects.select_for_update().filter(
            round=round, status=Proposal.Status.FILED
        ):
            _proposal_set_status(
                proposal,
                Proposal.Status.REJECTED,
                actor=actor,
                reason=_("Not adopted before the round closed."),
            )
    return round


def _check_window(round_: DeliberationRound) -> None:
    today = _today()
    if round_.status != DeliberationRound.Status.CONVENED:
        raise ValidationError(_("This round no longer accepts reports or proposals."))
    if not (round_.submissions_open_on <= today <= round_.submissions_close_on):
        raise ValidationError(
            _("Reports and proposals are accepted from %(open)s to %(close)s.")
            % {
                "open": round_.submissions_open_on.isoformat(),
                "close": round_.submissions_close_on.isoformat(),
            }
        )


RECORDED_ROLES = frozenset(
    {ParticipantRole.MEMBER, ParticipantRole.STAFF, ParticipantRole.INVESTIGATIVE_TEAM}
)


def _recorded_roles(actor) -> list[str]:
    """The capacities an account holds by its recorded role, most senior first: a sitting
    member, a staff member (a staff record, or a staff account in the staff group), a member
    of an investigative team. These are never taken from what a caller declares."""
    held = []
    if member_sitting(user=actor) is not None:
        held.append(ParticipantRole.MEMBER)
    if StaffMember.objects.filter(person__user=actor).exists() or (
        actor.is_staff and actor.groups.filter(name=roles.STAFF).exists()
    ):
        held.append(ParticipantRole.STAFF)
    if TeamMembership.objects.filter(person__user=actor).exists():
        held.append(ParticipantRole.INVESTIGATIVE_TEAM)
    return held


def participant_role_recorded(*, actor) -> str:
    """The capacity in which an account takes part when it does not say: its most senior
    recorded role, else "other participant"."""
    held = _recorded_roles(actor) if actor is not None and actor.is_authenticated else []
    return held[0] if held else ParticipantRole.OTHER


def _check_participant(
    *,
    actor,
    participant_role: str,
    organization: Organization | None = None,
    team: InvestigativeTeam | None = None,
) -> None:
    if actor is None or not actor.is_authenticated:
        raise ValidationError(_("Sign in to take part in a deliberation round."))
    if participant_role not in ParticipantRole.values:
        raise ValidationError(_("Say in which capacity you take part."))
    if participant_role == ParticipantRole.MEMBER and member_sitting(user=actor) is None:
        raise ValidationError(_("Only a sitting commission member takes part as a member."))
    if participant_role in RECORDED_ROLES and participant_role not in _recorded_roles(actor):
        raise ValidationError(
            _("Only an account recorded in that role takes part as %(role)s.")
            % {"role": ParticipantRole(participant_role).label}
        )
    if organization is not None and not (
        actor.has_perm("criteria.change_deliberationround")
        or OrganizationMembership.objects.filter(
            organization=organization, person__user=actor
        ).exists()
    ):
        raise ValidationError(_("You are not a delegate of that organization."))
    if (
        team is not None
        and not TeamMembership.objects.filter(team=team, person__user=actor).exists()
    ):
        raise ValidationError(_("You are not a member of that investigative team."))


def report_file(
    *,
    round: DeliberationRound,  # noqa: A002
    actor,
    participant_role: str,
    title: str,
    body: str,
    organization: Organization | None = None,
    team: InvestigativeTeam | None = None,
    criterion: Criterion | None = None,
    is_public: bool = True,
) -> RoundReport:
    """File a report in a round: successes and failures of compliance, from the ground."""
    _check_participant(
        actor=actor, participant_role=participant_role, organization=organization, team=team
    )
    if not title.strip() or not body.strip():
        raise ValidationError(_("A report has a title and a body."))
    with transaction.atomic():
        locked = DeliberationRound.objects.select_for_update().get(pk=round.pk)
        _check_window(locked)
        report = RoundReport.objects.create(
            round=locked,
            filed_by=actor,
            participant_role=participant_role,
            organization=organization,
            team=team,
            criterion=criterion,
            title=title.strip(),
            body=body.strip(),
            is_public=is_public,
        )
        case_event_record(
            subject=locked,
            verb="round.report_filed",
            actor=actor,
            is_public=is_public,
            data={"report": report.pk, "title": report.title, "role": participant_role},
        )
    return report


def proposal_submit(
    *,
    round: DeliberationRound,  # noqa: A002
    actor,
    kind: str,
    draft: VersionDraft | dict,
    rationale: str,
    participant_role: str,
    criterion: Criterion | None = None,
    right: Right | None = None,
    criterion_kind: str = "",
    governs: str = "",
    title_en: str = "",
    title_es: str = "",
    organization: Organization | None = None,
) -> Proposal:
    """File a proposal in a round. It is checked at once against the register (a derogating
    revision is refused here, and again on adoption)."""
    _check_participant(actor=actor, participant_role=participant_role, organization=organization)
    if kind not in Proposal.Kind.values:
        raise ValidationError(_("A proposal is a new criterion, a revision or a retirement."))
    if not rationale.strip():
        raise ValidationError(
            _(
                "Give the rationale: why the proposal is needed and why it is at least as protective."
            )
        )
    if kind == Proposal.Kind.NEW_CRITERION:
        errors = []
        if right is None:
            errors.append(_("A new criterion belongs to a right."))
        if criterion_kind not in Criterion.Kind.values:
            errors.append(_("A new criterion is a bright-line rule or a performance measure."))
        if not slugify(governs):
            errors.append(_("Say what the new criterion governs (the quantity or matter)."))
        if not title_en.strip():
            errors.append(_("A new criterion has an English title."))
        if criterion is not None:
            errors.append(_("A new criterion does not name an existing one."))
        if errors:
            raise ValidationError(errors)
        parsed = VersionDraft.from_dict(draft)
        _resolve(kind=criterion_kind, draft=parsed)
        if parsed.effective_from <= _today():
            raise ValidationError(_("A new criterion takes effect at the earliest tomorrow."))
    elif criterion is None:
        raise ValidationError(_("Name the criterion to revise or retire."))
    elif kind == Proposal.Kind.REVISION:
        parsed = criterion_revision_check(criterion=criterion, draft=draft)
    else:
        parsed = criterion_retirement_check(criterion=criterion, draft=draft, rationale=rationale)
    with transaction.atomic():
        locked = DeliberationRound.objects.select_for_update().get(pk=round.pk)
        _check_window(locked)
        number = (Proposal.objects.filter(round=locked).aggregate(n=Max("number"))["n"] or 0) + 1
        proposal = Proposal.objects.create(
            round=locked,
            number=number,
            kind=kind,
            criterion=criterion if kind != Proposal.Kind.NEW_CRITERION else None,
            right=right if kind == Proposal.Kind.NEW_CRITERION else None,
            criterion_kind=criterion_kind if kind == Proposal.Kind.NEW_CRITERION else "",
            governs=slugify(governs) if kind == Proposal.Kind.NEW_CRITERION else "",
            title_en=title_en.strip(),
            title_es=title_es.strip(),
            draft=parsed.to_dict(),
            rationale=rationale.strip(),
            filed_by=actor,
            participant_role=participant_role,
            organization=organization,
        )
        case_event_record(
            subject=proposal,
            verb="proposal.filed",
            actor=actor,
            to_status=proposal.status,
            is_public=True,
            reason=proposal.rationale,
            data={
                "round": locked.code,
                "kind": kind,
                "criterion": criterion.code if criterion else "",
            },
        )
    return proposal


def proposal_withdraw(*, proposal: Proposal, actor) -> Proposal:
    if actor is None or actor.pk != proposal.filed_by_id:
        raise ValidationError(_("Only the filer withdraws a proposal."))
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().select_related("round").get(pk=proposal.pk)
        if locked.round.status == DeliberationRound.Status.CLOSED:
            raise ValidationError(_("The round is closed."))
        _proposal_set_status(locked, Proposal.Status.WITHDRAWN, actor=actor)
    proposal.refresh_from_db()
    return proposal


def proposal_vote(*, proposal: Proposal, actor, choice: str) -> Vote:
    """A sitting member votes for, against, or abstains. Nobody else votes."""
    member = member_sitting(user=actor)
    if member is None:
        raise ValidationError(
            _("Only commission members (worker representatives and jurists) vote."),
            code="permission",
        )
    if choice not in Vote.Choice.values:
        raise ValidationError(_("A vote is for, against, or an abstention."))
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().select_related("round").get(pk=proposal.pk)
        if locked.round.status != DeliberationRound.Status.VOTING:
            raise ValidationError(_("The vote is not open in this round."))
        if locked.status != Proposal.Status.FILED:
            raise ValidationError(_("This proposal has already been decided."))
        vote, _created = Vote.objects.update_or_create(
            proposal=locked, member=member, defaults={"choice": choice, "cast_at": timezone.now()}
        )
        case_event_record(
            subject=locked,
            verb="proposal.vote_cast",
            actor=actor,
            is_public=True,
            data={"member": str(member.person), "choice": choice},
        )
    return vote


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int
    sitting: int
    quorum_percent: int
    majority: str

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def quorum_needed(self) -> int:
        return max(1, math.ceil(self.sitting * self.quorum_percent / 100))

    @property
    def quorum_met(self) -> bool:
        return self.cast >= self.quorum_needed

    @property
    def majority_met(self) -> bool:
        decided = self.yes + self.no
        if self.majority == DeliberationRound.Majority.TWO_THIRDS:
            return self.yes > 0 and 3 * self.yes >= 2 * decided
        if self.majority == DeliberationRound.Majority.ABSOLUTE:
            return 2 * self.yes > self.sitting
        return 2 * self.yes > decided

    @property
    def passes(self) -> bool:
        return self.quorum_met and self.majority_met

    def failure_reason(self) -> str:
        if not self.quorum_met:
            return _(
                "No quorum: %(cast)s of %(sitting)s sitting members voted; %(needed)s are needed."
            ) % {"cast": self.cast, "sitting": self.sitting, "needed": self.quorum_needed}
        return _(
            "The required majority (%(majority)s) was not reached: %(yes)s for, %(no)s against."
        ) % {
            "majority": dict(DeliberationRound.Majority.choices)[self.majority],
            "yes": self.yes,
            "no": self.no,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "yes": self.yes,
            "no": self.no,
            "abstain": self.abstain,
            "sitting": self.sitting,
            "quorum_percent": self.quorum_percent,
            "quorum_needed": self.quorum_needed,
            "majority": self.majority,
            "passes": self.passes,
        }


def proposal_tally(*, proposal: Proposal, on: dt.date | None = None) -> Tally:
    """Count the votes of members sitting on `on` (today)."""
    on = on or _today()
    counts = {"yes": 0, "no": 0, "abstain": 0}
    for choice in (
        Vote.objects.filter(proposal=proposal, member__seated_on__lte=on)
        .filter(Q(member__left_on__isnull=True) | Q(member__left_on__gt=on))
        .values_list("choice", flat=True)
    ):
        counts[choice] += 1
    return Tally(
        sitting=_sitting_members_count(on),
        quorum_percent=proposal.round.quorum_percent,
        majority=proposal.round.majority,
        **counts,
    )


def _proposal_set_status(proposal: Proposal, to: str, *, actor, reason: str = "", tally=None):
    if to not in Proposal.TRANSITIONS[proposal.status]:
        raise ValidationError(
            _("A proposal that is “%(status)s” cannot become “%(to)s”.")
            % {"status": proposal.get_status_display(), "to": dict(Proposal.Status.choices)[to]}
        )
    old = proposal.status
    proposal.status = to
    proposal.decided_at = timezone.now()
    fields = ["status", "decided_at"]
    if tally is not None:
        proposal.tally = tally.as_dict()
        fields.append("tally")
    proposal.save(update_fields=fields)
    case_event_record(
        subject=proposal,
        verb=f"proposal.{to}",
        actor=actor,
        from_status=old,
        to_status=to,
        reason=reason,
        is_public=True,
        data=proposal.tally or {},
    )


def proposal_decide(*, proposal: Proposal, actor) -> Proposal:
    """Count the vote. A passing proposal is adopted: only this creates and publishes the
    version (the ratchet is checked again, inside the lock). A failing one is rejected."""
    _require_member_or_perm(
        actor,
        "criteria.change_proposal",
        _("Only commission members and staff count the vote."),
    )
    with transaction.atomic():
        locked = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("round", "criterion", "right")
            .get(pk=proposal.pk)
        )
        if locked.round.status != DeliberationRound.Status.VOTING:
            raise ValidationError(_("The vote is not open in this round."))
        if locked.status != Proposal.Status.FILED:
            raise ValidationError(_("This proposal has already been decided."))
        tally = proposal_tally(proposal=locked)
        if not tally.passes:
            _proposal_set_status(
                locked,
                Proposal.Status.REJECTED,
                actor=actor,
                reason=tally.failure_reason(),
                tally=tally,
            )
        else:
            if locked.kind == Proposal.Kind.NEW_CRITERION:
                version = criterion_create(proposal=locked, actor=actor)
                locked.criterion = version.criterion
                locked.save(update_fields=["criterion"])
            elif locked.kind == Proposal.Kind.REVISION:
                criterion_revise(
                    criterion=locked.criterion, draft=locked.draft, proposal=locked, actor=actor
                )
            else:
                criterion_retire(
                    criterion=locked.criterion, draft=locked.draft, proposal=locked, actor=actor
                )
            _proposal_set_status(locked, Proposal.Status.ADOPTED, actor=actor, tally=tally)
    proposal.refresh_from_db()
    return proposal
