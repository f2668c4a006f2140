"""`/api/v1/webhooks/`: an account's own webhook subscriptions (docs/api.md, "Webhooks").

Every signed-in account may subscribe (the bodies carry only public docket facts); each sees,
changes and deletes only its own subscriptions (another's answers 404), and reads their
deliveries. The signing secret is in the answer to the POST that creates a subscription, and
never again."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from . import webhooks
from .webhook_models import WebhookDelivery, WebhookSubscription


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(webhooks.EVENT_TYPES)),
        allow_empty=False,
        max_length=len(webhooks.EVENT_TYPES),
    )

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "name",
            "url",
            "events",
            "docket_number",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
        ]


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret: shown in this answer only."
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookSubscriptionSerializer.Meta.read_only_fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "idempotency_key",
            "event_type",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "delivered_at",
            "created_at",
        ]
        read_only_fields = fields


def _service_call(function: Any, **kwargs: Any) -> Any:
    try:
        return function(**kwargs)
    except DjangoValidationError as exc:
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        raise exceptions.ValidationError(detail) from exc
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc


class WebhookSubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in account's webhook subscriptions."""

    serializer_class = WebhookSubscriptionSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["is_active"]
    ordering = ("-created_at", "-id")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        return WebhookSubscription.objects.filter(owner=self.request.user.pk)

    @extend_schema(responses={201: WebhookSubscriptionCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscription, secret = _service_call(
            webhooks.webhook_subscription_create,
            owner=request.user,
            actor=request.user,
            name=data["name"],
            url=data["url"],
            events=data["events"],
            docket_number=data.get("docket_number", ""),
        )
        subscription.secret = secret
        return Response(WebhookSubscriptionCreatedSerializer(subscription).data, status=201)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = _service_call(
            webhooks.webhook_subscription_update,
            subscription=serializer.instance,
            actor=self.request.user,
            name=data.get("name"),
            url=data.get("url"),
            events=data.get("events"),
            docket_number=data.get("docket_number"),
            is_active=data.get("is_active"),
        )

    def perform_destroy(self, instance: WebhookSubscription) -> None:
        _service_call(
            webhooks.webhook_subscription_delete, subscription=instance, actor=self.request.user
        )

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """The subscription's deliveries, newest first (a page of them)."""
        subscription = self.get_object()
        queryset = WebhookDelivery.objects.filter(subscription=subscription).order_by("-pk")
        page = self.paginate_queryset(queryset)
        serializer = WebhookDeliverySerializer(page, many=True)
        return self.get_paginated_response(serializer.data)


def register_api(router: Any) -> None:
    router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")
