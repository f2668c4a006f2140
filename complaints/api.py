"""The public docket in the REST API (read-only, no login): cases with their parties — workers
and withheld organizations by pseudonym — allegations, deadlines met and missed, and outcome.
No confidential field is serialised here."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, permissions, serializers, viewsets

from commission.selectors import clocks_for_subjects

from .models import Allegation, Case, Respondent
from .selectors import case_redactor, deadline_view, docket_public_list


class PublicAllegationSerializer(serializers.ModelSerializer):
    criteria = serializers.SerializerMethodField()

    class Meta:
        model = Allegation
        fields = [
            "number",
            "summary",
            "place",
            "period_start",
            "period_end",
            "workers_affected",
            "criteria",
            "flagged_for_deliberation",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_criteria(self, obj) -> list[str]:
        return [c.code for c in obj.criteria.all()]


class PublicRespondentSerializer(serializers.ModelSerializer):
    # Plain strings, not enums: the choice sets are documented on the portal and in the ADRs.
    kind = serializers.CharField()
    name = serializers.CharField(source="display_name")

    class Meta:
        model = Respondent
        fields = ["kind", "name"]


class PublicDeadlineSerializer(serializers.Serializer):
    kind = serializers.CharField(source="clock.kind")
    label = serializers.CharField()
    due_at = serializers.DateTimeField()
    last_day = serializers.DateField()
    status = serializers.CharField()
    explanation = serializers.CharField()


class PublicCaseSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    hearings = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()
    opinions = serializers.SerializerMethodField()
    kind = serializers.CharField()
    status = serializers.CharField()
    received_via = serializers.CharField()
    complainants = serializers.SerializerMethodField()
    respondents = PublicRespondentSerializer(many=True)
    allegations = PublicAllegationSerializer(many=True)
    deadlines = serializers.SerializerMethodField()
    originating_petition = serializers.SlugRelatedField(
        slug_field="docket_number", read_only=True, allow_null=True
    )

    class Meta:
        model = Case
        fields = [
            "url",
            "docket_number",
            "kind",
            "status",
            "received_at",
            "received_via",
            "language",
            "complainants",
            "respondents",
            "allegations",
            "deadlines",
            "hearing_scheduled_for",
            "hearing_held_at",
            "outcome_at",
            "outcome_reasoning",
            "originating_petition",
            "hearings",
            "decisions",
            "opinions",
        ]

    def _link(self, name: str, query: str = "", **kwargs: str) -> str:
        path = reverse(name, kwargs=kwargs) + query
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, obj: Case) -> str:
        return self._link("docket-detail", docket_number=obj.docket_number)

    def get_hearings(self, obj: Case) -> str:
        """The case's hearing notices (a filtered list)."""
        return self._link("hearing-list", f"?docket_number={obj.docket_number}")

    def get_decisions(self, obj: Case) -> str:
        """The case's issued decisions (a filtered list)."""
        return self._link("decision-list", f"?docket_number={obj.docket_number}")

    def get_opinions(self, obj: Case) -> str:
        """The case's issued opinions (a filtered list)."""
        return self._link("opinion-list", f"?docket_number={obj.docket_number}")

    def to_representation(self, instance):
        """Free text passes the case's redactor: a name typed in a summary never shows."""
        data = super().to_representation(instance)
        redactor = case_redactor(case=instance)
        for allegation in data.get("allegations") or []:
            allegation["summary"] = redactor.redact(allegation["summary"])
            allegation["place"] = redactor.redact(allegation["place"])
        data["respondents"] = [
            {**r, "name": redactor.redact(r["name"])} for r in data.get("respondents") or []
        ]
        data["outcome_reasoning"] = redactor.redact(data.get("outcome_reasoning") or "")
        return data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_complainants(self, obj) -> list[str]:
        return [c.public_label for c in obj.complainants.all()]

    @extend_schema_field(PublicDeadlineSerializer(many=True))
    def get_deadlines(self, obj):
        clocks = self.context.get("clocks", {}).get(obj.pk, [])
        return PublicDeadlineSerializer([deadline_view(c) for c in clocks], many=True).data


class PublicDocketViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The public docket."""

    permission_classes = [permissions.AllowAny]
    serializer_class = PublicCaseSerializer
    lookup_field = "docket_number"
    filterset_fields = ["kind", "status"]
    ordering_fields = ["received_at"]
    ordering = ("-received_at", "-pk")

    def get_queryset(self):
        return (
            docket_public_list()
            .select_related("originating_petition")
            .prefetch_related("allegations__criteria")
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "clocks": clocks_for_subjects(subjects=rows)}
        data = self.get_serializer_class()(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else _response(data)

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        context = {**self.get_serializer_context(), "clocks": clocks_for_subjects(subjects=[case])}
        return _response(self.get_serializer_class()(case, context=context).data)


def _response(data):
    from rest_framework.response import Response

    return Response(data)


def register_api(router) -> None:
    from . import api_steps

    # The staff steps first: their path is more specific than a docket entry's.
    api_steps.register_api(router)
    router.register("docket", PublicDocketViewSet, basename="docket")
