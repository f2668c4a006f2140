"""Remedial orders: issuing an order with its steps (each on a clock) and recording the
verification of a step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import SYSTEM, Actor
from commission.models import (
    Clock,
    Organization,
)
from commission.services import clock_meet, clock_start

from ..models import (
    CapacityMeasure,
    Finding,
    Investigation,
    RemedialOrder,
    RemedialStep,
    VerificationVisit,
)
from ._common import (
    REMEDIAL_LEGAL_BASIS,
    REMEDIAL_LEGAL_SOURCE,
    _event,
    _lock,
    _not_future,
    _recorder,
    _require_member,
    _require_team_staff,
    _text,
    _transition,
)
from .escalation import _day_end, _step_clocks, remedial_order_escalate
from .opening import _require_open

# --- remedial orders ---------------------------------------------------------------------


@dataclass
class StepInput:
    description: str
    days: int


@dataclass
class CapacityInput:
    recipient: str
    description: str
    provider: str = ""


def remedial_order_issue(
    *,
    investigation: Investigation,
    addressee: Organization,
    findings: Sequence[Finding],
    text: str,
    steps: Sequence[StepInput],
    capacity_measures: Sequence[CapacityInput] = (),
    issued_at: dt.datetime | None = None,
    actor: Actor,
) -> RemedialOrder:
    """Order the remedy of determined violations. Each step's due date is a clock started at
    the issuing instant (which may be recorded in the past for an order served in the field,
    never in the future)."""
    _require_team_staff(actor, investigation)
    _require_open(investigation)
    if not findings:
        raise ValidationError(_("An order remedies at least one violation found."))
    for f in findings:
        if (
            f.investigation_id != investigation.pk
            or f.status != Finding.Status.DETERMINED
            or f.result != Finding.Result.VIOLATION
        ):
            raise ValidationError(
                _("An order remedies violations determined in this investigation.")
            )
    if not steps:
        raise ValidationError(_("An order has at least one step with a due date."))
    for measure in capacity_measures:
        if measure.recipient not in CapacityMeasure.Recipient.values:
            raise ValidationError(_("Unknown recipient of technical assistance."))
    issued_at = issued_at or timezone.now()
    if issued_at > timezone.now():
        raise ValidationError(_("An order cannot be issued in the future."))
    with transaction.atomic():
        order = RemedialOrder.objects.create(
            investigation=investigation,
            addressee=addressee,
            text=_text(text, _("Write the order.")),
            issued_at=issued_at,
            issued_by=_recorder(actor),
        )
        order.findings.set(list(findings))
        for number, step in enumerate(steps, start=1):
            if step.days < 1:
                raise ValidationError(_("Each step has at least one day."))
            row = RemedialStep.objects.create(
                order=order,
                number=number,
                description=_text(step.description, _("Describe each step.")),
                days=step.days,
            )
            clock_start(
                subject=row,
                kind=Clock.Kind.REMEDIAL_ORDER_DUE,
                trigger_at=issued_at,
                days=step.days,
                legal_basis=REMEDIAL_LEGAL_BASIS,
                legal_source=REMEDIAL_LEGAL_SOURCE,
                trigger_event="remedial_order_issued",
                actor=actor,
            )
        CapacityMeasure.objects.bulk_create(
            [
                CapacityMeasure(
                    order=order,
                    recipient=m.recipient,
                    description=_text(m.description, _("Describe the technical assistance.")),
                    provider=m.provider.strip(),
                )
                for m in capacity_measures
            ]
        )
        _event(
            investigation,
            "remedial_order_issued",
            actor,
            to_status=order.status,
            data={
                "order": order.pk,
                "findings": [f.pk for f in findings],
                "steps": len(steps),
                "capacity_measures": len(capacity_measures),
            },
        )
    return order


def verification_record(
    *,
    order: RemedialOrder,
    visited_on: dt.date,
    basis: str,
    outcome: str,
    observations: str,
    measured_value: Decimal | None = None,
    measured_unit: str = "",
    measuring_method: str = "",
    actor: Actor,
) -> VerificationVisit:
    """Record a verification visit. Compliance counts only when observed or measured by the
    team (inspection, worker interviews, records) — a plan or a promise never does. Verified
    compliance ends the order and meets its step clocks; a failed verification after the
    last due date fails the order and files the complaint."""
    investigation = order.investigation
    _require_member(actor, investigation)
    if basis not in VerificationVisit.Basis.values or outcome not in (
        VerificationVisit.Outcome.values
    ):
        raise ValidationError(_("Choose the basis and the outcome of the verification."))
    if outcome == VerificationVisit.Outcome.COMPLIED and basis not in VerificationVisit.PROOF:
        raise ValidationError(
            _("A plan or a promise does not count as compliance: verify it on the ground.")
        )
    _not_future(visited_on, _("A visit cannot be recorded in the future."))
    if measured_value is not None and not measured_unit.strip():
        raise ValidationError(_("A measured value carries its unit."))
    escalate = False
    with transaction.atomic():
        locked = _lock(RemedialOrder, order.pk)
        if visited_on < timezone.localtime(locked.issued_at).date():
            raise ValidationError(_("A verification cannot precede the order."))
        visit = VerificationVisit.objects.create(
            order=locked,
            visited_on=visited_on,
            basis=basis,
            outcome=outcome,
            measured_value=measured_value,
            measured_unit=measured_unit.strip(),
            measuring_method=measuring_method.strip(),
            observations=_text(observations, _("Record what was observed.")),
            recorded_by=_recorder(actor),
        )
        event = _event(
            investigation,
            "verification_recorded",
            actor,
            data={"order": locked.pk, "visit": visit.pk, "outcome": outcome, "basis": basis},
        )
        if locked.status == RemedialOrder.Status.OPEN:
            if outcome == VerificationVisit.Outcome.COMPLIED:
                previous = _transition(locked, RemedialOrder.Status.VERIFIED_COMPLIED)
                locked.verified_at = timezone.now()
                locked.save(update_fields=["status", "verified_at"])
                _event(
                    investigation,
                    "remedial_order_verified",
                    actor,
                    from_status=previous,
                    to_status=locked.status,
                    data={"order": locked.pk, "visit": visit.pk},
                )
                at = min(timezone.now(), _day_end(visited_on))
                for step in locked.steps.all():
                    clock_meet(
                        subject=step,
                        kind=Clock.Kind.REMEDIAL_ORDER_DUE,
                        at=max(at, locked.issued_at),
                        event=event,
                        actor=actor,
                    )
            else:
                clocks = _step_clocks(locked)
                escalate = bool(clocks) and min(c.due_at for c in clocks) < timezone.now()
    if escalate:
        # The consequence of the failed visit is the system's, whoever recorded the visit.
        remedial_order_escalate(
            actor=SYSTEM,
            order_id=order.pk,
            reason=_("The verification visit of %(day)s found the order not complied with.")
            % {"day": visited_on.isoformat()},
        )
    order.refresh_from_db()
    return visit
