"""The audit chain's writes: every state change anywhere records its CaseEvent through
`case_event_record` in the same transaction; a legacy import appends its events in batches
(`case_events_import`); the daily check recomputes the chain and tells staff of a break
(`audit_chain_verify`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..actors import Actor, actor_user
from ..models import CaseEvent
from ._common import logger
from .notifications import notification_send, staff_users


def case_event_record(
    *,
    subject: models.Model,
    verb: str,
    actor: Actor | None = None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    is_public: bool = False,
    docket_number: str = "",
    occurred_at: datetime | None = None,
) -> CaseEvent:
    """Append one audit row about `subject`. Call it inside the transaction of the change.

    The row is the next link of the audit chain (commission/audit.py): its verb must be on the
    closed list, its date no earlier than now (but for the verbs that record an earlier fact,
    and the legacy-import mode), and it stores the hash of the event before it and its own."""
    now = timezone.now()
    event = CaseEvent(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        verb=verb,
        actor=actor_user(actor),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=audit.normalised_data(data),
        is_public=is_public,
        docket_number=docket_number or getattr(subject, "docket_number", "") or "",
        occurred_at=occurred_at if occurred_at is not None else now,
        imported=audit.importing(),
    )
    audit.check_event(event, now=now)
    with transaction.atomic():
        audit.chain_lock()
        last = CaseEvent.objects.order_by("-sequence").values("sequence", "content_hash").first()
        event.sequence = (last["sequence"] + 1) if last else 1
        event.previous_hash = last["content_hash"] if last else audit.GENESIS
        event.recorded_at = timezone.now()
        event.content_hash = audit.content_hash(event)
        with audit.service_write():
            event.save()
    return event


def case_events_import(*, events: list[CaseEvent], batch_size: int = 2000) -> list[CaseEvent]:
    """Append a batch of events from another record (a legacy import, or the scale generator
    that fills a commission for the benchmarks) to the audit chain, in the order given.

    Only inside `audit.legacy_import()`: each event is checked as `case_event_record` checks
    it (its verb on the closed list), linked to the one before it and hashed the same way,
    marked `imported`, and the batch is written under the chain lock in one transaction — so
    `verify_audit` recomputes every link. The events' `subject_type`, `subject_id` and
    `docket_number` are set by the caller."""
    if not audit.importing():
        raise ValidationError(
            _("Case events are imported in batches only by an import (legacy_import).")
        )
    if not events:
        return []
    labels: dict[int, str] = {}
    now = timezone.now()
    with transaction.atomic():
        audit.chain_lock()
        last = CaseEvent.objects.order_by("-sequence").values("sequence", "content_hash").first()
        sequence = last["sequence"] if last else 0
        previous = last["content_hash"] if last else audit.GENESIS
        for event in events:
            event.imported = True
            event.data = audit.normalised_data(event.data)
            audit.check_event(event, now=now)
            if event.subject_type_id not in labels:
                ct = ContentType.objects.get_for_id(event.subject_type_id)
                labels[event.subject_type_id] = f"{ct.app_label}.{ct.model}"
            sequence += 1
            event.sequence = sequence
            event.previous_hash = previous
            event.recorded_at = now
            event.content_hash = audit.content_hash(
                event, subject_label=labels[event.subject_type_id]
            )
            previous = event.content_hash
        with audit.service_write():
            created = CaseEvent.objects.bulk_create(events, batch_size=batch_size)
    return created


def audit_chain_verify(*, alert: bool = True) -> audit.Break | None:
    """Recompute the audit chain; on a break, tell staff (once a day at most: beat runs this
    daily) and return the first broken link."""
    broken = audit.chain_verify()
    if broken is not None:
        logger.error("audit chain broken at %s", broken)
        if alert:

            def message() -> tuple[str, str]:
                return (
                    _("The audit log has been altered"),
                    _(
                        "The daily check of the case-event chain found a broken link at "
                        "%(link)s. Every event from there on can no longer be trusted as "
                        "recorded; investigate before anything else."
                    )
                    % {"link": str(broken)},
                )

            with transaction.atomic():
                notification_send(recipients=staff_users(), message=message)
    return broken
