"""Findings and determinations: drafting a finding with the parties' positions, recording the
team's determination and determining a finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from commission.actors import Actor
from commission.models import (
    Organization,
    TeamMembership,
)
from criteria.models import CriterionVersion

from ..models import (
    DisclosureDemand,
    Finding,
    InterviewExcerpt,
    Investigation,
    MemberPosition,
    SiteVisit,
    TeamDetermination,
)
from ._common import (
    _event,
    _lock,
    _not_future,
    _recorder,
    _require_actor,
    _require_member,
    _require_team_staff,
    _text,
    _transition,
)
from .opening import _require_open

# --- findings and determinations ---------------------------------------------------------


@dataclass
class PositionInput:
    membership: TeamMembership
    position: str
    reasoning: str = ""


def finding_draft(
    *,
    investigation: Investigation,
    criterion_version: CriterionVersion,
    result: str,
    summary: str,
    facts: str,
    observed_on: dt.date,
    organization: Organization | None = None,
    measured_value: Decimal | None = None,
    measured_unit: str = "",
    measuring_method: str = "",
    workers_affected: int | None = None,
    site_visits: Sequence[SiteVisit] = (),
    excerpts: Sequence[InterviewExcerpt] = (),
    demands: Sequence[DisclosureDemand] = (),
    relapse_of: Finding | None = None,
    actor: Actor,
) -> Finding:
    """Draft a finding against the criterion version in force on the day observed. A
    performance measure needs the measured value, its unit and the measuring method."""
    _require_member(actor, investigation)
    _require_open(investigation)
    if result not in Finding.Result.values:
        raise ValidationError(_("Choose compliant, violation or insufficient evidence."))
    _not_future(observed_on, _("A finding cannot be observed in the future."))
    version_ok = criterion_version.effective_from <= observed_on and (
        criterion_version.effective_until is None or observed_on < criterion_version.effective_until
    )
    if not version_ok:
        raise ValidationError(
            _("%(version)s was not in force on %(day)s: apply the version in force that day.")
            % {"version": criterion_version.identifier, "day": observed_on.isoformat()}
        )
    if criterion_version.is_measure and result != Finding.Result.INSUFFICIENT_EVIDENCE:
        if measured_value is None or not measured_unit.strip() or not measuring_method.strip():
            raise ValidationError(
                _(
                    "%(version)s is a performance measure: record the measured value, its "
                    "unit and the measuring method."
                )
                % {"version": criterion_version.identifier}
            )
    if measured_value is not None and not measured_unit.strip():
        raise ValidationError(_("A measured value carries its unit."))
    if workers_affected is not None and workers_affected < 0:
        raise ValidationError(_("The number of workers affected cannot be negative."))
    linked = {v.investigation_id for v in site_visits} | {d.investigation_id for d in demands}
    if linked - {investigation.pk}:
        raise ValidationError(_("Evidence links point to this investigation's records."))
    for excerpt in excerpts:
        if excerpt.interview.investigation_id != investigation.pk:
            raise ValidationError(_("Evidence links point to this investigation's records."))
    with transaction.atomic():
        finding = Finding.objects.create(
            investigation=investigation,
            criterion_version=criterion_version,
            organization=organization,
            result=result,
            summary=_text(summary, _("Summarise the finding."))[:200],
            facts=_text(facts, _("Record the facts found.")),
            measured_value=measured_value,
            measured_unit=measured_unit.strip(),
            measuring_method=measuring_method.strip(),
            workers_affected=workers_affected,
            observed_on=observed_on,
            drafted_by=_recorder(actor),
            relapse_of=relapse_of,
        )
        finding.site_visits.set(list(site_visits))
        finding.excerpts.set(list(excerpts))
        finding.demands.set(list(demands))
        _event(
            investigation,
            "finding_drafted",
            actor,
            to_status=finding.status,
            data={"finding": finding.pk, "criterion_version": criterion_version.identifier},
        )
    return finding


def determination_record(
    *,
    investigation: Investigation,
    question: str,
    options: Iterable[str],
    positions: Sequence[PositionInput],
    actor: Actor,
    deciding: TeamMembership | None = None,
) -> TeamDetermination:
    """Record a team determination: every member's position; the position of the deciding
    staff member (the actor, or `deciding` when the system records) is the determination;
    every other position that differs is kept as a dissent."""
    membership = _require_team_staff(actor, investigation) or deciding
    if membership is None or membership.role != TeamMembership.Role.STAFF:
        raise ValidationError(_("A staff member of the team decides."))
    if membership.team_id != investigation.team_id:
        raise ValidationError(_("A staff member of the team decides."))
    options = set(options)
    seen: set[int] = set()
    for p in positions:
        if p.membership.team_id != investigation.team_id:
            raise ValidationError(_("Only the team's members take positions."))
        if p.position not in options:
            raise ValidationError(_("Unknown position: %(p)s") % {"p": p.position})
        if p.membership.pk in seen:
            raise ValidationError(_("Each member takes one position."))
        seen.add(p.membership.pk)
    staff_position = next((p for p in positions if p.membership.pk == membership.pk), None)
    if staff_position is None:
        raise ValidationError(_("Record the deciding staff member's position."))
    outcome = staff_position.position
    determination = TeamDetermination.objects.create(
        investigation=investigation,
        question=_text(question, _("State the question determined."))[:300],
        outcome=outcome,
        decided_by=membership,
    )
    MemberPosition.objects.bulk_create(
        [
            MemberPosition(
                determination=determination,
                membership=p.membership,
                role=p.membership.role,
                position=p.position,
                reasoning=(p.reasoning or "").strip(),
                is_dissent=p.position != outcome,
            )
            for p in positions
        ]
    )
    return determination


def finding_determine(
    *,
    finding: Finding,
    positions: Sequence[PositionInput],
    actor: Actor,
    deciding: TeamMembership | None = None,
) -> Finding:
    """The team determines a drafted finding: the staff position is the result; dissents are
    kept and shown with the finding."""
    _require_actor(actor)
    investigation = finding.investigation
    with transaction.atomic():
        locked = _lock(Finding, finding.pk)
        if locked.status != Finding.Status.DRAFT:
            raise ValidationError(_("This finding has already been determined."))
        determination = determination_record(
            investigation=investigation,
            question=_("%(version)s — %(summary)s")
            % {"version": locked.criterion_version.identifier, "summary": locked.summary},
            options=Finding.Result.values,
            positions=positions,
            actor=actor,
            deciding=deciding,
        )
        previous = _transition(locked, Finding.Status.DETERMINED)
        locked.result = determination.outcome
        locked.determination = determination
        locked.save(update_fields=["status", "result", "determination"])
        _event(
            investigation,
            "finding_determined",
            actor,
            from_status=previous,
            to_status=locked.status,
            data={
                "finding": locked.pk,
                "result": locked.result,
                "dissents": sum(1 for p in positions if p.position != determination.outcome),
            },
        )
    finding.status, finding.result, finding.determination = (
        locked.status,
        locked.result,
        determination,
    )
    return finding
