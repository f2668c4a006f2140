"""Celery tasks of the complaints app. They take ids only and are safe to run twice."""

from __future__ import annotations

import logging

from celery import Task, shared_task

from .uploads import ScannerUnavailable

logger = logging.getLogger(__name__)


@shared_task(name="complaints.tasks.filing_acknowledge", acks_late=True, ignore_result=True)
def filing_acknowledge(case_id: int) -> None:
    """Render the receipt PDF, then email the acknowledgment with it (each at most once)."""
    from .services import acknowledgment_send

    acknowledgment_send(case_id=case_id)


@shared_task(name="complaints.tasks.receipt_render", acks_late=True, ignore_result=True)
def receipt_render(case_id: int) -> None:
    from .services import receipt_render as render

    render(case_id=case_id)


@shared_task(
    name="complaints.tasks.evidence_scan",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=None,
)
def evidence_scan(self: Task, evidence_id: int) -> None:
    """Scan a quarantined upload with clamd; retried while the scanner is unavailable (the
    file stays in quarantine, never served, until a scan clears it)."""
    from .services import evidence_scan_run

    try:
        evidence_scan_run(evidence_id=evidence_id)
    except ScannerUnavailable as exc:
        logger.warning("evidence %s: virus scanner unavailable (%s); retrying", evidence_id, exc)
        raise self.retry(
            exc=exc, countdown=min(600, 30 * (2 ** min(self.request.retries, 5)))
        ) from exc


@shared_task(name="complaints.tasks.filing_drafts_purge", ignore_result=True)
def filing_drafts_purge() -> int:
    from .services import filing_drafts_purge as purge

    return purge()
