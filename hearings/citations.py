"""A decision cites the investigation findings the panel relies on (DOMAIN.md,
"Investigations"; issue item 10). Hearings reads investigations, never the reverse.

* Citable: a finding the team has determined, of an investigation of this case (its
  targeted investigation or expedited fact-gathering) or remedied by the remedial order whose
  failure filed this case.
* Cited and withdrawn only while the decision is a draft, by the panel (or a holder of
  `hearings.draft_decision`); once the decision is issued its citations are frozen with it
  (`FindingCitation.integrity`).
* What the record shows of a cited finding (`citation_rows`): the investigation, the
  criterion version, the result, the measured value with its unit and method, the workers
  affected, the day observed and the team's summary — never an interview, an interviewee's
  identity or a statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from commission.actors import Actor
from commission.services import case_event_record
from investigations.models import Finding

from .models import Decision, FindingCitation
from .services import PERM_DRAFT, _draftable, _require_panelist_or_perm, _text, _user


def citable_findings(*, decision: Decision) -> QuerySet[Finding]:
    """The determined findings of the investigations of this decision's case."""
    case_id = decision.case_id
    return (
        Finding.objects.filter(status=Finding.Status.DETERMINED)
        .filter(Q(investigation__complaint_id=case_id) | Q(orders__complaint_id=case_id))
        .select_related("investigation", "criterion_version__criterion")
        .distinct()
        .order_by("investigation__number", "pk")
    )


def decision_finding_cite(
    *, decision: Decision, finding: Finding, reliance: str, actor: Actor
) -> FindingCitation:
    """Cite an investigation finding the panel relies on, with what it relies on it for."""
    _require_panelist_or_perm(actor, decision.panel, PERM_DRAFT)
    reliance = _text(reliance, _("Say what the panel relies on the finding for."))
    with transaction.atomic():
        locked = _draftable(decision)
        if not citable_findings(decision=locked).filter(pk=finding.pk).exists():
            raise ValidationError(
                _(
                    "A decision cites only findings the team has determined in an investigation "
                    "of this case."
                )
            )
        if FindingCitation.objects.filter(decision=locked, finding=finding).exists():
            raise ValidationError(_("The decision already cites this finding."))
        position = (
            FindingCitation.objects.filter(decision=locked).aggregate(n=Max("position"))["n"] or 0
        ) + 1
        citation = FindingCitation.objects.create(
            decision=locked,
            finding=finding,
            position=position,
            reliance=reliance,
            cited_by=_user(actor),
        )
        case_event_record(
            subject=locked.case,
            verb="investigation_finding_cited",
            actor=_user(actor),
            data={
                "decision": locked.pk,
                "citation": citation.pk,
                "finding": finding.pk,
                "investigation": finding.investigation.number,
                "criterion_version": finding.criterion_version.identifier,
            },
        )
    return citation


def decision_citation_withdraw(*, citation: FindingCitation, actor: Actor) -> None:
    """Withdraw a citation from a draft decision (the event keeps what was cited)."""
    decision = citation.decision
    _require_panelist_or_perm(actor, decision.panel, PERM_DRAFT)
    with transaction.atomic():
        locked = _draftable(decision)
        row = FindingCitation.objects.select_for_update().get(pk=citation.pk, decision=locked)
        data = {"decision": locked.pk, "citation": row.pk, "finding": row.finding_id}
        row.delete()
        case_event_record(
            subject=locked.case,
            verb="investigation_finding_uncited",
            actor=_user(actor),
            data=data,
        )


@dataclass(frozen=True)
class CitedFinding:
    """What a reasoned opinion, the decision's page and the staff workspace show of a cited
    finding: never an interview, an interviewee or a statement."""

    position: int
    investigation: str
    criterion: str
    criterion_title: str
    result: str
    summary: str
    observed_on: dt.date
    measured_value: Decimal | None
    measured_unit: str
    measuring_method: str
    workers_affected: int | None
    reliance: str

    @property
    def measured(self) -> str:
        if self.measured_value is None:
            return ""
        return f"{format(self.measured_value.normalize(), 'f')} {self.measured_unit}".strip()


def citation_rows(
    decision: Decision, *, language: str = "en", redact: Callable[[str], str] | None = None
) -> list[CitedFinding]:
    """The findings the decision cites, in order (one query). `redact` (text -> text) masks
    the names withheld in the opinion."""
    redact = redact or (lambda text: text)
    rows = []
    citations = (
        FindingCitation.objects.filter(decision=decision)
        .select_related("finding__investigation", "finding__criterion_version__criterion")
        .order_by("position")
    )
    for c in citations:
        finding, version = c.finding, c.finding.criterion_version
        criterion = version.criterion
        title = (
            criterion.title_es if language == "es" and criterion.title_es else criterion.title_en
        )
        rows.append(
            CitedFinding(
                position=c.position,
                investigation=finding.investigation.number,
                criterion=version.identifier,
                criterion_title=str(title),
                result=str(finding.get_result_display()),
                summary=redact(finding.summary),
                observed_on=finding.observed_on,
                measured_value=finding.measured_value,
                measured_unit=finding.measured_unit,
                measuring_method=redact(finding.measuring_method),
                workers_affected=finding.workers_affected,
                reliance=redact(c.reliance),
            )
        )
    return rows
