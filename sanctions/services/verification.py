"""Verification by an investigative team: a benchmark is met only by a measured value (or an
observed outcome) that meets its target.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import Actor
from commission.models import InvestigativeTeam, TeamMembership
from commission.services import case_event_record

from .. import selectors
from ..models import BenchmarkVerification, SanctionBenchmark, SanctionOrder
from ._common import _authenticated, _text, _user


def _met(benchmark: SanctionBenchmark, value: Decimal | None, achieved: bool | None) -> bool:
    D = SanctionBenchmark.Direction
    if benchmark.direction == D.ACHIEVED:
        return achieved is True
    if value is None or benchmark.target_value is None:
        return False
    if benchmark.direction == D.AT_LEAST:
        return value >= benchmark.target_value
    return value <= benchmark.target_value


def benchmark_verify(
    *,
    benchmark: SanctionBenchmark,
    team: InvestigativeTeam,
    measured_on: dt.date,
    method_applied: str,
    measured_value: Decimal | None = None,
    achieved: bool | None = None,
    actor: Actor,
) -> BenchmarkVerification:
    """Record an investigative team's verification report on a benchmark of a sanction in
    force: the value it measured (or, for an achieved/not achieved benchmark, what it observed)
    and how. The benchmark is met only when the measured value meets its target. There is no
    other way to mark a benchmark met: no plan, intent, "steps being taken" or budget
    constraint is an input here."""
    if (
        not _authenticated(actor)
        or not TeamMembership.objects.filter(team=team, person__user=actor).exists()
    ):
        raise PermissionDenied(_("Only a member of the investigative team files its report."))
    D = SanctionBenchmark.Direction
    if benchmark.direction == D.ACHIEVED:
        if achieved is None:
            raise ValidationError(_("Say whether the outcome was observed achieved."))
        measured_value = None
    else:
        if measured_value is None:
            raise ValidationError(
                _("A verification states the measured value; intentions and plans are not one.")
            )
        measured_value = Decimal(measured_value)
        achieved = None
    method_applied = _text(method_applied, _("Say how the value was measured."))
    if measured_on > timezone.localdate():
        raise ValidationError(_("A value is measured, not forecast: the date is in the future."))
    now = timezone.now()
    with transaction.atomic():
        order = (
            SanctionOrder.objects.select_for_update()
            .filter(specification_id=benchmark.sanction_id)
            .select_related("specification__decision__case")
            .first()
        )
        if order is None:
            raise ValidationError(_("The sanction is not in force: its decision is not issued."))
        if selectors.order_closed(order=order):
            raise ValidationError(_("The sanction is no longer in force."))
        met = _met(benchmark, measured_value, achieved)
        verification = BenchmarkVerification.objects.create(
            benchmark=benchmark,
            team=team,
            measured_value=measured_value,
            achieved=achieved,
            measured_on=measured_on,
            method_applied=method_applied,
            met=met,
            submitted_at=now,
            submitted_by=_user(actor),
        )
        case_event_record(
            subject=order.specification.decision.case,
            verb="benchmark_verified" if met else "benchmark_not_met",
            actor=_user(actor),
            data={
                "sanction": str(order.public_id),
                "benchmark": str(benchmark.public_id),
                "measured_value": None if measured_value is None else str(measured_value),
                "achieved": achieved,
                "team": team.name,
            },
            is_public=True,
        )
    return verification
