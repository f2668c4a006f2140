"""Writes of the shared core. Every state change anywhere records its CaseEvent through
`case_event_record` in the same transaction.

By concern: `events` (the audit chain), `clocks` (starting and meeting the statutory clocks,
and the holidays they count), `clock_plan` (a clock's notices in time order), `clock_notices`
(who hears and what they read), `sweep` (reminders, escalations and misses, each exactly once),
`notifications`, `api_tokens` and `housekeeping` (the heartbeat and the role groups). Callers
import from `commission.services`; every name they use is re-exported here.

Statutory clocks run against any app's case through the *subject protocol* (duck typing, so
the core never imports a higher app), described in `commission.services.clocks`.
"""

from __future__ import annotations

from .api_tokens import (
    API_TOKEN_PREFIX,
    api_token_authenticate,
    api_token_issue,
    api_token_revoke,
)
from .clock_notices import (
    MILESTONE_MISSING,
    NOTICE_AUDIENCES,
)
from .clock_plan import (
    PlannedNotice,
    _clock_next_action_at,
    _clock_open_plan,
    clock_plan,
)
from .clocks import (
    DECISION_LEGAL_BASIS,
    DECISION_LEGAL_SOURCE,
    HEARING_LEGAL_BASIS,
    HEARING_LEGAL_SOURCE,
    STATUTORY_DECISION_DAYS,
    STATUTORY_HEARING_DAYS,
    _clock_record_close,
    _clock_record_miss,
    _subject_key,
    clock_meet,
    clock_missed,
    clock_start,
    clocks_start_statutory,
    commission_holiday_add,
)
from .events import (
    audit_chain_verify,
    case_event_record,
    case_events_import,
)
from .housekeeping import (
    heartbeat_record,
    roles_sync,
)
from .notifications import (
    notification_email_send,
    notification_mark_read,
    notification_send,
    staff_users,
)
from .sweep import (
    ESCALATION_KINDS,
    SWEEP_FIELDS,
    SweepReport,
    clock_history_settle,
    clock_sweep,
)

__all__ = [
    "API_TOKEN_PREFIX",
    "DECISION_LEGAL_BASIS",
    "DECISION_LEGAL_SOURCE",
    "ESCALATION_KINDS",
    "HEARING_LEGAL_BASIS",
    "HEARING_LEGAL_SOURCE",
    "MILESTONE_MISSING",
    "NOTICE_AUDIENCES",
    "STATUTORY_DECISION_DAYS",
    "STATUTORY_HEARING_DAYS",
    "SWEEP_FIELDS",
    "PlannedNotice",
    "SweepReport",
    "_clock_next_action_at",
    "_clock_open_plan",
    "_clock_record_close",
    "_clock_record_miss",
    "_subject_key",
    "api_token_authenticate",
    "api_token_issue",
    "api_token_revoke",
    "audit_chain_verify",
    "case_event_record",
    "case_events_import",
    "clock_history_settle",
    "clock_meet",
    "clock_missed",
    "clock_plan",
    "clock_start",
    "clock_sweep",
    "clocks_start_statutory",
    "commission_holiday_add",
    "heartbeat_record",
    "notification_email_send",
    "notification_mark_read",
    "notification_send",
    "roles_sync",
    "staff_users",
]
