"""REST API of the hearings app: public, read-only hearing notices, issued decisions (with
findings, criteria versions and sanctions, identities redacted) and the register of issued
opinions, plus the verification of a PDF or a SHA-256. Panels are never written through the
API: no party has a door to nominate or veto a panelist."""

from __future__ import annotations

from typing import Any

import django_filters
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from commission.rest import UploadThrottle, upload_limited

from . import selectors, services
from .models import CriterionApplication, Decision, Hearing, Opinion


def _absolute(request: Request | None, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def _link(context: dict[str, Any], name: str, **kwargs: Any) -> str:
    """An absolute link; the request's scheme and host are read once per response, not once
    per link (a list of opinions has four links a row)."""
    request = context.get("request")
    if request is None:
        return reverse(name, kwargs=kwargs)
    if "absolute_root" not in context:
        context["absolute_root"] = request.build_absolute_uri("/")
    return context["absolute_root"] + reverse(name, kwargs=kwargs).removeprefix("/")


def _docket_link(context: dict[str, Any], docket_number: str) -> str:
    return _link(context, "docket-detail", docket_number=docket_number)


class DocketFilter(django_filters.FilterSet):
    """A list of one case's hearings or decisions (`?docket_number=`)."""

    docket_number = django_filters.CharFilter(field_name="case__docket_number")


class PublicReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.AllowAny]


class HearingSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    docket_number = serializers.CharField(source="case.docket_number", read_only=True)
    case = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()

    class Meta:
        model = Hearing
        fields = [
            "id",
            "url",
            "docket_number",
            "case",
            "decisions",
            "status",
            "scheduled_for",
            "duration_minutes",
            "location",
            "virtual_url",
            "notice_published_at",
            "notice_text",
            "held_at",
        ]

    def get_url(self, obj: Hearing) -> str:
        return _link(self.context, "hearing-detail", pk=obj.pk)

    def get_case(self, obj: Hearing) -> str:
        return _docket_link(self.context, obj.case.docket_number)

    def get_decisions(self, obj: Hearing) -> str:
        """The case's issued decisions (a filtered list)."""
        path = reverse("decision-list") + f"?docket_number={obj.case.docket_number}"
        return _absolute(self.context.get("request"), path)


class HearingFilter(DocketFilter):
    class Meta:
        model = Hearing
        fields = ["status", "docket_number"]


class HearingViewSet(PublicReadOnly):
    """Public hearing notices; each links to its case on the docket and its decisions."""

    queryset = selectors.hearings_public()
    serializer_class = HearingSerializer
    filterset_class = HearingFilter
    ordering = ("scheduled_for", "id")


def criteria_versions_by_decision(decision_ids: list[int]) -> dict[int, list[str]]:
    """The citation identifiers each decision's findings applied, sorted: one query for any
    number of decisions."""
    rows = (
        CriterionApplication.objects.filter(finding__decision_id__in=decision_ids)
        .values_list("finding__decision_id", "version__identifier")
        .distinct()
    )
    versions: dict[int, set[str]] = {pk: set() for pk in decision_ids}
    for decision_id, identifier in rows:
        versions[decision_id].add(identifier)
    return {pk: sorted(identifiers) for pk, identifiers in versions.items()}


class OpinionListSerializer(serializers.ListSerializer):
    """A page of opinions: the criteria versions of all their decisions in one query."""

    def to_representation(self, data: Any) -> list[Any]:
        opinions = list(data.all() if hasattr(data, "all") else data)
        self.context["criteria_versions"] = criteria_versions_by_decision(
            [opinion.decision_id for opinion in opinions]
        )
        return super().to_representation(opinions)


class OpinionSerializer(serializers.ModelSerializer):
    """An issued opinion: its integrity (SHA-256, size, signature), the criteria versions its
    findings applied, and links to its PDF, decision and case."""

    url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    corrects = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()
    criteria_versions = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        list_serializer_class = OpinionListSerializer
        fields = [
            "url",
            "reference",
            "kind",
            "docket_number",
            "language",
            "sha256",
            "size",
            "page_count",
            "signed",
            "signer",
            "signer_certificate_sha256",
            "issued_at",
            "corrects",
            "criteria_versions",
            "pdf_url",
            "decision",
            "case",
        ]

    def get_url(self, obj: Opinion) -> str:
        return _link(self.context, "opinion-detail", sha256=obj.sha256)

    def get_pdf_url(self, obj: Opinion) -> str:
        return _link(self.context, "hearings:opinion-pdf", sha256=obj.sha256)

    def get_corrects(self, obj: Opinion) -> str | None:
        return obj.corrigendum.opinion.reference if obj.corrigendum_id else None

    def get_decision(self, obj: Opinion) -> str:
        return _link(self.context, "decision-detail", pk=obj.decision_id)

    def get_case(self, obj: Opinion) -> str:
        return _docket_link(self.context, obj.docket_number)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_criteria_versions(self, obj: Opinion) -> list[str]:
        """The citation identifiers of the criteria versions the decision applied."""
        listed = self.context.get("criteria_versions")
        if listed is None or obj.decision_id not in listed:
            return criteria_versions_by_decision([obj.decision_id])[obj.decision_id]
        return listed[obj.decision_id]


def opinions_for_api() -> QuerySet[Opinion]:
    """The register with everything the serializer reads, in a constant number of queries
    (the criteria versions: one query per page, `OpinionListSerializer`)."""
    return selectors.opinion_register().select_related("corrigendum__opinion")


class DecisionLinks(serializers.Serializer):
    """A decision's links: itself, its case on the docket, its opinions."""

    url = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()
    opinion_urls = serializers.SerializerMethodField()

    def get_url(self, obj: Decision) -> str:
        return _link(self.context, "decision-detail", pk=obj.pk)

    def get_case(self, obj: Decision) -> str:
        return _docket_link(self.context, obj.case.docket_number)

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_opinion_urls(self, obj: Decision) -> list[str]:
        return [
            _link(self.context, "opinion-detail", sha256=opinion.sha256)
            for opinion in obj.opinions.all()
        ]


class DecisionSerializer(DecisionLinks, serializers.ModelSerializer):
    docket_number = serializers.CharField(source="case.docket_number", read_only=True)
    opinion = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "url", "public_id", "docket_number", "case", "kind", "adoption"]
        fields += ["language", "issued_at", "opinion_urls", "opinion"]

    def get_opinion(self, obj: Decision) -> dict:
        from .opinion import decision_context

        doc = decision_context(obj)
        return {
            "parties": {
                "complainants": doc["parties"].complainants,
                "respondents": doc["parties"].respondents,
            },
            "findings": [
                {
                    "allegation": f["number"],
                    "summary": f["summary"],
                    "relevant_date": f["relevant_date"],
                    "determination": f["determination"],
                    "facts": f["facts"],
                    "criteria": [
                        {"identifier": c["identifier"], "text": c["text"]} for c in f["criteria"]
                    ],
                    "reasoning": f["reasoning"],
                }
                for f in doc["findings"]
            ],
            "disposition": [str(p) for p in doc["disposition"]],
            "sanctions": doc["sanctions"],
            "clocks": [
                {"label": str(c["label"]), "explanation": c["explanation"], "outcome": c["outcome"]}
                for c in doc["clocks"]
            ],
        }


class DecisionFilter(DocketFilter):
    class Meta:
        model = Decision
        fields = ["kind", "docket_number"]


class DecisionViewSet(PublicReadOnly):
    """Issued decisions; each links to its case on the docket and its opinions."""

    queryset = selectors.decisions_issued()
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    ordering = ("-issued_at", "-id")

    def get_serializer_class(self):
        return DecisionListSerializer if self.action == "list" else DecisionSerializer


class DecisionListSerializer(DecisionLinks, serializers.ModelSerializer):
    docket_number = serializers.CharField(source="case.docket_number", read_only=True)
    opinions = serializers.SlugRelatedField(slug_field="reference", many=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "url", "public_id", "docket_number", "case", "kind", "issued_at"]
        fields += ["opinions", "opinion_urls"]


class VerifyInput(serializers.Serializer):
    pdf = serializers.FileField(required=False)
    sha256 = serializers.CharField(required=False, max_length=64)


class SignatureCheckSerializer(serializers.Serializer):
    present = serializers.BooleanField()
    intact = serializers.BooleanField(allow_null=True)
    valid = serializers.BooleanField(allow_null=True)
    by_commission_key = serializers.BooleanField(allow_null=True)
    signer = serializers.CharField(allow_blank=True)


class VerifyOutput(serializers.Serializer):
    sha256 = serializers.CharField()
    registered = serializers.BooleanField()
    opinion = OpinionSerializer(allow_null=True)
    signature = SignatureCheckSerializer(required=False)


def _verify_max_bytes() -> int:
    return settings.OPINION_VERIFY_MAX_BYTES


class OpinionViewSet(PublicReadOnly):
    """The register of issued opinions, by SHA-256."""

    queryset = opinions_for_api()
    serializer_class = OpinionSerializer
    lookup_field = "sha256"
    lookup_value_regex = "[0-9a-f]{64}"
    filterset_fields = ["docket_number", "kind"]
    ordering = ("-issued_at", "-id")

    @extend_schema(request=VerifyInput, responses={200: VerifyOutput})
    @action(
        detail=False,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        throttle_classes=[UploadThrottle],
    )
    @upload_limited(_verify_max_bytes)
    def verify(self, request: Request) -> Response:
        """Check a PDF (multipart field `pdf`, at most OPINION_VERIFY_MAX_MB) or a `sha256`
        against the register. The body's declared length is checked before it is read."""
        data = VerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data.get("pdf")
        if upload is not None and upload.size > _verify_max_bytes():
            return Response(
                {"status": 413, "code": "too_large", "detail": str(upload.size)},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        try:
            result = services.opinion_verify(
                data=upload.read() if upload else None,
                sha256=data.validated_data.get("sha256"),
            )
        except ValidationError as exc:
            return Response(
                {
                    "status": 400,
                    "code": "invalid",
                    "detail": exc.messages[0],
                    "errors": {"detail": exc.messages},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        body: dict[str, Any] = {
            "sha256": result.sha256,
            "registered": result.registered,
            "opinion": OpinionSerializer(result.opinion, context={"request": request}).data
            if result.opinion
            else None,
        }
        if result.signature is not None:
            body["signature"] = {
                "present": result.signature.present,
                "intact": result.signature.intact,
                "valid": result.signature.valid,
                "by_commission_key": result.signature.by_commission_key,
                "signer": result.signature.signer,
            }
        return Response(body)


def register_api(router) -> None:
    router.register("hearings", HearingViewSet, basename="hearing")
    router.register("decisions", DecisionViewSet, basename="decision")
    router.register("opinions", OpinionViewSet, basename="opinion")
    # Courts: the record of a case and the court orders (hearings/api_court.py).
    from . import api_court, api_staff

    api_court.register_api(router)
    # Staff actions that are not steps of a case's page (hearings/api_staff.py).
    api_staff.register_api(router)
