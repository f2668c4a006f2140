"""REST API of the sanctions app (docs/adr/0060): the public register of sanctions (with the
magnitude in force, benchmark progress and the history of each step), and one action per
lifecycle step on a sanction in force — verification, notice, hearing held, determination
(a step or the full lifting) and waiver — each calling its one service. A refusal is a 400
with the service's reasons; a missing permission a 403."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from commission.models import (
    InvestigativeTeam,
    Organization,
    Sector,
    SupplyRelationship,
    TradingPartner,
)
from hearings.models import AllegationFinding, Decision

from . import selectors, services
from .models import LiftNotice, LiftRender, SanctionBenchmark, SanctionOrder


def register_json(row: selectors.RegisterRow) -> dict[str, Any]:
    """One sanction as the public register shows it (no identity of any worker)."""
    spec = row.order.specification
    return {
        "id": str(row.order.public_id),
        "docket_number": spec.decision.case.docket_number,
        "number": spec.number,
        "target": spec.target,
        "target_label": spec.target_label,
        "instrument": spec.instrument,
        "unit": spec.unit,
        "currency": spec.currency,
        "magnitude_ordered": str(row.order.magnitude),
        "magnitude_in_force": str(row.in_force),
        "estimated_benefit": str(row.order.estimated_benefit),
        "in_force_from": row.order.in_force_from.isoformat(),
        "status": row.status,
        "lifted_percent": row.lifted_percent,
        "repeat_violator": row.order.repeat_violator,
        "benchmarks": [
            {
                "position": s.position,
                "metric": s.metric,
                "target": s.target,
                "share": str(s.share),
                "met": s.met,
                "lifted": s.lifted,
            }
            for s in row.steps
        ],
        "history": [
            {k: (v.isoformat() if hasattr(v, "isoformat") else str(v)) for k, v in h.items()}
            for h in row.history
        ],
    }


class RegisterStepSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    metric = serializers.CharField()
    target = serializers.CharField()
    share = serializers.CharField(help_text="Percent of the sanction this step lifts.")
    met = serializers.BooleanField()
    lifted = serializers.BooleanField()


class RegisterEventSerializer(serializers.Serializer):
    """One entry of a sanction's history: `at` and `what`, and what that entry carries
    (`magnitude`, `reduction`, `step`, `hearing_at`), every value as a string."""

    at = serializers.CharField()
    what = serializers.ChoiceField(
        choices=[
            "in_force",
            "verified",
            "not_met",
            "noticed",
            "hearing_held",
            "lifted",
            "step_lifted",
            "waived",
        ]
    )
    magnitude = serializers.CharField(required=False)
    reduction = serializers.CharField(required=False)
    step = serializers.CharField(required=False)
    hearing_at = serializers.CharField(required=False)


class RegisterSanctionSerializer(serializers.Serializer):
    """A sanction as the public register shows it (`register_json`)."""

    id = serializers.UUIDField()
    docket_number = serializers.CharField()
    number = serializers.IntegerField()
    target = serializers.CharField()
    target_label = serializers.CharField()
    instrument = serializers.CharField()
    unit = serializers.CharField()
    currency = serializers.CharField()
    magnitude_ordered = serializers.CharField()
    magnitude_in_force = serializers.CharField()
    estimated_benefit = serializers.CharField()
    in_force_from = serializers.CharField()
    status = serializers.ChoiceField(choices=list(selectors.REGISTER_STATUSES))
    lifted_percent = serializers.IntegerField()
    repeat_violator = serializers.BooleanField()
    benchmarks = RegisterStepSerializer(many=True)
    history = RegisterEventSerializer(many=True)


class SanctionActionResultSerializer(serializers.Serializer):
    result = serializers.CharField(help_text="The id of what the step recorded.")
    sanction = RegisterSanctionSerializer(allow_null=True)


class SanctionSpecifiedSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    number = serializers.IntegerField()


class SanctionBenchmarkSpecInput(serializers.Serializer):
    description = serializers.CharField()
    metric = serializers.CharField()
    direction = serializers.ChoiceField(choices=SanctionBenchmark.Direction.choices)
    target_value = serializers.DecimalField(
        max_digits=18, decimal_places=4, required=False, allow_null=True, default=None
    )
    unit = serializers.CharField(required=False, allow_blank=True, default="")
    verification_method = serializers.CharField()
    lift_share_percent = serializers.DecimalField(max_digits=5, decimal_places=2)


class SanctionSpecifyInput(serializers.Serializer):
    """A sanction of a draft decision, as the panel specifies it (`sanction_specify`)."""

    decision = serializers.PrimaryKeyRelatedField(queryset=Decision.objects.all())
    target = serializers.CharField()
    target_organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, default=None
    )
    supply_relationship = serializers.PrimaryKeyRelatedField(
        queryset=SupplyRelationship.objects.all(), required=False, allow_null=True, default=None
    )
    target_country = serializers.PrimaryKeyRelatedField(
        queryset=TradingPartner.objects.all(), required=False, allow_null=True, default=None
    )
    target_sector = serializers.PrimaryKeyRelatedField(
        queryset=Sector.objects.all(), required=False, allow_null=True, default=None
    )
    instrument = serializers.CharField()
    magnitude = serializers.DecimalField(max_digits=18, decimal_places=2)
    unit = serializers.CharField()
    currency = serializers.CharField(required=False, allow_blank=True, default="")
    penalty_period = serializers.CharField(required=False, allow_blank=True, default="")
    estimated_benefit = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True, default=None
    )
    benefit_method = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField()
    deterrence_reasoning = serializers.CharField()
    findings = serializers.PrimaryKeyRelatedField(
        queryset=AllegationFinding.objects.all(), many=True
    )
    benchmarks = SanctionBenchmarkSpecInput(many=True)


class SanctionVerifyInput(serializers.Serializer):
    benchmark = serializers.UUIDField()
    team = serializers.PrimaryKeyRelatedField(queryset=InvestigativeTeam.objects.all())
    measured_value = serializers.DecimalField(
        max_digits=18, decimal_places=4, required=False, allow_null=True
    )
    achieved = serializers.BooleanField(required=False, allow_null=True, default=None)
    measured_on = serializers.DateField()
    method_applied = serializers.CharField()


class SanctionNoticeInput(serializers.Serializer):
    benchmark = serializers.UUIDField(required=False, allow_null=True)
    hearing_at = serializers.DateTimeField()
    location = serializers.CharField()
    text = serializers.CharField()


class SanctionHearingInput(serializers.Serializer):
    notice = serializers.UUIDField()
    presenters = serializers.CharField(required=False, allow_blank=True, default="")
    record = serializers.CharField()


class SanctionLiftInput(serializers.Serializer):
    benchmark = serializers.UUIDField(required=False, allow_null=True)
    reasoning = serializers.CharField()


class SanctionRenderRetryInput(serializers.Serializer):
    render = serializers.IntegerField(help_text="The id of the determination's failed render.")


class SanctionWaiverInput(serializers.Serializer):
    national_security_grounds = serializers.CharField(required=False, allow_blank=True, default="")
    house_vote = serializers.CharField(required=False, allow_blank=True, default="")
    senate_vote = serializers.CharField(required=False, allow_blank=True, default="")
    president_signature = serializers.CharField(required=False, allow_blank=True, default="")


def _uuid(value: Any) -> uuid.UUID | None:
    """The path's sanction id, or None where it is no UUID (the path's pattern lets 36 hex
    digits and hyphens through in any order): such a sanction does not exist, a 404."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class SanctionViewSet(viewsets.ViewSet):
    """The register (public) and the lifecycle actions (authenticated, service-checked)."""

    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    @extend_schema(
        responses={200: RegisterSanctionSerializer(many=True)}, operation_id="sanctions_list"
    )
    def list(self, request: Request) -> Response:
        return Response([register_json(r) for r in selectors.sanction_register()])

    @extend_schema(responses={200: RegisterSanctionSerializer})
    def retrieve(self, request: Request, public_id: str | None = None) -> Response:
        row = selectors.register_row(public_id=_uuid(public_id))
        if row is None:
            raise exceptions.NotFound()
        return Response(register_json(row))

    def _order(self, public_id: str | None) -> SanctionOrder | None:
        found = _uuid(public_id)
        if found is None:
            return None
        return SanctionOrder.objects.filter(public_id=found).first()

    def _benchmark(self, order: SanctionOrder, public_id: Any) -> SanctionBenchmark | None:
        if public_id is None:
            return None
        found = SanctionBenchmark.objects.filter(
            sanction_id=order.specification_id, public_id=public_id
        ).first()
        if found is None:
            raise ValidationError("Unknown benchmark of this sanction.")
        return found

    def _run(
        self,
        request: Request,
        public_id: str | None,
        serializer: Any,
        fn: Any,
        *,
        answer: int = status.HTTP_201_CREATED,
    ) -> Response:
        order = self._order(public_id)
        if order is None:
            raise exceptions.NotFound()
        data = serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = fn(order, dict(data.validated_data))
        except ValidationError as exc:
            raise exceptions.ValidationError({"detail": exc.messages}) from exc
        row = selectors.register_row(public_id=order.public_id)
        return Response(
            {
                "result": str(getattr(result, "pk", "")),
                "sanction": register_json(row) if row else None,
            },
            status=answer,
        )

    @extend_schema(request=SanctionSpecifyInput, responses={201: SanctionSpecifiedSerializer})
    @action(detail=False, methods=["post"])
    def specify(self, request: Request) -> Response:
        """Specify a sanction of a draft decision (a panelist, or staff with the permission)."""
        data = SanctionSpecifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        benchmarks = [services.BenchmarkInput(**b) for b in d.pop("benchmarks")]
        try:
            spec = services.sanction_specify(benchmarks=benchmarks, actor=request.user, **d)
        except ValidationError as exc:
            raise exceptions.ValidationError({"detail": exc.messages}) from exc
        return Response(
            {"public_id": str(spec.public_id), "number": spec.number},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=SanctionVerifyInput, responses={201: SanctionActionResultSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, public_id: str | None = None) -> Response:
        def run(order: SanctionOrder, d: dict[str, Any]) -> Any:
            benchmark = self._benchmark(order, d["benchmark"])
            assert benchmark is not None  # noqa: S101 - the field is required  # nosec B101
            return services.benchmark_verify(
                benchmark=benchmark,
                team=d["team"],
                measured_value=d.get("measured_value"),
                achieved=d.get("achieved"),
                measured_on=d["measured_on"],
                method_applied=d["method_applied"],
                actor=request.user,
            )

        return self._run(request, public_id, SanctionVerifyInput, run)

    @extend_schema(request=SanctionNoticeInput, responses={201: SanctionActionResultSerializer})
    @action(detail=True, methods=["post"])
    def notice(self, request: Request, public_id: str | None = None) -> Response:
        return self._run(
            request,
            public_id,
            SanctionNoticeInput,
            lambda order, d: services.lift_notice_publish(
                order=order,
                benchmark=self._benchmark(order, d.get("benchmark")),
                hearing_at=d["hearing_at"],
                location=d["location"],
                text=d["text"],
                actor=request.user,
            ),
        )

    @extend_schema(request=SanctionHearingInput, responses={201: SanctionActionResultSerializer})
    @action(detail=True, methods=["post"])
    def hearing(self, request: Request, public_id: str | None = None) -> Response:
        def run(order: SanctionOrder, d: dict[str, Any]) -> Any:
            notice = LiftNotice.objects.filter(order=order, public_id=d["notice"]).first()
            if notice is None:
                raise ValidationError("Unknown notice of this sanction.")
            return services.lift_hearing_record(
                notice=notice, presenters=d["presenters"], record=d["record"], actor=request.user
            )

        return self._run(request, public_id, SanctionHearingInput, run)

    @extend_schema(
        request=SanctionLiftInput,
        responses={202: SanctionActionResultSerializer},
        description="The determination is accepted at once (every rule checked); its opinion "
        "PDF is rendered by a background task, which then records it and lowers the magnitude "
        "in force. `result` is the render's id.",
    )
    @action(detail=True, methods=["post"])
    def lift(self, request: Request, public_id: str | None = None) -> Response:
        return self._run(
            request,
            public_id,
            SanctionLiftInput,
            lambda order, d: services.sanction_lift_step(
                order=order,
                benchmark=self._benchmark(order, d.get("benchmark")),
                reasoning=d["reasoning"],
                actor=request.user,
            ),
            answer=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(request=SanctionWaiverInput, responses={201: SanctionActionResultSerializer})
    @action(detail=True, methods=["post"])
    def waive(self, request: Request, public_id: str | None = None) -> Response:
        return self._run(
            request,
            public_id,
            SanctionWaiverInput,
            lambda order, d: services.sanction_waive(order=order, actor=request.user, **d),
        )

    @extend_schema(
        request=SanctionRenderRetryInput,
        responses={202: SanctionActionResultSerializer},
        description="Queue a failed render of a determination again, once its cause is fixed "
        "(staff who may determine lifting; the staff workspace's action *Retry the selected "
        "failed renders* on Lift renders). `result` is the render's id.",
    )
    @action(detail=True, methods=["post"], url_path="render-retry")
    def render_retry(self, request: Request, public_id: str | None = None) -> Response:
        def run(order: SanctionOrder, d: dict[str, Any]) -> Any:
            render = LiftRender.objects.filter(order=order, pk=d["render"]).first()
            if render is None:
                raise ValidationError("Unknown render of this sanction.")
            return services.lift_render_retry(render=render, actor=request.user)

        return self._run(
            request, public_id, SanctionRenderRetryInput, run, answer=status.HTTP_202_ACCEPTED
        )


def register_api(router: Any) -> None:
    router.register("sanctions", SanctionViewSet, basename="sanction")
