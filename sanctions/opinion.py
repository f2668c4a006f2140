"""The sanctions' part of a decision's reasoned opinion (given to hearings through
`hearings.hooks`), and the opinion PDF of a lift determination, rendered and signed with the
hearings app's machinery (WeasyPrint, PAdES)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hearings import opinion as hearings_opinion
from hearings import selectors as hearings_selectors
from hearings.models import Decision

from .models import LiftNotice, SanctionBenchmark, SanctionOrder, SanctionSpecification


def _amount(spec: SanctionSpecification, value: Decimal | None) -> str:
    if value is None:
        return ""
    number = format(value.normalize(), "f")
    if spec.unit == SanctionSpecification.Unit.CURRENCY:
        return f"{spec.currency} {number}"
    return f"{number} %"


def decision_sanction_rows(decision: Decision, redactions: Any) -> list[dict[str, Any]]:
    """The sanctions of `decision` as its opinion sets them out, with the deterrence
    comparison (the magnitude against the estimated benefit of non-compliance)."""
    rows = []
    specs = (
        SanctionSpecification.objects.filter(decision=decision)
        .select_related(
            "target_country",
            "target_sector",
            "target_organization",
            "supply_relationship__supplier",
            "supply_relationship__corporation",
        )
        .prefetch_related("benchmarks__criterion_version", "findings__allegation")
        .order_by("number")
    )
    redact = hearings_selectors.redact
    for s in specs:
        supplied = ""
        relationship = s.supply_relationship
        if s.target == SanctionSpecification.Target.GLOBAL_CORPORATION and relationship is not None:
            supplied = _("supplied by %(workplace)s") % {"workplace": relationship.supplier.name}
        rows.append(
            {
                "number": s.number,
                "public_id": str(s.public_id),
                "target": s.get_target_display(),
                "target_label": s.target_label,
                "supplied": supplied,
                "instrument": s.get_instrument_display(),
                "magnitude": s.magnitude_display,
                "benefit": _amount(s, s.estimated_benefit),
                "benefit_method": redact(s.benefit_method, redactions),
                "description": redact(s.description, redactions),
                "deterrence": redact(s.deterrence_reasoning, redactions),
                "findings": sorted(f.allegation.number for f in s.findings.all()),
                "benchmarks": [
                    {
                        "position": b.position,
                        "public_id": str(b.public_id),
                        "description": redact(b.description, redactions),
                        "metric": b.metric,
                        "target": b.target_display,
                        "criterion": b.criterion_version.identifier
                        if b.criterion_version is not None
                        else "",
                        "verification": redact(b.verification_method, redactions),
                        "share": format(b.lift_share_percent.normalize(), "f"),
                    }
                    for b in s.benchmarks.all()
                ],
            }
        )
    return rows


def determination_context(
    *,
    order: SanctionOrder,
    benchmark: SanctionBenchmark | None,
    notice: LiftNotice,
    reasoning: str,
    in_force: Decimal,
    after: Decimal,
    at: dt.datetime,
) -> dict[str, Any]:
    spec = order.specification
    decision = spec.decision
    language = hearings_opinion.opinion_language(decision.language)
    hearing = notice.hearing
    verifications = []
    benchmarks = [benchmark] if benchmark is not None else list(spec.benchmarks.all())
    for b in benchmarks:
        latest = b.verifications.order_by("-submitted_at", "-pk").first()
        if latest is not None:
            verifications.append(
                {
                    "position": b.position,
                    "metric": b.metric,
                    "target": b.target_display,
                    "measured": latest.measured_value
                    if latest.measured_value is not None
                    else (_("achieved") if latest.achieved else _("not achieved")),
                    "measured_on": latest.measured_on,
                    "team": latest.team.name,
                    "method": latest.method_applied,
                }
            )
    return {
        "language": language,
        "commission_name": settings.COMMISSION_NAME,
        "docket_number": decision.case.docket_number,
        "sanction": spec,
        "target_label": spec.target_label,
        "order": order,
        "benchmark": benchmark,
        "full": after == 0,
        "verifications": verifications,
        "notice": notice,
        "hearing": hearing,
        "reasoning": reasoning,
        "in_force": _amount(spec, in_force),
        "after": _amount(spec, after),
        "at": at,
        "identifier": f"lift:{order.public_id}:{benchmark.public_id if benchmark else 'full'}",
        "signing_time": at,
        "signature_reason": _("Determination on lifting sanction S%(n)s in %(docket)s")
        % {"n": spec.number, "docket": decision.case.docket_number},
    }


def determination_pdf(
    *,
    order: SanctionOrder,
    benchmark: SanctionBenchmark | None,
    notice: LiftNotice,
    reasoning: str,
    in_force: Decimal,
    after: Decimal,
    at: dt.datetime,
) -> hearings_opinion.RenderedPdf:
    context = determination_context(
        order=order,
        benchmark=benchmark,
        notice=notice,
        reasoning=reasoning,
        in_force=in_force,
        after=after,
        at=at,
    )
    with translation.override(context["language"]), timezone.override(settings.TIME_ZONE):
        html = render_to_string("sanctions/determination.html", context)
    return hearings_opinion.pdf_render(context, html=html)
