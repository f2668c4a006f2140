"""The audit log is tamper-evident: every case event is a link of one global hash chain.

Each `CaseEvent` stores its `sequence` (1, 2, 3, … with no gap), the `previous_hash` (the
`content_hash` of the event before it; sixty-four zeros for the first) and its own
`content_hash`: the SHA-256 of a canonical JSON of everything the event says, the previous
hash included. Changing, removing or inserting a row anywhere breaks the chain from there on;
`manage.py verify_audit` recomputes it and names the first broken link (beat runs it daily and
staff are told of a break).

Events are written only through `commission.services.case_event_record`, which appends under a
lock (PostgreSQL: a transaction-level advisory lock; SQLite serialises writers, and the unique
`sequence` refuses a fork either way). A row saved any other way is refused, and so is a verb
outside `VERBS`. An event may be dated earlier than it is written (by more than
`AUDIT_CLOCK_SKEW_SECONDS`) only when the fact it records happened at a known earlier instant
(`BACKDATED_VERBS`: a deadline missed at its due instant, a filing received on paper, …), or in
the legacy-import mode that only an import service enters (`legacy_import()`); `recorded_at`
always says when the row was written.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils.translation import gettext as _

GENESIS = "0" * 64

# The closed list of what can happen on the record. A new kind of event is added here, in
# the same change as the service that writes it.
VERBS = frozenset(
    {
        # shared core: clocks
        "clock_started",
        "clock_met",
        "clock_completed_late",
        "clock_missed",
        "clock_window_closed",
        # complaints and petitions
        "filed",
        "receipt_issued",
        "evidence_added",
        "evidence_scanned",
        "assigned",
        "unassigned",
        "intake_checked",
        "respondent_linked",
        "hearing_scheduled",
        "hearing_held",
        "decided",
        "petition_denied",
        "petition_complaint_filed",
        "court_review_filed",
        "court_upheld_denial",
        "compliance_statement_recorded",
        "withdrawal_requested",
        # legacy import (complaints.importing)
        "import_batch_started",
        "import_batch_finished",
        "case_imported",
        # criteria
        "right.created",
        "criterion.opened",
        "criterion.version_promulgated",
        "criterion.retired",
        "criterion.rule_resolution_recorded",
        "round.convened",
        "round.voting",
        "round.closed",
        "round.report_filed",
        "proposal.filed",
        "proposal.vote_cast",
        "proposal.adopted",
        "proposal.rejected",
        "proposal.withdrawn",
        # hearings and decisions
        "court_order_recorded",
        "interest_declared",
        "conflict_declared",
        "conflict_withdrawn",
        "panel_selected",
        "panel_seat_vacated",
        "panel_seat_filled",
        "hearing_notice_published",
        "hearing_rescheduled",
        "participant_registered",
        "submission_filed",
        "hearing_record_uploaded",
        "written_arguments_window_opened",
        "consultation_recorded",
        "decision_opened",
        "decision_recommended",
        "decision_returned",
        "decision_adopted",
        "decision_issued",
        "opinion_render_failed",
        "opinion_render_retried",
        "corrigendum_ordered",
        "corrigendum_issued",
        "opinion_file_mismatch",
        "submission_reviewed",
        "investigation_finding_cited",
        "investigation_finding_uncited",
        # investigations
        "team_created",
        "team_member_added",
        "team_member_removed",
        "team_assigned",
        "investigation_opened",
        "investigation_concluded",
        "site_visit_recorded",
        "interview_recorded",
        "interview_access_granted",
        "interview_access_revoked",
        "interview_file_added",
        "excerpt_added",
        "demand_issued",
        "demand_disclosed",
        "demand_penalized",
        "finding_drafted",
        "finding_determined",
        "remedial_order_issued",
        "remedial_order_verified",
        "remedial_order_failed",
        "verification_recorded",
        "complaint_filed",
        "commission_review",
        "protocol_mandated",
        # sanctions (docs/adr/0060)
        "sanction_in_force",
        "benchmark_verified",
        "benchmark_not_met",
        "sanction_lift_noticed",
        "sanction_lift_hearing_held",
        "sanction_step_lifted",
        "sanction_lifted",
        "sanction_lift_render_failed",
        "sanction_waived",
    }
)

# Facts recorded after the instant they happened, dated at that instant by the service that
# records them (the instant itself is checked there: never in the future, from the record).
BACKDATED_VERBS = frozenset(
    {
        "clock_missed",  # dated at the due instant (ADR 0022)
        "clock_window_closed",  # dated at the due instant
        "filed",  # a paper filing, dated at its receipt
        "hearing_held",  # dated when the hearing was held
        "compliance_statement_recorded",  # dated when the statement was received
        "decided",  # dated at the decision's issue
        "petition_denied",
        "petition_complaint_filed",
    }
)

_legacy_import: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "audit_legacy_import", default=False
)
_service_write: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "audit_service_write", default=False
)


@contextmanager
def legacy_import() -> Iterator[None]:
    """The legacy-import mode: events written inside may carry any earlier `occurred_at`
    (the date of the imported record) and are marked `imported`. Only an import service
    enters it."""
    token = _legacy_import.set(True)
    try:
        yield
    finally:
        _legacy_import.reset(token)


def importing() -> bool:
    return _legacy_import.get()


@contextmanager
def service_write() -> Iterator[None]:
    token = _service_write.set(True)
    try:
        yield
    finally:
        _service_write.reset(token)


def writing_through_service() -> bool:
    return _service_write.get()


def check_event(event: Any, *, now: dt.datetime) -> None:
    """Refuse an event whose verb is not on the closed list, or - outside `BACKDATED_VERBS`
    and the legacy-import mode - dated more than the allowed skew before or after it is
    written."""
    if event.verb not in VERBS:
        raise ValidationError(
            _("“%(verb)s” is not an event the record knows."), params={"verb": event.verb}
        )
    if event.verb in BACKDATED_VERBS or importing():
        return  # dated from the record by the service (a due instant, a receipt, ...)
    skew = dt.timedelta(seconds=settings.AUDIT_CLOCK_SKEW_SECONDS)
    if event.occurred_at > now + skew:
        raise ValidationError(_("An event cannot be dated in the future."))
    if event.occurred_at < now - skew:
        raise ValidationError(
            _(
                "An event is dated when it is written: “%(verb)s” cannot be dated %(when)s, "
                "earlier than now."
            ),
            params={"verb": event.verb, "when": event.occurred_at.isoformat()},
        )


def _utc(instant: dt.datetime | None) -> str:
    if instant is None:
        return ""
    return instant.astimezone(dt.UTC).isoformat(timespec="microseconds")


def normalised_data(data: Any) -> Any:
    """`data` as it reads back from the database (JSON types only), so the hash computed on
    write is the hash recomputed on read."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


def content_hash(event: Any, *, subject_label: str | None = None) -> str:
    """The SHA-256 of everything the event says, its place in the chain included."""
    if subject_label is None:
        ct = ContentType.objects.get_for_id(event.subject_type_id)
        subject_label = f"{ct.app_label}.{ct.model}"
    content = {
        "sequence": event.sequence,
        "previous_hash": event.previous_hash,
        "occurred_at": _utc(event.occurred_at),
        "recorded_at": _utc(event.recorded_at),
        "actor": event.actor_id,
        "subject_type": subject_label,
        "subject_id": str(event.subject_id),
        "docket_number": event.docket_number,
        "verb": event.verb,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.reason,
        "data": event.data,
        "is_public": bool(event.is_public),
        "imported": bool(event.imported),
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


ADVISORY_LOCK_KEY = 0x4341_5345_4556  # "CASEEV": the chain's append lock on PostgreSQL


def chain_lock() -> None:
    """Serialise appends to the chain until the end of the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


@dataclass(frozen=True)
class Break:
    sequence: int
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        return f"event #{self.event_id} (sequence {self.sequence}): {self.problem}"


def chain_verify(*, batch_size: int = 2000) -> Break | None:
    """Recompute the chain from the first event; return the first broken link, or None."""
    from .models import CaseEvent

    labels: dict[int, str] = {}
    expected_previous = GENESIS
    expected_sequence = 1
    last_id = 0
    while True:
        batch = list(
            CaseEvent.objects.filter(sequence__gt=last_id).order_by("sequence")[:batch_size]
        )
        if not batch:
            return None
        for event in batch:
            last_id = event.sequence
            if event.sequence != expected_sequence:
                return Break(
                    expected_sequence,
                    event.pk,
                    f"sequence {event.sequence} where {expected_sequence} was expected "
                    "(an event was removed or inserted)",
                )
            if event.previous_hash != expected_previous:
                return Break(event.sequence, event.pk, "does not link to the event before it")
            if event.subject_type_id not in labels:
                ct = ContentType.objects.get_for_id(event.subject_type_id)
                labels[event.subject_type_id] = f"{ct.app_label}.{ct.model}"
            recomputed = content_hash(event, subject_label=labels[event.subject_type_id])
            if recomputed != event.content_hash:
                return Break(event.sequence, event.pk, "its content no longer matches its hash")
            expected_previous = event.content_hash
            expected_sequence += 1
