"""Answers to lower layers' signals (complaints and the commission's clocks never import this
app): a filed complaint opens its targeted investigation; a missed remedial step escalates its
order. Both queue a task, so a failure here never touches the filing or the sweep."""

from __future__ import annotations

from commission.models import Clock


def complaint_filed(sender, case_id, **kwargs) -> None:
    from .tasks import investigation_open_for_complaint

    investigation_open_for_complaint.delay(case_id)


def clock_missed(sender, clock_id, kind, **kwargs) -> None:
    if kind != Clock.Kind.REMEDIAL_ORDER_DUE:
        return
    from .tasks import remedial_step_missed

    remedial_step_missed.delay(clock_id)
