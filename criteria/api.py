"""REST API of the criteria register: public reads (the register, versions, the binding
selector, rounds) and authenticated writes (proposals, votes, decisions, reports), which call
`criteria.services`; a refusal is an HTTP 400 with the service's messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from commission.models import Organization, Sector, TradingPartner
from commission.paging import MAX_PAGE

from . import selectors, services
from .caching import register_answer
from .models import (
    Criterion,
    CriterionVersion,
    DeliberationRound,
    ParticipantRole,
    Proposal,
    Right,
    Source,
    Vote,
)
from .resolution import number


def _service(call, request, serializer_class=None, **kwargs):
    """Call a service as the request's user, with the request's input validated by
    `serializer_class`; its refusal is an HTTP 400 with the service's messages."""
    if serializer_class is not None:
        data = serializer_class(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        kwargs.update(data.validated_data)
    try:
        return call(actor=request.user, **kwargs)
    except DjangoValidationError as exc:
        raise ValidationError({"detail": exc.messages}) from exc


def _date(value: str | None, name: str = "on") -> dt.date:
    if not value:
        return selectors.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError({name: [_("Use YYYY-MM-DD.")]}) from exc


class SourceSerializer(serializers.Serializer):
    """A source of a version (`criteria.selectors.source_as_dict`)."""

    kind = serializers.CharField()
    citation = serializers.CharField(allow_blank=True)
    instrument = serializers.CharField(allow_blank=True)
    article = serializers.CharField(allow_blank=True)
    supervisory_body = serializers.CharField(allow_blank=True)
    decision_reference = serializers.CharField(allow_blank=True)
    country = serializers.CharField(allow_null=True)
    comparator = serializers.CharField(allow_blank=True)
    comparison_region = serializers.CharField(allow_blank=True)
    comparison_income_level = serializers.CharField(allow_blank=True)
    comparison_labor_relations_system = serializers.CharField(allow_blank=True)
    comparison_industry = serializers.CharField(allow_null=True)
    value = serializers.CharField(allow_null=True)
    unit = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True)

    def to_representation(self, instance: Source) -> dict[str, Any]:
        return selectors.source_as_dict(instance)


class VersionSerializer(serializers.Serializer):
    """A version as the register publishes it (same shape as the JSON export,
    `criteria.selectors.version_as_dict`); the fields document that shape."""

    identifier = serializers.CharField()
    criterion = serializers.CharField()
    right = serializers.CharField()
    kind = serializers.CharField()
    governs = serializers.CharField(allow_blank=True)
    title_en = serializers.CharField(allow_blank=True)
    title_es = serializers.CharField(allow_blank=True)
    number = serializers.IntegerField()
    effective_from = serializers.DateField()
    effective_until = serializers.DateField(allow_null=True)
    is_retirement = serializers.BooleanField()
    successor = serializers.CharField(allow_null=True)
    text_en = serializers.CharField(allow_blank=True)
    text_es = serializers.CharField(allow_blank=True)
    direction = serializers.CharField(allow_blank=True)
    threshold = serializers.CharField(allow_null=True)
    unit = serializers.CharField(allow_blank=True)
    averaging_period = serializers.CharField(allow_blank=True)
    measuring_method_en = serializers.CharField(allow_blank=True)
    measuring_method_es = serializers.CharField(allow_blank=True)
    all_countries = serializers.BooleanField()
    countries = serializers.ListField(child=serializers.CharField())
    all_sectors = serializers.BooleanField()
    sectors = serializers.ListField(child=serializers.CharField())
    sources = SourceSerializer(many=True)
    provenance = serializers.CharField(allow_blank=True)
    record_reference = serializers.CharField(allow_blank=True)
    promulgated_at = serializers.DateTimeField()

    def to_representation(self, instance: CriterionVersion) -> dict[str, Any]:
        return selectors.version_as_dict(instance)


@extend_schema_field(OpenApiTypes.STR)
class Number(serializers.Field):
    """A decimal as the register writes it: no exponent, no trailing zeros."""

    def to_representation(self, value: Decimal) -> str | None:
        return number(value)


class CompetitorSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    relation = serializers.CharField()
    threshold = Number(source="version.threshold", allow_null=True)
    unit = serializers.CharField(source="version.unit", allow_blank=True)
    margin = Number(allow_null=True)
    margin_unit = serializers.SerializerMethodField()
    margin_percent = Number(allow_null=True)
    sources = SourceSerializer(source="version.sources", many=True)
    note = serializers.CharField(allow_blank=True)

    def get_margin_unit(self, competitor: selectors.Competitor) -> str:
        return competitor.winner.unit if competitor.margin is not None else ""


class ResolutionSerializer(serializers.Serializer):
    binding_criterion = serializers.CharField(source="binding_criterion.code")
    reason = serializers.CharField()
    effective_from = serializers.DateField()


class BindingSerializer(serializers.Serializer):
    """A binding criterion with the explanation of why it binds (which source won, which
    lost, and by how much)."""

    identifier = serializers.CharField()
    criterion = serializers.CharField(source="criterion.code")
    title = serializers.CharField(source="criterion.title")
    right = serializers.CharField(source="criterion.right.code")
    kind = serializers.CharField(source="criterion.kind")
    governs = serializers.CharField(allow_blank=True)
    effective_from = serializers.DateField(source="version.effective_from")
    threshold = Number(source="version.threshold", allow_null=True)
    unit = serializers.CharField(source="version.unit", allow_blank=True)
    direction = serializers.CharField(source="version.direction", allow_blank=True)
    averaging_period = serializers.CharField(source="version.averaging_period", allow_blank=True)
    sources = SourceSerializer(source="version.sources", many=True)
    reason = serializers.CharField()
    notes = serializers.ListField(child=serializers.CharField())
    resolution = ResolutionSerializer(allow_null=True)
    competitors = CompetitorSerializer(many=True)


class CriterionHistorySerializer(serializers.Serializer):
    """A criterion with its full version history."""

    code = serializers.CharField()
    right = serializers.CharField()
    kind = serializers.CharField()
    governs = serializers.CharField(allow_blank=True)
    title_en = serializers.CharField(allow_blank=True)
    title_es = serializers.CharField(allow_blank=True)
    versions = VersionSerializer(many=True)


class BindingPageSerializer(serializers.Serializer):
    country = serializers.CharField()
    sector = serializers.CharField()
    on = serializers.DateField()
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    binding = BindingSerializer(many=True)


class CriterionSerializer(serializers.ModelSerializer):
    right = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Criterion
        fields = ["code", "right", "kind", "governs", "title_en", "title_es"]


ON = OpenApiParameter("on", str, description="Date (YYYY-MM-DD); default today.")


class CriterionViewSet(viewsets.GenericViewSet):
    """The register: `list` is the criteria in force on a date (filter by right, country,
    sector); `retrieve` is a criterion with its full version history; `binding` answers which
    criteria bind a country and sector on a date, with explanations. Answers are cached and
    revalidated by the register's state (`criteria.caching`)."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    lookup_value_regex = r"[A-Z]{2,8}-[0-9]+"
    queryset = Criterion.objects.select_related("right")
    serializer_class = CriterionSerializer
    filter_backends: list = []
    ordering = ("identifier",)  # the versions listed

    @extend_schema(
        parameters=[
            ON,
            OpenApiParameter("right", str),
            OpenApiParameter("country", str),
            OpenApiParameter("sector", str),
        ],
        responses={200: VersionSerializer(many=True)},
    )
    @register_answer
    def list(self, request):
        params = request.query_params
        right = Right.objects.filter(code=params["right"]).first() if params.get("right") else None
        country = (
            TradingPartner.objects.filter(code=params["country"].upper()).first()
            if params.get("country")
            else None
        )
        versions = selectors.criterion_register(
            on=_date(params.get("on")),
            right=right,
            country=country,
            sector_code=(params.get("sector") or "").upper() or None,
        ).prefetch_related("sources", "sources__country")
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(VersionSerializer(page, many=True).data)

    @extend_schema(responses={200: CriterionHistorySerializer})
    @register_answer
    def retrieve(self, request, code=None):
        criterion = get_object_or_404(Criterion.objects.select_related("right"), code=code)
        history = selectors.criterion_history(criterion=criterion)
        data = CriterionSerializer(criterion).data
        data["versions"] = VersionSerializer(history, many=True).data
        return Response(data)

    @extend_schema(
        parameters=[
            OpenApiParameter("country", str, required=True),
            OpenApiParameter("sector", str, required=True),
            ON,
            OpenApiParameter(
                "page",
                int,
                description=f"Page of {selectors.BINDING_PAGE_SIZE} binding criteria; default 1.",
            ),
        ],
        responses={200: BindingPageSerializer},
    )
    @action(detail=False, methods=["get"])
    @register_answer
    def binding(self, request):
        """Which criteria bind a country and sector on a date, a page at a time, each with
        the explanation of why (which source won, which lost, by how much)."""
        params = request.query_params
        country_code = (params.get("country") or "").upper()
        sector_code = (params.get("sector") or "").upper()
        on = _date(params.get("on"))
        try:
            number = min(max(1, int(params.get("page") or 1)), MAX_PAGE)
        except ValueError as exc:
            raise ValidationError({"page": [_("Give a page number.")]}) from exc
        country = TradingPartner.objects.filter(code=country_code).first()
        sector = Sector.objects.filter(isic_code=sector_code).first()
        if country is None or sector is None:
            raise ValidationError(
                {"detail": [_("Give a known country code and ISIC sector code.")]}
            )
        page = selectors.criteria_binding_page(country=country, sector=sector, on=on, number=number)
        query = {"country": country_code, "sector": sector_code, "on": on.isoformat()}
        here = request.build_absolute_uri(request.path)

        def link(n: int) -> str:
            return f"{here}?{urlencode({**query, 'page': n})}"

        return Response(
            {
                **query,
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "next": link(page.number + 1) if page.has_next() else None,
                "previous": link(page.number - 1) if page.has_previous() else None,
                "binding": BindingSerializer(page.object_list, many=True).data,
            }
        )


class CriterionVersionViewSet(viewsets.GenericViewSet):
    """A version by its citation identifier, e.g. /api/criterion-versions/FOA-003/v2/."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "identifier"
    lookup_value_regex = r"[A-Z]{2,8}-[0-9]+/v[0-9]+"
    queryset = CriterionVersion.objects.all()
    serializer_class = VersionSerializer
    filter_backends: list = []

    @register_answer
    def retrieve(self, request, identifier=None):
        found = selectors.criterion_version_with_history(identifier=identifier)
        if found is None:
            raise exceptions.NotFound()
        return Response(VersionSerializer(found[0]).data)


class RoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliberationRound
        fields = [
            "code",
            "title_en",
            "title_es",
            "notice_en",
            "notice_es",
            "convened_on",
            "submissions_open_on",
            "submissions_close_on",
            "meeting_on",
            "location",
            "quorum_percent",
            "majority",
            "status",
        ]


class ParticipantInputSerializer(serializers.Serializer):
    participant_role = serializers.ChoiceField(
        choices=ParticipantRole.choices,
        required=False,
        help_text="Omitted: the account's recorded role. Member, staff and investigative "
        "team are accepted only from an account recorded in that role.",
    )
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True
    )

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("participant_role"):
            user = self.context["request"].user
            attrs["participant_role"] = services.participant_role_recorded(actor=user)
        return attrs


class ReportInputSerializer(ParticipantInputSerializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    criterion = serializers.SlugRelatedField(
        slug_field="code", queryset=Criterion.objects.all(), required=False, allow_null=True
    )
    is_public = serializers.BooleanField(default=True)


class RoundCloseInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RoundConveneInput(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    title_en = serializers.CharField()
    title_es = serializers.CharField(required=False, allow_blank=True, default="")
    notice_en = serializers.CharField()
    notice_es = serializers.CharField(required=False, allow_blank=True, default="")
    submissions_open_on = serializers.DateField()
    submissions_close_on = serializers.DateField()
    meeting_on = serializers.DateField(required=False, allow_null=True, default=None)
    location = serializers.CharField(required=False, allow_blank=True, default="")
    quorum_percent = serializers.IntegerField(min_value=1, max_value=100, default=50)
    majority = serializers.ChoiceField(
        choices=DeliberationRound.Majority.choices, default=DeliberationRound.Majority.SIMPLE
    )


class CreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()


class RoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.AllowAny]
    queryset = DeliberationRound.objects.all()
    serializer_class = RoundSerializer
    lookup_field = "code"
    filterset_fields = ["status"]

    def get_permissions(self):
        if self.action == "create":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(request=RoundConveneInput, responses={201: RoundSerializer})
    def create(self, request):
        """Convene a round and publish its notice (members and staff; the staff workspace's
        *Deliberation rounds → Add*)."""
        round_ = _service(services.round_convene, request, RoundConveneInput)
        return Response(RoundSerializer(round_).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReportInputSerializer, responses={201: CreatedSerializer})
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated],
        serializer_class=ReportInputSerializer,
    )
    def reports(self, request, code=None):
        report = _service(
            services.report_file, request, ReportInputSerializer, round=self.get_object()
        )
        return Response({"id": report.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RoundSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="open-voting",
        permission_classes=[permissions.IsAuthenticated],
    )
    def open_voting(self, request, code=None):
        """Close reports and proposals and open the members' vote (members and staff; the
        staff workspace's action *Close submissions and open the members' vote*)."""
        round_ = _service(services.round_open_voting, request, round=self.get_object())
        return Response(RoundSerializer(round_).data)

    @extend_schema(request=RoundCloseInput, responses={200: RoundSerializer})
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated],
        serializer_class=RoundCloseInput,
    )
    def close(self, request, code=None):
        """Close the round; undecided proposals lapse (members and staff; the staff
        workspace's action *Close the round*)."""
        round_ = _service(services.round_close, request, RoundCloseInput, round=self.get_object())
        return Response(RoundSerializer(round_).data)


class ProposalSerializer(serializers.ModelSerializer):
    round = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # A new criterion has no criterion until adopted; a revision names no right: null.
    criterion = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    right = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    adopted_version = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "round",
            "number",
            "kind",
            "criterion",
            "right",
            "criterion_kind",
            "governs",
            "title_en",
            "title_es",
            "draft",
            "rationale",
            "participant_role",
            "status",
            "filed_at",
            "decided_at",
            "tally",
            "adopted_version",
        ]

    def get_adopted_version(self, obj) -> str | None:
        version = getattr(obj, "adopted_version", None)
        return version.identifier if version else None


class ProposalInputSerializer(ParticipantInputSerializer):
    round = serializers.SlugRelatedField(
        slug_field="code", queryset=DeliberationRound.objects.all()
    )
    kind = serializers.ChoiceField(choices=Proposal.Kind.choices)
    criterion = serializers.SlugRelatedField(
        slug_field="code", queryset=Criterion.objects.all(), required=False, allow_null=True
    )
    right = serializers.SlugRelatedField(
        slug_field="code", queryset=Right.objects.all(), required=False, allow_null=True
    )
    criterion_kind = serializers.ChoiceField(
        choices=Criterion.Kind.choices, required=False, allow_blank=True
    )
    governs = serializers.CharField(required=False, allow_blank=True)
    title_en = serializers.CharField(required=False, allow_blank=True)
    title_es = serializers.CharField(required=False, allow_blank=True)
    draft = serializers.JSONField()
    rationale = serializers.CharField()


class VoteInputSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Vote.Choice.choices)


class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Proposals are public; filing, voting and deciding call the services."""

    queryset = Proposal.objects.select_related(
        "round", "criterion", "right", "adopted_version"
    ).order_by("round__code", "number")
    serializer_class = ProposalSerializer
    filterset_fields = ["round__code", "status", "kind"]
    ordering = ("id",)

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    @extend_schema(request=ProposalInputSerializer, responses={201: ProposalSerializer})
    def create(self, request):
        proposal = _service(services.proposal_submit, request, ProposalInputSerializer)
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VoteInputSerializer, responses={200: None})
    @action(detail=True, methods=["post"], serializer_class=VoteInputSerializer)
    def vote(self, request, pk=None):
        proposal = self.get_object()
        _service(services.proposal_vote, request, VoteInputSerializer, proposal=proposal)
        return Response(services.proposal_tally(proposal=proposal).as_dict())

    @extend_schema(request=None, responses={200: ProposalSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        proposal = _service(services.proposal_decide, request, proposal=self.get_object())
        proposal = self.get_queryset().get(pk=proposal.pk)
        return Response(ProposalSerializer(proposal).data)


class RightInput(serializers.Serializer):
    code = serializers.CharField(max_length=8)
    name_en = serializers.CharField(max_length=200)
    name_es = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    description_en = serializers.CharField(required=False, allow_blank=True, default="")
    description_es = serializers.CharField(required=False, allow_blank=True, default="")
    position = serializers.IntegerField(required=False, default=0, min_value=0)


class RightViewSet(viewsets.ViewSet):
    """Rights (the register's rubrics): added by staff with the permission."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=RightInput, responses={201: CreatedSerializer})
    def create(self, request):
        """Add a right (the staff workspace's *Rights → Add*)."""
        right = _service(services.right_create, request, RightInput)
        return Response({"id": right.pk}, status=status.HTTP_201_CREATED)


class RuleResolutionInput(serializers.Serializer):
    governs = serializers.CharField()
    binding_criterion = serializers.SlugRelatedField(
        slug_field="code", queryset=Criterion.objects.all()
    )
    reason_en = serializers.CharField()
    reason_es = serializers.CharField(required=False, allow_blank=True, default="")
    effective_from = serializers.DateField()
    country = serializers.SlugRelatedField(
        slug_field="code",
        queryset=TradingPartner.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    sector = serializers.SlugRelatedField(
        slug_field="isic_code",
        queryset=Sector.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )


class RuleResolutionViewSet(viewsets.ViewSet):
    """Which of competing rules binds on a matter, recorded by a sitting member."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=RuleResolutionInput, responses={201: CreatedSerializer})
    def create(self, request):
        """Record which rule binds, and why (the staff workspace's *Rule resolutions →
        Add*)."""
        resolution = _service(services.rule_resolution_record, request, RuleResolutionInput)
        return Response({"id": resolution.pk}, status=status.HTTP_201_CREATED)


def schema_version_path(result: dict, **kwargs) -> dict:
    """A version's identifier holds a slash (`FOA-003/v2`), which no path parameter may carry
    (OpenAPI): the schema documents the same URL as its two parts, the criterion's code and
    the version's number (drf-spectacular postprocessing hook)."""
    paths = result.get("paths", {})
    old = "/api/v1/criterion-versions/{identifier}/"
    if old not in paths:
        return result
    item = paths.pop(old)
    for operation in item.values():
        operation["parameters"] = [
            p for p in operation.get("parameters", []) if p.get("name") != "identifier"
        ] + [
            {
                "in": "path",
                "name": "code",
                "required": True,
                "schema": {"type": "string", "pattern": "^[A-Z]{2,8}-[0-9]+$"},
                "description": "The criterion's code, e.g. FOA-003.",
            },
            {
                "in": "path",
                "name": "version",
                "required": True,
                "schema": {"type": "integer", "minimum": 0},
                "description": "The version's number (the 2 of FOA-003/v2).",
            },
        ]
    paths["/api/v1/criterion-versions/{code}/v{version}/"] = item
    return result


def register_api(router) -> None:
    router.register("criteria", CriterionViewSet, basename="criteria")
    router.register("criterion-versions", CriterionVersionViewSet, basename="criterion-versions")
    router.register("criteria-rounds", RoundViewSet, basename="criteria-rounds")
    router.register("criteria-proposals", ProposalViewSet, basename="criteria-proposals")
    router.register("criteria-rights", RightViewSet, basename="criteria-rights")
    router.register("rule-resolutions", RuleResolutionViewSet, basename="rule-resolutions")
