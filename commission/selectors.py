"""Reads of the shared core."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from .models import Heartbeat, Organization


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
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        healthy = False
        report["database"] = {"ok": False, "error": exc.__class__.__name__}

    from .celery import app

    broker_url = settings.CELERY_BROKER_URL
    transport = broker_url.split("://", 1)[0]
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        report["broker"] = {"ok": True, "transport": transport}
    except Exception as exc:  # noqa: BLE001
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
