"""Webhooks: public docket events reach subscribers once, signed, and are retried with backoff
when the receiver fails; a subscription that keeps failing is turned off and its owner told.
The receiver is a real HTTP server on this machine (127.0.0.1), started by the test."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from commission import webhooks
from commission.models import CaseEvent, Notification, WebhookDelivery, WebhookSubscription
from commission.services import api_token_issue
from tests.factories.commission import UserFactory
from tests.factories.complaints import (
    WORKER_CONTACT,
    WORKER_EMAIL,
    WORKER_NAME,
    build_world,
    file_case,
)

START = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


@dataclass
class Receiver:
    """A webhook receiver: records every request and answers with the next queued status."""

    statuses: list[int] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    url: str = ""

    def answer(self) -> int:
        return self.statuses.pop(0) if self.statuses else 200


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.requests.append({"headers": dict(self.headers.items()), "body": body})
            code = state.answer()
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/commission"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def queued(monkeypatch) -> list[tuple[int, float]]:
    """The tasks the service queues (delivery id, countdown), instead of a broker."""
    calls: list[tuple[int, float]] = []
    monkeypatch.setattr(
        webhooks, "_queue", lambda ids, countdown=0: calls.extend((i, countdown) for i in ids)
    )
    return calls


@pytest.fixture
def world(db):
    return build_world()


def subscribe(owner, url, events=("case.filed",), **kwargs):
    return webhooks.webhook_subscription_create(
        owner=owner, actor=owner, name="Court docket feed", url=url, events=events, **kwargs
    )


def file_now(world, django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to(START, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        return file_case(world, organization=world.union)


def test_a_filed_case_is_delivered_once_with_a_valid_signature_and_no_confidential_data(
    world, receiver, queued, django_capture_on_commit_callbacks, time_machine
):
    subscriber = UserFactory(username="court.clerk.hooks")
    subscription, secret = subscribe(subscriber, receiver.url)
    assert secret.startswith("whsec_")
    assert secret not in subscription.secret_encrypted

    case = file_now(world, django_capture_on_commit_callbacks, time_machine)

    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert queued == [(delivery.pk, 0)]
    assert delivery.event.verb == "filed"
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) == "delivered"
    # The same task again (a redelivered message, the sweep) sends nothing twice.
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) == "skipped"
    assert webhooks.webhook_deliveries_sweep() == 0

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers, body = request["headers"], request["body"]
    assert headers["Webhook-Event"] == "case.filed"
    assert headers["Webhook-Id"] == str(delivery.idempotency_key)
    assert int(headers["Webhook-Timestamp"]) == int(START.timestamp())
    assert webhooks.signature_verify(
        secret=secret,
        timestamp=headers["Webhook-Timestamp"],
        body=body,
        header=headers["Webhook-Signature"],
        now=START,
    )
    # A body altered on the way, or another secret, does not verify.
    assert not webhooks.signature_verify(
        secret=secret,
        timestamp=headers["Webhook-Timestamp"],
        body=body.replace(b"case.filed", b"case.decided"),
        header=headers["Webhook-Signature"],
        now=START,
    )
    assert not webhooks.signature_verify(
        secret="whsec_other",
        timestamp=headers["Webhook-Timestamp"],
        body=body,
        header=headers["Webhook-Signature"],
        now=START,
    )
    # A replay ten minutes later is refused by the timestamp.
    assert not webhooks.signature_verify(
        secret=secret,
        timestamp=headers["Webhook-Timestamp"],
        body=body,
        header=headers["Webhook-Signature"],
        now=START + dt.timedelta(minutes=10),
    )

    payload = json.loads(body)
    assert set(payload) == {"id", "type", "occurred_at", "docket_number", "event_sequence"} | {
        "links"
    }
    assert payload["id"] == str(delivery.idempotency_key)
    assert payload["docket_number"] == case.docket_number
    assert payload["links"]["docket"].endswith(f"/api/v1/docket/{case.docket_number}/")
    text = body.decode()
    for confidential in (WORKER_NAME, WORKER_CONTACT, WORKER_EMAIL, "Fear of reprisals"):
        assert confidential not in text

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200


def test_a_receiver_that_fails_is_retried_with_backoff_then_delivered(
    world, receiver, queued, django_capture_on_commit_callbacks, time_machine, settings
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    receiver.statuses = [500, 503]
    subscription, secret = subscribe(UserFactory(), receiver.url)
    file_now(world, django_capture_on_commit_callbacks, time_machine)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    queued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_status_code == 500
    assert delivery.next_attempt_at == START + dt.timedelta(seconds=60)
    assert queued == [(delivery.pk, 60.0)]
    # Not due yet: an early run of the task, or the sweep, does nothing.
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) == "skipped"
    assert webhooks.webhook_deliveries_sweep() == 0

    time_machine.move_to(START + dt.timedelta(seconds=60), tick=False)
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == START + dt.timedelta(seconds=60 + 120)  # doubled

    time_machine.move_to(START + dt.timedelta(seconds=180), tick=False)
    queued.clear()
    assert webhooks.webhook_deliveries_sweep() == 1  # the sweep finds it due
    assert queued == [(delivery.pk, 0)]
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) == "delivered"

    assert len(receiver.requests) == 3
    keys = {r["headers"]["Webhook-Id"] for r in receiver.requests}
    assert keys == {str(delivery.idempotency_key)}  # one idempotency key for every retry
    bodies = {r["body"] for r in receiver.requests}
    assert len(bodies) == 1
    last = receiver.requests[-1]["headers"]
    assert webhooks.signature_verify(
        secret=secret,
        timestamp=last["Webhook-Timestamp"],
        body=receiver.requests[-1]["body"],
        header=last["Webhook-Signature"],
        now=START + dt.timedelta(seconds=180),
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.DELIVERED, 3)


def test_repeated_failed_deliveries_turn_the_subscription_off_and_tell_its_owner(
    world, receiver, queued, django_capture_on_commit_callbacks, time_machine, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    receiver.statuses = [500] * 10
    owner = UserFactory(email="clerk@court.example")
    subscription, _secret = subscribe(owner, receiver.url)
    time_machine.move_to(START, tick=False)
    for _n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            file_case(world, organization=world.union)
    first, second = WebhookDelivery.objects.filter(subscription=subscription).order_by("pk")

    for delivery in (first, second):
        assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) == "retry"
    time_machine.move_to(START + dt.timedelta(seconds=10), tick=False)
    assert webhooks.webhook_delivery_attempt(delivery_id=first.pk) == "failed"
    subscription.refresh_from_db()
    assert subscription.is_active
    assert subscription.consecutive_failures == 1
    with django_capture_on_commit_callbacks(execute=False):
        assert webhooks.webhook_delivery_attempt(delivery_id=second.pk) == "failed"
    subscription.refresh_from_db()
    assert not subscription.is_active
    assert subscription.disabled_at == START + dt.timedelta(seconds=10)
    notice = Notification.objects.get(recipient=owner)
    assert "turned off" in notice.subject_line

    # A turned-off subscription gets no new deliveries; turned on again it does.
    with django_capture_on_commit_callbacks(execute=True):
        file_case(world, organization=world.union)
    assert WebhookDelivery.objects.filter(subscription=subscription).count() == 2
    webhooks.webhook_subscription_update(subscription=subscription, actor=owner, is_active=True)
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0
    with django_capture_on_commit_callbacks(execute=True):
        file_case(world, organization=world.union)
    assert WebhookDelivery.objects.filter(subscription=subscription).count() == 3


def test_one_delivery_per_event_and_subscription_even_when_two_writers_try(
    world, receiver, queued, django_capture_on_commit_callbacks, time_machine
):
    subscription, _secret = subscribe(UserFactory(), receiver.url)
    file_now(world, django_capture_on_commit_callbacks, time_machine)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    # The fan-out run again for the same event adds nothing ...
    webhooks.case_event_fan_out(event=delivery.event)
    assert WebhookDelivery.objects.filter(subscription=subscription).count() == 1
    # ... and the database itself refuses a second row.
    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookDelivery.objects.create(
            subscription=subscription, event=delivery.event, event_type="case.filed"
        )
    # A claimed delivery is not claimed again by a second worker.
    assert webhooks._claim(delivery.pk, START)
    assert not webhooks._claim(delivery.pk, START)


def test_only_the_chosen_public_events_of_the_chosen_case_are_sent(
    world, receiver, queued, django_capture_on_commit_callbacks, time_machine
):
    owner = UserFactory()
    decided_only, _s = subscribe(owner, receiver.url, events=["case.decided"])
    case = file_now(world, django_capture_on_commit_callbacks, time_machine)
    other_case_only, _s = subscribe(
        owner, receiver.url, events=["case.filed"], docket_number="CX-0000-999"
    )
    this_case, _s = subscribe(
        owner, receiver.url, events=["case.filed"], docket_number=case.docket_number.lower()
    )
    with django_capture_on_commit_callbacks(execute=True):
        file_case(world, organization=world.union)
    assert not WebhookDelivery.objects.filter(subscription=decided_only).exists()
    assert not WebhookDelivery.objects.filter(subscription=other_case_only).exists()
    assert not WebhookDelivery.objects.filter(subscription=this_case).exists()
    # A non-public event is never sent, whatever was asked.
    event = CaseEvent.objects.filter(verb="filed").first()
    assert webhooks.case_event_fan_out(event=event)  # the public one fans out ...
    event.is_public = False  # (in memory only: events are append-only)
    assert webhooks.case_event_fan_out(event=event) == []
    # Nor is history brought in by a legacy import.
    event.is_public, event.imported = True, True
    assert webhooks.case_event_fan_out(event=event) == []


@pytest.mark.parametrize(
    ("url", "allow_http", "allow_private", "problem"),
    [
        ("http://receiver.example/hook", False, False, "https://"),
        ("https://user:pw@receiver.example/hook", True, True, "user name"),
        ("https://127.0.0.1/hook", False, False, "public internet"),
        ("https://10.1.2.3/hook", False, False, "public internet"),
        ("https://[::1]/hook", False, False, "public internet"),
        ("ftp://receiver.example/hook", True, True, "https://"),
    ],
)
def test_a_receiving_address_must_be_public_https(
    db, settings, url, allow_http, allow_private, problem
):
    settings.WEBHOOK_ALLOW_HTTP = allow_http
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = allow_private
    owner = UserFactory()
    with pytest.raises(ValidationError) as refused:
        subscribe(owner, url)
    assert problem in str(refused.value)
    assert not WebhookSubscription.objects.exists()


def test_a_delivery_to_an_address_that_became_private_is_not_sent(
    world, receiver, queued, django_capture_on_commit_callbacks, time_machine, settings
):
    subscription, _s = subscribe(UserFactory(), receiver.url)
    file_now(world, django_capture_on_commit_callbacks, time_machine)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) == "retry"
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert "public internet" in delivery.last_error


def test_unknown_events_and_other_accounts_are_refused(db, receiver):
    owner, other = UserFactory(), UserFactory()
    with pytest.raises(ValidationError, match="Unknown event"):
        subscribe(owner, receiver.url, events=["case.leaked"])
    with pytest.raises(ValidationError, match="at least one"):
        subscribe(owner, receiver.url, events=[])
    with pytest.raises(PermissionDenied):
        webhooks.webhook_subscription_create(
            owner=owner, actor=other, name="x", url=receiver.url, events=["case.filed"]
        )
    subscription, _s = subscribe(owner, receiver.url)
    with pytest.raises(PermissionDenied):
        webhooks.webhook_subscription_update(
            subscription=subscription, actor=other, is_active=False
        )
    with pytest.raises(PermissionDenied):
        webhooks.webhook_subscription_delete(subscription=subscription, actor=other)


# --- the API: an account's own subscriptions ------------------------------------------------


def token_client(user) -> APIClient:
    _token, raw = api_token_issue(user=user, actor=user, name="hooks")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_the_api_manages_only_the_accounts_own_subscriptions(db, receiver):
    owner, other = UserFactory(), UserFactory()
    assert APIClient().get("/api/v1/webhooks/").status_code == 401

    api = token_client(owner)
    created = api.post(
        "/api/v1/webhooks/",
        {"name": "Docket", "url": receiver.url, "events": ["case.filed", "opinion.issued"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_")
    subscription = WebhookSubscription.objects.get(pk=body["id"])
    assert subscription.owner == owner
    assert webhooks.subscription_secret(subscription) == body["secret"]

    listed = api.get("/api/v1/webhooks/").json()
    assert [s["id"] for s in listed["results"]] == [subscription.pk]
    assert "secret" not in listed["results"][0]
    detail = f"/api/v1/webhooks/{subscription.pk}/"
    assert "secret" not in api.get(detail).json()

    bad = api.post(
        "/api/v1/webhooks/",
        {"name": "x", "url": receiver.url, "events": ["case.leaked"]},
        format="json",
    )
    assert bad.status_code == 400
    assert "events" in bad.json()["errors"]

    stranger = token_client(other)
    assert stranger.get(detail).status_code == 404
    assert stranger.patch(detail, {"is_active": False}, format="json").status_code == 404
    assert stranger.delete(detail).status_code == 404
    assert stranger.get(f"{detail}deliveries/").status_code == 404
    assert stranger.get("/api/v1/webhooks/").json()["results"] == []

    off = api.patch(detail, {"is_active": False}, format="json")
    assert off.status_code == 200
    assert off.json()["is_active"] is False
    assert api.get(f"{detail}deliveries/").json()["results"] == []
    assert api.get("/api/v1/webhooks/?colour=red").status_code == 400
    assert api.delete(detail).status_code == 204
    assert not WebhookSubscription.objects.exists()


def test_the_api_refuses_a_private_address_in_production_terms(db, settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    api = token_client(UserFactory())
    refused = api.post(
        "/api/v1/webhooks/",
        {"name": "x", "url": "https://127.0.0.1:8443/hook", "events": ["case.filed"]},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["url"]


def test_every_webhook_event_stands_for_verbs_the_record_knows():
    from commission import audit

    assert set(webhooks.VERB_EVENT_TYPE) <= audit.VERBS
    # Each verb is one event type, and the docs name every event type.
    assert len(webhooks.VERB_EVENT_TYPE) == sum(len(v) for v in webhooks.EVENT_TYPES.values())
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    for name in webhooks.EVENT_TYPES:
        assert f"`{name}`" in doc


# --- the staff workspace ------------------------------------------------------------------


def test_staff_see_subscriptions_and_deliveries_turn_them_off_and_send_failed_ones_again(
    world, receiver, queued, django_capture_on_commit_callbacks, time_machine, settings
):
    from django.test import Client

    from tests.factories.hearings import staff_create

    settings.STAFF_TWO_FACTOR = False
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.statuses = [500]
    subscription, secret = subscribe(UserFactory(username="court.hooks"), receiver.url)
    file_now(world, django_capture_on_commit_callbacks, time_machine)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) == "failed"

    officer = staff_create()
    officer.is_staff = True
    officer.save()
    client = Client()
    client.force_login(officer)
    listing = client.get("/admin/commission/webhooksubscription/")
    assert listing.status_code == 200
    assert "court.hooks" in listing.content.decode()
    page = client.get(f"/admin/commission/webhooksubscription/{subscription.pk}/change/")
    assert page.status_code == 200
    assert secret not in page.content.decode()
    assert subscription.secret_encrypted not in page.content.decode()
    deliveries = client.get("/admin/commission/webhookdelivery/")
    assert deliveries.status_code == 200
    assert "case.filed" in deliveries.content.decode()
    # Nobody adds or deletes them by hand.
    assert client.get("/admin/commission/webhooksubscription/add/").status_code == 403
    assert client.get("/admin/commission/webhookdelivery/add/").status_code == 403

    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/commission/webhookdelivery/",
            {"action": "retry", "_selected_action": [delivery.pk]},
        )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 0)
    assert queued == [(delivery.pk, 0)]
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) == "delivered"

    client.post(
        "/admin/commission/webhooksubscription/",
        {"action": "turn_off", "_selected_action": [subscription.pk]},
    )
    subscription.refresh_from_db()
    assert not subscription.is_active


def test_a_missed_deadline_is_sent_by_the_tasks_from_the_clock_sweep(
    world, receiver, django_capture_on_commit_callbacks, time_machine, settings
):
    """The whole path without a shortcut: the sweep records the miss, the event makes the
    delivery, and the Celery tasks (run eagerly) send it."""
    from commission import tasks
    from commission.services import clock_sweep

    settings.CELERY_TASK_ALWAYS_EAGER = True
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        subscription, _s = subscribe(UserFactory(), receiver.url, events=["deadline.missed"])
        case = file_now(world, django_capture_on_commit_callbacks, time_machine)
        assert not WebhookDelivery.objects.exists()  # a filing is not a missed deadline
        time_machine.move_to(START + dt.timedelta(days=120), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            clock_sweep()
        # The hearing and the decision deadlines, both missed by day 120.
        deliveries = list(WebhookDelivery.objects.filter(subscription=subscription))
        assert len(deliveries) == 2
        assert {d.event.verb for d in deliveries} == {"clock_missed"}
        for delivery in deliveries:  # sent by the queued task
            assert delivery.status == WebhookDelivery.Status.DELIVERED
            assert tasks.webhook_deliver.apply(args=[delivery.pk]).get() == "skipped"
        assert tasks.webhook_sweep.apply().get() == 0
    finally:
        app.conf.task_always_eager = False
    bodies = [json.loads(r["body"]) for r in receiver.requests]
    assert {b["type"] for b in bodies} == {"deadline.missed"}
    assert {b["docket_number"] for b in bodies} == {case.docket_number}
    assert WebhookDelivery.objects.filter(subscription=subscription).count() == len(bodies)
