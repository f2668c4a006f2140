"""REST API of the team's door: the same operations as the portal workspace, each calling
`investigations.services`. Team members authenticate with a personal API token
(`Authorization: Bearer <token>`, commission.authentication) or their session. Everything is scoped by the object permissions the services grant: a member
sees only the team's investigations; an interview's identity and statement come only from
`GET /api/interviews/{id}/confidential/`, with the explicit grant, and every read is logged."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.response import Response

from commission.authentication import ApiTokenAuthentication, LockoutAwareSessionAuthentication
from commission.models import Organization, TeamMembership
from criteria.models import CriterionVersion

from . import selectors, services
from .models import (
    CommissionReview,
    DisclosureDemand,
    Finding,
    Interview,
    InterviewExcerpt,
    Investigation,
    RemedialOrder,
    SiteVisit,
    VerificationVisit,
)

AUTHENTICATION = [ApiTokenAuthentication, LockoutAwareSessionAuthentication]


def _bad_request(exc: ValidationError) -> Response:
    """A service's refusal in the API's one error body (commission.rest.exception_handler)."""
    raise exceptions.ValidationError({"detail": exc.messages}) from exc


# --- output ------------------------------------------------------------------------------


class SiteVisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = SiteVisit
        fields = [
            "id",
            "organization",
            "place",
            "visited_on",
            "announced",
            "access_refused",
            "observations",
            "recorded_at",
        ]


class ExcerptSerializer(serializers.ModelSerializer):
    class Meta:
        model = InterviewExcerpt
        fields = ["id", "text", "created_at"]


class InterviewSerializer(serializers.ModelSerializer):
    """Never the identity or the statement: those are read through `confidential`."""

    excerpts = ExcerptSerializer(many=True, read_only=True)

    class Meta:
        model = Interview
        fields = [
            "id",
            "investigation",
            "pseudonym",
            "held_on",
            "place_description",
            "off_premises",
            "language",
            "recorded_at",
            "excerpts",
        ]


class DemandSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisclosureDemand
        fields = [
            "id",
            "investigation",
            "addressee",
            "instrument",
            "scope",
            "description",
            "days",
            "issued_at",
            "status",
            "disclosed_at",
            "response_summary",
            "penalty",
            "penalty_amount",
            "penalty_currency",
        ]


class FindingSerializer(serializers.ModelSerializer):
    criterion_version = serializers.SlugRelatedField(slug_field="identifier", read_only=True)
    positions = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "investigation",
            "criterion_version",
            "organization",
            "status",
            "result",
            "summary",
            "facts",
            "measured_value",
            "measured_unit",
            "measuring_method",
            "workers_affected",
            "observed_on",
            "site_visits",
            "excerpts",
            "demands",
            "positions",
        ]

    def get_positions(self, finding: Finding) -> list[dict]:
        if finding.determination_id is None:
            return []
        return [
            {
                "member": p.membership.person.full_name,
                "role": p.role,
                "position": p.position,
                "reasoning": p.reasoning,
                "dissent": p.is_dissent,
            }
            for p in finding.determination.positions.select_related("membership__person")
        ]


class VerificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = VerificationVisit
        fields = [
            "id",
            "visited_on",
            "basis",
            "outcome",
            "measured_value",
            "measured_unit",
            "measuring_method",
            "observations",
        ]


class OrderSerializer(serializers.ModelSerializer):
    steps = serializers.SerializerMethodField()
    verifications = VerificationSerializer(many=True, read_only=True)
    complaint = serializers.SlugRelatedField(slug_field="docket_number", read_only=True)

    class Meta:
        model = RemedialOrder
        fields = [
            "id",
            "investigation",
            "addressee",
            "findings",
            "text",
            "issued_at",
            "status",
            "verified_at",
            "failed_at",
            "failure_reason",
            "complaint",
            "steps",
            "verifications",
        ]

    def get_steps(self, order: RemedialOrder) -> list[dict]:
        clocks = selectors.clocks_by_subject(list(order.steps.all()))
        return [
            {
                "number": s.number,
                "description": s.description,
                "days": s.days,
                "due_at": c.due_at.isoformat(),
                "clock_status": c.status,
            }
            for s in order.steps.all()
            for c in clocks.get(("remedialstep", s.pk), [])
        ]


class InvestigationSerializer(serializers.ModelSerializer):
    team = serializers.StringRelatedField()
    country = serializers.SlugRelatedField(slug_field="code", read_only=True)
    complaint = serializers.SlugRelatedField(slug_field="docket_number", read_only=True)

    class Meta:
        model = Investigation
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "title",
            "team",
            "country",
            "sector",
            "subjects",
            "complaint",
            "trigger",
            "opened_at",
            "sample_method",
            "sample_seed",
            "sample_size",
            "sample_frame",
            "sample",
        ]


# --- input -------------------------------------------------------------------------------


class SiteVisitInput(serializers.Serializer):
    place = serializers.CharField(max_length=200)
    visited_on = serializers.DateField()
    announced = serializers.BooleanField()
    access_refused = serializers.BooleanField(default=False)
    observations = serializers.CharField()
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True
    )


class InterviewInput(serializers.Serializer):
    held_on = serializers.DateField()
    place_description = serializers.CharField(max_length=200)
    off_premises = serializers.BooleanField()
    interviewee_name = serializers.CharField()
    interviewee_contact = serializers.CharField(required=False, allow_blank=True, default="")
    statement = serializers.CharField()
    language = serializers.CharField(max_length=8, default="es")


class DemandInput(serializers.Serializer):
    addressee = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    instrument = serializers.ChoiceField(choices=DisclosureDemand.Instrument.choices)
    scope = serializers.ChoiceField(choices=DisclosureDemand.Scope.choices)
    description = serializers.CharField()
    days = serializers.IntegerField(min_value=1)


class FindingInput(serializers.Serializer):
    criterion_version = serializers.SlugRelatedField(
        slug_field="identifier", queryset=CriterionVersion.objects.all()
    )
    result = serializers.ChoiceField(choices=Finding.Result.choices)
    summary = serializers.CharField(max_length=200)
    facts = serializers.CharField()
    observed_on = serializers.DateField()
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True
    )
    measured_value = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True
    )
    measured_unit = serializers.CharField(required=False, allow_blank=True, default="")
    measuring_method = serializers.CharField(required=False, allow_blank=True, default="")
    workers_affected = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    site_visits = serializers.ListField(child=serializers.IntegerField(), default=list)
    excerpts = serializers.ListField(child=serializers.IntegerField(), default=list)
    demands = serializers.ListField(child=serializers.IntegerField(), default=list)


class PositionInput(serializers.Serializer):
    membership = serializers.IntegerField()
    position = serializers.ChoiceField(choices=Finding.Result.choices)
    reasoning = serializers.CharField(required=False, allow_blank=True, default="")


class DetermineInput(serializers.Serializer):
    positions = PositionInput(many=True)


class StepInput(serializers.Serializer):
    description = serializers.CharField()
    days = serializers.IntegerField(min_value=1)


class CapacityInput(serializers.Serializer):
    recipient = serializers.ChoiceField(choices=["employer", "agency"])
    description = serializers.CharField()
    provider = serializers.CharField(required=False, allow_blank=True, default="")


class OrderInput(serializers.Serializer):
    addressee = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    findings = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    text = serializers.CharField()
    steps = StepInput(many=True)
    capacity_measures = CapacityInput(many=True, required=False, default=list)


class VerificationInput(serializers.Serializer):
    visited_on = serializers.DateField()
    basis = serializers.ChoiceField(choices=VerificationVisit.Basis.choices)
    outcome = serializers.ChoiceField(choices=VerificationVisit.Outcome.choices)
    observations = serializers.CharField()
    measured_value = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True
    )
    measured_unit = serializers.CharField(required=False, allow_blank=True, default="")
    measuring_method = serializers.CharField(required=False, allow_blank=True, default="")


class DisclosureInput(serializers.Serializer):
    summary = serializers.CharField()
    disclosed_at = serializers.DateTimeField()


class ExcerptInput(serializers.Serializer):
    text = serializers.CharField()


class ReviewInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CommissionReview.Outcome.choices)
    reasons = serializers.CharField()


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommissionReview
        fields = ["id", "finding", "order", "outcome", "reasons"]


# --- viewsets ----------------------------------------------------------------------------


class TeamScoped(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    authentication_classes = AUTHENTICATION
    permission_classes = [permissions.IsAuthenticated]

    def visible(self):
        return selectors.investigations_for_user(self.request.user)

    def run(self, serializer_class, fn, output, code=status.HTTP_201_CREATED):
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        try:
            result = fn(dict(data.validated_data))
        except ValidationError as exc:
            return _bad_request(exc)
        return Response(output(result, context={"request": self.request}).data, status=code)


class InvestigationViewSet(TeamScoped):
    """The investigations the caller may see (a team member: the team's)."""

    serializer_class = InvestigationSerializer
    filterset_fields = ["kind", "status"]
    ordering = ("-opened_at", "-pk")

    def get_queryset(self):
        return self.visible().prefetch_related("subjects").order_by("-opened_at", "-pk")

    @extend_schema(request=SiteVisitInput, responses={201: SiteVisitSerializer})
    @action(detail=True, methods=["post"], url_path="site-visits")
    def site_visits(self, request, pk=None):
        investigation = self.get_object()
        return self.run(
            SiteVisitInput,
            lambda d: services.site_visit_record(
                investigation=investigation, actor=request.user, **d
            ),
            SiteVisitSerializer,
        )

    @extend_schema(request=InterviewInput, responses={201: InterviewSerializer})
    @action(detail=True, methods=["post"])
    def interviews(self, request, pk=None):
        investigation = self.get_object()
        return self.run(
            InterviewInput,
            lambda d: services.interview_record(
                investigation=investigation, actor=request.user, **d
            ),
            InterviewSerializer,
        )

    @extend_schema(request=DemandInput, responses={201: DemandSerializer})
    @action(detail=True, methods=["post"])
    def demands(self, request, pk=None):
        investigation = self.get_object()
        return self.run(
            DemandInput,
            lambda d: services.demand_issue(investigation=investigation, actor=request.user, **d),
            DemandSerializer,
        )

    @extend_schema(request=FindingInput, responses={201: FindingSerializer})
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None):
        investigation = self.get_object()

        def draft(d):
            d["site_visits"] = list(investigation.site_visits.filter(pk__in=d["site_visits"]))
            d["excerpts"] = list(
                InterviewExcerpt.objects.filter(
                    interview__investigation=investigation, pk__in=d["excerpts"]
                )
            )
            d["demands"] = list(investigation.demands.filter(pk__in=d["demands"]))
            d["measured_unit"] = d.get("measured_unit", "")
            return services.finding_draft(investigation=investigation, actor=request.user, **d)

        return self.run(FindingInput, draft, FindingSerializer)

    @extend_schema(request=OrderInput, responses={201: OrderSerializer})
    @action(detail=True, methods=["post"])
    def orders(self, request, pk=None):
        investigation = self.get_object()

        def issue(d):
            return services.remedial_order_issue(
                investigation=investigation,
                addressee=d["addressee"],
                findings=list(investigation.findings.filter(pk__in=d["findings"])),
                text=d["text"],
                steps=[services.StepInput(**s) for s in d["steps"]],
                capacity_measures=[services.CapacityInput(**c) for c in d["capacity_measures"]],
                actor=request.user,
            )

        return self.run(OrderInput, issue, OrderSerializer)


class InterviewViewSet(TeamScoped):
    serializer_class = InterviewSerializer

    def get_queryset(self):
        return Interview.objects.filter(investigation__in=self.visible()).prefetch_related(
            "excerpts"
        )

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def confidential(self, request, pk=None):
        """The identity and statement: only with the explicit grant; the read is logged."""
        interview = self.get_object()
        try:
            record = services.interview_confidential_read(
                interview=interview, user=request.user, door="api"
            )
        except PermissionDenied as exc:
            raise DRFPermissionDenied(str(exc)) from exc
        return Response(
            {"name": record.name, "contact": record.contact, "statement": record.statement}
        )

    @extend_schema(request=ExcerptInput, responses={201: ExcerptSerializer})
    @action(detail=True, methods=["post"])
    def excerpts(self, request, pk=None):
        interview = self.get_object()
        return self.run(
            ExcerptInput,
            lambda d: services.interview_excerpt_add(interview=interview, actor=request.user, **d),
            ExcerptSerializer,
        )


class DemandViewSet(TeamScoped):
    serializer_class = DemandSerializer

    def get_queryset(self):
        return DisclosureDemand.objects.filter(investigation__in=self.visible())

    @extend_schema(request=DisclosureInput, responses={200: DemandSerializer})
    @action(detail=True, methods=["post"])
    def disclosure(self, request, pk=None):
        demand = self.get_object()
        return self.run(
            DisclosureInput,
            lambda d: services.demand_record_disclosure(demand=demand, actor=request.user, **d),
            DemandSerializer,
            code=status.HTTP_200_OK,
        )


class FindingViewSet(TeamScoped):
    serializer_class = FindingSerializer

    def get_queryset(self):
        return Finding.objects.filter(investigation__in=self.visible()).select_related(
            "criterion_version", "determination"
        )

    @extend_schema(request=DetermineInput, responses={200: FindingSerializer})
    @action(detail=True, methods=["post"])
    def determine(self, request, pk=None):
        finding = self.get_object()

        def determine(d):
            members = {
                m.pk: m
                for m in TeamMembership.objects.filter(team_id=finding.investigation.team_id)
            }
            positions = []
            for p in d["positions"]:
                if p["membership"] not in members:
                    raise ValidationError("Unknown member of the team.")
                positions.append(
                    services.PositionInput(members[p["membership"]], p["position"], p["reasoning"])
                )
            return services.finding_determine(
                finding=finding, positions=positions, actor=request.user
            )

        return self.run(DetermineInput, determine, FindingSerializer, code=status.HTTP_200_OK)

    @extend_schema(request=ReviewInput, responses={201: ReviewSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """The commission's review of a determined finding: uphold, or remand to the team
        (staff with the review permission; the staff workspace's actions *Review: uphold*
        and *Review: remand to the team* on Findings)."""
        finding = self.get_object()
        return self.run(
            ReviewInput,
            lambda d: services.review_record(finding=finding, actor=request.user, **d),
            ReviewSerializer,
        )


class OrderViewSet(TeamScoped):
    serializer_class = OrderSerializer

    def get_queryset(self):
        return RemedialOrder.objects.filter(investigation__in=self.visible()).prefetch_related(
            "steps", "verifications", "findings"
        )

    @extend_schema(request=VerificationInput, responses={201: VerificationSerializer})
    @action(detail=True, methods=["post"])
    def verifications(self, request, pk=None):
        order = self.get_object()
        return self.run(
            VerificationInput,
            lambda d: services.verification_record(order=order, actor=request.user, **d),
            VerificationSerializer,
        )

    @extend_schema(request=ReviewInput, responses={201: ReviewSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """The commission's review of a remedial order (staff with the review permission; the
        staff workspace's action *Review: uphold* on Remedial orders)."""
        order = self.get_object()
        return self.run(
            ReviewInput,
            lambda d: services.review_record(order=order, actor=request.user, **d),
            ReviewSerializer,
        )

    @extend_schema(request=None, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"], url_path="file-complaint")
    def file_complaint(self, request, pk=None):
        """Fail an order past its due date without verified compliance and file the team's
        complaint with its findings, once (staff with the review permission; the staff
        workspace's action *File the complaint* on Remedial orders; the clock sweep does the
        same on its own)."""
        order = self.get_object()
        try:
            order = services.remedial_order_escalate(order_id=order.pk, actor=request.user)
        except ValidationError as exc:
            return _bad_request(exc)
        return Response(OrderSerializer(order, context={"request": request}).data)


def register_api(router) -> None:
    router.register("investigations", InvestigationViewSet, basename="investigation")
    router.register("interviews", InterviewViewSet, basename="interview")
    router.register("disclosure-demands", DemandViewSet, basename="disclosure-demand")
    router.register("findings", FindingViewSet, basename="finding")
    router.register("remedial-orders", OrderViewSet, basename="remedial-order")
