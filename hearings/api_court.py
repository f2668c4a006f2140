"""REST API for courts: the record of a case (`/api/v1/docket/{docket_number}/record/`) and
the court orders recorded on cases (`/api/v1/court-orders/`). Both read through
`hearings.court`, which decides what each account reads: the public a redacted record, a
court user or staff the whole record with identities withheld, a court user under an order
granting them the confidential parts as well (and that read is logged)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from commission.api import SingleObjectSchema
from commission.models import CourtUser
from complaints.models import Case

from . import court
from .api import OpinionSerializer, opinions_for_api
from .models import CourtOrder


def _absolute(request: Request | None, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


# --- court orders ---------------------------------------------------------------------------


class CourtOrderSerializer(serializers.ModelSerializer):
    docket_number = serializers.CharField(source="case.docket_number", read_only=True)
    case = serializers.SerializerMethodField()
    record = serializers.SerializerMethodField()
    grants_confidential = serializers.BooleanField(read_only=True)

    class Meta:
        model = CourtOrder
        fields = [
            "id",
            "docket_number",
            "case",
            "record",
            "court",
            "court_case_number",
            "kind",
            "order_date",
            "text",
            "grants_confidential",
            "recorded_at",
        ]

    def get_case(self, obj: CourtOrder) -> str:
        path = reverse("docket-detail", kwargs={"docket_number": obj.case.docket_number})
        return _absolute(self.context.get("request"), path)

    def get_record(self, obj: CourtOrder) -> str:
        path = reverse("case-record-list", kwargs={"docket_number": obj.case.docket_number})
        return _absolute(self.context.get("request"), path)


class CourtOrderInput(serializers.Serializer):
    docket_number = serializers.CharField(max_length=40)
    court_user = serializers.IntegerField(help_text="The id of the court user addressed.")
    court_case_number = serializers.CharField(max_length=80)
    kind = serializers.ChoiceField(choices=CourtOrder.Kind.choices)
    order_date = serializers.DateField()
    text = serializers.CharField()


class CourtOrderFilter(django_filters.FilterSet):
    docket_number = django_filters.CharFilter(field_name="case__docket_number")

    class Meta:
        model = CourtOrder
        fields = ["kind", "docket_number"]


class CourtOrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Court orders recorded on cases. Staff read them all and record them (the same service
    as the staff workspace's step); a court user reads the orders addressed to it."""

    serializer_class = CourtOrderSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = CourtOrderFilter
    ordering = ("-order_date", "-id")

    def get_queryset(self):
        return court.court_orders_visible(user=self.request.user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        user = request.user
        if not (court.is_commission_staff(user) or court.court_user_for(user) is not None):
            raise exceptions.PermissionDenied(
                _("Court orders are read by staff and by the court users they address.")
            )

    @extend_schema(request=CourtOrderInput, responses={201: CourtOrderSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record a court's order on a case (staff only)."""
        if not request.user.has_perm(court.PERM_COURT_ORDER):
            raise exceptions.PermissionDenied(_("Only staff record a court's order."))
        data = CourtOrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        case = Case.objects.filter(docket_number=d["docket_number"]).first()
        court_user = CourtUser.objects.select_related("person").filter(pk=d["court_user"]).first()
        if case is None or court_user is None:
            errors = {}
            if case is None:
                errors["docket_number"] = [_("No case has this docket number.")]
            if court_user is None:
                errors["court_user"] = [_("No court user has this id.")]
            raise exceptions.ValidationError(errors)
        try:
            order = court.court_order_record(
                case=case,
                court_user=court_user,
                court_case_number=d["court_case_number"],
                kind=d["kind"],
                order_date=d["order_date"],
                text=d["text"],
                actor=request.user,
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            raise exceptions.ValidationError({"detail": exc.messages}) from exc
        return Response(
            CourtOrderSerializer(order, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


# --- the record of a case -------------------------------------------------------------------


class RecordEventSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    verb = serializers.CharField()
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)
    content_hash = serializers.CharField()


class RecordComplainantSerializer(serializers.Serializer):
    kind = serializers.CharField()
    public_label = serializers.CharField()
    name = serializers.CharField(allow_null=True, help_text="Only under a court order.")
    contact = serializers.CharField(allow_null=True, help_text="Only under a court order.")


class RecordAllegationSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    summary = serializers.CharField()
    facts = serializers.CharField(allow_null=True, help_text="Not for the public.")
    place = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField(allow_null=True)
    workers_affected = serializers.IntegerField(allow_null=True)
    criteria = serializers.ListField(child=serializers.CharField())


class RecordEvidenceSerializer(serializers.Serializer):
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    scan_status = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    file_name = serializers.CharField(allow_null=True, help_text="Not for the public.")
    description = serializers.CharField(allow_null=True, help_text="Not for the public.")


class RecordSubmissionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    filed_by = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_null=True, help_text="Not for the public.")
    sha256 = serializers.CharField(allow_null=True)
    filed_at = serializers.DateTimeField()
    is_public = serializers.BooleanField()
    download_url = serializers.URLField(allow_null=True)


class RecordItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    description = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    is_public = serializers.BooleanField()
    download_url = serializers.URLField(allow_null=True)


class RecordFindingSerializer(serializers.Serializer):
    investigation = serializers.CharField()
    criterion_version = serializers.CharField()
    result = serializers.CharField()
    summary = serializers.CharField()
    facts = serializers.CharField()
    measured_value = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    measured_unit = serializers.CharField(allow_blank=True)
    workers_affected = serializers.IntegerField(allow_null=True)
    observed_on = serializers.DateField()


class RecordInterviewSerializer(serializers.Serializer):
    investigation = serializers.CharField()
    pseudonym = serializers.CharField()
    held_on = serializers.DateField()
    language = serializers.CharField()
    interviewee_name = serializers.CharField(allow_null=True, help_text="Only under a court order.")
    statement = serializers.CharField(allow_null=True, help_text="Only under a court order.")


class RecordDecisionSerializer(serializers.Serializer):
    url = serializers.URLField()
    kind = serializers.CharField()
    issued_at = serializers.DateTimeField()


class CaseRecordSerializer(serializers.Serializer):
    """The record of one case, as the caller may read it (`reading`)."""

    docket_number = serializers.CharField()
    case = serializers.URLField()
    reading = serializers.ChoiceField(
        choices=["public", "court", "confidential"],
        help_text="public: redacted; court: the whole record, identities withheld; "
        "confidential: also the confidential parts, under `court_order`.",
    )
    court_order = serializers.IntegerField(allow_null=True)
    events = RecordEventSerializer(many=True)
    complainants = RecordComplainantSerializer(many=True)
    allegations = RecordAllegationSerializer(many=True)
    evidence = RecordEvidenceSerializer(many=True)
    submissions = RecordSubmissionSerializer(many=True)
    hearing_record = RecordItemSerializer(many=True)
    findings = RecordFindingSerializer(many=True)
    interviews = RecordInterviewSerializer(many=True)
    decision = RecordDecisionSerializer(allow_null=True)
    criteria_versions = serializers.ListField(child=serializers.CharField())
    opinions = OpinionSerializer(many=True)
    court_orders = CourtOrderSerializer(many=True)


def _download(request: Request, target: tuple | None) -> str | None:
    if target is None:
        return None
    kind, pk, sha256 = target
    if kind == "record":
        path = reverse("hearings:record", kwargs={"pk": pk})
    else:
        path = reverse("hearings:submission", kwargs={"pk": pk, "sha256": sha256})
    return _absolute(request, path)


def record_body(record: court.CaseRecord, request: Request) -> dict[str, Any]:
    context = {"request": request}
    docket = record.case.docket_number
    decision = None
    if record.decision is not None:
        decision = {
            "url": _absolute(
                request, reverse("decision-detail", kwargs={"pk": record.decision.pk})
            ),
            "kind": record.decision.kind,
            "issued_at": record.decision.issued_at,
        }
    body = {
        "docket_number": docket,
        "case": _absolute(request, reverse("docket-detail", kwargs={"docket_number": docket})),
        "reading": record.reading.name.lower(),
        "court_order": record.order.pk if record.order is not None else None,
        "events": record.events,
        "complainants": record.complainants,
        "allegations": record.allegations,
        "evidence": record.evidence,
        "submissions": [
            {**s, "download_url": _download(request, s.pop("download"))}
            for s in (dict(row) for row in record.submissions)
        ],
        "hearing_record": [
            {**i, "download_url": _download(request, i.pop("download"))}
            for i in (dict(row) for row in record.record_items)
        ],
        "findings": record.findings,
        "interviews": record.interviews,
        "decision": decision,
        "criteria_versions": record.criteria_versions,
        # The register's own query set: a constant number of queries, however many opinions.
        "opinions": list(
            opinions_for_api()
            .filter(pk__in=[o.pk for o in record.opinions])
            .order_by("issued_at", "id")
        ),
        "court_orders": record.court_orders,
    }
    return CaseRecordSerializer(body, context=context).data


class CaseRecordViewSet(viewsets.ViewSet):
    """The record of a case: events, complainants, evidence, submissions, the hearing's
    record, investigation findings and interviews, the decision, the criteria versions it
    applied, its opinions (hashes and PDF links) and the court orders. Anyone reads the
    public, redacted reading; court users and staff the whole record with identities
    withheld; a court user addressed by an order granting the confidential parts reads them
    too, and that read is logged."""

    permission_classes = [permissions.AllowAny]
    serializer_class = CaseRecordSerializer
    schema = SingleObjectSchema()  # the record: one object

    @extend_schema(
        parameters=[OpenApiParameter("docket_number", str, OpenApiParameter.PATH)],
        responses={200: CaseRecordSerializer},
    )
    def list(self, request: Request, docket_number: str) -> Response:
        case = get_object_or_404(Case, docket_number=docket_number)
        record = court.case_record(case=case, user=request.user)
        return Response(record_body(record, request))


def register_api(router) -> None:
    router.register("court-orders", CourtOrderViewSet, basename="court-order")
    router.register(
        r"docket/(?P<docket_number>[^/.]+)/record", CaseRecordViewSet, basename="case-record"
    )
