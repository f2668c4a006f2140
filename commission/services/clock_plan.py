"""A clock's notices in time order (`clock_plan`): reminders, risk checks, the miss and the
daily escalation, and the next instant the sweep acts on a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from ..dates import day_start, local_date
from ..models import Clock, ClockNotice


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
