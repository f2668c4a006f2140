"""In force from the decision's issue: every sanction of an issued decision becomes an order
(hearings.hooks calls `_issued` in the issuing transaction).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from commission.actors import SYSTEM, Actor
from commission.services import case_event_record
from hearings.models import Decision

from .. import selectors
from ..models import SanctionOrder, SanctionSpecification
from ._common import _user
from .specification import deterrence_check


def sanction_orders_issue(
    *, decision: Decision, issued_at: dt.datetime, actor: Actor
) -> list[SanctionOrder]:
    """Put every sanction of an issued decision in force from `issued_at`, flagging a target
    sanctioned before. Called in the transaction that issues the decision (hearings.hooks);
    running it again creates nothing."""
    if decision.status != Decision.Status.ISSUED:
        raise ValidationError(_("Sanctions are in force only from the decision's issue."))
    orders = []
    for spec in SanctionSpecification.objects.filter(decision=decision).order_by("number"):
        existing = SanctionOrder.objects.filter(specification=spec).first()
        if existing is not None:
            orders.append(existing)
            continue
        estimated_benefit = deterrence_check(
            magnitude=spec.magnitude,
            estimated_benefit=spec.estimated_benefit,
            method=spec.benefit_method or spec.deterrence_reasoning,
        )
        repeat = bool(selectors.prior_orders(specification=spec))
        order = SanctionOrder.objects.create(
            specification=spec,
            in_force_from=issued_at,
            magnitude=spec.magnitude,
            estimated_benefit=estimated_benefit,
            benefit_method=spec.benefit_method or spec.deterrence_reasoning,
            repeat_violator=repeat,
        )
        case_event_record(
            subject=decision.case,
            verb="sanction_in_force",
            actor=_user(actor),
            to_status="in_force",
            data={
                "sanction": str(order.public_id),
                "number": spec.number,
                "magnitude": str(order.magnitude),
                "estimated_benefit": str(order.estimated_benefit),
                "repeat_violator": repeat,
            },
            is_public=True,
            occurred_at=issued_at,
        )
        orders.append(order)
    return orders


def _issued(decision: Decision, issued_at: dt.datetime, actor: Actor | None) -> None:
    sanction_orders_issue(
        decision=decision, issued_at=issued_at, actor=actor if actor is not None else SYSTEM
    )
