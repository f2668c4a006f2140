"""The clock sweep as it runs in production: Celery beat schedules it, real workers run it, on
Redis and PostgreSQL. Two beat processes and two workers are started on purpose (the "beat
started twice by mistake" case): the reminder still goes out exactly once.

Skipped (with the reason) where PostgreSQL or Redis is not configured; CI sets
REQUIRE_SERVICES=postgres,redis so it cannot be skipped there.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from commission import roles
from commission.dates import local_date
from commission.models import Clock, ClockNotice, Notification
from commission.services import clocks_start_statutory
from tests.factories.commission import OrganizationFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def mail_dir(tmp_path):
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def celery_processes(tmp_path, settings, mail_dir):
    queue = f"clocks-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CLOCK_SWEEP_INTERVAL_SECONDS": "1",
        "HEARTBEAT_INTERVAL_SECONDS": "30",
        # django-environ drops the first slash of the path: four slashes make it absolute.
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    commands = {
        "worker-1": ["worker", "--pool", "solo", "--queues", queue, "--hostname", f"w1-{queue}@%h"],
        "worker-2": ["worker", "--pool", "solo", "--queues", queue, "--hostname", f"w2-{queue}@%h"],
        # Two beats on the same schedule: each sweep is sent twice.
        "beat-1": [
            "beat",
            "--schedule",
            str(tmp_path / "s1"),
            "--pidfile",
            str(tmp_path / "b1.pid"),
        ],
        "beat-2": [
            "beat",
            "--schedule",
            str(tmp_path / "s2"),
            "--pidfile",
            str(tmp_path / "b2.pid"),
        ],
    }
    logs, procs = {}, []
    for name, args in commands.items():
        logs[name] = open(tmp_path / f"{name}.log", "w+")  # noqa: SIM115 - closed in teardown
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", *args, "--loglevel", "INFO"],
                cwd=ROOT,
                env=env,
                stdout=logs[name],
                stderr=subprocess.STDOUT,
            )
        )
    try:
        yield logs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in logs.values():
            log.close()
        connection.close()


def _dump(logs) -> None:
    for name, log in logs.items():
        log.seek(0)
        print(f"--- {name} log ---\n{log.read()[-3000:]}")


def _mail_messages(mail_dir: Path) -> list[str]:
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        messages += [m for m in path.read_text().split("-" * 79) if "Subject:" in m]
    return messages


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def test_beat_and_workers_send_a_due_reminder_exactly_once(celery_processes, mail_dir):
    assert connection.vendor == "postgresql"
    staff = UserFactory(username="intake.live", email="intake.live@commission.example")
    staff.groups.add(Group.objects.get_or_create(name=roles.STAFF)[0])
    # Filed 31 days ago: the hearing's 30-day reminder is due now, nothing else is.
    with transaction.atomic():
        case = OrganizationFactory()
        clocks = clocks_start_statutory(
            subject=case, trigger_at=timezone.now() - dt.timedelta(days=31)
        )
    hearing: Clock = clocks["hearing_by"]

    def reminder_emailed() -> bool:
        return Notification.objects.filter(
            notice__clock=hearing, notice__kind="reminder", email_status="sent"
        ).exists()

    if not _wait_for(reminder_emailed, 120):
        _dump(celery_processes)
    assert reminder_emailed(), "no reminder sent by beat and the workers within 120 s"

    # Let both beats fire several more sweeps at both workers.
    time.sleep(6)
    notice = ClockNotice.objects.get(clock=hearing, kind="reminder")
    assert (notice.offset, notice.outcome) == (30, "sent")
    assert ClockNotice.objects.filter(clock=hearing).count() == 1
    assert not ClockNotice.objects.filter(clock=clocks["decision_by"]).exists()
    notification = Notification.objects.get(notice=notice)
    assert notification.recipient == staff
    # The days actually left when it is sent (the 30-day reminder of a clock started 31 days
    # ago, whose last day may also have moved earlier to a working day).
    left = (hearing.last_day - local_date(timezone.now(), ZoneInfo(hearing.time_zone))).days
    assert f"{left} days left" in notification.subject_line
    messages = [m for m in _mail_messages(mail_dir) if "intake.live@commission.example" in m]
    assert len(messages) == 1, messages
    assert "How the date was computed" in messages[0]
    hearing.refresh_from_db()
    assert hearing.next_action_at > timezone.now()
    # Both beats really did send sweeps, and more than one sweep ran.
    for name in ("beat-1", "beat-2"):
        celery_processes[name].seek(0)
        assert "commission.tasks.clock_sweep" in celery_processes[name].read()
