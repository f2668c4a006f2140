"""Scale-out: two Celery workers and two beat processes at once (beat started twice by mistake,
or two replicas of it), on Redis and PostgreSQL, as `docker compose up --scale worker=2` or a
second beat pod would run them. Every periodic task is then sent twice per tick, and every
effect must still happen exactly once:

- clocks: the sweeps of both beats record each miss once, close each window once and claim
  each notice once (no sweep even collides with another: no worker logs an error);
- notifications: every notification is emailed exactly once;
- renders: a render whose message was lost is resent by both beats' render sweeps and sent
  twice more by hand; the opinion is rendered and registered once, the decision issued once.

Skipped (with the reason) where PostgreSQL or Redis is not configured; CI sets
REQUIRE_SERVICES=postgres,redis so it cannot be skipped there.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from commission import roles
from commission.actors import SYSTEM
from commission.models import CaseEvent, Clock, ClockNotice, Notification
from commission.services import clocks_start_statutory
from tests.factories import hearings as f
from tests.factories.commission import OrganizationFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
STALE_SUBJECTS = 30

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


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def _emails(mail_dir: Path) -> list[email.message.EmailMessage]:
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if "Subject:" in chunk:
                messages.append(
                    email.message_from_string(chunk.strip(), policy=email.policy.default)
                )
    return messages


@pytest.fixture
def lost_render(monkeypatch):
    """A case whose decision was adopted for issue in May, and whose render message was lost
    (the render job sits queued): built in the test process, in time travel, with tasks run
    at once and the render's own message dropped."""
    from config.celery import app
    from hearings import services
    from hearings.models import OpinionRender

    monkeypatch.setattr(services.decisions, "_queue_render", lambda *args, **kwargs: None)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with time_machine.travel(f.FILED_AT - dt.timedelta(days=1), tick=False) as traveller:
            parties = f.parties_create()
            members = f.members_create(parties)
            criteria = f.criteria_create()
            f.staff_create()
            traveller.move_to(f.FILED_AT + dt.timedelta(minutes=5))
            case = f.complaint_file(parties, criteria)
            traveller.move_to(f.day(3))
            f.panel_seat(members, case)
            traveller.move_to(f.day(20))
            hearing = f.hearing_schedule(case)
            traveller.move_to(f.day(50, 15))
            services.hearing_record_held(hearing=hearing, held_at=f.day(50, 9), actor=SYSTEM)
            traveller.move_to(f.day(70))
            decision = services.decision_open(case=case, actor=SYSTEM)
            f.findings_complete(decision, criteria)
            f.sanctions_complete(decision, parties)
            traveller.move_to(f.day(85, 11))
            render = services.decision_issue(decision=decision, actor=SYSTEM)
    finally:
        app.conf.task_always_eager = eager
        monkeypatch.undo()
    assert OpinionRender.objects.get(pk=render.pk).status == OpinionRender.Status.QUEUED
    # Notifications of the set-up were emailed in this process; the workers' start after it.
    last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    render.first_new_notification = last + 1
    return render


@pytest.fixture
def two_of_each(tmp_path, settings):
    """Two workers and two beats on one queue of their own, sweeping every second."""
    queue = f"scale-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CLOCK_SWEEP_INTERVAL_SECONDS": "1",
        "OPINION_RENDER_SWEEP_INTERVAL_SECONDS": "1",
        "HEARTBEAT_INTERVAL_SECONDS": "30",
        "MEDIA_ROOT": str(tmp_path / "media"),
        # django-environ drops the first slash of the path: four slashes make it absolute.
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    commands = {
        f"worker-{n}": [
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--hostname",
            f"w{n}-{queue}@%h",
        ]
        for n in (1, 2)
    } | {
        f"beat-{n}": [
            "beat",
            "--schedule",
            str(tmp_path / f"s{n}"),
            "--pidfile",
            str(tmp_path / f"b{n}.pid"),
        ]
        for n in (1, 2)
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
        yield {"queue": queue, "logs": logs, "mail_dir": mail_dir, "media": tmp_path / "media"}
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


def _log(stack, name: str) -> str:
    stack["logs"][name].seek(0)
    return stack["logs"][name].read()


def _dump(stack) -> str:
    return "\n".join(f"--- {name} ---\n{_log(stack, name)[-3000:]}" for name in stack["logs"])


def test_two_workers_and_two_beats_keep_every_effect_exactly_once(lost_render, two_of_each):
    from hearings.models import Decision, Opinion, OpinionRender
    from hearings.tasks import opinion_render

    assert connection.vendor == "postgresql"
    staff = UserFactory(username="intake.scale", email="intake.scale@commission.example")
    staff.groups.add(Group.objects.get_or_create(name=roles.STAFF)[0])
    render_id = lost_render.pk
    decision_id = lost_render.decision_id
    case = Decision.objects.get(pk=decision_id).case

    stack = two_of_each  # started after the set-up of `lost_render`
    started = time.monotonic()
    first_new = lost_render.first_new_notification
    # Two more copies of the lost message, straight onto the workers' queue.
    for _ in range(2):
        opinion_render.apply_async(args=[render_id], queue=stack["queue"])
    # Generous bounds: they include the processes' start on a busy machine (an idle one
    # settles the whole test in well under a minute).
    rendered = _wait_for(
        lambda: OpinionRender.objects.filter(pk=render_id, status="done").exists(), 150
    )
    assert rendered, "the opinion was not rendered within 150 s:\n" + _dump(stack)

    # Then, with both workers free, subjects whose two clocks both ran out long ago appear at
    # once: enough of them that one sweep outlasts a beat's tick, so the sweeps the two beats
    # send overlap on the two workers (without the row locks both would claim each notice).
    stale: dict[str, Clock] = {}
    with transaction.atomic():
        for n in range(STALE_SUBJECTS):
            clocks = clocks_start_statutory(
                subject=OrganizationFactory(), trigger_at=timezone.now() - dt.timedelta(days=120)
            )
            stale |= {f"{kind}-{n}": clock for kind, clock in clocks.items()}

    def settled() -> bool:
        return (
            OpinionRender.objects.filter(pk=render_id, status="done").exists()
            and not Clock.objects.filter(
                status=Clock.Status.PENDING, due_at__lt=timezone.now()
            ).exists()
            and not Notification.objects.filter(email_status__in=["pending", "sending"]).exists()
        )

    ok = _wait_for(settled, 90)
    assert ok, "the clocks and emails did not settle within 90 s:\n" + _dump(stack)
    time.sleep(4)  # both beats fire several more sweeps of each kind at both workers
    elapsed = time.monotonic() - started

    # Renders: rendered, registered and issued once.
    render = OpinionRender.objects.get(pk=render_id)
    assert (render.status, render.attempts) == ("done", 1), render.error
    assert Opinion.objects.filter(decision_id=decision_id).count() == 1
    assert CaseEvent.objects.for_subject(case).filter(verb="decision_issued").count() == 1
    stored = list((stack["media"] / "opinions").rglob("*.pdf"))
    assert len(stored) == 1, stored
    received = sum(
        _log(stack, w).count("Task hearings.tasks.opinion_render[")
        for w in ("worker-1", "worker-2")
    )
    assert received >= 3, "the workers did not receive the duplicate render messages"

    # Clocks: each miss recorded once (by the sweep or by the late decision, never both),
    # each window closed once, each notice claimed once.
    missed = Clock.objects.filter(status=Clock.Status.MISSED)
    assert {c.pk for c in stale.values()} <= {c.pk for c in missed}
    for clock in missed:
        events = CaseEvent.objects.filter(verb="clock_missed", data__clock=clock.pk)
        assert events.count() == 1, (clock.kind, events.count())
    for clock in Clock.objects.filter(status=Clock.Status.CLOSED):
        events = CaseEvent.objects.filter(verb="clock_window_closed", data__clock=clock.pk)
        assert events.count() == 1, (clock.kind, events.count())
    for clock in stale.values():
        notice = ClockNotice.objects.get(clock=clock, kind="missed")
        assert notice.outcome == "sent"

    # Notifications: every one emailed exactly once, and no email without one.
    sent = list(
        Notification.objects.filter(pk__gte=first_new, email_status="sent").select_related(
            "recipient", "notice"
        )
    )
    assert any(n.notice_id and n.notice.clock_id in {c.pk for c in stale.values()} for n in sent)
    emails = Counter(
        (m["To"].strip(), m["Subject"].strip(), m.get_body(("plain",)).get_content())
        for m in _emails(stack["mail_dir"])
    )
    duplicates = {key[:2]: n for key, n in emails.items() if n > 1}
    assert not duplicates, duplicates
    by_address = Counter((m[0], m[1]) for m in emails)
    for notification in sent:
        key = (notification.recipient.email, notification.subject_line)
        assert by_address[key] >= 1, f"never emailed: {key}"
    assert sum(emails.values()) == len(sent), (sum(emails.values()), len(sent))

    # Both beats really sent both sweeps, and no worker met an error (a collision of two
    # sweeps would be an IntegrityError, a double issue a refused transition).
    for name in ("beat-1", "beat-2"):
        log = _log(stack, name)
        assert "commission.tasks.clock_sweep" in log, name
        assert "hearings.tasks.opinion_render_sweep" in log, name
    for name in ("worker-1", "worker-2"):
        log = _log(stack, name)
        assert "Traceback" not in log, log[-3000:]
        assert " ERROR/" not in log, log[-3000:]
    print(f"two workers and two beats settled in {elapsed:.1f} s")
