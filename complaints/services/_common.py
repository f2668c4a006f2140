"""What the complaints services share: permissions, channels, docket prefixes, the status
transition and small helpers."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from commission.actors import Actor, actor_is_user
from commission.models import (
    CaseEvent,
    Organization,
    Sector,
    TradingPartner,
)
from commission.services import case_event_record
from commission.transitions import status_transition

from ..models import (
    Case,
    DocketCounter,
    Evidence,
)

logger = logging.getLogger(__name__)


MAX_ALLEGATIONS = 20  # as many as the portal offers

PERM_RECORD_PAPER = "complaints.record_paper_filing"
PERM_ASSIGN = "complaints.assign_case"
PERM_CHECK_INTAKE = "complaints.check_intake"
PERM_OUTCOME = "complaints.record_case_outcome"
PERM_COURT = "complaints.record_court_review"

STAFF_CHANNELS = frozenset({Case.Channel.PAPER, Case.Channel.EMAIL})
DOCKET_PREFIX: dict[str, str] = {Case.Kind.COMPLAINT: "C", Case.Kind.PETITION: "P"}


# --- inputs ------------------------------------------------------------------------------


# Related records may be given as instances or as primary keys (the portal passes keys it has
# already validated; other callers pass instances).


@dataclass
class ComplainantInput:
    kind: str
    organization: Organization | int | None = None
    name: str = ""
    contact: str = ""
    identity_withheld: bool = False
    user: Any = None


@dataclass
class RespondentInput:
    kind: str
    organization: Organization | int | None = None
    sector: Sector | int | None = None
    name_given: str = ""
    country: TradingPartner | int | None = None


@dataclass
class AllegationInput:
    summary: str
    facts: str
    period_start: dt.date
    place: str
    period_end: dt.date | None = None
    workers_affected: int | None = None
    criteria: Sequence[Any] = ()
    proposed_standard: str = ""


@dataclass
class FilingInput:
    kind: str
    language: str
    complainants: list[ComplainantInput]
    respondents: list[RespondentInput]
    allegations: list[AllegationInput]
    remedies_sought: str
    withhold_organization_names: bool = False
    confidentiality_request: str = ""
    contact_email: str = ""
    evidence: list[Evidence] = field(default_factory=list)


# --- helpers -----------------------------------------------------------------------------


def _pk(value: object) -> Any:
    return getattr(value, "pk", value)


def _is_authenticated(user: object) -> bool:
    return actor_is_user(user)


def _code_hash(code: str) -> str:
    normalized = code.strip().upper().replace(" ", "")
    return salted_hmac("complaints.access-code", normalized, algorithm="sha256").hexdigest()


def access_code_matches(*, stored_hash: str, code: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(stored_hash, _code_hash(code))


def pseudonym_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _docket_allocate(*, kind: str, received_at: dt.datetime) -> str:
    """The next docket number for the kind and the year of receipt, e.g. "C-2026-00042".

    The counter row is incremented by one UPDATE, which holds the row's lock until the filing
    commits: concurrent filings queue on it, and a rolled-back filing gives its number back.
    The unique constraint on `Case.docket_number` is the second line of defence."""
    prefix = DOCKET_PREFIX[kind]
    year = timezone.localtime(received_at).year
    number = _docket_increment(prefix, year)
    if number is None:
        DocketCounter.objects.bulk_create(
            [DocketCounter(prefix=prefix, year=year, last_number=0)], ignore_conflicts=True
        )
        number = _docket_increment(prefix, year)
    return f"{prefix}-{year}-{number:05d}"


def _docket_increment(prefix: str, year: int) -> int | None:
    """Add one to the counter and read it back, in one statement where the database can."""
    table = DocketCounter._meta.db_table
    connection = transaction.get_connection()
    if connection.features.can_return_columns_from_insert:  # PostgreSQL, SQLite >= 3.35
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last_number = last_number + 1 "  # noqa: S608 - fixed name  # nosec B608
                "WHERE prefix = %s AND year = %s RETURNING last_number",
                [prefix, year],
            )
            row = cursor.fetchone()
        return row[0] if row else None
    counters = DocketCounter.objects.filter(prefix=prefix, year=year)
    if not counters.update(last_number=F("last_number") + 1):
        return None
    return counters.values_list("last_number", flat=True).get()


def _transition(
    *,
    case: Case,
    to_status: str,
    actor: Actor,
    verb: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    extra_fields: Iterable[str] = (),
    at: dt.datetime | None = None,
) -> CaseEvent:
    """Move a locked case to `to_status` if `Case.TRANSITIONS` allows it, save, and record."""
    from_status = status_transition(
        case,
        to_status,
        table=Case.TRANSITIONS[case.kind],
        refusal=_("A %(kind)s that is “%(from)s” cannot become “%(to)s”.")
        % {
            "kind": case.get_kind_display().lower(),
            "from": Case.Status(case.status).label,
            "to": Case.Status(to_status).label if to_status in Case.Status.values else to_status,
        },
    )
    case.save(update_fields=["status", *extra_fields])
    return case_event_record(
        subject=case,
        verb=verb,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
        is_public=True,
        occurred_at=at,
    )


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _required_text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


def connection_returns_ids() -> bool:
    from django.db import connection

    return connection.features.can_return_rows_from_bulk_insert
