"""Writes of the register: rights, criteria and their versions, and the members' record of
which competing rule binds. Versions are written only by `_version_write` (the ratchet checked
again under the criterion's lock), for an adopted proposal or from the historical record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from commission.actors import Actor, actor_user
from commission.models import Sector, TradingPartner
from commission.services import case_event_record

from ..drafts import SourceDraft, VersionDraft
from ..models import (
    Criterion,
    CriterionVersion,
    DeliberationRound,
    Proposal,
    Right,
    RuleResolution,
    Source,
)
from ..ratchet import Resolved, version_refusals
from ._access import _require, _today, member_sitting
from .tally import proposal_tally


def right_create(
    *,
    code: str,
    name_en: str,
    name_es: str = "",
    description_en: str = "",
    description_es: str = "",
    position: int = 0,
    actor: Actor | None = None,
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


MEASURE_FIELDS: tuple[str, ...] = ("direction", "threshold", "unit", "averaging_period")
MEASURE_FIELDS += ("measuring_method_en", "measuring_method_es")


def _version_write(
    *,
    criterion: Criterion,
    draft: VersionDraft,
    provenance: str,
    actor: Actor | None,
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
    resolved, errors = version_refusals(
        criterion=criterion,
        previous=previous,
        draft=draft,
        provenance=provenance,
        rationale=rationale_en,
        retirement=retirement,
    )
    if errors:
        raise ValidationError(errors, code="derogation")

    number = (previous.number if previous else 0) + 1
    measure = criterion.kind == Criterion.Kind.MEASURE and not retirement
    measured = {name: getattr(draft, name) for name in MEASURE_FIELDS} if measure else {}
    version = CriterionVersion(
        criterion=criterion,
        number=number,
        identifier=f"{criterion.code}/v{number}",
        effective_from=draft.effective_from,
        is_retirement=retirement,
        successor=resolved.successor,
        text_en=draft.text_en,
        text_es=draft.text_es,
        **measured,
        applies_to_all_countries=draft.all_countries if not retirement else True,
        applies_to_all_sectors=draft.all_sectors if not retirement else True,
        rationale_en=rationale_en,
        rationale_es=rationale_es,
        provenance=provenance,
        proposal=proposal,
        record_reference=record_reference,
        promulgated_by=actor_user(actor),
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
    version: CriterionVersion, position: int, source: SourceDraft, resolved: Resolved
) -> Source:
    return Source(
        **{
            **asdict(source),
            "country": resolved.source_countries.get(source.country),
            "comparison_industry": resolved.source_industries.get(source.comparison_industry),
        },
        version=version,
        position=position,
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


def criterion_create(*, proposal: Proposal, actor: Actor) -> CriterionVersion:
    """Create the new criterion a passing proposal describes, with its first version."""
    _require_adoptable(proposal, Proposal.Kind.NEW_CRITERION)
    right = proposal.right
    if right is None:  # refused when the proposal was filed; checked again here
        raise ValidationError(_("A new criterion belongs to a right."))
    with transaction.atomic():
        criterion = _criterion_new(
            right=right,
            kind=proposal.criterion_kind,
            governs=proposal.governs,
            title_en=proposal.title_en,
            title_es=proposal.title_es,
        )
        return _version_adopt(
            criterion=criterion, draft=proposal.draft, proposal=proposal, actor=actor
        )


def criterion_revise(
    *, criterion: Criterion, draft: VersionDraft | dict[str, Any], proposal: Proposal, actor: Actor
) -> CriterionVersion:
    """Promulgate the next, at-least-as-protective version of `criterion` (ratchet enforced)."""
    _require_adoptable(proposal, Proposal.Kind.REVISION)
    if proposal.criterion_id != criterion.pk:
        raise ValidationError(_("The proposal revises a different criterion."))
    return _version_adopt(criterion=criterion, draft=draft, proposal=proposal, actor=actor)


def criterion_retire(
    *, criterion: Criterion, draft: VersionDraft | dict[str, Any], proposal: Proposal, actor: Actor
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
    draft: VersionDraft | dict[str, Any],
    proposal: Proposal,
    actor: Actor,
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
    actor: Actor,
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
    draft: VersionDraft | dict[str, Any],
    record_reference: str,
    rationale_en: str = "",
    rationale_es: str = "",
    actor: Actor,
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
    actor: Actor,
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
