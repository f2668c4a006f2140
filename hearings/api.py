"""REST API of the hearings app: public, read-only hearing notices, issued decisions (with
findings, criteria versions and sanctions, identities redacted) and the register of issued
opinions, plus the verification of a PDF or a SHA-256. Panels are never written through the
API: no party has a door to nominate or veto a panelist."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from . import selectors, services
from .models import Decision, Hearing, Opinion


class PublicReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.AllowAny]


class HearingSerializer(serializers.ModelSerializer):
    docket_number = serializers.CharField(source="case.docket_number", read_only=True)

    class Meta:
        model = Hearing
        fields = [
            "id",
            "docket_number",
            "status",
            "scheduled_for",
            "duration_minutes",
            "location",
            "virtual_url",
            "notice_published_at",
            "notice_text",
            "held_at",
        ]


class HearingViewSet(PublicReadOnly):
    queryset = selectors.hearings_public()
    serializer_class = HearingSerializer
    filterset_fields = ["status"]


class OpinionSerializer(serializers.ModelSerializer):
    pdf_url = serializers.SerializerMethodField()
    corrects = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = [
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
            "pdf_url",
        ]

    def get_pdf_url(self, obj: Opinion) -> str:
        path = reverse("hearings:opinion-pdf", kwargs={"sha256": obj.sha256})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_corrects(self, obj: Opinion) -> str | None:
        return obj.corrigendum.opinion.reference if obj.corrigendum_id else None


class DecisionSerializer(serializers.ModelSerializer):
    docket_number = serializers.CharField(source="case.docket_number", read_only=True)
    opinion = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "public_id", "docket_number", "kind", "adoption", "language", "issued_at"]
        fields += ["opinion"]

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


class DecisionViewSet(PublicReadOnly):
    queryset = selectors.decisions_issued()
    serializer_class = DecisionSerializer
    filterset_fields = ["kind"]

    def get_serializer_class(self):
        return DecisionListSerializer if self.action == "list" else DecisionSerializer


class DecisionListSerializer(serializers.ModelSerializer):
    docket_number = serializers.CharField(source="case.docket_number", read_only=True)
    opinions = serializers.SlugRelatedField(slug_field="reference", many=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "public_id", "docket_number", "kind", "issued_at", "opinions"]


class VerifyInput(serializers.Serializer):
    pdf = serializers.FileField(required=False)
    sha256 = serializers.CharField(required=False, max_length=64)


class OpinionViewSet(PublicReadOnly):
    queryset = selectors.opinion_register()
    serializer_class = OpinionSerializer
    lookup_field = "sha256"
    filterset_fields = ["docket_number", "kind"]

    @extend_schema(request=VerifyInput, responses={200: dict})
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def verify(self, request):
        """Check a PDF (multipart field `pdf`) or a `sha256` against the register."""
        data = VerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data.get("pdf")
        try:
            result = services.opinion_verify(
                data=upload.read() if upload else None,
                sha256=data.validated_data.get("sha256"),
            )
        except ValidationError as exc:
            return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        body = {
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
