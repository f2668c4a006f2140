"""The sweep: reminders, escalations and misses, each exactly once (ADR 0022), and the settling
of a loaded scenario's history (`clock_history_settle`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from ..models import Clock, ClockNotice, Notification
from ._common import _queue_emails
from .clock_notices import _milestone_reached, _Recipients, _sweep_notifications
from .clock_plan import PlannedNotice, _clock_next_action_at, _clock_open_plan
from .clocks import _clock_record_close, _clock_record_miss


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
