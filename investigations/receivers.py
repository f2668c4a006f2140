"""Answers to lower layers' signals (complaints and the commission's clocks never import this
app): a filed complaint opens its targeted investigation; a missed remedial step escalates its
order. Both only queue a task, after the filing's or the sweep's transaction committed, and a
failure to queue is logged, never raised into the filing or the sweep (the beat task
`remedial_orders_escalate_due` catches up on orders; staff can open an investigation)."""

from __future__ import annotations

import logging

from commission.models import Clock

logger = logging.getLogger(__name__)


def complaint_filed(sender, case_id, **kwargs) -> None:
    from .tasks import investigation_open_for_complaint

    try:
        investigation_open_for_complaint.delay(case_id)
    except Exception:
        logger.exception("could not queue the targeted investigation of case %s", case_id)


def clock_missed(sender, clock_id, kind, **kwargs) -> None:
    if kind != Clock.Kind.REMEDIAL_ORDER_DUE:
        return
    from .tasks import remedial_step_missed

    try:
        remedial_step_missed.delay(clock_id)
    except Exception:
        logger.exception("could not queue the escalation of clock %s", clock_id)
