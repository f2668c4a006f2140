"""The reasoned-opinion PDF: built from a frozen decision (or a corrigendum) with WeasyPrint,
laid out as a legal document, in the case's language, and byte-reproducible.

Reproducibility: every input is data of the decision (no "now" anywhere — the date the
opinion bears is the adoption instant), the fonts are files shipped in `hearings/fonts/` and
referenced by @font-face (system fonts never reach the text), the PDF's dates come from the
adoption instant and its /ID from the decision's public id, WeasyPrint is pinned by the lock,
and the signature (when a key is configured) is made reproducible by `hearings.signing`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from commission.dates import Deadline
from commission.models import Clock
from commission.redaction import Redactor

from . import hooks, selectors, signing
from .citations import citation_rows
from .models import (
    AllegationFinding,
    Corrigendum,
    Decision,
    GovernmentConsultation,
    Hearing,
    PanelSeat,
    Submission,
)

if TYPE_CHECKING:
    from criteria.models import Criterion, CriterionVersion

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
SUPPORTED_LANGUAGES = ("en", "es")
# A table of contents is included when the opinion is long: estimated from its text (so the
# decision alone decides it, and one layout pass suffices).
TOC_MIN_CHARACTERS = 12_000
TOC_MIN_FINDINGS = 4


@dataclass
class RenderedPdf:
    data: bytes
    pages: int
    signed: bool = False
    signer: str = ""
    signer_certificate_sha256: str = ""
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.data).hexdigest()


def opinion_language(language: str) -> str:
    base = (language or "en").split("-")[0].lower()
    return base if base in SUPPORTED_LANGUAGES else "en"


# --- context ----------------------------------------------------------------------------


def _local(instant: dt.datetime | None) -> dt.datetime | None:
    if instant is None:
        return None
    return instant.astimezone(timezone.get_default_timezone())


def _day_of(deadline: Deadline | None, instant: dt.datetime | None) -> int | None:
    if deadline is None or instant is None:
        return None
    return deadline.day_number(instant.astimezone(deadline.tz).date())


def _seats_at(decision: Decision, at: dt.datetime) -> list[PanelSeat]:
    seats = (
        PanelSeat.objects.filter(panel=decision.panel, seated_at__lte=at)
        .exclude(vacated_at__lte=at)
        .select_related("member__person", "member__country")
        .order_by("-presides", "position")
    )
    return list(seats)


def _criterion_text(version: CriterionVersion, language: str) -> str:
    if language == "es" and version.text_es:
        return version.text_es
    return version.text_en


def _criterion_title(criterion: Criterion, language: str) -> str:
    if language == "es" and criterion.title_es:
        return criterion.title_es
    return criterion.title_en


def _history(
    decision: Decision,
    clocks: dict[str, Clock],
    hearing: Hearing | None,
    redactions: Redactor,
) -> list[dict[str, Any]]:
    """The procedural history, with dates and the day of each statutory period."""
    case = decision.case
    hearing_clock = clocks.get(Clock.Kind.HEARING_BY)
    decision_clock = clocks.get(Clock.Kind.DECISION_BY)
    h_deadline = hearing_clock.deadline if hearing_clock else None
    d_deadline = decision_clock.deadline if decision_clock else None
    items: list[dict[str, Any]] = []

    def add(
        at: dt.datetime | None,
        text: str,
        day: int | None = None,
        period: int | None = None,
    ) -> None:
        items.append({"at": _local(at), "text": text, "day": day, "period": period})

    add(
        case.received_at,
        _("The %(kind)s was filed and entered the docket as %(docket)s.")
        % {"kind": case.get_kind_display().lower(), "docket": case.docket_number},
    )
    panel = decision.panel
    add(
        panel.selected_at,
        _("The commission selected the panel from its members."),
        _day_of(h_deadline, panel.selected_at),
        60,
    )
    consultations = GovernmentConsultation.objects.filter(case=case).select_related(
        "requesting_government", "responding_government"
    )
    for c in consultations:
        held = dt.datetime.combine(c.held_on, dt.time(12), tzinfo=timezone.get_default_timezone())
        text = _("Consultations between %(a)s and %(b)s: %(summary)s (%(outcome)s).") % {
            "a": c.requesting_government.name,
            "b": c.responding_government.name,
            "summary": selectors.redact(c.summary, redactions),
            "outcome": c.get_outcome_display(),
        }
        if c.outcome == GovernmentConsultation.Outcome.COMPLIANCE_DECLARED:
            text += " " + _(
                "The declaration of compliance does not end the case: the panel convened and "
                "ruled on whether compliance has in fact been achieved."
            )
        add(held, text, _day_of(h_deadline, held), 60)
    if hearing is not None:
        add(
            hearing.notice_published_at,
            _("Public notice of the hearing was published on the portal.")
            if not hearing.virtual_url
            else _("Public notice of the hearing, with its virtual-hearing link, was published."),
            _day_of(h_deadline, hearing.notice_published_at),
            60,
        )
        for s in (
            Submission.objects.filter(hearing=hearing)
            .select_related("participant")
            .order_by("filed_at", "number")
        ):
            add(
                s.filed_at,
                _("%(who)s filed “%(title)s” (%(kind)s, S-%(n)s).")
                % {
                    "who": selectors.redact(s.participant.public_label, redactions),
                    "title": selectors.redact(s.title, redactions),
                    "kind": s.get_kind_display().lower(),
                    "n": s.number,
                },
                _day_of(d_deadline, s.filed_at),
                90,
            )
        if hearing.held_at:
            add(
                hearing.held_at,
                _("The open hearing was held at %(place)s.") % {"place": hearing.location},
                _day_of(h_deadline, hearing.held_at),
                60,
            )
    if decision.adopted_at:
        if decision.adoption == Decision.Adoption.COMMISSION:
            text = _(
                "The commission adopted this decision on the panel's recommendation (%(r)s)."
            ) % {"r": decision.adoption_record}
        else:
            text = _("The panel adopted this decision.")
        add(decision.adopted_at, text, _day_of(d_deadline, decision.adopted_at), 90)
    items.sort(key=lambda i: (i["at"], i["text"]))
    return items


def _clock_rows(
    clocks: dict[str, Clock], hearing: Hearing | None, decision: Decision
) -> list[dict[str, Any]]:
    """The statutory clocks with their arithmetic and whether the step came within them."""
    rows = []
    for kind in (Clock.Kind.HEARING_BY, Clock.Kind.WRITTEN_ARGUMENTS_CLOSE, Clock.Kind.DECISION_BY):
        clock = clocks.get(kind)
        if clock is None:
            continue
        deadline = clock.deadline
        step_at = None
        if kind == Clock.Kind.HEARING_BY and hearing is not None:
            step_at = hearing.held_at
        elif kind == Clock.Kind.DECISION_BY:
            step_at = decision.adopted_at
        outcome = ""
        if step_at is not None:
            day = deadline.day_number(step_at.astimezone(deadline.tz).date())
            if step_at <= clock.due_at:
                outcome = _("Done on day %(day)s, within the period.") % {"day": day}
            else:
                outcome = _("Done on day %(day)s, AFTER the period: the miss stays on record.") % {
                    "day": day
                }
        rows.append(
            {
                "label": clock.get_kind_display(),
                "days": clock.days,
                "explanation": deadline.explain(),
                "last_day": clock.last_day,
                "due_at": _local(clock.due_at),
                "legal_basis": clock.legal_basis,
                "outcome": outcome,
            }
        )
    return rows


def _finding_rows(decision: Decision, language: str, redactions: Redactor) -> list[dict[str, Any]]:
    rows = []
    for finding in decision.findings.all():
        allegation = finding.allegation
        rows.append(
            {
                "id": f"finding-{allegation.number}",
                "number": allegation.number,
                "summary": selectors.redact(allegation.summary, redactions),
                "allegation_facts": selectors.redact(allegation.facts, redactions),
                "period_start": allegation.period_start,
                "period_end": allegation.period_end,
                "place": allegation.place,
                "relevant_date": finding.relevant_date,
                "determination": finding.determination,
                "determination_label": AllegationFinding.Determination(finding.determination).label,
                "reasoning": selectors.redact(finding.reasoning, redactions),
                "facts": [
                    {
                        "text": selectors.redact(f.text, redactions),
                        "source": selectors.redact(f.source_label, redactions),
                    }
                    for f in finding.facts.all()
                ],
                "criteria": [
                    {
                        "identifier": a.version.identifier,
                        "code": a.version.criterion.code,
                        "title": _criterion_title(a.version.criterion, language),
                        "right": a.version.criterion.right.code,
                        "text": _criterion_text(a.version, language),
                        "threshold": a.version.threshold_display,
                        "effective_from": a.version.effective_from,
                        "effective_until": a.version.effective_until,
                        "analysis": selectors.redact(a.analysis, redactions),
                    }
                    for a in finding.applications.all()
                ],
                "sanction_numbers": [],
            }
        )
    return rows


def _disposition(decision: Decision, findings: list[dict[str, Any]]) -> list[str]:
    violations = [f["number"] for f in findings if f["determination"] == "violation"]
    clean = [f["number"] for f in findings if f["determination"] == "no_violation"]
    paragraphs = []
    join = ", ".join
    if decision.kind == Decision.Kind.COMPLAINT:
        if violations:
            paragraphs.append(
                _("The respondents violated the criteria applied under allegation(s) %(list)s.")
                % {"list": join(str(n) for n in violations)}
            )
        if clean:
            paragraphs.append(
                _("No violation is found under allegation(s) %(list)s.")
                % {"list": join(str(n) for n in clean)}
            )
        if violations:
            paragraphs.append(
                _(
                    "The sanctions set out below are ordered. Each is lifted only in the steps its "
                    "benchmarks state, after verified compliance and a public hearing, and fully "
                    "only at full compliance."
                )
            )
    else:
        if violations:
            paragraphs.append(
                _(
                    "The petition is GRANTED: the commission files the complaint the petition "
                    "asks for, in the name of %(gov)s, on allegation(s) %(list)s."
                )
                % {
                    "gov": decision.filing_government.name
                    if decision.filing_government is not None
                    else "",
                    "list": join(str(n) for n in violations),
                }
            )
        else:
            paragraphs.append(
                _(
                    "The petition is DENIED. The findings above explain, finding by finding, why "
                    "the facts do not violate the criteria applied. The petitioners may seek "
                    "review of this denial in court."
                )
            )
    paragraphs.append(_("This decision takes effect immediately upon issue."))
    return paragraphs


def _panel_rows(decision: Decision, at: dt.datetime) -> list[dict[str, Any]]:
    return [
        {
            "name": seat.member.person.full_name,
            "kind": seat.member.get_kind_display(),
            "country": seat.member.country.name,
            "presides": seat.presides,
        }
        for seat in _seats_at(decision, at)
    ]


DATE_FORMATS = {"en": "j F Y", "es": r"j \d\e F \d\e Y"}


def decision_context(decision: Decision) -> dict[str, Any]:
    """Everything the opinion shows, from the decision and its record (no clock reading), in
    the opinion's language."""
    language = opinion_language(decision.language)
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        return _decision_context(decision, language)


def _decision_context(decision: Decision, language: str) -> dict[str, Any]:
    full = selectors.decision_full(pk=decision.pk)
    if full is None:  # never: decisions are not deleted
        raise Decision.DoesNotExist(decision.pk)
    decision = full
    case = decision.case
    at = decision.adopted_at or decision.created_at
    clocks = selectors.case_clocks(case=case)
    hearing = Hearing.objects.filter(case=case).first()
    redactions = selectors.case_redactions(case=case)
    parties = selectors.case_parties(case=case)
    findings = _finding_rows(decision, language, redactions)
    # The sanctions are the sanctions app's (hearings.hooks): each row names its findings.
    sanctions = hooks.opinion_sanctions(decision, redactions)
    for f in findings:
        f["sanction_numbers"] = sorted(
            s["number"] for s in sanctions if f["number"] in s["findings"]
        )
    text_size = sum(
        len(f["reasoning"])
        + len(f["allegation_facts"])
        + sum(len(x["text"]) for x in f["facts"])
        + sum(len(c["text"]) + len(c["analysis"]) for c in f["criteria"])
        for f in findings
    ) + sum(len(s["description"]) + len(s["deterrence"]) for s in sanctions)
    if decision.kind == Decision.Kind.COMPLAINT:
        title = _("Decision and reasoned opinion")
    else:
        title = _("Decision on the petition and reasoned opinion")
    return {
        "document": "opinion",
        "language": language,
        "date_format": DATE_FORMATS[language],
        "commission_name": settings.COMMISSION_NAME,
        "title": title,
        "docket_number": case.docket_number,
        "case_kind": case.get_kind_display(),
        "received_at": _local(case.received_at),
        "adopted_at": _local(at),
        "adoption": decision.adoption,
        "adoption_record": decision.adoption_record,
        "parties": parties,
        "introduction": selectors.redact(decision.introduction, redactions),
        "history": _history(decision, clocks, hearing, redactions),
        "clocks": _clock_rows(clocks, hearing, decision),
        "findings": findings,
        "cited_findings": citation_rows(
            decision, language=language, redact=lambda text: selectors.redact(text, redactions)
        ),
        "sanctions": sanctions,
        "is_complaint": decision.kind == Decision.Kind.COMPLAINT,
        "disposition": _disposition(decision, findings),
        "panel": _panel_rows(decision, at),
        "toc": len(findings) >= TOC_MIN_FINDINGS or text_size >= TOC_MIN_CHARACTERS,
        "identifier": f"decision:{decision.public_id}",
        "created_iso": at.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
        "signing_time": at,
        "signature_reason": _("Reasoned opinion issued in %(docket)s")
        % {"docket": case.docket_number},
    }


def corrigendum_context(corrigendum: Corrigendum) -> dict[str, Any]:
    language = opinion_language(corrigendum.opinion.language)
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        return _corrigendum_context(corrigendum, language)


def _corrigendum_context(corrigendum: Corrigendum, language: str) -> dict[str, Any]:
    opinion = corrigendum.opinion
    decision = opinion.decision
    case = decision.case
    redactions = selectors.case_redactions(case=case)
    at = corrigendum.ordered_at
    return {
        "document": "corrigendum",
        "language": language,
        "date_format": DATE_FORMATS[language],
        "commission_name": settings.COMMISSION_NAME,
        "title": _("Corrigendum %(n)s") % {"n": corrigendum.number},
        "docket_number": case.docket_number,
        "case_kind": case.get_kind_display(),
        "received_at": _local(case.received_at),
        "adopted_at": _local(at),
        "parties": selectors.case_parties(case=case),
        "corrected_reference": opinion.reference,
        "corrected_sha256": opinion.sha256,
        "corrected_issued_at": _local(opinion.issued_at),
        "reason": selectors.redact(corrigendum.reason, redactions),
        "corrections": [
            {
                "where": selectors.redact(c.get("where", ""), redactions),
                "reads": selectors.redact(c.get("reads", ""), redactions),
                "should_read": selectors.redact(c.get("should_read", ""), redactions),
            }
            for c in corrigendum.corrections
        ],
        "panel": _panel_rows(decision, decision.adopted_at or at),
        "toc": False,
        "identifier": f"corrigendum:{decision.public_id}:{corrigendum.number}",
        "created_iso": at.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
        "signing_time": at,
        "signature_reason": _("Corrigendum %(n)s in %(docket)s")
        % {"n": corrigendum.number, "docket": case.docket_number},
    }


# --- rendering --------------------------------------------------------------------------


def html_render(context: dict[str, Any]) -> str:
    language = context["language"]
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        return render_to_string("hearings/opinion/document.html", context)


def pdf_render(
    context: dict[str, Any], *, sign: bool = True, html: str | None = None
) -> RenderedPdf:
    """The PDF of `context` (from `decision_context` or `corrigendum_context`)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    config = signing.signing_config() if sign else None
    context = {**context, "sealed": config is not None}
    html = html if html is not None else html_render(context)
    fonts = FontConfiguration()
    document = weasyprint.HTML(string=html, base_url=FONTS_DIR.as_uri() + "/").render(
        font_config=fonts
    )
    identifier = hashlib.sha256(context["identifier"].encode()).hexdigest()[:32].encode()
    data = document.write_pdf(pdf_identifier=identifier, pdf_version="1.7")
    pages = len(document.pages)
    if config is None:
        return RenderedPdf(data=data, pages=pages)
    with translation.override(context["language"]):
        signed, signer, cert_sha = signing.sign_pdf(
            data,
            signing_time=context["signing_time"],
            reason=str(context["signature_reason"]),
            location=settings.COMMISSION_NAME,
            config=config,
        )
    return RenderedPdf(
        data=signed, pages=pages, signed=True, signer=signer, signer_certificate_sha256=cert_sha
    )


def decision_pdf(decision: Decision, *, sign: bool = True) -> RenderedPdf:
    return pdf_render(decision_context(decision), sign=sign)


def corrigendum_pdf(corrigendum: Corrigendum, *, sign: bool = True) -> RenderedPdf:
    return pdf_render(corrigendum_context(corrigendum), sign=sign)
