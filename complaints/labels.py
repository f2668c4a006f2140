"""How case events read on timelines (the filer's status page and the public docket)."""

from __future__ import annotations

from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from commission.models import CaseEvent, Clock

EVENT_LABELS = {
    "filed": _("Filing received"),
    "clock_started": _("Statutory clock started"),
    "clock_met": _("Statutory deadline met"),
    "clock_missed": _("Statutory deadline MISSED by the commission"),
    "clock_completed_late": _("Step completed after its deadline"),
    "hearing_scheduled": _("Hearing scheduled"),
    "hearing_rescheduled": _("Hearing rescheduled"),
    "hearing_held": _("Hearing held"),
    "decided": _("Reasoned decision issued"),
    "petition_denied": _("Petition denied with a reasoned opinion"),
    "petition_complaint_filed": _("The commission filed the complaint"),
    "court_review_filed": _("Court review of the denial filed"),
    "court_upheld_denial": _("The court upheld the denial"),
    "court_order_recorded": _("A court's order recorded"),
    "compliance_statement_recorded": _(
        "Government statement of compliance recorded (the case continues)"
    ),
    "withdrawal_requested": _("Request to withdraw recorded (the case continues)"),
    "assigned": _("Assigned to staff"),
    "unassigned": _("Staff assignment removed"),
    "intake_checked": _("Intake completeness check recorded"),
    "receipt_issued": _("Receipt issued"),
    "evidence_added": _("Evidence added"),
    "evidence_scanned": _("Evidence scanned"),
    "respondent_linked": _("Respondent linked to the records"),
}


def _when(value: str) -> str:
    parsed = parse_datetime(value or "")
    return date_format(localtime(parsed), "DATETIME_FORMAT") if parsed else ""


def event_label(event: CaseEvent) -> str:
    return str(EVENT_LABELS.get(event.verb, event.verb.replace("_", " ")))


def event_detail(event: CaseEvent) -> str:
    """A short, non-confidential detail for the timeline."""
    data = event.data or {}
    kind = data.get("kind")
    if event.verb.startswith("clock_") and kind in Clock.Kind.values:
        label = Clock.Kind(kind).label
        if event.verb == "clock_started":
            return f"{label}: {_when(data.get('due_at', ''))}"
        return str(label)
    if event.verb in {"hearing_scheduled", "hearing_rescheduled"}:
        return _when(data.get("scheduled_for", ""))
    if event.verb == "petition_complaint_filed":
        complaint: str = data.get("complaint", "")  # its docket number
        return complaint
    if event.verb in {"court_review_filed", "court_order_recorded"}:
        return f"{data.get('court', '')} {data.get('court_case_number', '')}".strip()
    return ""
