"""Scale-out: two Celery workers and two beat processes at once (beat started twice by mistake,
or two replicas of it), on Redis and PostgreSQL, as `docker compose up --scale worker=2` or a
second beat pod would run them. Every periodic task is then sent twice per tick, and every
effect must still happen exactly once:

- clocks: the sweeps of both beats record each miss once, close each window once and claim
  each notice once (no sweep even collides with another: no worker logs an error);
- notifications: every notification is emailed exactly once;
- renders: a render whose message was lost is resent by both beats' render sweeps and sent
  twice more by hand; the opinion is rendered and registered once, the decision issued once;
- webhooks: a court's subscription to every public event, pointed at a receiver this test
  runs (an HTTP server on 127.0.0.1, in a thread): every event the workers record (the
  opinion issued, the deadlines missed) is POSTed exactly once, with a valid signature, while
  each delivery's message is sent on commit, twice more by hand and again by both beats'
  webhook sweeps (every second).

Skipped (with the reason) where PostgreSQL or Redis is not configured; CI sets
REQUIRE_SERVICES=postgres,redis so it cannot be skipped there.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from commission import roles, webhooks
from commission.actors import SYSTEM
from commission.models import CaseEvent, Clock, ClockNotice, Notification
from commission.services import clocks_start_statutory
from commission.webhook_models import WebhookDelivery, WebhookSubscription
from tests import live
from tests.factories import hearings as f
from tests.factories.commission import OrganizationFactory, UserFactory

STALE_SUBJECTS = 30
# How long the receiver takes to answer: long enough that the copies of a delivery's message
# reach the other worker while the first is still sending it.
RECEIVER_DELAY_SECONDS = 0.3

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]


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
            # Two more cases whose deadlines pass unmet: the workers' sweeps record the misses
            # (public events with a docket number, so webhooks too).
            f.complaint_file(parties, criteria, language="es")
            f.complaint_file(parties, criteria, withhold=True)
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


@dataclass
class Received:
    at: float
    path: str
    headers: dict[str, str]
    body: bytes


@pytest.fixture
def receiver():
    """A webhook receiver on 127.0.0.1 (a free port), in a thread: it records every POST and
    answers 204."""
    received: list[Received] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                received.append(Received(time.time(), self.path, dict(self.headers), body))
            time.sleep(RECEIVER_DELAY_SECONDS)
            self.send_response(204)
            self.end_headers()

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/commission-hooks", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass
class Subscribed:
    subscription: WebhookSubscription
    secret: str
    after_event: int  # the last case event before it
    received: list[Received]


@pytest.fixture
def subscribed(lost_render, receiver, settings) -> Subscribed:
    """After the set-up, a court subscribes to every event, at the receiver's address."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    url, received = receiver
    court = UserFactory(username="court.scale")
    court.groups.add(Group.objects.get_or_create(name=roles.COURT)[0])
    subscription, secret = webhooks.webhook_subscription_create(
        owner=court, actor=court, name="scale-out", url=url, events=list(webhooks.EVENT_TYPES)
    )
    last = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return Subscribed(subscription, secret, last, received)


@dataclass
class Stack:
    queue: str
    processes: live.Processes
    mail_dir: Path
    media: Path


@pytest.fixture
def two_of_each(tmp_path, subscribed):
    """Two workers and two beats on one queue of their own, sweeping every second (started
    after the set-up and the subscription)."""
    queue = f"scale-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    commands = {
        "worker-1": live.worker(queue, f"w1-{queue}"),
        "worker-2": live.worker(queue, f"w2-{queue}"),
        "beat-1": live.beat(tmp_path, "b1"),
        "beat-2": live.beat(tmp_path, "b2"),
    }
    env = {
        "CLOCK_SWEEP_INTERVAL_SECONDS": "1",
        "OPINION_RENDER_SWEEP_INTERVAL_SECONDS": "1",
        "WEBHOOK_SWEEP_INTERVAL_SECONDS": "1",
        "HEARTBEAT_INTERVAL_SECONDS": "30",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_URL": live.filemail_url(mail_dir),
        # The receiver is on this machine, over http.
        "WEBHOOK_ALLOW_HTTP": "true",
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
    }
    with live.celery_processes(tmp_path, commands, queue=queue, env=env) as processes:
        yield Stack(queue, processes, mail_dir, tmp_path / "media")


def _copies_of_new_deliveries_sent(copied: set[int], queue: str) -> None:
    """Two more messages for each webhook delivery not seen before, onto the workers' queue."""
    from commission.tasks import webhook_deliver

    for pk in WebhookDelivery.objects.exclude(pk__in=copied).values_list("pk", flat=True):
        for _ in range(2):
            webhook_deliver.apply_async(args=[pk], queue=queue)
        copied.add(pk)


def _webhooks_were_each_received_once(
    subscribed: Subscribed, processes: live.Processes
) -> tuple[list[WebhookDelivery], int]:
    # Webhooks: every public event the workers recorded has exactly one delivery, sent in one
    # attempt and received exactly once, signed with the subscription's secret.
    expected = set(
        CaseEvent.objects.filter(
            pk__gt=subscribed.after_event,
            verb__in=webhooks.VERB_EVENT_TYPE,
            is_public=True,
            imported=False,
        )
        .exclude(docket_number="")
        .values_list("pk", flat=True)
    )
    deliveries = list(WebhookDelivery.objects.filter(subscription=subscribed.subscription))
    assert sorted(d.event_id for d in deliveries) == sorted(expected)
    kinds = Counter(d.event_type for d in deliveries)
    assert kinds["opinion.issued"] == 1, kinds
    # The two cases that never had a hearing missed both deadlines; the decided one its
    # decision-by deadline (recorded by a sweep or by the late decision).
    assert kinds["deadline.missed"] >= 5, kinds
    for delivery in deliveries:
        outcome = (delivery.status, delivery.attempts, delivery.last_status_code)
        assert outcome == ("delivered", 1, 204), (delivery.event_type, outcome)
    posts = list(subscribed.received)
    by_key = {str(d.idempotency_key): d for d in deliveries}
    times_received = Counter(post.headers["Webhook-Id"] for post in posts)
    assert times_received == Counter(list(by_key)), {
        k: n for k, n in times_received.items() if n > 1
    }
    for post in posts:
        delivery = by_key[post.headers["Webhook-Id"]]
        assert post.path == "/commission-hooks"
        assert post.headers["Webhook-Event"] == delivery.event_type
        assert json.loads(post.body) == delivery.payload
        signed = {
            "timestamp": post.headers["Webhook-Timestamp"],
            "body": post.body,
            "header": post.headers["Webhook-Signature"],
            "now": dt.datetime.fromtimestamp(post.at, tz=dt.UTC),
        }
        assert webhooks.signature_verify(secret=subscribed.secret, **signed), post.headers
        assert not webhooks.signature_verify(secret=subscribed.secret + "x", **signed)
    sent_to_workers = sum(
        processes.log(w).count("Task commission.tasks.webhook_deliver[")
        for w in ("worker-1", "worker-2")
    )
    assert sent_to_workers >= 3 * len(deliveries), (sent_to_workers, len(deliveries))

    return deliveries, sent_to_workers


def test_two_workers_and_two_beats_keep_every_effect_exactly_once(
    lost_render, subscribed, two_of_each
):
    from hearings.models import Decision, Opinion, OpinionRender
    from hearings.tasks import opinion_render

    assert connection.vendor == "postgresql"
    staff = UserFactory(username="intake.scale", email="intake.scale@commission.example")
    staff.groups.add(Group.objects.get_or_create(name=roles.STAFF)[0])
    render_id = lost_render.pk
    decision_id = lost_render.decision_id
    case = Decision.objects.get(pk=decision_id).case

    stack: Stack = two_of_each  # started after the set-up and the subscription
    processes = stack.processes
    started = time.monotonic()
    first_new = lost_render.first_new_notification
    # Two more copies of the lost message, straight onto the workers' queue.
    for _ in range(2):
        opinion_render.apply_async(args=[render_id], queue=stack.queue)
    # Generous bounds: they include the processes' start on a busy machine (an idle one
    # settles the whole test in well under a minute).
    rendered = live.wait_for(
        lambda: OpinionRender.objects.filter(pk=render_id, status="done").exists(), 150
    )
    assert rendered, "the opinion was not rendered within 150 s:\n" + processes.dump()

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

    # Each webhook delivery's message is sent on commit by the worker that recorded the event;
    # as soon as a delivery appears, two more copies go straight onto the workers' queue.
    copied: set[int] = set()

    def settled() -> bool:
        _copies_of_new_deliveries_sent(copied, stack.queue)
        return (
            OpinionRender.objects.filter(pk=render_id, status="done").exists()
            and not Clock.objects.filter(
                status=Clock.Status.PENDING, due_at__lt=timezone.now()
            ).exists()
            and not Notification.objects.filter(email_status__in=["pending", "sending"]).exists()
            and not WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).exists()
        )

    ok = live.wait_for(settled, 90)
    assert ok, "the clocks, emails and webhooks did not settle within 90 s:\n" + processes.dump()
    time.sleep(4)  # both beats fire several more sweeps of each kind at both workers
    elapsed = time.monotonic() - started

    # Renders: rendered, registered and issued once.
    render = OpinionRender.objects.get(pk=render_id)
    assert (render.status, render.attempts) == ("done", 1), render.error
    assert Opinion.objects.filter(decision_id=decision_id).count() == 1
    assert CaseEvent.objects.for_subject(case).filter(verb="decision_issued").count() == 1
    stored = list((stack.media / "opinions").rglob("*.pdf"))
    assert len(stored) == 1, stored
    received = sum(
        processes.log(w).count("Task hearings.tasks.opinion_render[")
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
        for m in live.emails(stack.mail_dir)
    )
    duplicates = {key[:2]: n for key, n in emails.items() if n > 1}
    assert not duplicates, duplicates
    by_address = Counter((m[0], m[1]) for m in emails)
    for notification in sent:
        key = (notification.recipient.email, notification.subject_line)
        assert by_address[key] >= 1, f"never emailed: {key}"
    assert sum(emails.values()) == len(sent), (sum(emails.values()), len(sent))

    deliveries, webhook_messages = _webhooks_were_each_received_once(subscribed, processes)

    # Both beats really sent both sweeps, and no worker met an error (a collision of two
    # sweeps would be an IntegrityError, a double issue a refused transition).
    for name in ("beat-1", "beat-2"):
        log = processes.log(name)
        assert "commission.tasks.clock_sweep" in log, name
        assert "hearings.tasks.opinion_render_sweep" in log, name
        assert "commission.tasks.webhook_sweep" in log, name
    for name in ("worker-1", "worker-2"):
        log = processes.log(name)
        assert "Traceback" not in log, log[-3000:]
        assert " ERROR/" not in log, log[-3000:]
    print(
        f"two workers and two beats settled in {elapsed:.1f} s: {len(sent)} emails, "
        f"{len(deliveries)} webhooks ({dict(Counter(d.event_type for d in deliveries))}) "
        f"received once each, of {webhook_messages} delivery messages"
    )
