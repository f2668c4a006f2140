"""Celery tasks of the shared core. Tasks take ids only and are safe to run twice."""

import logging

from celery import Task, shared_task

from .services import heartbeat_record

logger = logging.getLogger(__name__)


@shared_task(name="commission.tasks.heartbeat", bind=True, acks_late=True, ignore_result=True)
def heartbeat(self: Task) -> None:
    worker = self.request.hostname or "unknown"
    beat = heartbeat_record(worker=worker)
    logger.info("heartbeat recorded by %s at %s", worker, beat.recorded_at.isoformat())


@shared_task(name="commission.tasks.clock_sweep", acks_late=True, ignore_result=True)
def clock_sweep() -> dict[str, object]:
    """Beat runs this every minute: reminders, escalations and misses, each exactly once."""
    from .services import clock_sweep as sweep

    report = sweep()
    if report.notices or report.misses:
        logger.info("clock sweep: %s", report.as_dict())
    return report.as_dict()


@shared_task(
    name="commission.tasks.notifications_email",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def notifications_email(notification_ids: list[int]) -> int:
    """Email the given notifications; each is claimed before sending, so a rerun sends none
    twice."""
    from .services import notification_email_send

    return sum(notification_email_send(notification_id=pk) for pk in notification_ids)


@shared_task(name="commission.tasks.notifications_email_resend", ignore_result=True)
def notifications_email_resend() -> int:
    """Beat runs this every few minutes: emails whose message was lost are queued again (each
    is claimed when sent, so none goes out twice)."""
    from .notification_resend import notifications_email_resend as resend

    return resend()


@shared_task(name="commission.tasks.audit_verify", acks_late=True, ignore_result=True)
def audit_verify() -> str:
    """Beat runs this daily: recompute the audit chain; staff are told of a break."""
    from .services import audit_chain_verify

    broken = audit_chain_verify()
    return "intact" if broken is None else str(broken)


@shared_task(name="commission.tasks.webhook_deliver", acks_late=True, ignore_result=True)
def webhook_deliver(delivery_id: int) -> str:
    """Send one webhook delivery if it is due; it is claimed first, so a second run of the same
    task (or the sweep's) sends nothing twice."""
    from .webhooks import webhook_delivery_attempt

    return webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(name="commission.tasks.webhook_sweep", acks_late=True, ignore_result=True)
def webhook_sweep() -> int:
    """Beat runs this every `WEBHOOK_SWEEP_INTERVAL_SECONDS`: queue the deliveries that are due."""
    from .webhooks import webhook_deliveries_sweep

    return webhook_deliveries_sweep()
