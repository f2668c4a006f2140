"""The core's part of a legacy import: the clocks of a case brought in from the commission's
past records.

A legacy case is filed through the same services as any other (`complaints.importing`), inside
`audit.legacy_import()`, the only mode in which a past receipt instant or a past event time
enters the record. Its statutory clocks are computed from the recorded dates, so they may have
fallen due long ago. `clocks_settle_imported` then brings them to the state the clock sweep
would have left them in, had the case been in the system all along:

* a pending clock whose due instant has passed is recorded missed, dated at its due instant
  (`clock_missed`, like the sweep); a window is closed at its due instant;
* every notice that fell due before the import (reminders, risk checks, the miss, the latest
  daily escalation) is claimed once, as `superseded` and with no recipient: nobody is told in
  2026 that a hearing was due in 2019. The claims are what keeps the sweep from sending them;
* what falls due from now on (the next reminder of a clock still running, the next daily
  escalation of a missed step that never happened) is scheduled as for any case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import Clock, ClockNotice
from .services import (
    SWEEP_FIELDS,
    _clock_next_action_at,
    _clock_open_plan,
    _clock_record_close,
    _clock_record_miss,
    _subject_key,
)


@dataclass
class SettledClocks:
    missed: int = 0
    closed: int = 0
    notices_superseded: int = 0


def clocks_settle_imported(*, subject: models.Model, now: datetime | None = None) -> SettledClocks:
    """Record the misses of an imported case's clocks on the day they were missed and claim,
    without sending, every notice that fell due before the import. Only in the legacy-import
    mode, inside the transaction of the case's import."""
    if not audit.importing():
        raise ValidationError(_("Only a legacy import settles the clocks of a past case."))
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "an imported case's clocks are settled inside the transaction of its import"
        )
    now = now or timezone.now()
    subject_type, subject_id = _subject_key(subject)
    result = SettledClocks()
    clocks = list(
        Clock.objects.select_for_update()
        .filter(subject_type=subject_type, subject_id=subject_id)
        .order_by("pk")
    )
    claimed_rows = ClockNotice.objects.filter(clock__in=clocks).values_list(
        "clock_id", "kind", "offset"
    )
    claimed: dict[int, set[tuple[str, int]]] = {clock.pk: set() for clock in clocks}
    for clock_id, kind, offset in claimed_rows:
        claimed[clock_id].add((kind, offset))
    notices: list[ClockNotice] = []
    for clock in clocks:
        if clock.status == Clock.Status.PENDING and clock.due_at < now:
            if clock.is_window:
                _clock_record_close(clock, now=now, subject=subject)
                result.closed += 1
            else:
                _clock_record_miss(clock, now=now, subject=subject)
                result.missed += 1
        plan = _clock_open_plan(clock, until=now)
        for planned in plan:
            key = (planned.kind, planned.offset)
            if planned.scheduled_at > now or key in claimed[clock.pk]:
                continue
            notices.append(
                ClockNotice(
                    clock=clock,
                    kind=planned.kind,
                    offset=planned.offset,
                    scheduled_at=planned.scheduled_at,
                    claimed_at=now,
                    is_late=True,
                    outcome=ClockNotice.Outcome.SUPERSEDED,
                    recipient_count=0,
                )
            )
            claimed[clock.pk].add(key)
        clock.next_action_at = _clock_next_action_at(clock, claimed=claimed[clock.pk], plan=plan)
        clock.save(update_fields=list(SWEEP_FIELDS))
    ClockNotice.objects.bulk_create(notices)
    result.notices_superseded = len(notices)
    return result
