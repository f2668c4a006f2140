"""The filing receipt, the acknowledgment, and re-encryption of confidential fields."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from commission.services import case_event_record

from ..models import (
    Case,
    Complainant,
    FilingDraft,
)
from ._common import _lock

logger = logging.getLogger(__name__)


def receipt_render(*, case_id: int) -> Case:
    """Render the receipt PDF once (a second run changes nothing)."""
    import hashlib

    from django.core.files.base import ContentFile

    from ..receipts import receipt_pdf_bytes

    case = Case.objects.get(pk=case_id)
    if case.receipt_pdf:
        return case
    pdf = receipt_pdf_bytes(case=case)
    with transaction.atomic():
        locked = _lock(case)
        if locked.receipt_pdf:
            return locked
        locked.receipt_sha256 = hashlib.sha256(pdf).hexdigest()
        locked.receipt_pdf.save(f"{locked.docket_number}-receipt.pdf", ContentFile(pdf), save=False)
        locked.save(update_fields=["receipt_pdf", "receipt_sha256"])
        case_event_record(
            subject=locked,
            verb="receipt_issued",
            data={"sha256": locked.receipt_sha256},
            is_public=False,
        )
    return locked


def acknowledgment_send(*, case_id: int) -> bool:
    """Email the acknowledgment (with the receipt) to the filing's contact address, once.
    The claim is a conditional update, so two workers never both send it."""
    from ..notifications import acknowledgment_email

    case = receipt_render(case_id=case_id)
    if case.acknowledged_at is not None or not case.contact_email:
        return False
    claimed = Case.objects.filter(pk=case_id, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        acknowledgment_email(case=case).send()
    except Exception:
        Case.objects.filter(pk=case_id).update(acknowledged_at=None)
        raise
    return True


# --- keys --------------------------------------------------------------------------------


def confidential_fields_reencrypt() -> int:
    """Re-save every encrypted value under the first key of FIELD_ENCRYPTION_KEYS (after a new
    key is prepended). Returns the number of rows rewritten."""
    count = 0
    for model, fields in (
        (Complainant, ["name", "contact"]),
        (Case, ["contact_email"]),
        (FilingDraft, ["data"]),
    ):
        for row in model.objects.all().only("pk", *fields).iterator():
            row.save(update_fields=fields)
            count += 1
    return count


def _refresh(target: Case, source: Case) -> None:
    for name in (
        "status",
        "hearing_scheduled_for",
        "hearing_held_at",
        "outcome_at",
        "outcome_reasoning",
        "outcome_reference",
        "intake_checked_at",
        "intake_checked_by_id",
    ):
        setattr(target, name, getattr(source, name))
