"""REST API of the sanctions app (docs/adr/0060): the public register of sanctions (with the
magnitude in force, benchmark progress and the history of each step), and one action per
lifecycle step on a sanction in force — verification, notice, hearing held, determination
(a step or the full lifting) and waiver — each calling its one service. A refusal is a 400
with the service's reasons; a missing permission a 403."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from commission.models import InvestigativeTeam

from . import selectors, services
from .models import LiftNotice, SanctionBenchmark, SanctionOrder

AUTHENTICATION = [TokenAuthentication, SessionAuthentication]


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


class VerifyInput(serializers.Serializer):
    benchmark = serializers.UUIDField()
    team = serializers.PrimaryKeyRelatedField(queryset=InvestigativeTeam.objects.all())
    measured_value = serializers.DecimalField(
        max_digits=18, decimal_places=4, required=False, allow_null=True
    )
    achieved = serializers.BooleanField(required=False, allow_null=True, default=None)
    measured_on = serializers.DateField()
    method_applied = serializers.CharField()


class NoticeInput(serializers.Serializer):
    benchmark = serializers.UUIDField(required=False, allow_null=True)
    hearing_at = serializers.DateTimeField()
    location = serializers.CharField()
    text = serializers.CharField()


class HearingInput(serializers.Serializer):
    notice = serializers.UUIDField()
    presenters = serializers.CharField(required=False, allow_blank=True, default="")
    record = serializers.CharField()


class LiftInput(serializers.Serializer):
    benchmark = serializers.UUIDField(required=False, allow_null=True)
    reasoning = serializers.CharField()


class WaiverInput(serializers.Serializer):
    national_security_grounds = serializers.CharField(required=False, allow_blank=True, default="")
    house_vote = serializers.CharField(required=False, allow_blank=True, default="")
    senate_vote = serializers.CharField(required=False, allow_blank=True, default="")
    president_signature = serializers.CharField(required=False, allow_blank=True, default="")


class SanctionViewSet(viewsets.ViewSet):
    """The register (public) and the lifecycle actions (authenticated, service-checked)."""

    authentication_classes = AUTHENTICATION
    lookup_field = "public_id"

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    @extend_schema(responses={200: dict})
    def list(self, request: Request) -> Response:
        return Response([register_json(r) for r in selectors.sanction_register()])

    @extend_schema(responses={200: dict})
    def retrieve(self, request: Request, public_id: str | None = None) -> Response:
        row = selectors.register_row(public_id=public_id)
        if row is None:
            return Response(status=status.HTTP_404_NOT_FOUND)
        return Response(register_json(row))

    def _order(self, public_id: str | None) -> SanctionOrder | None:
        return SanctionOrder.objects.filter(public_id=public_id).first()

    def _benchmark(self, order: SanctionOrder, public_id: Any) -> SanctionBenchmark | None:
        if public_id is None:
            return None
        found = SanctionBenchmark.objects.filter(
            sanction_id=order.specification_id, public_id=public_id
        ).first()
        if found is None:
            raise ValidationError("Unknown benchmark of this sanction.")
        return found

    def _run(self, request: Request, public_id: str | None, serializer: Any, fn: Any) -> Response:
        order = self._order(public_id)
        if order is None:
            return Response(status=status.HTTP_404_NOT_FOUND)
        data = serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = fn(order, dict(data.validated_data))
        except ValidationError as exc:
            return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        row = selectors.register_row(public_id=order.public_id)
        return Response(
            {
                "result": str(getattr(result, "pk", "")),
                "sanction": register_json(row) if row else None,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=VerifyInput, responses={201: dict})
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, public_id: str | None = None) -> Response:
        def run(order: SanctionOrder, d: dict[str, Any]) -> Any:
            benchmark = self._benchmark(order, d["benchmark"])
            assert benchmark is not None  # noqa: S101 — the field is required
            return services.benchmark_verify(
                benchmark=benchmark,
                team=d["team"],
                measured_value=d.get("measured_value"),
                achieved=d.get("achieved"),
                measured_on=d["measured_on"],
                method_applied=d["method_applied"],
                actor=request.user,
            )

        return self._run(request, public_id, VerifyInput, run)

    @extend_schema(request=NoticeInput, responses={201: dict})
    @action(detail=True, methods=["post"])
    def notice(self, request: Request, public_id: str | None = None) -> Response:
        return self._run(
            request,
            public_id,
            NoticeInput,
            lambda order, d: services.lift_notice_publish(
                order=order,
                benchmark=self._benchmark(order, d.get("benchmark")),
                hearing_at=d["hearing_at"],
                location=d["location"],
                text=d["text"],
                actor=request.user,
            ),
        )

    @extend_schema(request=HearingInput, responses={201: dict})
    @action(detail=True, methods=["post"])
    def hearing(self, request: Request, public_id: str | None = None) -> Response:
        def run(order: SanctionOrder, d: dict[str, Any]) -> Any:
            notice = LiftNotice.objects.filter(order=order, public_id=d["notice"]).first()
            if notice is None:
                raise ValidationError("Unknown notice of this sanction.")
            return services.lift_hearing_record(
                notice=notice, presenters=d["presenters"], record=d["record"], actor=request.user
            )

        return self._run(request, public_id, HearingInput, run)

    @extend_schema(request=LiftInput, responses={201: dict})
    @action(detail=True, methods=["post"])
    def lift(self, request: Request, public_id: str | None = None) -> Response:
        return self._run(
            request,
            public_id,
            LiftInput,
            lambda order, d: services.sanction_lift_step(
                order=order,
                benchmark=self._benchmark(order, d.get("benchmark")),
                reasoning=d["reasoning"],
                actor=request.user,
            ),
        )

    @extend_schema(request=WaiverInput, responses={201: dict})
    @action(detail=True, methods=["post"])
    def waive(self, request: Request, public_id: str | None = None) -> Response:
        return self._run(
            request,
            public_id,
            WaiverInput,
            lambda order, d: services.sanction_waive(order=order, actor=request.user, **d),
        )


def register_api(router: Any) -> None:
    router.register("sanctions", SanctionViewSet, basename="sanction")
