"""Writes of the shared core. Every state change anywhere records its CaseEvent through
`case_event_record` in the same transaction.

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

import hashlib
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import connection, models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from . import audit, roles
from .actors import Actor, actor_user
from .dates import day_start, format_day, local_date, statutory_deadline
from .models import (
    ApiToken,
    CaseEvent,
    Clock,
    ClockNotice,
    CommissionHoliday,
    CommissionMember,
    Heartbeat,
    Notification,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def case_event_record(
    *,
    subject: models.Model,
    verb: str,
    actor: Actor | None = None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    is_public: bool = False,
    docket_number: str = "",
    occurred_at: datetime | None = None,
) -> CaseEvent:
    """Append one audit row about `subject`. Call it inside the transaction of the change.

    The row is the next link of the audit chain (commission/audit.py): its verb must be on the
    closed list, its date no earlier than now (but for the verbs that record an earlier fact,
    and the legacy-import mode), and it stores the hash of the event before it and its own."""
    now = timezone.now()
    event = CaseEvent(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        verb=verb,
        actor=actor_user(actor),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=audit.normalised_data(data),
        is_public=is_public,
        docket_number=docket_number or getattr(subject, "docket_number", "") or "",
        occurred_at=occurred_at if occurred_at is not None else now,
        imported=audit.importing(),
    )
    audit.check_event(event, now=now)
    with transaction.atomic():
        audit.chain_lock()
        last = CaseEvent.objects.order_by("-sequence").values("sequence", "content_hash").first()
        event.sequence = (last["sequence"] + 1) if last else 1
        event.previous_hash = last["content_hash"] if last else audit.GENESIS
        event.recorded_at = timezone.now()
        event.content_hash = audit.content_hash(event)
        with audit.service_write():
            event.save()
    return event


def case_events_import(*, events: list[CaseEvent], batch_size: int = 2000) -> list[CaseEvent]:
    """Append a batch of events from another record (a legacy import, or the scale generator
    that fills a commission for the benchmarks) to the audit chain, in the order given.

    Only inside `audit.legacy_import()`: each event is checked as `case_event_record` checks
    it (its verb on the closed list), linked to the one before it and hashed the same way,
    marked `imported`, and the batch is written under the chain lock in one transaction — so
    `verify_audit` recomputes every link. The events' `subject_type`, `subject_id` and
    `docket_number` are set by the caller."""
    if not audit.importing():
        raise ValidationError(
            _("Case events are imported in batches only by an import (legacy_import).")
        )
    if not events:
        return []
    labels: dict[int, str] = {}
    now = timezone.now()
    with transaction.atomic():
        audit.chain_lock()
        last = CaseEvent.objects.order_by("-sequence").values("sequence", "content_hash").first()
        sequence = last["sequence"] if last else 0
        previous = last["content_hash"] if last else audit.GENESIS
        for event in events:
            event.imported = True
            event.data = audit.normalised_data(event.data)
            audit.check_event(event, now=now)
            if event.subject_type_id not in labels:
                ct = ContentType.objects.get_for_id(event.subject_type_id)
                labels[event.subject_type_id] = f"{ct.app_label}.{ct.model}"
            sequence += 1
            event.sequence = sequence
            event.previous_hash = previous
            event.recorded_at = now
            event.content_hash = audit.content_hash(
                event, subject_label=labels[event.subject_type_id]
            )
            previous = event.content_hash
        with audit.service_write():
            created = CaseEvent.objects.bulk_create(events, batch_size=batch_size)
    return created


def audit_chain_verify(*, alert: bool = True) -> audit.Break | None:
    """Recompute the audit chain; on a break, tell staff (once a day at most: beat runs this
    daily) and return the first broken link."""
    broken = audit.chain_verify()
    if broken is not None:
        logger.error("audit chain broken at %s", broken)
        if alert:

            def message() -> tuple[str, str]:
                return (
                    _("The audit log has been altered"),
                    _(
                        "The daily check of the case-event chain found a broken link at "
                        "%(link)s. Every event from there on can no longer be trusted as "
                        "recorded; investigate before anything else."
                    )
                    % {"link": str(broken)},
                )

            with transaction.atomic():
                notification_send(recipients=staff_users(), message=message)
    return broken


def heartbeat_record(*, worker: str) -> Heartbeat:
    """Record that beat scheduled the heartbeat and a worker ran it; keep the last 100 rows."""
    with transaction.atomic():
        beat = Heartbeat.objects.create(worker=worker[:200])
        stale = Heartbeat.objects.order_by("-recorded_at").values_list("pk", flat=True)[100:]
        Heartbeat.objects.filter(pk__in=list(stale)).delete()
    return beat


def roles_sync() -> dict[str, int]:
    """Create the role groups and grant them exactly the permissions of `roles.ROLE_PERMISSIONS`."""
    granted: dict[str, int] = {}
    for group_name, names in roles.ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        query = Q(pk__in=[])
        for name in names:
            app_label, codename = name.split(".", 1)
            if codename == "*":
                query |= Q(content_type__app_label=app_label)
            else:
                query |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(Permission.objects.filter(query))
        group.permissions.set(permissions)
        granted[group_name] = len(permissions)
    return granted


# --- Statutory clocks ---------------------------------------------------------------------
#
# The subject protocol (duck typing; the clock's subject is any app's model, reached through
# its content type and id, so the core never imports a higher app):
#
# * a subject MUST have `docket_number` (str);
# * it MAY define `clock_recipients(audience: str) -> list[User]` for audience in
#   {"staff", "panel", "chair", "parties"}. Fallbacks: staff = active users of the staff group;
#   chair = the user of the sitting chair (CommissionMember.is_chair, not left); panel = nobody
#   (until a panel is seated); parties = nobody;
# * it MAY define `clock_milestone_reached(milestone: str) -> bool` for "hearing_scheduled"
#   and "draft_decision" (fallback: False, i.e. the chair is told the deadline is at risk).
#
# Clocks are started inside the caller's transaction, computed once by `commission.dates`, and
# never changed: there is no service that extends, tolls, pauses or restarts a clock.

logger = logging.getLogger(__name__)

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
    event_subject = subject if subject is not None else _ClockSubjectRef.of(clock)
    transaction.on_commit(
        partial(clock_missed.send, sender=Clock, clock_id=clock.pk, kind=clock.kind)
    )
    case_event_record(
        subject=event_subject,
        verb="clock_missed",
        from_status=Clock.Status.PENDING,
        to_status=Clock.Status.MISSED,
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


def _clock_record_close(clock: Clock, *, now: datetime, subject: models.Model | None) -> None:
    """Record that a pending window closed (inside a transaction, with the clock locked),
    dated at its due instant. Nothing was missed: the parties could act until then."""
    _clock_transition(clock, Clock.Status.CLOSED)
    clock.closed_at = clock.due_at
    event_subject = subject if subject is not None else _ClockSubjectRef.of(clock)
    case_event_record(
        subject=event_subject,
        verb="clock_window_closed",
        from_status=Clock.Status.PENDING,
        to_status=Clock.Status.CLOSED,
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


# --- The sweep: reminders, escalations and misses, each exactly once ----------------------

NOTICE_AUDIENCES: dict[str, tuple[str, ...]] = {
    ClockNotice.Kind.REMINDER: ("staff", "panel"),
    ClockNotice.Kind.AT_RISK: ("chair", "staff"),
    ClockNotice.Kind.MISSED: ("parties", "staff", "panel", "chair"),
    ClockNotice.Kind.OVERDUE: ("chair", "staff"),
}


@dataclass(frozen=True)
class PlannedNotice:
    kind: str
    offset: int
    scheduled_at: datetime
    milestone: str = ""


def _reminder_offsets() -> list[int]:
    return sorted({int(o) for o in settings.CLOCK_REMINDER_OFFSETS_DAYS}, reverse=True)


def clock_plan(clock: Clock, *, until: datetime | None = None) -> list[PlannedNotice]:
    """Every notice of a clock in time order: reminders at the start of the local day
    `offset` days before the last day (0 = on the day), risk checks at the end of day N of
    the period, the miss at the due instant, then one escalation a day while the step has
    not happened. Of the daily escalations, the plan lists the latest fallen due by `until`
    (default: the due instant) and the next one — never one per past day (ADR 0022).

    A window (`Clock.WINDOW_KINDS`) has no notices: it is not an obligation of the commission,
    its closing instant is published when it opens, and the sweep only closes it."""
    if clock.is_window:
        return []
    tz = ZoneInfo(clock.time_zone)
    plan: list[PlannedNotice] = []
    deadline = clock.deadline
    for offset in _reminder_offsets():
        day = clock.last_day - timedelta(days=offset)
        at = day_start(day, tz)
        if day > deadline.trigger_day and at > clock.trigger_at:
            plan.append(PlannedNotice(ClockNotice.Kind.REMINDER, offset, at))
    for day_number, milestone in settings.CLOCK_RISK_CHECKS.get(clock.kind, []):
        at = deadline.day_end(int(day_number))
        if int(day_number) < clock.days and at < clock.due_at:
            plan.append(PlannedNotice(ClockNotice.Kind.AT_RISK, int(day_number), at, milestone))
    plan.append(PlannedNotice(ClockNotice.Kind.MISSED, 0, clock.due_at))
    # The daily escalation: the one of the day `until` falls in (the latest fallen due), and
    # the next. Escalations of days gone by are not listed: a clock missed long ago costs the
    # same as one missed yesterday, and the chair hears "N days past the deadline" once a
    # day from now on, not once for every past day.
    latest = 0 if until is None else (local_date(until, tz) - clock.last_day).days - 1
    if latest >= 1:
        plan.append(PlannedNotice(ClockNotice.Kind.OVERDUE, latest, _overdue_at(clock, latest)))
    n = max(latest + 1, 1)
    plan.append(PlannedNotice(ClockNotice.Kind.OVERDUE, n, _overdue_at(clock, n)))
    plan.sort(key=lambda p: p.scheduled_at)
    return plan


def _clock_open_plan(clock: Clock, *, until: datetime | None = None) -> list[PlannedNotice]:
    """The notices a clock in its current state may still claim. A met clock needs none; a
    missed clock's daily escalation stops once the step has happened."""
    if clock.status in (Clock.Status.MET, Clock.Status.CLOSED) or clock.is_window:
        return []
    plan = clock_plan(clock, until=until)
    if clock.completed_at is not None:
        plan = [p for p in plan if p.kind != ClockNotice.Kind.OVERDUE]
    return plan


def _overdue_at(clock: Clock, n: int) -> datetime:
    """The n-th daily escalation after a miss: the start of the local day n + 1 days after the
    last day (24 hours after the miss, then every day)."""
    return day_start(clock.last_day + timedelta(days=n + 1), ZoneInfo(clock.time_zone))


def _clock_next_action_at(
    clock: Clock, *, claimed: set[tuple[str, int]], plan: list[PlannedNotice] | None = None
) -> datetime | None:
    if clock.is_window:
        # The one action on a window: closing it when its due instant has passed.
        return clock.due_at if clock.status == Clock.Status.PENDING else None
    if plan is None:
        plan = _clock_open_plan(clock, until=None)
    candidates = [
        p.scheduled_at
        for p in plan
        if p.kind != ClockNotice.Kind.OVERDUE and (p.kind, p.offset) not in claimed
    ]
    if any(p.kind == ClockNotice.Kind.OVERDUE for p in plan):
        sent = [offset for kind, offset in claimed if kind == ClockNotice.Kind.OVERDUE]
        candidates.append(_overdue_at(clock, max(sent, default=0) + 1))
    return min(candidates, default=None)


@dataclass
class SweepReport:
    clocks: int = 0
    notices: int = 0
    late_notices: int = 0
    not_needed: int = 0
    misses: int = 0
    windows_closed: int = 0
    notifications: int = 0
    batches: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Recipients:
    """Resolves audiences to users, with the protocol's fallbacks, cached for one sweep."""

    def __init__(self) -> None:
        self._staff: list[User] | None = None
        self._chair: list[User] | None = None

    def staff(self) -> list[User]:
        if self._staff is None:
            user_model = get_user_model()
            self._staff = list(
                user_model.objects.filter(groups__name=roles.STAFF, is_active=True)
                .order_by("pk")
                .distinct()
            )
        return self._staff

    def chair(self) -> list[User]:
        if self._chair is None:
            seat = (
                CommissionMember.objects.filter(is_chair=True, left_on__isnull=True)
                .select_related("person__user")
                .first()
            )
            user = seat.person.user if seat and seat.person.user_id else None
            self._chair = [user] if user is not None and user.is_active else []
        return self._chair

    def resolve(self, subject: Any, audience: str) -> list[User]:
        method = getattr(subject, "clock_recipients", None)
        if method is not None:
            try:
                answer = method(audience) or []
            except Exception:
                # One app's bug must not silence every deadline: log it, use the defaults.
                logger.exception("clock_recipients(%r) failed for %r", audience, subject)
                answer = []
            users = [u for u in answer if u is not None]
            # Staff and the chair always hear: an empty answer falls back to the defaults.
            if users or audience not in ("staff", "chair"):
                return users
        if audience == "staff":
            return self.staff()
        if audience == "chair":
            return self.chair()
        return []


def _milestone_reached(subject: Any, milestone: str) -> bool:
    method = getattr(subject, "clock_milestone_reached", None)
    if method is None:
        return False
    try:
        return bool(method(milestone))
    except Exception:
        # When in doubt, escalate.
        logger.exception("clock_milestone_reached(%r) failed for %r", milestone, subject)
        return False


def _load_subjects(clocks: list[Clock]) -> dict[tuple[int, str], Any]:
    """The clocks' subjects, one query per subject model."""
    wanted: dict[int, set[str]] = defaultdict(set)
    for clock in clocks:
        wanted[clock.subject_type_id].add(clock.subject_id)
    found: dict[tuple[int, str], Any] = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        pk_field = model._meta.pk
        keys = []
        for raw in ids:
            try:
                keys.append(pk_field.to_python(raw))
            except ValidationError:
                continue
        for pk, obj in model._default_manager.in_bulk(keys).items():
            found[(type_id, str(pk))] = obj
    return found


def _notice_text(clock: Clock, planned: PlannedNotice, *, now: datetime) -> tuple[str, str]:
    """(subject line, body) of a notice in the active language."""
    tz = ZoneInfo(clock.time_zone)
    docket = clock.docket_number or f"#{clock.subject_id}"
    kind_label = str(Clock.Kind(clock.kind).label)
    due = format_day(clock.last_day)
    if planned.kind == ClockNotice.Kind.REMINDER:
        # The days actually left when the notice is sent, not those of its schedule: a
        # reminder sent late never claims more time than there is.
        days_left = (clock.last_day - local_date(now, tz)).days
        if days_left <= 0:
            headline = _("%(kind)s: due today, %(due)s") % {"kind": kind_label, "due": due}
        else:
            headline = ngettext(
                "%(kind)s: %(count)d day left, due %(due)s",
                "%(kind)s: %(count)d days left, due %(due)s",
                days_left,
            ) % {"kind": kind_label, "count": days_left, "due": due}
    elif planned.kind == ClockNotice.Kind.AT_RISK:
        missing = MILESTONE_MISSING.get(planned.milestone)
        problem = (
            str(missing) % {"day": planned.offset}
            if missing
            else _("“%(milestone)s” not reached by the end of day %(day)d")
            % {"milestone": planned.milestone, "day": planned.offset}
        )
        headline = _("At risk — %(kind)s, due %(due)s: %(problem)s") % {
            "kind": kind_label,
            "due": due,
            "problem": problem,
        }
    elif planned.kind == ClockNotice.Kind.MISSED:
        headline = _("MISSED — %(kind)s was due %(due)s") % {"kind": kind_label, "due": due}
    else:
        headline = ngettext(
            "STILL OVERDUE — %(kind)s, %(count)d day past the deadline of %(due)s",
            "STILL OVERDUE — %(kind)s, %(count)d days past the deadline of %(due)s",
            planned.offset,
        ) % {"kind": kind_label, "count": planned.offset, "due": due}
    subject_line = f"[{docket}] {headline}"
    lines = [
        headline + ".",
        "",
        _("Legal basis: %(basis)s (%(source)s)")
        % {"basis": clock.legal_basis_text(), "source": clock.legal_source_text()},
        _("How the date was computed: %(explanation)s") % {"explanation": clock.explain()},
    ]
    if planned.kind == ClockNotice.Kind.MISSED:
        lines += [
            "",
            _(
                "The miss is recorded, dated %(date)s, and shown on the public docket. The "
                "chair is told every day until the step happens. No extension exists."
            )
            % {"date": _instant(clock.due_at.astimezone(tz))},
        ]
    if now - planned.scheduled_at > timedelta(seconds=settings.CLOCK_NOTICE_GRACE_SECONDS):
        lines += [
            "",
            _(
                "This notice is late: it was due %(when)s and is sent now because the "
                "notification service was not running."
            )
            % {"when": _instant(planned.scheduled_at.astimezone(tz))},
        ]
    return str(subject_line), "\n".join(str(line) for line in lines)


def _instant(local: datetime) -> str:
    return f"{format_day(local.date(), weekday=False)}, {local:%H:%M}"


MILESTONE_MISSING = {
    "hearing_scheduled": gettext_lazy("no hearing scheduled by the end of day %(day)d"),
    "draft_decision": gettext_lazy("no draft decision by the end of day %(day)d"),
}


def clock_sweep(*, now: datetime | None = None, batch_size: int | None = None) -> SweepReport:
    """Send every reminder and escalation that has fallen due and record every miss, exactly
    once. Safe to run at any time, repeatedly and concurrently (see ADR 0022): each clock due
    for action is locked (`SKIP LOCKED`) and every notice is claimed by a unique key
    (clock, kind, offset). After an outage, everything that fell due meanwhile is caught up
    once, late notices are marked late and misses are dated at their due instant.

    A window (`Clock.WINDOW_KINDS`) is closed, not missed, when its due instant has passed:
    status closed, `closed_at` = the due instant, a public `clock_window_closed` case event
    dated then, and no notice at all. The row lock and the pending → closed transition make
    the close happen once."""
    now = now or timezone.now()
    batch_size = batch_size or settings.CLOCK_SWEEP_BATCH_SIZE
    report = SweepReport()
    recipients = _Recipients()
    seen: set[int] = set()
    while True:
        with transaction.atomic():
            batch = list(
                Clock.objects.select_for_update(skip_locked=True)
                .filter(next_action_at__lte=now)
                .exclude(pk__in=seen)
                .order_by("next_action_at", "pk")[:batch_size]
            )
            if not batch:
                break
            seen.update(c.pk for c in batch)
            notification_ids = _sweep_batch(batch, now=now, report=report, recipients=recipients)
            report.batches += 1
            if notification_ids:
                transaction.on_commit(partial(_queue_emails, notification_ids))
        if len(batch) < batch_size:
            break
    return report


def _reminders_superseded(
    clock: Clock, due: list[PlannedNotice], *, now: datetime
) -> set[tuple[str, int]]:
    """The reminders among `due` that are claimed but not sent: when several fell due together
    (after an outage, or for a filing entered late on paper) every one but the latest, which
    states the days actually left; and every one once the deadline has passed — the miss
    notice tells the current state. Misses and escalations are never superseded."""
    reminders = [p for p in due if p.kind == ClockNotice.Kind.REMINDER]
    if not reminders:
        return set()
    if clock.status != Clock.Status.PENDING or clock.due_at < now:
        keep = None
    else:
        keep = max(reminders, key=lambda p: p.scheduled_at)
    return {(p.kind, p.offset) for p in reminders if p is not keep}


ESCALATION_KINDS = frozenset(
    {ClockNotice.Kind.AT_RISK, ClockNotice.Kind.MISSED, ClockNotice.Kind.OVERDUE}
)


def clock_history_settle(*, now: datetime | None = None) -> int:
    """Settle the notices of a scenario loaded with its history (the demo), whose clocks
    started weeks ago: of every notice that fell due before `now` and is not yet claimed, each
    clock keeps only its latest escalation (at risk, missed or still overdue) for the next
    sweep to deliver with the current state; every other one is recorded as claimed and not
    sent (superseded). Nothing is sent here and no clock changes: the sweep still records each
    miss, dated at its due instant. Returns the number of notices settled.

    Only for history that no one was there to be told about: a real outage is caught up by
    `clock_sweep`, which delivers every miss and escalation once."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.CLOCK_NOTICE_GRACE_SECONDS)
    with transaction.atomic():
        clocks = list(
            Clock.objects.select_for_update().filter(next_action_at__lte=now).order_by("pk")
        )
        claimed: dict[int, set[tuple[str, int]]] = defaultdict(set)
        for clock_id, kind, offset in ClockNotice.objects.filter(
            clock_id__in=[c.pk for c in clocks]
        ).values_list("clock_id", "kind", "offset"):
            claimed[clock_id].add((kind, offset))
        settled: list[ClockNotice] = []
        for clock in clocks:
            due = [
                p
                for p in _clock_open_plan(clock, until=now)
                if p.scheduled_at <= now and (p.kind, p.offset) not in claimed[clock.pk]
            ]
            escalations = [p for p in due if p.kind in ESCALATION_KINDS]
            keep = max(escalations, key=lambda p: p.scheduled_at) if escalations else None
            settled += [
                ClockNotice(
                    clock=clock,
                    kind=p.kind,
                    offset=p.offset,
                    scheduled_at=p.scheduled_at,
                    claimed_at=now,
                    is_late=now - p.scheduled_at > grace,
                    outcome=ClockNotice.Outcome.SUPERSEDED,
                )
                for p in due
                if p is not keep
            ]
        ClockNotice.objects.bulk_create(settled)
    return len(settled)


def _queue_emails(notification_ids: list[int]) -> None:
    from .tasks import notifications_email

    notifications_email.delay(notification_ids)


def _sweep_batch(
    clocks: list[Clock], *, now: datetime, report: SweepReport, recipients: _Recipients
) -> list[int]:
    ids = [c.pk for c in clocks]
    claimed: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for clock_id, kind, offset in ClockNotice.objects.filter(clock_id__in=ids).values_list(
        "clock_id", "kind", "offset"
    ):
        claimed[clock_id].add((kind, offset))
    subjects = _load_subjects(clocks)
    grace = timedelta(seconds=settings.CLOCK_NOTICE_GRACE_SECONDS)
    new_notices: list[ClockNotice] = []
    pending_texts: list[tuple[ClockNotice, Clock, Any, PlannedNotice]] = []
    changed: list[Clock] = []
    for clock in clocks:
        subject = subjects.get((clock.subject_type_id, clock.subject_id))
        report.clocks += 1
        if clock.status == Clock.Status.PENDING and clock.due_at < now:
            if clock.is_window:
                _clock_record_close(clock, now=now, subject=subject)
                report.windows_closed += 1
            else:
                _clock_record_miss(clock, now=now, subject=subject)
                report.misses += 1
        plan = _clock_open_plan(clock, until=now)
        due = [
            p
            for p in plan
            if p.scheduled_at <= now
            and (p.kind, p.offset) not in claimed[clock.pk]
            and not (p.kind == ClockNotice.Kind.MISSED and clock.status != Clock.Status.MISSED)
        ]
        superseded = _reminders_superseded(clock, due, now=now)
        for planned in due:
            # Everything that fell due is claimed exactly once, even after an outage: a notice
            # claimed after its time is marked late and says so in its text. Of reminders that
            # fell due together only the latest goes out, with the current state.
            outcome = ClockNotice.Outcome.SENT
            if planned.kind == ClockNotice.Kind.AT_RISK and _milestone_reached(
                subject, planned.milestone
            ):
                outcome = ClockNotice.Outcome.NOT_NEEDED
            elif (planned.kind, planned.offset) in superseded:
                outcome = ClockNotice.Outcome.SUPERSEDED
            notice = ClockNotice(
                clock=clock,
                kind=planned.kind,
                offset=planned.offset,
                scheduled_at=planned.scheduled_at,
                claimed_at=now,
                is_late=now - planned.scheduled_at > grace,
                outcome=outcome,
            )
            new_notices.append(notice)
            claimed[clock.pk].add((planned.kind, planned.offset))
            report.notices += 1
            report.late_notices += int(notice.is_late)
            report.by_kind[planned.kind] = report.by_kind.get(planned.kind, 0) + 1
            if outcome != ClockNotice.Outcome.SENT:
                report.not_needed += 1
                continue
            if planned.kind == ClockNotice.Kind.OVERDUE and clock.completed_at is None:
                clock.days_overdue = max(clock.days_overdue or 0, planned.offset + 1)
            pending_texts.append((notice, clock, subject, planned))
        clock.next_action_at = _clock_next_action_at(clock, claimed=claimed[clock.pk], plan=plan)
        changed.append(clock)

    notifications = _sweep_notifications(pending_texts, now=now, recipients=recipients)
    ClockNotice.objects.bulk_create(new_notices)
    for notification in notifications:
        # Each was built with its notice, which has had its key since the bulk insert above.
        if notification.notice is not None:
            notification.notice_id = notification.notice.pk
    Notification.objects.bulk_create(notifications)
    report.notifications += len(notifications)
    _clocks_save_sweep_fields(changed)
    return [n.pk for n in notifications if n.email_status == Notification.EmailStatus.PENDING]


def _sweep_notifications(
    pending_texts: list[tuple[ClockNotice, Clock, Any, PlannedNotice]],
    *,
    now: datetime,
    recipients: _Recipients,
) -> list[Notification]:
    """One Notification per recipient of each notice the sweep claimed, in every language."""
    notifications: list[Notification] = []
    for notice, clock, subject, planned in pending_texts:
        users: dict[int, tuple[Any, str]] = {}
        for audience in NOTICE_AUDIENCES[planned.kind]:
            for user in recipients.resolve(subject, audience):
                users.setdefault(user.pk, (user, audience))
        notice.recipient_count = len(users)
        if not users:
            continue
        texts = {}
        for language, _label in settings.LANGUAGES:
            with translation.override(language):
                texts[language] = _notice_text(clock, planned, now=now)
        subject_line, body = texts[settings.LANGUAGE_CODE]
        for user, audience in users.values():
            notifications.append(
                Notification(
                    recipient=user,
                    notice=notice,
                    audience=audience,
                    docket_number=clock.docket_number,
                    subject_line=subject_line[:300],
                    body=body,
                    translations={
                        lang: {"subject": s[:300], "body": b}
                        for lang, (s, b) in texts.items()
                        if lang != settings.LANGUAGE_CODE
                    },
                    created_at=now,
                    email_status=(
                        Notification.EmailStatus.PENDING
                        if user.email
                        else Notification.EmailStatus.NONE
                    ),
                )
            )
    return notifications


SWEEP_FIELDS = (
    "status",
    "missed_at",
    "miss_recorded_at",
    "closed_at",
    "days_overdue",
    "next_action_at",
)


def _clocks_save_sweep_fields(clocks: list[Clock]) -> None:
    """Save the sweep's fields of many locked clocks in one statement. PostgreSQL gets a single
    UPDATE ... FROM (VALUES ...); elsewhere Django's bulk_update (fine at development sizes)."""
    if not clocks:
        return
    if connection.vendor != "postgresql":
        Clock.objects.bulk_update(clocks, list(SWEEP_FIELDS))
        return
    table = Clock._meta.db_table
    rows = ", ".join(
        [
            "(%s::bigint, %s::varchar, %s::timestamptz, %s::timestamptz, %s::timestamptz, "
            "%s::integer, %s::timestamptz)"
        ]
        * len(clocks)
    )
    params: list[Any] = []
    for clock in clocks:
        params += [
            clock.pk,
            clock.status,
            clock.missed_at,
            clock.miss_recorded_at,
            clock.closed_at,
            clock.days_overdue,
            clock.next_action_at,
        ]
    sql = (
        f'UPDATE "{table}" AS c SET status = v.status, missed_at = v.missed_at, '  # noqa: S608 - own table, bound values  # nosec B608
        "miss_recorded_at = v.miss_recorded_at, closed_at = v.closed_at, "
        "days_overdue = v.days_overdue, next_action_at = v.next_action_at "
        f"FROM (VALUES {rows}) AS v(id, status, missed_at, miss_recorded_at, closed_at, "
        "days_overdue, next_action_at) WHERE c.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def notification_send(
    *,
    recipients: Iterable[User | None],
    message: Callable[[], tuple[str, str]],
    docket_number: str = "",
    audience: str = "staff",
) -> list[Notification]:
    """Tell `recipients` something outside the clock schedule (a vacated panel seat, an
    opinion file that no longer matches its hash, a broken audit chain): one in-app
    notification each, written in the caller's transaction, emailed after commit by the
    `notifications_email` task. `message()` returns (subject, body) and is called once per
    language, so every recipient reads it in their own."""
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not users:
        return []
    texts: dict[str, tuple[str, str]] = {}
    for language, _label in settings.LANGUAGES:
        with translation.override(language):
            subject_line, body = message()
            texts[language] = (str(subject_line)[:300], str(body))
    subject_line, body = texts[settings.LANGUAGE_CODE]
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                audience=audience,
                docket_number=docket_number,
                subject_line=subject_line,
                body=body,
                translations={
                    lang: {"subject": s, "body": b}
                    for lang, (s, b) in texts.items()
                    if lang != settings.LANGUAGE_CODE
                },
                created_at=now,
                email_status=(
                    Notification.EmailStatus.PENDING
                    if user.email
                    else Notification.EmailStatus.NONE
                ),
            )
            for user in users.values()
        ]
    )
    pending = [n.pk for n in notifications if n.email_status == Notification.EmailStatus.PENDING]
    if pending:
        transaction.on_commit(partial(_queue_emails, pending))
    return notifications


def staff_users() -> list[User]:
    """The active accounts of the staff role (who hear of anything that needs the
    commission's hands)."""
    return list(
        get_user_model()
        .objects.filter(groups__name=roles.STAFF, is_active=True)
        .order_by("pk")
        .distinct()
    )


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification, at most once: the row is claimed (pending -> sending) by a
    conditional update before the message leaves. Returns whether this call sent it."""
    claimed = Notification.objects.filter(
        pk=notification_id, email_status=Notification.EmailStatus.PENDING
    ).update(email_status=Notification.EmailStatus.SENDING)
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    parts = [notification.body]
    for language, text in notification.translations.items():
        if language != settings.LANGUAGE_CODE:
            parts.append(f"\n\n— {language.upper()} —\n\n{text['subject']}\n\n{text['body']}")
    try:
        send_mail(
            subject=notification.subject_line,
            message="".join(parts),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
    except Exception:
        Notification.objects.filter(pk=notification_id).update(
            email_status=Notification.EmailStatus.FAILED
        )
        raise
    Notification.objects.filter(pk=notification_id).update(
        email_status=Notification.EmailStatus.SENT, emailed_at=timezone.now()
    )
    return True


def notification_mark_read(*, notification: Notification, user: User) -> Notification:
    """The recipient marks an in-app notification read (idempotent)."""
    if notification.recipient_id != user.pk:
        raise ValidationError(_("Only the recipient can mark a notification read."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


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


# --- API tokens ----------------------------------------------------------------------------

API_TOKEN_PREFIX = "lrc_"  # noqa: S105 - a marker, not a secret  # nosec B105


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_issue(
    *, user: User, actor: User, name: str, days: int | None = None, revoke_others: bool = False
) -> tuple[ApiToken, str]:
    """A new personal API token for `user`; returns the row and the token itself, which is
    shown once and stored only as its SHA-256. Staff issue tokens to anyone; an account may
    issue its own only where a door allows it (the team workspace). `revoke_others` revokes
    the account's earlier tokens in the same transaction."""
    if actor.pk != user.pk and not (actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only staff issue API tokens to other accounts."))
    if not user.is_active:
        raise ValidationError(_("The account is inactive."))
    days = days if days is not None else settings.API_TOKEN_DAYS
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            _("A token lasts from 1 to %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS}
        )
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        if revoke_others:
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=raw[:12],
            digest=_token_digest(raw),
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    logger.info("API token %s issued to account %s", token.prefix, user.pk)
    return token, raw


def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke a token (at once: the next request with it answers 401)."""
    if actor.pk != token.user_id and not (actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only staff revoke other accounts' API tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=token.revoked_at
        )
        logger.info("API token %s revoked", token.prefix)
    return token


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The active token whose SHA-256 matches `raw` (None otherwise), its last-used time
    refreshed at most once a minute (so reading the API does not write on every request)."""
    if not raw.startswith(API_TOKEN_PREFIX) or len(raw) > 100:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_token_digest(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
