"""Webhook subscriptions and their deliveries (commission/webhooks.py sends them).

Imported at the end of `commission.models`, so the two models belong to the core app."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookSubscription(models.Model):
    """An account's request to be told, by an HTTPS POST signed with HMAC-SHA256, when
    public events happen on the docket (all cases, or one). Its secret is generated here,
    shown once, and kept encrypted (it must be read back to sign)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the subscription is for."))
    url = models.URLField(_("receiving address"), max_length=500)
    events = models.JSONField(
        _("events"), default=list, help_text=_("The kinds of event to send (docs/api.md).")
    )
    docket_number = models.CharField(
        _("docket number"),
        max_length=40,
        blank=True,
        help_text=_("Only this case's events; empty for every case."),
    )
    secret_encrypted = models.TextField(_("signing secret (encrypted)"), editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(
        _("failed deliveries in a row"), default=0, editable=False
    )
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"


class WebhookDelivery(models.Model):
    """One event sent to one subscription: made once (unique per event and subscription),
    claimed by one worker at a time, retried with backoff until it is delivered or abandoned.
    The body is built from the event's public fields only, and sent as stored."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed (retries exhausted)")

    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.ForeignKey(
        "commission.CaseEvent",
        verbose_name=_("case event"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    event_type = models.CharField(_("event type"), max_length=40)
    idempotency_key = models.UUIDField(
        _("idempotency key"), default=uuid.uuid4, unique=True, editable=False
    )
    payload = models.JSONField(_("body"), default=dict)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="webhook_delivery_once_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id} ({self.status})"
