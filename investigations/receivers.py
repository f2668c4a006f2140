"""Answers to lower layers' signals (complaints and the commission's clocks never import this
app): a filed complaint opens its targeted investigation; a missed remedial step escalates its
order. Both only queue a task, after the filing's or the sweep's transaction committed, and a
failure to queue is logged, never raised into the filing or the sweep (the beat task
`remedial_orders_escalate_due` catches up on orders; staff can open an investigation)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from commission.models import Clock

if TYPE_CHECKING:
    from .models import ConfidentialAccess

logger = logging.getLogger(__name__)


def complaint_filed(sender: object, case_id: int, **kwargs: object) -> None:
    from .tasks import investigation_open_for_complaint

    try:
        investigation_open_for_complaint.delay(case_id)
    except Exception:
        logger.exception("could not queue the targeted investigation of case %s", case_id)


def clock_missed(sender: object, clock_id: int, kind: str, **kwargs: object) -> None:
    if kind != Clock.Kind.REMEDIAL_ORDER_DUE:
        return
    from .tasks import remedial_step_missed

    try:
        remedial_step_missed.delay(clock_id)
    except Exception:
        logger.exception("could not queue the escalation of clock %s", clock_id)


def interview_read_logged(
    sender: object,
    instance: ConfidentialAccess,
    created: bool,
    raw: bool = False,
    **kwargs: object,
) -> None:
    """Every logged read of an interview (`ConfidentialAccess`, written by the services before
    they return anything) goes into the commission's one log of confidential reads too, in the
    same transaction, under its case's docket number: staff read a case's reads in one place."""
    if not created or raw:
        return
    from commission.confidential import Door, What, confidential_read_record

    from .models import Interview

    interview = Interview.objects.select_related("investigation__complaint").get(
        pk=instance.interview_id
    )
    investigation = interview.investigation
    complaint = investigation.complaint
    is_file = instance.what.startswith("file")
    confidential_read_record(
        user=instance.user,
        what=What.INTERVIEW_FILE if is_file else What.INTERVIEW,
        door=instance.door if instance.door in Door.values else Door.SERVICE,
        subject=f"{investigation.number} {interview.pseudonym} {instance.what}",
        docket_number=complaint.docket_number if complaint is not None else "",
    )
