"""A real Celery worker renders a lift determination's opinion PDF, on Redis, writing to
PostgreSQL: the request returns with the render queued; the worker records the determination
and the magnitude in force falls. Skipped (with the reason) where PostgreSQL or Redis is not
configured; CI sets REQUIRE_SERVICES=postgres,redis so it cannot be skipped there."""

from __future__ import annotations

import os
import time
from decimal import Decimal

import pytest
from django.db import connection

from sanctions import selectors, services
from sanctions.models import LiftDetermination, LiftRender
from tests import live

from .test_services import _step_ready

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
    commands = {"worker": live.worker(queue, f"lift-render-{os.getpid()}")}
    env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    with live.celery_processes(tmp_path, commands, queue=queue, env=env) as processes:
        yield processes


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
    assert render.status == LiftRender.Status.DONE, f"{render.error}\n{worker.dump(6000)}"
    determination = LiftDetermination.objects.get()
    assert render.determination == determination
    assert len(determination.sha256) == 64
    assert selectors.magnitude_in_force(order=order) == Decimal("14.00")
