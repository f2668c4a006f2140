"""A real Celery worker and beat, on Redis, writing to PostgreSQL.

Beat schedules the heartbeat every second, the worker runs it, and the row appears in the
test database. Skipped (with the reason) where PostgreSQL or Redis is not configured; CI sets
REQUIRE_SERVICES=postgres,redis so it cannot be skipped there.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from commission.models import Heartbeat
from tests import live

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def celery_processes(tmp_path):
    queue = f"test-{uuid.uuid4().hex[:12]}"
    commands = {"worker": live.worker(queue, queue), "beat": live.beat(tmp_path, "beat")}
    with live.celery_processes(
        tmp_path, commands, queue=queue, env={"HEARTBEAT_INTERVAL_SECONDS": "1"}
    ) as processes:
        yield processes


def test_beat_schedules_and_a_real_worker_records_the_heartbeat_in_postgres(celery_processes):
    assert connection.vendor == "postgresql"
    live.wait_for(Heartbeat.objects.exists, 90)
    beat = Heartbeat.objects.first()
    assert beat is not None, "no heartbeat recorded by the worker within 90 s:\n" + (
        celery_processes.dump(4000)
    )
    assert beat.worker.startswith("test-")
