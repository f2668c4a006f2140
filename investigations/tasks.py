"""Celery tasks of investigations. Ids only; safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="investigations.tasks.investigation_open_for_complaint", acks_late=True)
def investigation_open_for_complaint(case_id: int) -> str:
    from .services import investigation_open_for_complaint as open_for_complaint

    investigation = open_for_complaint(case_id=case_id)
    return investigation.number if investigation else ""


@shared_task(name="investigations.tasks.remedial_step_missed", acks_late=True)
def remedial_step_missed(clock_id: int) -> str:
    """A remedial step's clock was missed: fail the order and file the complaint (once)."""
    from commission.actors import SYSTEM
    from commission.models import Clock

    from .models import RemedialOrder, RemedialStep
    from .services import remedial_order_escalate

    clock = Clock.objects.filter(pk=clock_id, kind=Clock.Kind.REMEDIAL_ORDER_DUE).first()
    if clock is None:
        return ""
    step = RemedialStep.objects.filter(pk=int(clock.subject_id)).first()
    if step is None:
        return ""
    order = RemedialOrder.objects.get(pk=step.order_id)
    if order.status == RemedialOrder.Status.VERIFIED_COMPLIED:
        return ""
    order = remedial_order_escalate(order_id=order.pk, actor=SYSTEM)
    return order.complaint.docket_number if order.complaint is not None else ""


@shared_task(
    name="investigations.tasks.remedial_orders_escalate_due", acks_late=True, ignore_result=True
)
def remedial_orders_escalate_due() -> int:
    from .services import remedial_orders_escalate_due as escalate_due

    return len(escalate_due())
