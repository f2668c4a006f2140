"""The staff workspace's pages of webhook subscriptions and deliveries (imported by
`commission.admin`). Staff read both, turn subscriptions off and on, and queue a failed
delivery again; a subscription's secret is never shown (only its owner saw it, once)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .webhook_models import WebhookDelivery, WebhookSubscription

_INLINE_FIELDS: tuple[str, ...] = ("created_at", "event_type", "status", "attempts")
_INLINE_FIELDS += ("last_status_code", "delivered_at")
_SUBSCRIPTION_FIELDS: tuple[str, ...] = ("owner", "name", "url", "events", "docket_number")
_SUBSCRIPTION_FIELDS += ("is_active", "consecutive_failures", "disabled_at", "disabled_reason")
_SUBSCRIPTION_FIELDS += ("created_at",)
_DELIVERY_FIELDS: tuple[str, ...] = ("subscription", "event", "event_type", "idempotency_key")
_DELIVERY_FIELDS += ("payload", "status", "attempts", "next_attempt_at", "last_status_code")
_DELIVERY_FIELDS += ("last_error", "delivered_at", "created_at")


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    fields = readonly_fields = _INLINE_FIELDS
    can_delete = False
    ordering = ["-created_at", "-id"]
    max_num = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        return super().get_queryset(request).order_by("-created_at", "-id")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "url", "docket_number", "is_active"]
    list_display += ["consecutive_failures", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url", "owner__username", "docket_number"]
    list_select_related = ["owner"]
    fields = readonly_fields = _SUBSCRIPTION_FIELDS
    inlines = [WebhookDeliveryInline]
    actions = ["turn_off", "turn_on"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an account subscribes through the API, which shows it its secret

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Turn the selected subscriptions off"), permissions=["change"])
    def turn_off(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        from .webhooks import webhook_subscription_update

        for subscription in queryset:
            webhook_subscription_update(
                subscription=subscription, actor=request.user, is_active=False
            )
        self.message_user(request, _("Turned off."), messages.SUCCESS)

    @admin.action(description=_("Turn the selected subscriptions on"), permissions=["change"])
    def turn_on(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        from .webhooks import webhook_subscription_update

        for subscription in queryset:
            webhook_subscription_update(
                subscription=subscription, actor=request.user, is_active=True
            )
        self.message_user(request, _("Turned on."), messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event_type", "subscription", "status", "attempts"]
    list_display += ["last_status_code", "next_attempt_at", "delivered_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["idempotency_key", "subscription__name", "subscription__owner__username"]
    list_select_related = ["subscription"]
    fields = readonly_fields = _DELIVERY_FIELDS
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Send the selected failed deliveries again"), permissions=["view"])
    def retry(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        from .webhooks import webhook_delivery_requeue

        count = webhook_delivery_requeue(
            deliveries=queryset, actor=request.user, now=timezone.now()
        )
        self.message_user(
            request, _("%(count)d deliveries queued again.") % {"count": count}, messages.SUCCESS
        )
