"""Findings of a draft decision: per allegation, the facts found and the criteria applied (in
the version in force on the day).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from commission.actors import Actor
from criteria.models import Criterion, CriterionVersion
from criteria.selectors import criterion_version_in_force

from ..models import (
    AllegationFinding,
    CriterionApplication,
    FactFinding,
)
from ._common import PERM_DRAFT, _lock, _text
from .decisions import _draftable, _require_panelist_or_perm


def _resolve_version(criterion: Criterion, on: dt.date) -> CriterionVersion:
    version = criterion_version_in_force(criterion=criterion, on=on)
    if version is None:
        raise ValidationError(
            _("No version of %(code)s was in force on %(date)s.")
            % {"code": criterion.code, "date": on.isoformat()}
        )
    return version


def finding_record(
    *,
    finding: AllegationFinding,
    determination: str | None = None,
    reasoning: str | None = None,
    relevant_date: dt.date | None = None,
    actor: Actor,
) -> AllegationFinding:
    """Record the determination and reasoning of a finding, or change its relevant date (the
    criteria applied are re-resolved to the versions in force on the new date)."""
    _require_panelist_or_perm(actor, finding.decision.panel, PERM_DRAFT)
    with transaction.atomic():
        _draftable(finding.decision)
        finding = _lock(AllegationFinding, finding.pk)
        fields = []
        if determination is not None:
            if determination not in AllegationFinding.Determination.values:
                raise ValidationError(_("Choose violation or no violation."))
            finding.determination = determination
            fields.append("determination")
        if reasoning is not None:
            finding.reasoning = reasoning.strip()
            fields.append("reasoning")
        if relevant_date is not None and relevant_date != finding.relevant_date:
            finding.relevant_date = relevant_date
            fields.append("relevant_date")
            for application in finding.applications.select_related("version__criterion"):
                version = _resolve_version(application.version.criterion, relevant_date)
                if version.pk != application.version_id:
                    application.version = version
                    application.save(update_fields=["version"])
        if fields:
            finding.save(update_fields=fields)
    return finding


def fact_finding_add(
    *,
    finding: AllegationFinding,
    text: str,
    source: models.Model | None = None,
    source_label: str = "",
    actor: Actor,
) -> FactFinding:
    """Add a finding of fact drawn from the record: a record item of the same case (a
    submission, a hearing record item, evidence, an investigation finding) or, for testimony
    and the like, a precise reference in `source_label`."""
    _require_panelist_or_perm(actor, finding.decision.panel, PERM_DRAFT)
    text = _text(text, _("State the finding of fact."))
    with transaction.atomic():
        decision = _draftable(finding.decision)
        source_type, source_id = None, ""
        if source is not None:
            if source.pk is None:
                raise ValidationError(_("The record item must be saved."))
            case_id = getattr(source, "case_id", None)
            if case_id is None and hasattr(source, "investigation"):
                case_id = getattr(source.investigation, "case_id", None)
            if case_id != decision.case_id:
                raise ValidationError(_("A finding of fact is drawn from this case's record."))
            source_type = ContentType.objects.get_for_model(source)
            source_id = str(source.pk)
            label = source_label.strip() or f"{source._meta.verbose_name}: {source}"
        else:
            label = _text(source_label, _("Say where in the record the fact comes from."))
        position = (finding.facts.aggregate(n=Max("position"))["n"] or 0) + 1
        fact = FactFinding.objects.create(
            finding=finding,
            position=position,
            text=text,
            source_type=source_type,
            source_id=source_id,
            source_label=label[:300],
        )
    return fact


def criterion_apply(
    *, finding: AllegationFinding, criterion: Criterion, analysis: str = "", actor: Actor
) -> CriterionApplication:
    """Apply a criterion to a finding: the version in force on the finding's relevant date."""
    _require_panelist_or_perm(actor, finding.decision.panel, PERM_DRAFT)
    with transaction.atomic():
        _draftable(finding.decision)
        version = _resolve_version(criterion, finding.relevant_date)
        if finding.applications.filter(version__criterion=criterion).exists():
            raise ValidationError(_("This criterion is already applied to the finding."))
        position = (finding.applications.aggregate(n=Max("position"))["n"] or 0) + 1
        application = CriterionApplication.objects.create(
            finding=finding, version=version, position=position, analysis=analysis.strip()
        )
    return application
