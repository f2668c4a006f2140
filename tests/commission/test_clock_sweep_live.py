"""The clock sweep as it runs in production: Celery beat schedules it, real workers run it, on
Redis and PostgreSQL. Two beat processes and two workers are started on purpose (the "beat
started twice by mistake" case): the reminder still goes out exactly once.

Skipped (with the reason) where PostgreSQL or Redis is not configured; CI sets
REQUIRE_SERVICES=postgres,redis so it cannot be skipped there.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from commission import roles
from commission.dates import local_date
from commission.models import Clock, ClockNotice, Notification
from commission.services import clocks_start_statutory
from tests import live
from tests.factories.commission import OrganizationFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def mail_dir(tmp_path):
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def celery_processes(tmp_path, mail_dir):
    queue = f"clocks-{uuid.uuid4().hex[:12]}"
    commands = {
        "worker-1": live.worker(queue, f"w1-{queue}"),
        "worker-2": live.worker(queue, f"w2-{queue}"),
        # Two beats on the same schedule: each sweep is sent twice.
        "beat-1": live.beat(tmp_path, "b1"),
        "beat-2": live.beat(tmp_path, "b2"),
    }
    env = {
        "CLOCK_SWEEP_INTERVAL_SECONDS": "1",
        "HEARTBEAT_INTERVAL_SECONDS": "30",
        "EMAIL_URL": live.filemail_url(mail_dir),
    }
    with live.celery_processes(tmp_path, commands, queue=queue, env=env) as processes:
        yield processes


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

    assert live.wait_for(reminder_emailed, 120), (
        "no reminder sent by beat and the workers within 120 s:\n" + celery_processes.dump()
    )

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
    messages = [m for m in live.mail_texts(mail_dir) if "intake.live@commission.example" in m]
    assert len(messages) == 1, messages
    assert "How the date was computed" in messages[0]
    hearing.refresh_from_db()
    assert hearing.next_action_at > timezone.now()
    # Both beats really did send sweeps, and more than one sweep ran.
    for name in ("beat-1", "beat-2"):
        assert "commission.tasks.clock_sweep" in celery_processes.log(name)
