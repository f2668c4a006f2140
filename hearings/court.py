"""Courts and the record of a case: the orders a court issues on a case (recorded by staff),
and the record a court reads by API — what the public reads, what a court user reads, and
what a court user reads under an order that grants the confidential parts.

Three readings of one record (`case_record`):

* the public: public events, public submissions (their reviewed titles), public hearing
  record items, evidence by its hash (no file name, no description), the findings an issued
  decision cites, the issued decision and its opinions — free text through the case's
  redactor;
* a court user, and staff: every event, submission, record item and piece of evidence, every
  determined investigation finding and the interviews by pseudonym, the court orders — free
  text still through the redactor, workers still by their public labels;
* a court user addressed by an order to produce the record with its confidential parts
  (`CourtOrder.Kind.DISCLOSE_CONFIDENTIAL`): the same, unredacted, with the complainants'
  identities and the interviews' identities and statements. The read is logged first
  (`commission.confidential`), naming the order.

Roles are the account's recorded ones: a court user is an account in the court group with a
`CourtUser` record kept by staff, never what a request declares.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from commission import roles
from commission.actors import Actor, actor_require, actor_user
from commission.confidential import Door, What, confidential_read_record
from commission.models import CaseEvent, CourtUser
from commission.redaction import Redactor
from commission.services import case_event_record
from complaints.models import Case
from complaints.selectors import case_redactor
from investigations.models import Finding, Interview

from .models import CourtOrder, Decision, HearingRecordItem, Opinion, Submission

PERM_COURT_ORDER = "hearings.record_court_order"


class Reading(enum.IntEnum):
    PUBLIC = 0
    COURT = 1  # a court user or staff: the whole record, identities withheld
    CONFIDENTIAL = 2  # a court user under an order granting the confidential parts


# --- court users and their orders -----------------------------------------------------------


def court_user_for(user: Any) -> CourtUser | None:
    """The recorded court user of an account: in the court group and with a `CourtUser`
    record (both kept by staff), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not user.groups.filter(name=roles.COURT).exists():
        return None
    return CourtUser.objects.filter(person__user=user).first()


def is_commission_staff(user: Any) -> bool:
    """An account of the commission's staff (its recorded group; a superuser too)."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return False
    return user.is_superuser or user.groups.filter(name=roles.STAFF).exists()


def court_orders_visible(*, user: Any) -> QuerySet[CourtOrder]:
    """The orders an account may read: staff all, a court user those addressed to it."""
    orders = CourtOrder.objects.select_related("case", "court_user__person", "recorded_by")
    if is_commission_staff(user):
        return orders
    court_user = court_user_for(user)
    if court_user is None:
        return orders.none()
    return orders.filter(court_user=court_user)


def court_order_granting(*, user: Any, case: Case) -> CourtOrder | None:
    """The order (the latest) by which `user`'s court may read `case`'s confidential parts."""
    court_user = court_user_for(user)
    if court_user is None:
        return None
    return (
        CourtOrder.objects.filter(
            case=case, court_user=court_user, kind=CourtOrder.Kind.DISCLOSE_CONFIDENTIAL
        )
        .order_by("-order_date", "-id")
        .first()
    )


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


def court_order_record(
    *,
    case: Case,
    court_user: CourtUser,
    court_case_number: str,
    kind: str,
    order_date: dt.date,
    text: str,
    actor: Actor,
) -> CourtOrder:
    """Record a court's order on a case (staff). The order addresses one court user, who
    alone reads what it grants; once recorded it never changes and is never deleted."""
    actor_require(actor, PERM_COURT_ORDER)
    if kind not in CourtOrder.Kind.values:
        raise ValidationError(_("Unknown kind of court order."))
    court_case_number = _text(court_case_number, _("Give the court's case number."))
    text = _text(text, _("Record what the court ordered."))
    if order_date > timezone.localdate():
        raise ValidationError(_("An order cannot be dated in the future."))
    if order_date < timezone.localtime(case.received_at).date():
        raise ValidationError(_("The order cannot precede the filing of the case."))
    if not court_user.person.user_id:
        raise ValidationError(_("The court user has no account to read the record with."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        order = CourtOrder.objects.create(
            case=locked,
            court_user=court_user,
            court=court_user.court,
            court_case_number=court_case_number[:80],
            kind=kind,
            order_date=order_date,
            text=text,
            recorded_by=actor_user(actor),
        )
        case_event_record(
            subject=locked,
            verb="court_order_recorded",
            actor=actor,
            data={
                "order": order.pk,
                "court": order.court,
                "court_case_number": order.court_case_number,
                "kind": kind,
                "order_date": order_date.isoformat(),
            },
            is_public=True,
            docket_number=locked.docket_number,
        )
    return order


# --- the record of a case -------------------------------------------------------------------


@dataclass
class CaseRecord:
    """One reading of a case's record (see the module's docstring)."""

    case: Case
    reading: Reading
    order: CourtOrder | None
    events: list[dict[str, Any]]
    complainants: list[dict[str, Any]]
    allegations: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    submissions: list[dict[str, Any]]
    record_items: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    interviews: list[dict[str, Any]]
    decision: Decision | None
    criteria_versions: list[str]
    opinions: list[Opinion]
    court_orders: list[CourtOrder]


def case_record_reading(*, user: Any, case: Case) -> tuple[Reading, CourtOrder | None]:
    """Which reading of `case`'s record `user` is entitled to, and the order granting it."""
    order = court_order_granting(user=user, case=case)
    if order is not None:
        return Reading.CONFIDENTIAL, order
    if court_user_for(user) is not None or is_commission_staff(user):
        return Reading.COURT, None
    return Reading.PUBLIC, None


def _redactor(case: Case, reading: Reading) -> Redactor:
    # Under an order nothing is redacted (an empty redactor leaves the text as it is).
    return Redactor([]) if reading is Reading.CONFIDENTIAL else case_redactor(case=case)


def _events(case: Case, reading: Reading, redactor: Redactor) -> list[dict[str, Any]]:
    events = CaseEvent.objects.filter(docket_number=case.docket_number).order_by(
        "occurred_at", "sequence"
    )
    if reading is Reading.PUBLIC:
        events = events.filter(is_public=True)
    return [
        {
            "sequence": e.sequence,
            "occurred_at": e.occurred_at,
            "verb": e.verb,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "reason": redactor.redact(e.reason),
            "content_hash": e.content_hash,
        }
        for e in events
    ]


def _complainants(case: Case, reading: Reading) -> list[dict[str, Any]]:
    rows = []
    for c in case.complainants.select_related("organization").order_by("position", "pk"):
        row = {"kind": c.kind, "public_label": c.public_label, "name": None, "contact": None}
        if reading is Reading.CONFIDENTIAL:
            organization = c.organization
            row["name"] = c.name or (organization.name if organization is not None else "")
            row["contact"] = c.contact
        rows.append(row)
    return rows


def _allegations(case: Case, reading: Reading, redactor: Redactor) -> list[dict[str, Any]]:
    """The allegations (as the docket shows them), with their facts for a court or staff."""
    return [
        {
            "number": a.number,
            "summary": redactor.redact(a.summary),
            "facts": None if reading is Reading.PUBLIC else redactor.redact(a.facts),
            "place": redactor.redact(a.place),
            "period_start": a.period_start,
            "period_end": a.period_end,
            "workers_affected": a.workers_affected,
            "criteria": sorted(c.code for c in a.criteria.all()),
        }
        for a in case.allegations.prefetch_related("criteria").order_by("number")
    ]


def _evidence(case: Case, reading: Reading, redactor: Redactor) -> list[dict[str, Any]]:
    rows = []
    for e in case.evidence.order_by("uploaded_at", "pk"):
        row = {
            "sha256": e.sha256,
            "size": e.size,
            "content_type": e.content_type,
            "scan_status": e.scan_status,
            "uploaded_at": e.uploaded_at,
            "file_name": None,
            "description": None,
        }
        if reading >= Reading.COURT:
            row["file_name"] = redactor.redact(e.original_name)
            row["description"] = redactor.redact(e.description)
        rows.append(row)
    return rows


def _submissions(case: Case, reading: Reading, redactor: Redactor) -> list[dict[str, Any]]:
    submissions = Submission.objects.filter(hearing__case=case).select_related("participant")
    if reading is Reading.PUBLIC:
        submissions = submissions.filter(is_public=True, reviewed_at__isnull=False)
    rows = []
    for s in submissions.order_by("number", "pk"):
        public = s.is_public and s.reviewed_at is not None
        rows.append(
            {
                "number": s.number,
                "kind": s.kind,
                "filed_by": redactor.redact(s.participant.public_label),
                "title": s.public_title if reading is Reading.PUBLIC else redactor.redact(s.title),
                "text": None if reading is Reading.PUBLIC else redactor.redact(s.text),
                "sha256": s.sha256 or None,
                "filed_at": s.filed_at,
                "is_public": public,
                "download": ("submission", s.pk, s.sha256) if public and s.file else None,
            }
        )
    return rows


def _record_items(case: Case, reading: Reading, redactor: Redactor) -> list[dict[str, Any]]:
    items = HearingRecordItem.objects.filter(hearing__case=case)
    if reading is Reading.PUBLIC:
        items = items.filter(is_public=True)
    return [
        {
            "kind": i.kind,
            "description": redactor.redact(i.description),
            "content_type": i.content_type,
            "size": i.size,
            "sha256": i.sha256,
            "uploaded_at": i.uploaded_at,
            "is_public": i.is_public,
            "download": ("record", i.pk, None) if i.is_public else None,
        }
        for i in items.order_by("uploaded_at", "pk")
    ]


def _finding_row(f: Finding, redactor: Redactor) -> dict[str, Any]:
    return {
        "investigation": f.investigation.number,
        "criterion_version": f.criterion_version.identifier,
        "result": f.result,
        "summary": redactor.redact(f.summary),
        "facts": redactor.redact(f.facts),
        "measured_value": f.measured_value,
        "measured_unit": f.measured_unit,
        "workers_affected": f.workers_affected,
        "observed_on": f.observed_on,
    }


def _findings(
    case: Case, reading: Reading, redactor: Redactor, decision: Decision | None
) -> list[dict[str, Any]]:
    findings = Finding.objects.select_related("investigation", "criterion_version__criterion")
    if reading is Reading.PUBLIC:
        # The public reads only the findings an issued decision cites (the opinion shows them).
        if decision is None:
            return []
        findings = findings.filter(pk__in=decision.citations.values("finding_id"))
    else:
        findings = findings.filter(investigation__complaint=case, status=Finding.Status.DETERMINED)
    return [_finding_row(f, redactor) for f in findings.order_by("observed_on", "pk")]


def _interviews(case: Case, reading: Reading) -> list[dict[str, Any]]:
    if reading is Reading.PUBLIC:
        return []
    rows = []
    for i in (
        Interview.objects.filter(investigation__complaint=case)
        .select_related("investigation")
        .order_by("held_on", "pk")
    ):
        row = {
            "investigation": i.investigation.number,
            "pseudonym": i.pseudonym,
            "held_on": i.held_on,
            "language": i.language,
            "interviewee_name": None,
            "statement": None,
        }
        if reading is Reading.CONFIDENTIAL:
            row["interviewee_name"] = i.interviewee_name
            row["statement"] = i.statement
        rows.append(row)
    return rows


def case_record(*, case: Case, user: Any, door: str = Door.API) -> CaseRecord:
    """The record of `case` as `user` may read it. Under an order granting the confidential
    parts, the read is logged (who, which case, when, under which order) before anything of it
    is built."""
    reading, order = case_record_reading(user=user, case=case)
    if order is not None:
        confidential_read_record(
            user=user,
            what=What.COURT_RECORD,
            door=door,
            subject=f"record of {case.docket_number}",
            docket_number=case.docket_number,
            purpose=(
                f"court order {order.pk}: {order.court} {order.court_case_number} "
                f"of {order.order_date.isoformat()}"
            ),
        )
    redactor = _redactor(case, reading)
    decision = Decision.objects.filter(case=case, status=Decision.Status.ISSUED).first()
    opinions: list[Opinion] = []
    versions: list[str] = []
    if decision is not None:
        opinions = list(decision.opinions.order_by("issued_at", "id"))
        versions = sorted(
            {
                application.version.identifier
                for finding in decision.findings.prefetch_related("applications__version")
                for application in finding.applications.all()
            }
        )
    if reading is Reading.PUBLIC:
        orders: list[CourtOrder] = []
    elif court_user_for(user) is not None:
        orders = list(court_orders_visible(user=user).filter(case=case))
    else:
        orders = list(CourtOrder.objects.filter(case=case).select_related("case", "court_user"))
    return CaseRecord(
        case=case,
        reading=reading,
        order=order,
        events=_events(case, reading, redactor),
        complainants=_complainants(case, reading),
        allegations=_allegations(case, reading, redactor),
        evidence=_evidence(case, reading, redactor),
        submissions=_submissions(case, reading, redactor),
        record_items=_record_items(case, reading, redactor),
        findings=_findings(case, reading, redactor, decision),
        interviews=_interviews(case, reading),
        decision=decision,
        criteria_versions=versions,
        opinions=opinions,
        court_orders=orders,
    )
