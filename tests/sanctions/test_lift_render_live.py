"""A real Celery worker renders a lift determination's opinion PDF, on Redis, writing to
PostgreSQL: the request returns with the render queued; the worker records the determination
and the magnitude in force falls. Skipped (with the reason) where PostgreSQL or Redis is not
configured; CI sets REQUIRE_SERVICES=postgres,redis so it cannot be skipped there."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from sanctions import selectors, services
from sanctions.models import LiftDetermination, LiftRender
from tests.commission.test_celery_worker import _database_url

from .test_services import _step_ready

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker(tmp_path, settings):
    """A worker on the queue this process sends to (the test's own Redis database)."""
    from config.celery import app

    queue = app.conf.task_default_queue or "celery"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    env.pop("DATABASE_OWNER_URL", None)
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115 - closed in teardown
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo"),
            *("--queues", queue, "--hostname", f"lift-render-{os.getpid()}@%h"),
            *("--loglevel", "INFO"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        connection.close()


def test_a_real_worker_issues_the_determination(issued, team, staff, member, at, worker):
    from config.celery import app

    assert connection.vendor == "postgresql"
    order, benchmark = _step_ready(issued, team, staff, at)
    app.conf.task_always_eager = False  # from here on, the real worker runs the task
    render = services.sanction_lift_step(
        order=order, benchmark=benchmark, reasoning="Verified and heard.", actor=member
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        render.refresh_from_db()
        if render.status in (LiftRender.Status.DONE, LiftRender.Status.FAILED):
            break
        time.sleep(0.5)
    if render.status != LiftRender.Status.DONE:
        worker.seek(0)
        print(f"--- worker log ---\n{worker.read()[-6000:]}")
    assert render.status == LiftRender.Status.DONE, render.error
    determination = LiftDetermination.objects.get()
    assert render.determination == determination
    assert len(determination.sha256) == 64
    assert selectors.magnitude_in_force(order=order) == Decimal("14.00")
