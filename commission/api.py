"""The one REST router. Each app contributes its viewsets through `register_api(router)`."""

from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.utils.translation import gettext
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from . import webhook_api
from .models import Clock, Organization, Sector, TradingPartner
from .rest import query_params_check
from .selectors import organization_list, timeliness_statistics
from .views import page_not_found


class SingleObjectSchema(AutoSchema):
    """The schema of a `list` action that answers one object, not a page of them (the
    timeliness statistics, the record of a case): documented as that object."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class TradingPartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = TradingPartner
        fields = ["id", "code", "name", "region", "income_level", "labor_relations_system"]


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "isic_code", "title"]


class OrganizationSerializer(serializers.ModelSerializer):
    # Both may be empty (an international organization, one of no sector): null, as documented.
    country = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    sector = serializers.SlugRelatedField(slug_field="isic_code", read_only=True, allow_null=True)

    class Meta:
        model = Organization
        fields = ["id", "kind", "name", "country", "sector", "location", "parent", "website"]


class PublicReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reference data the public may read (parties are public; people are not)."""

    permission_classes = [permissions.AllowAny]


class TradingPartnerViewSet(PublicReadOnly):
    queryset = TradingPartner.objects.all()
    serializer_class = TradingPartnerSerializer
    filterset_fields = ["code", "region", "income_level"]
    ordering = ("code",)


class SectorViewSet(PublicReadOnly):
    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    filterset_fields = ["isic_code"]
    ordering = ("isic_code",)


class OrganizationViewSet(PublicReadOnly):
    queryset = organization_list()
    serializer_class = OrganizationSerializer
    filterset_fields = ["kind", "country__code", "sector__isic_code"]
    ordering_fields = ["name", "kind"]
    ordering = ("name", "id")


class PublicAPIRootView(DefaultRouter.APIRootView):
    """The API's index is public; each endpoint sets its own permissions."""

    permission_classes = [permissions.AllowAny]


class CommissionRouter(DefaultRouter):
    APIRootView = PublicAPIRootView


class ClockSerializer(serializers.ModelSerializer):
    """A statutory clock, read-only: nothing in the API can change or extend it."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    explanation = serializers.SerializerMethodField()
    moved_reason = serializers.SerializerMethodField()
    legal_basis_text = serializers.CharField(read_only=True)

    class Meta:
        model = Clock
        fields = [
            "id",
            "docket_number",
            "kind",
            "kind_label",
            "legal_basis",
            "legal_basis_text",
            "legal_source",
            "trigger_event",
            "trigger_at",
            "days",
            "counting_rule",
            "time_zone",
            "nominal_last_day",
            "last_day",
            "due_at",
            "moved_reason",
            "explanation",
            "status",
            "status_label",
            "met_at",
            "missed_at",
            "closed_at",
            "completed_at",
            "days_overdue",
        ]
        read_only_fields = fields

    def get_explanation(self, clock: Clock) -> str:
        return clock.explain()

    def get_moved_reason(self, clock: Clock) -> str:
        return clock.deadline.moved_reason


class ClockViewSet(PublicReadOnly):
    """The commission's statutory clocks: public, read-only (the explanation follows
    Accept-Language)."""

    queryset = Clock.objects.order_by("due_at", "pk")
    serializer_class = ClockSerializer
    filterset_fields = ["docket_number", "kind", "status"]
    ordering_fields = ["due_at", "trigger_at"]
    ordering = ("due_at", "pk")


class TimelinessRowSerializer(serializers.Serializer):
    month = serializers.CharField()
    kind = serializers.CharField()
    met = serializers.IntegerField()
    missed = serializers.IntegerField()
    median_days_used = serializers.FloatField(allow_null=True)
    worst_days_used = serializers.IntegerField(allow_null=True)


class TimelinessQuerySerializer(serializers.Serializer):
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    kind = serializers.ChoiceField(choices=Clock.Kind.choices, required=False)


class TimelinessSerializer(serializers.Serializer):
    results = TimelinessRowSerializer(many=True)


class TimelinessViewSet(viewsets.ViewSet):
    """Timeliness statistics: per month (of the last day) and kind, clocks met and missed, the
    median and worst days used. Public. Optional filters: since, until (YYYY-MM-DD), kind."""

    permission_classes = [permissions.AllowAny]
    serializer_class = TimelinessRowSerializer
    schema = SingleObjectSchema()  # one object: {"results": [rows]}

    @extend_schema(parameters=[TimelinessQuerySerializer], responses={200: TimelinessSerializer})
    def list(self, request: Request) -> Response:
        query_params_check(request, TimelinessQuerySerializer().fields)
        params = TimelinessQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = timeliness_statistics(**params.validated_data)
        return Response(
            {"results": TimelinessRowSerializer([asdict(r) for r in rows], many=True).data}
        )


def schema_v1_only(endpoints: list[tuple[Any, ...]], **kwargs: Any) -> list[tuple[Any, ...]]:
    """The OpenAPI schema documents version 1 only (drf-spectacular preprocessing hook)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every refusal of the API (commission.rest.exception_handler).",
    "properties": {
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": True,
            "description": "Per field (or query parameter), its messages.",
        },
    },
    "required": ["status", "code", "detail"],
}
ERROR_RESPONSES = {
    "400": "The request (body or query parameters) is invalid.",
    "401": "No credentials, or bad ones (the WWW-Authenticate header says how to sign in).",
    "403": "The account has no right to this.",
    "404": "No such object, or not one the account may see.",
    "429": "Too many requests; retry after the Retry-After header's seconds.",
}


def schema_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Document the shared error body on every operation (drf-spectacular postprocessing
    hook): each may answer 400, 401, 403, 404 or 429, and an upload 411 or 413."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            codes = dict(ERROR_RESPONSES)
            if method == "post" and path.endswith("/verify/"):
                codes["411"] = "The upload has no Content-Length."
                codes["413"] = "The upload is larger than the limit."
            for code, description in codes.items():
                responses.setdefault(code, {"description": description, "content": ref})
    return result


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404 (`handler404`): under /api/ the API's error body, elsewhere the styled
    page (commission.views.page_not_found)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"status": 404, "code": "not_found", "detail": gettext("Not found.")}, status=404
        )
    return page_not_found(request, exception)


def legacy_api_redirect(request: HttpRequest, rest: str) -> HttpResponsePermanentRedirect:
    """`/api/<path>` of before version 1: a 308 to `/api/v1/<path>` (the method and body are
    kept), marked deprecated."""
    query = request.META.get("QUERY_STRING", "")
    target = f"/api/v1/{rest}" + (f"?{query}" if query else "")
    response = HttpResponsePermanentRedirect(target, preserve_request=True)
    response["Deprecation"] = "true"
    response["Link"] = f'<{target}>; rel="successor-version"'
    return response


def build_router(registrations: Iterable[Callable[[DefaultRouter], None]] = ()) -> DefaultRouter:
    """The API's router: the core's endpoints, then each app's, registered by the functions
    the project wiring passes (config/urls.py names every app's `register_api`)."""
    router = CommissionRouter()
    router.register("trading-partners", TradingPartnerViewSet)
    router.register("sectors", SectorViewSet)
    router.register("organizations", OrganizationViewSet)
    router.register("clocks", ClockViewSet, basename="clock")
    router.register("timeliness", TimelinessViewSet, basename="timeliness")
    webhook_api.register_api(router)
    # Each app's viewsets, in the layers' order (criteria, complaints, investigations, hearings,
    # sanctions), as config/urls.py lists them.
    for register in registrations:
        register(router)
    return router
