"""Webhooks: accounts (courts, filers, teams, staff) subscribe to public docket events and are
told by an HTTPS POST, signed with HMAC-SHA256.

- Events. A case event (commission/audit.py) whose verb is in `EVENT_TYPES` and that is public
  makes one `WebhookDelivery` per matching active subscription, in the event's own transaction
  (`case_event_fan_out`, connected to `CaseEvent`'s `post_save`): the delivery exists if and
  only if the event does, and the unique (subscription, event) pair means it exists once.
- Payload. Built from the event's public fields only — its type, docket number, the instant
  and links to the public docket and the API — never the event's details, reason or actor, so
  nothing confidential can travel in it (`payload_build`).
- Sending. The `commission.tasks.webhook_deliver` task (queued on commit, and again by beat's
  sweep for anything due) claims the delivery with a conditional update, so two workers never
  send the same one; it POSTs the stored body with the headers below. A 2xx answer delivers
  it; anything else is retried after `WEBHOOK_RETRY_BASE_SECONDS` × 2^(attempt-1), up to
  `WEBHOOK_MAX_ATTEMPTS`; then it has failed. After `WEBHOOK_DISABLE_AFTER_FAILURES` failed
  deliveries in a row the subscription is disabled and its owner told.
- Headers. `Webhook-Id` (the idempotency key: the same for every retry of a delivery),
  `Webhook-Timestamp` (Unix seconds of this attempt), `Webhook-Event` and
  `Webhook-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>`.
  Receivers check the signature and refuse a timestamp more than five minutes old.
- Addresses. HTTPS only, and never an address on a private, loopback or link-local network
  (checked when subscribing and again before each attempt, against the names' current
  addresses), unless the settings `WEBHOOK_ALLOW_HTTP` / `WEBHOOK_ALLOW_PRIVATE_ADDRESSES` say
  otherwise (development and tests).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
from collections.abc import Iterable
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CaseEvent
from .webhook_models import WebhookDelivery, WebhookSubscription

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

logger = logging.getLogger(__name__)

# The public names of the events a subscription may ask for, and the case-event verbs each
# one stands for. Only public events are ever sent.
EVENT_TYPES: dict[str, frozenset[str]] = {
    "case.filed": frozenset({"filed"}),
    "hearing.scheduled": frozenset({"hearing_scheduled", "hearing_rescheduled"}),
    "case.decided": frozenset({"decided", "petition_denied"}),
    "opinion.issued": frozenset({"decision_issued"}),
    "opinion.corrected": frozenset({"corrigendum_issued"}),
    "deadline.missed": frozenset({"clock_missed"}),
    "sanction.imposed": frozenset({"sanction_in_force"}),
    "sanction.step_lifted": frozenset({"sanction_step_lifted"}),
    "sanction.lifted": frozenset({"sanction_lifted", "sanction_waived"}),
}
VERB_EVENT_TYPE = {verb: name for name, verbs in EVENT_TYPES.items() for verb in verbs}

SIGNATURE_HEADER = "Webhook-Signature"
TIMESTAMP_HEADER = "Webhook-Timestamp"
ID_HEADER = "Webhook-Id"
EVENT_HEADER = "Webhook-Event"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a marker, not a secret  # nosec B105


# --- the secret --------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def _fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def subscription_secret(subscription: WebhookSubscription) -> str:
    return _fernet().decrypt(subscription.secret_encrypted.encode("ascii")).decode("utf-8")


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>`: the HMAC-SHA256 of `<timestamp>.<body>` keyed with the secret."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_verify(
    *, secret: str, timestamp: str, body: bytes, header: str, now: dt.datetime | None = None
) -> bool:
    """What a receiver does (and the tests do): the signature matches and is fresh."""
    if not timestamp.isdigit():
        return False
    current = (now or timezone.now()).timestamp()
    if abs(current - int(timestamp)) > 300:
        return False
    expected = signature(secret=secret, timestamp=int(timestamp), body=body)
    return hmac.compare_digest(expected, header)


# --- subscriptions -----------------------------------------------------------------------


def _address_problem(url: str) -> str | None:
    """Why the webhook may not be sent to `url` (None when it may)."""
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed_schemes or not parts.hostname:
        return _("The receiving address must be an https:// URL.")
    if parts.username or parts.password:
        return _("The receiving address may not carry a user name or password.")
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return _("The receiving address's host name does not resolve.")
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            return _("The receiving address must be on the public internet.")
    return None


def _events_clean(events: Iterable[str]) -> list[str]:
    chosen = sorted(set(events))
    unknown = [name for name in chosen if name not in EVENT_TYPES]
    if not chosen:
        raise ValidationError({"events": [_("Choose at least one event.")]})
    if unknown:
        raise ValidationError(
            {
                "events": [
                    _("Unknown event “%(name)s”; the events are: %(known)s.")
                    % {"name": unknown[0], "known": ", ".join(EVENT_TYPES)}
                ]
            }
        )
    return chosen


def _subscription_limit_check(owner: User) -> None:
    count = WebhookSubscription.objects.filter(owner=owner).count()
    if count >= settings.WEBHOOK_MAX_SUBSCRIPTIONS:
        raise ValidationError(
            _("An account has at most %(max)d webhook subscriptions.")
            % {"max": settings.WEBHOOK_MAX_SUBSCRIPTIONS}
        )


def webhook_subscription_create(
    *,
    owner: User,
    actor: User | AnonymousUser,
    name: str,
    url: str,
    events: Iterable[str],
    docket_number: str = "",
) -> tuple[WebhookSubscription, str]:
    """A new subscription of `owner`; returns it and its signing secret, shown once. An account
    subscribes for itself; staff may subscribe for any account."""
    if not (actor.is_authenticated and actor.is_active):
        raise PermissionDenied(_("Sign in to subscribe."))
    if actor.pk != owner.pk and not actor.is_staff:
        raise PermissionDenied(_("Only staff subscribe for other accounts."))
    problem = _address_problem(url)
    if problem:
        raise ValidationError({"url": [problem]})
    chosen = _events_clean(events)
    _subscription_limit_check(owner)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    subscription = WebhookSubscription.objects.create(
        owner=owner,
        name=name[:100],
        url=url,
        events=chosen,
        docket_number=docket_number.strip().upper(),
        secret_encrypted=_fernet().encrypt(secret.encode("utf-8")).decode("ascii"),
    )
    logger.info("webhook subscription %s created for account %s", subscription.pk, owner.pk)
    return subscription, secret


def webhook_subscription_update(
    *,
    subscription: WebhookSubscription,
    actor: User | AnonymousUser,
    name: str | None = None,
    url: str | None = None,
    events: Iterable[str] | None = None,
    docket_number: str | None = None,
    is_active: bool | None = None,
) -> WebhookSubscription:
    """Change a subscription; turning it on again clears its failure count."""
    _owner_or_staff(subscription, actor)
    fields: list[str] = []
    if name is not None:
        subscription.name = name[:100]
        fields.append("name")
    if url is not None:
        problem = _address_problem(url)
        if problem:
            raise ValidationError({"url": [problem]})
        subscription.url = url
        fields.append("url")
    if events is not None:
        subscription.events = _events_clean(events)
        fields.append("events")
    if docket_number is not None:
        subscription.docket_number = docket_number.strip().upper()
        fields.append("docket_number")
    if is_active is not None and is_active != subscription.is_active:
        subscription.is_active = is_active
        if is_active:
            subscription.consecutive_failures = 0
            subscription.disabled_at = None
            subscription.disabled_reason = ""
        fields += ["is_active", "consecutive_failures", "disabled_at", "disabled_reason"]
    if fields:
        subscription.save(update_fields=fields)
    return subscription


def webhook_subscription_delete(
    *, subscription: WebhookSubscription, actor: User | AnonymousUser
) -> None:
    _owner_or_staff(subscription, actor)
    subscription.delete()


def _owner_or_staff(subscription: WebhookSubscription, actor: User | AnonymousUser) -> None:
    if actor.pk != subscription.owner_id and not (actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only the subscription's owner or staff change it."))


# --- events to deliveries ----------------------------------------------------------------


def _link(name: str, **kwargs: str) -> str:
    site: str = settings.SITE_URL
    return site.rstrip("/") + reverse(name, kwargs=kwargs)


def payload_build(event: CaseEvent, *, event_type: str, idempotency_key: str) -> dict[str, Any]:
    """The body sent for `event`: its public fields and links, nothing from its details."""
    links = {}
    if event.docket_number:
        links = {
            "docket": _link("docket-detail", docket_number=event.docket_number),
            "page": _link("complaints:docket-case", docket_number=event.docket_number),
        }
    return {
        "id": idempotency_key,
        "type": event_type,
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(),
        "docket_number": event.docket_number,
        "event_sequence": event.sequence,
        "links": links,
    }


def _matches(subscription: WebhookSubscription, event: CaseEvent, event_type: str) -> bool:
    return event_type in subscription.events and (
        not subscription.docket_number or subscription.docket_number == event.docket_number
    )


def case_event_fan_out(*, event: CaseEvent) -> list[WebhookDelivery]:
    """One delivery per active subscription that asked for this event (in the event's
    transaction), each sent by a task after commit."""
    event_type = VERB_EVENT_TYPE.get(event.verb)
    if event_type is None or not event.is_public or not event.docket_number or event.imported:
        return []  # not a webhook event, not public, or history brought in by a legacy import
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(is_active=True, owner__is_active=True)
        if _matches(s, event, event_type)
    ]
    deliveries = []
    for subscription in subscriptions:
        delivery = WebhookDelivery(subscription=subscription, event=event, event_type=event_type)
        delivery.payload = payload_build(
            event, event_type=event_type, idempotency_key=str(delivery.idempotency_key)
        )
        deliveries.append(delivery)
    if deliveries:
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        ids = list(
            WebhookDelivery.objects.filter(event=event, status=WebhookDelivery.Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        transaction.on_commit(partial(_queue, ids))
    return deliveries


def _queue(delivery_ids: list[int], countdown: float = 0) -> None:
    from .tasks import webhook_deliver

    for pk in delivery_ids:
        webhook_deliver.apply_async(args=[pk], countdown=countdown)


def _on_case_event_saved(sender: type, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        case_event_fan_out(event=instance)


def connect() -> None:
    """Called once from the core app's `ready()`."""
    post_save.connect(
        _on_case_event_saved, sender=CaseEvent, dispatch_uid="commission.webhooks.fan_out"
    )


# --- sending -----------------------------------------------------------------------------


def retry_delay(attempts: int) -> dt.timedelta:
    """How long after its `attempts`-th failed attempt a delivery is tried again."""
    return dt.timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    lease = now + dt.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 60)
    return bool(
        WebhookDelivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            pk=delivery_id,
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now,
            subscription__is_active=True,
        ).update(claimed_until=lease, attempts=F("attempts") + 1)
    )


def _post(delivery: WebhookDelivery, now: dt.datetime) -> tuple[int | None, str]:
    subscription = delivery.subscription
    problem = _address_problem(subscription.url)
    if problem:
        return None, problem
    body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode("utf-8")
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "commission-webhooks/1",
        ID_HEADER: str(delivery.idempotency_key),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_HEADER: delivery.event_type,
        SIGNATURE_HEADER: signature(
            secret=subscription_secret(subscription), timestamp=timestamp, body=body
        ),
    }
    try:
        response = requests.post(
            subscription.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return None, type(exc).__name__
    return response.status_code, "" if 200 <= response.status_code < 300 else response.reason


def webhook_delivery_attempt(*, delivery_id: int) -> str:
    """Try to send one delivery, if it is due and no other worker has it; returns what
    happened (`delivered`, `retry`, `failed`, or `skipped`)."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    status_code, error = _post(delivery, now)
    done = timezone.now()
    subscription = delivery.subscription
    if status_code is not None and 200 <= status_code < 300:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.DELIVERED,
            delivered_at=done,
            last_status_code=status_code,
            last_error="",
            claimed_until=None,
        )
        WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
        return "delivered"
    logger.warning(
        "webhook delivery %s to subscription %s failed (attempt %s): %s %s",
        delivery.pk,
        subscription.pk,
        delivery.attempts,
        status_code,
        error,
    )
    if delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
        delay = retry_delay(delivery.attempts)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=done + delay,
            last_status_code=status_code,
            last_error=error[:300],
            claimed_until=None,
        )
        transaction.on_commit(partial(_queue, [delivery.pk], delay.total_seconds()))
        return "retry"
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED,
            last_status_code=status_code,
            last_error=error[:300],
            claimed_until=None,
        )
        _subscription_failure(subscription.pk)
    return "failed"


def _subscription_failure(subscription_id: int) -> None:
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
    subscription.consecutive_failures += 1
    fields = ["consecutive_failures"]
    limit = settings.WEBHOOK_DISABLE_AFTER_FAILURES
    if subscription.is_active and subscription.consecutive_failures >= limit:
        subscription.is_active = False
        subscription.disabled_at = timezone.now()
        subscription.disabled_reason = f"{limit} deliveries in a row failed"
        fields += ["is_active", "disabled_at", "disabled_reason"]
        _owner_tell(subscription, limit)
    subscription.save(update_fields=fields)


def _owner_tell(subscription: WebhookSubscription, limit: int) -> None:
    from .services import notification_send

    def message() -> tuple[str, str]:
        return (
            _("Your webhook “%(name)s” was turned off") % {"name": subscription.name},
            _(
                "%(count)d deliveries in a row to %(url)s failed after every retry, so the "
                "subscription was turned off. Check the receiving address, then turn the "
                "subscription on again (API: PATCH /api/v1/webhooks/%(id)d/ with "
                '{"is_active": true}).'
            )
            % {"count": limit, "url": subscription.url, "id": subscription.pk},
        )

    notification_send(recipients=[subscription.owner], message=message, audience="webhook")


def webhook_deliveries_sweep(*, limit: int = 500) -> int:
    """Queue every delivery that is due (a retry whose task was lost, a worker that died
    holding one); beat runs this every `WEBHOOK_SWEEP_INTERVAL_SECONDS` (a minute). Returns how
    many were queued."""
    now = timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now,
            subscription__is_active=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    _queue(ids)
    return len(ids)


def webhook_delivery_requeue(
    *,
    deliveries: Iterable[WebhookDelivery],
    actor: User | AnonymousUser,
    now: dt.datetime | None = None,
) -> int:
    """Staff send failed deliveries again (after the receiver is fixed): each starts a new
    round of attempts with the same idempotency key and body."""
    if not (actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only staff send deliveries again."))
    now = now or timezone.now()
    ids = [d.pk for d in deliveries if d.status == WebhookDelivery.Status.FAILED]
    count = WebhookDelivery.objects.filter(pk__in=ids, status=WebhookDelivery.Status.FAILED).update(
        status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=now
    )
    transaction.on_commit(partial(_queue, ids))
    return count
