"""Statutory clocks: starting them (`clock_start`, `clocks_start_statutory`), meeting them
(`clock_meet`), recording a miss or a window's close, and the commission holidays they count.

Statutory clocks (`clock_start`, `clocks_start_statutory`, `clock_meet`, `clock_sweep`) run
against any app's case through the *subject protocol* (duck typing, so the core never imports
a higher app):

* a subject has `docket_number` (str);
* it MAY define `clock_recipients(audience: str) -> list[User]`, audience in
  {"staff", "panel", "chair", "parties"}. Fallbacks (without the method, and also when it
  answers nobody for "staff" or "chair", so an escalation always reaches someone): "staff" =
  the active users of the staff group; "chair" = the user of the sitting chair
  (CommissionMember.is_chair, not left); "panel" = nobody (no panel seated yet);
  "parties" = nobody;
* it MAY define `clock_milestone_reached(milestone: str) -> bool` for "hearing_scheduled" and
  "draft_decision" (fallback: False, so the chair hears that the deadline is at risk).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import cast
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .. import audit
from ..actors import Actor
from ..dates import format_day, local_date, statutory_deadline
from ..models import CaseEvent, Clock, ClockNotice, CommissionHoliday
from .clock_plan import _clock_next_action_at
from .events import case_event_record

# Clocks are started inside the caller's transaction, computed once by `commission.dates`, and
# never changed: there is no service that extends, tolls, pauses or restarts a clock.


# Stored on the clock in English (the record); shown translated by `Clock.legal_basis_text()`.
HEARING_LEGAL_BASIS = gettext_noop(
    "The commission shall hold a hearing no later than 60 days after a complaint or petition "
    "is filed; no other period may be agreed."
)
HEARING_LEGAL_SOURCE = gettext_noop(
    "Model labor-rights chapter, Section VI (hearing no later than 60 days after filing)"
)
DECISION_LEGAL_BASIS = gettext_noop(
    "The commission shall issue a final decision no later than 90 days after a complaint or "
    "petition is filed; the decision takes effect immediately."
)
DECISION_LEGAL_SOURCE = gettext_noop(
    "Model labor-rights chapter, Section VI (final decision no later than 90 days after filing)"
)
STATUTORY_HEARING_DAYS = 60

# Sent after the transaction that recorded a clock's miss commits, with `clock_id` and `kind`:
# a higher app reacts to a miss of its own clocks (investigations files a complaint when a
# remedial order's due date passed) without the core importing it.
clock_missed = Signal()
STATUTORY_DECISION_DAYS = 90


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "statutory clocks start inside the transaction of the filing"
        )


def _subject_key(subject: models.Model) -> tuple[ContentType, str]:
    if subject.pk is None:
        raise ValidationError(_("The case must be saved before its clocks start."))
    return ContentType.objects.get_for_model(subject), str(subject.pk)


def _clock_transition(clock: Clock, to_status: str) -> None:
    if to_status not in Clock.TRANSITIONS[clock.status]:
        raise ValidationError(
            _("A %(from)s clock cannot become %(to)s.")
            % {"from": clock.get_status_display(), "to": Clock.Status(to_status).label}
        )
    clock.status = to_status


def clock_start(
    *,
    subject: models.Model,
    kind: str,
    trigger_at: datetime,
    days: int,
    legal_basis: str,
    trigger_event: str,
    legal_source: str = "",
    actor: Actor | None = None,
) -> Clock:
    """Start one statutory clock for `subject`. Call it inside the caller's transaction.

    Refused: a second clock of the same kind for the subject (a clock is never restarted),
    a naive or future trigger instant, a period without days or without a legal basis."""
    _require_transaction()
    if kind not in Clock.Kind.values:
        raise ValidationError(_("Unknown clock kind: %(kind)s") % {"kind": kind})
    if trigger_at.tzinfo is None or trigger_at.utcoffset() is None:
        raise ValidationError(_("The trigger instant must carry its time zone."))
    now = timezone.now()
    if trigger_at > now:
        raise ValidationError(_("A clock cannot start from an instant in the future."))
    if days < 1:
        raise ValidationError(_("A statutory period has at least one day."))
    if not legal_basis.strip():
        raise ValidationError(_("Every clock states its legal basis."))
    subject_type, subject_id = _subject_key(subject)
    if Clock.objects.filter(subject_type=subject_type, subject_id=subject_id, kind=kind).exists():
        raise ValidationError(
            _(
                "This case already has a “%(kind)s” clock. A started clock is never restarted, "
                "extended or moved."
            )
            % {"kind": Clock.Kind(kind).label}
        )
    try:
        deadline = statutory_deadline(trigger_at=trigger_at, days=days, trigger_event=trigger_event)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    clock = Clock(
        subject_type=subject_type,
        subject_id=subject_id,
        docket_number=getattr(subject, "docket_number", "") or "",
        kind=kind,
        legal_basis=legal_basis,
        legal_source=legal_source,
        trigger_event=trigger_event,
        started_at=now,
        **deadline.as_clock_fields(),
    )
    clock.next_action_at = _clock_next_action_at(clock, claimed=set())
    clock.save()
    case_event_record(
        subject=subject,
        verb="clock_started",
        actor=actor,
        to_status=Clock.Status.PENDING,
        data={
            "clock": clock.pk,
            "kind": kind,
            "days": days,
            "trigger_at": trigger_at.isoformat(),
            "nominal_last_day": deadline.nominal_last_day.isoformat(),
            "last_day": deadline.last_day.isoformat(),
            "due_at": deadline.due_at.isoformat(),
        },
        is_public=True,
        docket_number=clock.docket_number,
        # A legacy case's clock started when the case was received, years before the row.
        occurred_at=trigger_at if audit.importing() else None,
    )
    return clock


def clocks_start_statutory(
    *,
    subject: models.Model,
    trigger_at: datetime,
    actor: Actor | None = None,
    trigger_event: str = "filed",
) -> dict[str, Clock]:
    """Start the hearing-by (60 days) and decision-by (90 days) clocks of a complaint or a
    petition, in the transaction of its filing. Returns {"hearing_by": ..., "decision_by": ...}."""
    _require_transaction()
    return {
        Clock.Kind.HEARING_BY.value: clock_start(
            subject=subject,
            kind=Clock.Kind.HEARING_BY,
            trigger_at=trigger_at,
            days=STATUTORY_HEARING_DAYS,
            legal_basis=HEARING_LEGAL_BASIS,
            legal_source=HEARING_LEGAL_SOURCE,
            trigger_event=trigger_event,
            actor=actor,
        ),
        Clock.Kind.DECISION_BY.value: clock_start(
            subject=subject,
            kind=Clock.Kind.DECISION_BY,
            trigger_at=trigger_at,
            days=STATUTORY_DECISION_DAYS,
            legal_basis=DECISION_LEGAL_BASIS,
            legal_source=DECISION_LEGAL_SOURCE,
            trigger_event=trigger_event,
            actor=actor,
        ),
    }


def clock_meet(
    *, subject: models.Model, kind: str, at: datetime, event: CaseEvent, actor: Actor | None = None
) -> Clock:
    """Record that the step a clock runs for happened (`event`: the hearing held, the final
    decision issued), at `at`.

    Met when `at` is no later than the due instant. When the clock has already been recorded
    missed (or `at` is after the due instant), the miss stays on record and the late completion
    is recorded next to it. Recording the same event twice changes nothing.

    Refused for a window (`Clock.WINDOW_KINDS`): a window is not a step, it closes at its due
    instant (the sweep records it)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError(_("The instant must carry its time zone."))
    if not isinstance(event, CaseEvent) or event.pk is None:
        raise ValidationError(_("A clock is met only by a recorded case event."))
    now = timezone.now()
    if at > now:
        raise ValidationError(_("A step cannot be recorded as happening in the future."))
    subject_type, subject_id = _subject_key(subject)
    with transaction.atomic():
        try:
            clock = Clock.objects.select_for_update().get(
                subject_type=subject_type, subject_id=subject_id, kind=kind
            )
        except Clock.DoesNotExist:
            raise ValidationError(_("This case has no such clock.")) from None
        if clock.is_window:
            raise ValidationError(
                _(
                    "“%(kind)s” is a window, not a step: it is never met. It closes by itself "
                    "at the end of %(day)s."
                )
                % {"kind": clock.get_kind_display(), "day": format_day(clock.last_day)}
            )
        if at < clock.trigger_at:
            raise ValidationError(_("The step cannot precede the event that started the clock."))
        if clock.met_by_event_id == event.pk or clock.completed_by_event_id == event.pk:
            return clock
        if clock.status == Clock.Status.MET or clock.completed_at is not None:
            raise ValidationError(_("This clock has already been met by another event."))
        from_status = clock.status
        fields = ["status", "next_action_at"]
        if clock.status == Clock.Status.PENDING and at <= clock.due_at:
            _clock_transition(clock, Clock.Status.MET)
            clock.met_at = at
            clock.met_by_event = event
            fields += ["met_at", "met_by_event"]
        else:
            if clock.status == Clock.Status.PENDING:
                _clock_record_miss(clock, now=now, subject=subject)
                fields += ["missed_at", "miss_recorded_at"]
            clock.completed_at = at
            clock.completed_by_event = event
            clock.days_overdue = max(
                0, (local_date(at, ZoneInfo(clock.time_zone)) - clock.last_day).days
            )
            fields += ["completed_at", "completed_by_event", "days_overdue"]
        claimed = set(ClockNotice.objects.filter(clock=clock).values_list("kind", "offset"))
        clock.next_action_at = _clock_next_action_at(clock, claimed=claimed)
        clock.save(update_fields=fields)
        case_event_record(
            subject=subject,
            verb="clock_met" if clock.status == Clock.Status.MET else "clock_completed_late",
            actor=actor,
            from_status=from_status,
            to_status=clock.status,
            data={
                "clock": clock.pk,
                "kind": clock.kind,
                "at": at.isoformat(),
                "due_at": clock.due_at.isoformat(),
                "event": event.pk,
                "days_overdue": clock.days_overdue,
            },
            is_public=True,
            docket_number=clock.docket_number,
            occurred_at=at if audit.importing() else None,
        )
    return clock


def _clock_record_miss(clock: Clock, *, now: datetime, subject: models.Model | None) -> None:
    """Record the miss of a pending clock whose due instant has passed (inside a transaction,
    with the clock locked). The miss is dated at the due instant, not when it is recorded."""
    _clock_transition(clock, Clock.Status.MISSED)
    clock.missed_at = clock.due_at
    clock.miss_recorded_at = now
    clock.days_overdue = max(1, (local_date(now, ZoneInfo(clock.time_zone)) - clock.last_day).days)
    transaction.on_commit(
        partial(clock_missed.send, sender=Clock, clock_id=clock.pk, kind=clock.kind)
    )
    _clock_due_event(clock, "clock_missed", now=now, subject=subject)


def _clock_record_close(clock: Clock, *, now: datetime, subject: models.Model | None) -> None:
    """Record that a pending window closed (inside a transaction, with the clock locked),
    dated at its due instant. Nothing was missed: the parties could act until then."""
    _clock_transition(clock, Clock.Status.CLOSED)
    clock.closed_at = clock.due_at
    _clock_due_event(clock, "clock_window_closed", now=now, subject=subject)


def _clock_due_event(
    clock: Clock, verb: str, *, now: datetime, subject: models.Model | None
) -> None:
    """The public event of a clock that left `pending` at its due instant (missed, or a
    window closed), dated at that instant; `recorded_at` is when the sweep saw it."""
    case_event_record(
        subject=subject if subject is not None else _ClockSubjectRef.of(clock),
        verb=verb,
        from_status=Clock.Status.PENDING,
        to_status=clock.status,
        reason=f"{clock.get_kind_display()} — {clock.days} days",
        data={
            "clock": clock.pk,
            "kind": clock.kind,
            "due_at": clock.due_at.isoformat(),
            "last_day": clock.last_day.isoformat(),
            "recorded_at": now.isoformat(),
        },
        is_public=True,
        docket_number=clock.docket_number,
        occurred_at=clock.due_at,
    )


class _ClockSubjectRef:
    """Stands in for a subject row that no longer loads (the event still names it)."""

    def __init__(self, clock: Clock) -> None:
        model = clock.subject_type.model_class()
        if model is None:
            raise LookupError(f"clock {clock.pk} names a model that no longer exists")
        self.pk = clock.subject_id
        self.docket_number = clock.docket_number
        self._meta = model._meta

    @classmethod
    def of(cls, clock: Clock) -> models.Model:
        # Read as a row by `case_event_record`: its content type (from `_meta`), `pk` and
        # `docket_number` are all it uses.
        return cast(models.Model, cls(clock))


def commission_holiday_add(
    *, date: date, name: str, actor: Actor | None = None
) -> CommissionHoliday:
    """Add a commission holiday. It affects clocks started from now on; started clocks keep
    the due instant computed when they started (nothing moves a running clock).

    Staff with the permission only; there is no silent system path."""
    if not (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.has_perm("commission.add_commissionholiday")
    ):
        raise PermissionDenied(_("You are not allowed to do this."))
    if not name.strip():
        raise ValidationError(_("Name the holiday."))
    holiday, created = CommissionHoliday.objects.get_or_create(
        date=date, defaults={"name": name.strip()}
    )
    if not created:
        raise ValidationError(_("That day is already a commission holiday."))
    return holiday
