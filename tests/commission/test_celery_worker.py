"""A real Celery worker and beat, on Redis, writing to PostgreSQL.

Beat schedules the heartbeat every second, the worker runs it, and the row appears in the
test database. Skipped (with the reason) where PostgreSQL or Redis is not configured; CI sets
REQUIRE_SERVICES=postgres,redis so it cannot be skipped there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from commission.models import Heartbeat

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
def celery_processes(tmp_path, settings):
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "HEARTBEAT_INTERVAL_SECONDS": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    logs = {}
    procs = []
    commands = {
        "worker": ["worker", "--pool", "solo", "--queues", queue, "--hostname", f"{queue}@%h"],
        "beat": ["beat", "--schedule", str(tmp_path / "beat-schedule")],
    }
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


def test_beat_schedules_and_a_real_worker_records_the_heartbeat_in_postgres(celery_processes):
    assert connection.vendor == "postgresql"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not Heartbeat.objects.exists():
        time.sleep(0.5)
    if not Heartbeat.objects.exists():
        for name, log in celery_processes.items():
            log.seek(0)
            print(f"--- {name} log ---\n{log.read()[-4000:]}")
    beat = Heartbeat.objects.first()
    assert beat is not None, "no heartbeat recorded by the worker within 90 s"
    assert beat.worker.startswith("test-")
