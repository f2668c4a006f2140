"""Reads of the shared core."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Clock, ClockNotice, Heartbeat, Notification, Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def organization_list(*, kind: str | None = None) -> QuerySet[Organization]:
    qs = Organization.objects.select_related("country", "sector", "parent")
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def system_health() -> tuple[bool, dict[str, Any]]:
    """Database, broker, beat and worker status for /healthz. Returns (healthy, report)."""
    report: dict[str, Any] = {}
    healthy = True

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:
        healthy = False
        report["database"] = {"ok": False, "error": exc.__class__.__name__}

    # The project's Celery app (config.celery), made current when the settings load.
    from celery import current_app as app

    broker_url = settings.CELERY_BROKER_URL
    transport = broker_url.split("://", 1)[0]
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        report["broker"] = {"ok": True, "transport": transport}
    except Exception as exc:
        healthy = False
        report["broker"] = {"ok": False, "transport": transport, "error": exc.__class__.__name__}

    interval = settings.HEARTBEAT_INTERVAL_SECONDS
    fresh_within = timedelta(seconds=interval * 3 + 10)
    last = None
    if report["database"]["ok"]:
        last = Heartbeat.objects.order_by("-recorded_at").first()
    now = timezone.now()
    if last is None:
        healthy = False
        report["beat"] = {"ok": False, "last_heartbeat": None}
        report["worker"] = {"ok": False, "last_seen": None, "name": None}
    else:
        age = (now - last.recorded_at).total_seconds()
        ok = now - last.recorded_at <= fresh_within
        healthy = healthy and ok
        # The heartbeat is only ever scheduled by beat and only ever run by a worker: a fresh
        # row proves both are alive and connected through the broker.
        report["beat"] = {"ok": ok, "last_heartbeat": last.recorded_at.isoformat()}
        report["worker"] = {
            "ok": ok,
            "last_seen": last.recorded_at.isoformat(),
            "name": last.worker,
            "age_seconds": round(age, 1),
        }
    report["heartbeat_interval_seconds"] = interval
    report["status"] = "ok" if healthy else "unhealthy"
    return healthy, report


# --- Statutory clocks ---------------------------------------------------------------------


def clocks_for_subject(*, subject: models.Model) -> QuerySet[Clock]:
    """A case's clocks, earliest deadline first."""
    return Clock.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk)
    ).order_by("due_at", "pk")


def clocks_for_subjects(*, subjects: Iterable[models.Model]) -> dict[Any, list[Clock]]:
    """The clocks of many cases in one query: {subject.pk: [clock, ...]} (every subject is a
    key, with an empty list when it has no clock). Subjects should be of one model; mixed
    models work as long as their primary keys do not collide."""
    subjects = list(subjects)
    result: dict[Any, list[Clock]] = {s.pk: [] for s in subjects}
    if not subjects:
        return result
    by_key: dict[tuple[int, str], Any] = {}
    wanted: dict[int, list[str]] = defaultdict(list)
    for subject in subjects:
        type_id = ContentType.objects.get_for_model(subject).pk
        by_key[(type_id, str(subject.pk))] = subject.pk
        wanted[type_id].append(str(subject.pk))
    query = Q(pk__in=[])
    for type_id, ids in wanted.items():
        query |= Q(subject_type_id=type_id, subject_id__in=ids)
    for clock in Clock.objects.filter(query).order_by("due_at", "pk"):
        result[by_key[(clock.subject_type_id, clock.subject_id)]].append(clock)
    return result


def clock_notices(*, clock: Clock) -> QuerySet[ClockNotice]:
    return ClockNotice.objects.filter(clock=clock).order_by("scheduled_at", "pk")


def clocks_missed_public(*, limit: int = 200) -> QuerySet[Clock]:
    """Missed clocks, most recent first: the commission's public record of its own misses."""
    return Clock.objects.filter(status=Clock.Status.MISSED).order_by("-due_at", "-pk")[:limit]


def notifications_for_user(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user).select_related("notice__clock")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


@dataclass(frozen=True)
class TimelinessRow:
    month: str  # "YYYY-MM" of the clocks' last day
    kind: str
    met: int
    missed: int
    median_days_used: float | None
    worst_days_used: int | None


def _days_used(clock: Clock, today: dt.date) -> int:
    tz = ZoneInfo(clock.time_zone)
    start = clock.trigger_at.astimezone(tz).date()
    if clock.status == Clock.Status.MET and clock.met_at is not None:
        end = clock.met_at.astimezone(tz).date()
    elif clock.completed_at is not None:
        end = clock.completed_at.astimezone(tz).date()
    else:  # missed and still not done: the days used so far
        end = today
    return (end - start).days


def timeliness_statistics(
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    kind: str | None = None,
) -> list[TimelinessRow]:
    """Per month (of the last day) and per kind: clocks met and missed, the median and the
    worst number of days used (trigger day excluded; a missed clock not yet completed counts
    the days used so far). Pending clocks are not counted until they are met or missed.

    Windows (`Clock.WINDOW_KINDS`: written arguments, public notice periods) are left out:
    they are not obligations of the commission, they simply close."""
    qs = Clock.objects.exclude(status=Clock.Status.PENDING).exclude(kind__in=Clock.WINDOW_KINDS)
    if since:
        qs = qs.filter(last_day__gte=since)
    if until:
        qs = qs.filter(last_day__lte=until)
    if kind:
        qs = qs.filter(kind=kind)
    qs = qs.only("kind", "status", "trigger_at", "time_zone", "last_day", "met_at", "completed_at")
    today = timezone.localdate()
    groups: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(
        lambda: {"met": [], "missed": []}
    )
    for clock in qs.iterator(chunk_size=2000):
        key = (clock.last_day.strftime("%Y-%m"), clock.kind)
        groups[key][clock.status].append(_days_used(clock, today))
    rows = []
    for (month, clock_kind), values in sorted(groups.items()):
        used = values["met"] + values["missed"]
        rows.append(
            TimelinessRow(
                month=month,
                kind=clock_kind,
                met=len(values["met"]),
                missed=len(values["missed"]),
                median_days_used=float(statistics.median(used)) if used else None,
                worst_days_used=max(used) if used else None,
            )
        )
    return rows
