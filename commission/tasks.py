"""Celery tasks of the shared core. Tasks take ids only and are safe to run twice."""

import logging

from celery import shared_task

from .services import heartbeat_record

logger = logging.getLogger(__name__)


@shared_task(name="commission.tasks.heartbeat", bind=True, acks_late=True, ignore_result=True)
def heartbeat(self) -> None:
    worker = self.request.hostname or "unknown"
    beat = heartbeat_record(worker=worker)
    logger.info("heartbeat recorded by %s at %s", worker, beat.recorded_at.isoformat())
