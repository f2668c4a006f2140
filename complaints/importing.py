"""The legacy import: the commission's past cases brought in through the same services as a
new filing (`manage.py import_cases FILE`; the schema is docs/import.md).

Each case of the file is one transaction, inside `audit.legacy_import()` — the only mode in
which a past receipt instant or a past event time enters the record:

1. `case_file` files it with its recorded receipt instant, parties and allegations (docket
   numbers of the year of receipt; no acknowledgment is emailed, no investigation opened);
2. an `ImportedCase` row keeps its legacy reference (unique: a re-run brings nothing in twice)
   and a `case_imported` event names the batch and the line it came from;
3. its dated events go through their own services (`case_hearing_schedule`,
   `case_hearing_record_held`, `petition_deny`, `compliance_statement_record`), which meet its
   clocks at the recorded instants;
4. `commission.importing.clocks_settle_imported` records every deadline that had passed as
   missed on the day it was missed, and claims without sending every notice that fell due
   before the import.

A row that any service refuses is rolled back whole and reported with its line number; the
rows before and after it are unaffected. The batch itself is on the audit chain: an
`import_batch_started` event (file name and SHA-256) and an `import_batch_finished` event
(the counts).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from commission import audit
from commission.actors import Actor, actor_require, actor_user
from commission.importing import clocks_settle_imported
from commission.models import Organization, Sector, TradingPartner
from commission.services import case_event_record
from criteria.models import Criterion

from .models import Case, Complainant, ImportBatch, ImportedCase, Respondent
from .services import (
    PERM_OUTCOME,
    PERM_RECORD_PAPER,
    AllegationInput,
    ComplainantInput,
    FilingInput,
    RespondentInput,
    case_file,
    case_hearing_record_held,
    case_hearing_schedule,
    compliance_statement_record,
    petition_deny,
)

logger = logging.getLogger(__name__)

FORMATS = ("json", "csv")
EVENT_TYPES = ("hearing_scheduled", "hearing_held", "petition_denied", "compliance_statement")
# The CSV has one case a line: one allegation, one respondent, organizations as complainants.
CSV_LIST_SEPARATOR = ";"


class RowError(Exception):
    """A row the import refuses, with every reason found."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class Refusal:
    line: int
    reference: str
    messages: list[str]

    def __str__(self) -> str:
        reference = f" ({self.reference})" if self.reference else ""
        return _("line %(line)s%(reference)s: %(why)s") % {
            "line": self.line,
            "reference": reference,
            "why": "; ".join(self.messages),
        }


@dataclass
class ImportSummary:
    batch_id: int
    rows: int = 0
    imported: int = 0
    already_imported: int = 0
    refused: list[Refusal] = field(default_factory=list)
    clocks_missed: int = 0
    notices_superseded: int = 0
    seconds: float = 0.0


# --- reading ------------------------------------------------------------------------------


def rows_read(text: str, *, fmt: str) -> Iterator[tuple[int, Any]]:
    """(line number, record) of each case in the file. A record that cannot be read at all
    (broken JSON) raises RowError for the whole file, since nothing after it can be trusted."""
    if fmt == "json":
        yield from _json_rows(text)
    elif fmt == "csv":
        yield from _csv_rows(text)
    else:
        raise RowError([_("Unknown format “%(fmt)s” (json or csv).") % {"fmt": fmt}])


def _json_rows(text: str) -> Iterator[tuple[int, Any]]:
    """The objects of a JSON array (or of `{"cases": [...]}`), each with the line it starts
    on, read one at a time so a 10,000-case file is not held twice."""
    decoder = json.JSONDecoder()
    index = _skip_space(text, 0)
    if text.startswith("{", index):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RowError([_("The file is not JSON: %(error)s") % {"error": exc}]) from exc
        cases = document.get("cases") if isinstance(document, dict) else None
        if not isinstance(cases, list):
            raise RowError([_("A JSON file is an array of cases, or an object with “cases”.")])
        # Find where each case starts for the line numbers: re-scan the array.
        index = text.index("[", text.index('"cases"'))
    elif not text.startswith("[", index):
        raise RowError([_("A JSON file is an array of cases, or an object with “cases”.")])
    index = _skip_space(text, index + 1)
    if text.startswith("]", index):
        return
    while True:
        line = text.count("\n", 0, index) + 1
        try:
            value, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as exc:
            raise RowError(
                [
                    _("The file is not JSON from line %(line)s: %(error)s")
                    % {"line": line, "error": exc}
                ]
            ) from exc
        yield line, value
        index = _skip_space(text, index)
        if text.startswith(",", index):
            index = _skip_space(text, index + 1)
            continue
        if text.startswith("]", index):
            return
        raise RowError(
            [_("The file is not JSON after line %(line)s: expected “,” or “]”.") % {"line": line}]
        )


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _csv_rows(text: str) -> Iterator[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [
        c for c in ("legacy_reference", "kind", "received_at") if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise RowError(
            [_("The CSV header lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)}]
        )
    start = reader.line_num + 1
    for row in reader:
        yield start, _csv_record(row)
        start = reader.line_num + 1


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(CSV_LIST_SEPARATOR) if part.strip()]


def _csv_record(row: dict[str, str | None]) -> dict[str, Any]:
    """A CSV line as the JSON shape of a case."""

    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    record: dict[str, Any] = {
        "legacy_reference": cell("legacy_reference"),
        "kind": cell("kind"),
        "language": cell("language") or settings.LANGUAGE_CODE,
        "received_at": cell("received_at"),
        "received_via": cell("received_via") or Case.Channel.PAPER,
        "remedies_sought": cell("remedies_sought"),
        "complainants": [
            {"kind": "organization", "organization": name}
            for name in _split(row.get("complainant_organizations"))
        ],
        "respondents": [
            {
                "kind": cell("respondent_kind"),
                "organization": cell("respondent_organization"),
                "name": cell("respondent_name"),
                "sector": cell("respondent_sector"),
                "country": cell("respondent_country"),
            }
        ],
        "allegations": [
            {
                "summary": cell("allegation_summary"),
                "facts": cell("allegation_facts"),
                "place": cell("allegation_place"),
                "period_start": cell("allegation_period_start"),
                "period_end": cell("allegation_period_end"),
                "workers_affected": cell("allegation_workers_affected"),
                "criteria": _split(row.get("allegation_criteria")),
                "proposed_standard": cell("allegation_proposed_standard"),
            }
        ],
        "events": [],
    }
    if cell("hearing_scheduled_for"):
        record["events"].append(
            {"type": "hearing_scheduled", "scheduled_for": cell("hearing_scheduled_for")}
        )
    if cell("hearing_held_at"):
        record["events"].append({"type": "hearing_held", "at": cell("hearing_held_at")})
    if cell("decided_at"):
        # Read so that it is refused with the reason, never silently dropped (docs/import.md).
        record["events"].append({"type": "decided", "at": cell("decided_at")})
    if cell("petition_denied_at"):
        record["events"].append(
            {
                "type": "petition_denied",
                "at": cell("petition_denied_at"),
                "reasoning": cell("denial_reasoning"),
                "reference": cell("denial_reference"),
            }
        )
    return record


# --- interpreting a record -----------------------------------------------------------------


@dataclass
class LegacyEvent:
    type: str
    at: dt.datetime
    data: dict[str, Any]


@dataclass
class LegacyCase:
    reference: str
    received_at: dt.datetime
    received_via: str
    filing: FilingInput
    events: list[LegacyEvent]


class _Records:
    """The core records a file names (organizations by name, countries, sectors, criteria by
    code), looked up once per batch."""

    def __init__(self) -> None:
        self.organizations: dict[str, Organization | None] = {}
        self.countries = {tp.code.upper(): tp for tp in TradingPartner.objects.all()}
        self.sectors = {s.isic_code: s for s in Sector.objects.all()}
        self.criteria = {c.code.upper(): c for c in Criterion.objects.all()}

    def organization(self, name: str) -> Organization | None:
        key = name.strip().casefold()
        if key not in self.organizations:
            self.organizations[key] = (
                Organization.objects.filter(name__iexact=name.strip()).order_by("pk").first()
            )
        return self.organizations[key]


def _instant(value: Any, what: str, errors: list[str]) -> dt.datetime | None:
    """An ISO 8601 instant with its offset, or a date (the start of that day in the
    commission's time zone)."""
    text = str(value or "").strip()
    if not text:
        errors.append(_("%(what)s is missing.") % {"what": what})
        return None
    try:
        day = parse_date(text)
        instant = None if day else parse_datetime(text)
    except ValueError:
        instant = day = None
    if instant is not None:
        if timezone.is_naive(instant):
            errors.append(
                _("%(what)s “%(value)s” must carry its time zone offset.")
                % {"what": what, "value": text}
            )
            return None
        return instant
    if day is not None:
        return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
    errors.append(
        _("%(what)s “%(value)s” is not a date or an ISO 8601 instant.")
        % {"what": what, "value": text}
    )
    return None


def _day(value: Any, what: str, errors: list[str], *, required: bool) -> dt.date | None:
    text = str(value or "").strip()
    if not text:
        if required:
            errors.append(_("%(what)s is missing.") % {"what": what})
        return None
    try:
        day = parse_date(text)
    except ValueError:
        day = None
    if day is None:
        errors.append(_("%(what)s “%(value)s” is not a date.") % {"what": what, "value": text})
    return day


def legacy_case_read(record: Any, records: _Records) -> LegacyCase:
    """Check the shape of one record and resolve what it names; every problem at once. The
    services check the rest (completeness, dates against the receipt, transitions)."""
    if not isinstance(record, dict):
        raise RowError([_("A case is an object with named fields.")])
    errors: list[str] = []
    reference = str(record.get("legacy_reference") or "").strip()
    if not reference:
        errors.append(_("legacy_reference is missing."))
    elif len(reference) > 120:
        errors.append(_("legacy_reference is longer than 120 characters."))
    received_at = _instant(record.get("received_at"), "received_at", errors)
    received_via = str(record.get("received_via") or Case.Channel.PAPER).strip()
    complainants = [
        _complainant(c, n, records, errors) for n, c in _items(record, "complainants", errors)
    ]
    respondents = [
        _respondent(r, n, records, errors) for n, r in _items(record, "respondents", errors)
    ]
    allegations = [
        _allegation(a, n, records, errors) for n, a in _items(record, "allegations", errors)
    ]
    events = [
        e
        for n, raw in _items(record, "events", errors, required=False)
        if (e := _event(raw, n, record, records, errors)) is not None
    ]
    if errors or received_at is None:
        raise RowError(errors)
    filing = FilingInput(
        kind=str(record.get("kind") or "").strip(),
        language=str(record.get("language") or settings.LANGUAGE_CODE).strip(),
        complainants=[c for c in complainants if c is not None],
        respondents=[r for r in respondents if r is not None],
        allegations=[a for a in allegations if a is not None],
        remedies_sought=str(record.get("remedies_sought") or ""),
        withhold_organization_names=bool(record.get("withhold_organization_names", False)),
        confidentiality_request=str(record.get("confidentiality_request") or ""),
    )
    events.sort(key=lambda e: e.at)
    return LegacyCase(reference, received_at, received_via, filing, events)


def _items(
    record: dict[str, Any], name: str, errors: list[str], *, required: bool = True
) -> list[tuple[int, Any]]:
    value = record.get(name)
    if value in (None, "") and not required:
        return []
    if not isinstance(value, list):
        errors.append(_("%(name)s is a list.") % {"name": name})
        return []
    return list(enumerate(value, start=1))


def _complainant(
    raw: Any, number: int, records: _Records, errors: list[str]
) -> ComplainantInput | None:
    if not isinstance(raw, dict):
        errors.append(_("complainant %(n)s is not an object.") % {"n": number})
        return None
    kind = str(raw.get("kind") or "").strip()
    if kind == Complainant.Kind.ORGANIZATION:
        name = str(raw.get("organization") or "").strip()
        organization = records.organization(name) if name else None
        if organization is None:
            errors.append(
                _("complainant %(n)s: no organization “%(name)s” in the records.")
                % {"n": number, "name": name}
            )
            return None
        return ComplainantInput(
            kind=kind,
            organization=organization,
            identity_withheld=bool(raw.get("identity_withheld", False)),
        )
    if kind == Complainant.Kind.WORKER:
        # The name stays confidential: it is never quoted back in an error.
        return ComplainantInput(
            kind=kind, name=str(raw.get("name") or ""), contact=str(raw.get("contact") or "")
        )
    errors.append(_("complainant %(n)s: kind is “organization” or “worker”.") % {"n": number})
    return None


def _respondent(
    raw: Any, number: int, records: _Records, errors: list[str]
) -> RespondentInput | None:
    if not isinstance(raw, dict):
        errors.append(_("respondent %(n)s is not an object.") % {"n": number})
        return None
    kind = str(raw.get("kind") or "").strip()
    if kind not in Respondent.Kind.values:
        errors.append(
            _("respondent %(n)s: kind is one of %(kinds)s.")
            % {"n": number, "kinds": ", ".join(Respondent.Kind.values)}
        )
        return None
    country = None
    code = str(raw.get("country") or "").strip().upper()
    if code:
        country = records.countries.get(code)
        if country is None:
            errors.append(
                _("respondent %(n)s: no trading partner “%(code)s”.") % {"n": number, "code": code}
            )
    sector = None
    organization = None
    name = str(raw.get("organization") or "").strip()
    if kind == Respondent.Kind.SECTOR:
        isic = str(raw.get("sector") or "").strip()
        sector = records.sectors.get(isic)
        if sector is None:
            errors.append(
                _("respondent %(n)s: no sector “%(code)s” (ISIC Rev. 4).")
                % {"n": number, "code": isic}
            )
    elif name:
        organization = records.organization(name)
        if organization is None:
            errors.append(
                _("respondent %(n)s: no organization “%(name)s” in the records.")
                % {"n": number, "name": name}
            )
    return RespondentInput(
        kind=kind,
        organization=organization,
        sector=sector,
        name_given=str(raw.get("name") or ""),
        country=country,
    )


def _allegation(
    raw: Any, number: int, records: _Records, errors: list[str]
) -> AllegationInput | None:
    if not isinstance(raw, dict):
        errors.append(_("allegation %(n)s is not an object.") % {"n": number})
        return None
    label = _("allegation %(n)s") % {"n": number}
    period_start = _day(raw.get("period_start"), f"{label}: period_start", errors, required=True)
    period_end = _day(raw.get("period_end"), f"{label}: period_end", errors, required=False)
    workers: int | None = None
    if str(raw.get("workers_affected") or "").strip():
        try:
            workers = int(str(raw.get("workers_affected")).strip())
        except ValueError:
            errors.append(_("%(a)s: workers_affected is a whole number.") % {"a": label})
    criteria = []
    codes = raw.get("criteria") or []
    if not isinstance(codes, list):
        errors.append(_("%(a)s: criteria is a list of codes.") % {"a": label})
        codes = []
    for code in codes:
        criterion = records.criteria.get(str(code).strip().upper())
        if criterion is None:
            errors.append(
                _("%(a)s: no criterion “%(code)s” in the register.") % {"a": label, "code": code}
            )
        else:
            criteria.append(criterion)
    if period_start is None:
        return None
    return AllegationInput(
        summary=str(raw.get("summary") or ""),
        facts=str(raw.get("facts") or ""),
        place=str(raw.get("place") or ""),
        period_start=period_start,
        period_end=period_end,
        workers_affected=workers,
        criteria=criteria,
        proposed_standard=str(raw.get("proposed_standard") or ""),
    )


def _event(
    raw: Any, number: int, record: dict[str, Any], records: _Records, errors: list[str]
) -> LegacyEvent | None:
    if not isinstance(raw, dict):
        errors.append(_("event %(n)s is not an object.") % {"n": number})
        return None
    kind = str(raw.get("type") or "").strip()
    label = _("event %(n)s (%(type)s)") % {"n": number, "type": kind}
    if kind == "decided":
        errors.append(
            _(
                "%(e)s: this case was decided in the earlier records. Here a complaint is "
                "decided only by an issued decision with its reasoned opinion, signed and "
                "registered when its panel issues it, so a past decision cannot be imported, "
                "and the case is not imported without it (it would show as undecided, its "
                "decision deadline missed). Leave this row out of the file and keep the case, "
                "with its opinion, in the earlier records (docs/import.md). A petition's "
                "denial is imported as a petition_denied event."
            )
            % {"e": label}
        )
        return None
    if kind not in EVENT_TYPES:
        errors.append(
            _("%(e)s: type is one of %(types)s.") % {"e": label, "types": ", ".join(EVENT_TYPES)}
        )
        return None
    if kind == "hearing_scheduled":
        at = _instant(raw.get("scheduled_for"), f"{label}: scheduled_for", errors)
        return LegacyEvent(kind, at, {}) if at else None
    at = _instant(raw.get("at"), f"{label}: at", errors)
    if at is None:
        return None
    data: dict[str, Any] = {}
    if kind == "petition_denied":
        data = {
            "reasoning": str(raw.get("reasoning") or ""),
            "reference": str(raw.get("reference") or ""),
        }
    elif kind == "compliance_statement":
        name = str(raw.get("government") or "").strip()
        government = records.organization(name) if name else None
        if government is None:
            errors.append(
                _("%(e)s: no government “%(name)s” in the records.") % {"e": label, "name": name}
            )
            return None
        data = {"government": government, "statement": str(raw.get("statement") or "")}
    return LegacyEvent(kind, at, data)


# --- writing -------------------------------------------------------------------------------


def import_batch_start(
    *, source_name: str, source_sha256: str, source_format: str, actor: Actor
) -> ImportBatch:
    """Open a batch, on the audit chain. Refused to anyone who may not both record paper
    filings and record hearings and outcomes: an import does both."""
    actor_require(actor, PERM_RECORD_PAPER)
    actor_require(actor, PERM_OUTCOME)
    user = actor_user(actor)
    if user is None:  # pragma: no cover - the permissions are held by accounts only
        raise PermissionDenied(_("An import is run by a staff account."))
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            source_name=source_name[:255],
            source_sha256=source_sha256,
            source_format=source_format,
            started_by=user,
        )
        case_event_record(
            subject=batch,
            verb="import_batch_started",
            actor=actor,
            data={"file": batch.source_name, "sha256": source_sha256, "format": source_format},
        )
    return batch


def import_batch_finish(*, batch: ImportBatch, summary: ImportSummary, actor: Actor) -> None:
    with transaction.atomic():
        batch.finished_at = timezone.now()
        batch.imported = summary.imported
        batch.already_imported = summary.already_imported
        batch.refused = len(summary.refused)
        batch.save(update_fields=["finished_at", "imported", "already_imported", "refused"])
        case_event_record(
            subject=batch,
            verb="import_batch_finished",
            actor=actor,
            data={
                "rows": summary.rows,
                "imported": summary.imported,
                "already_imported": summary.already_imported,
                "refused": len(summary.refused),
                "refused_lines": [r.line for r in summary.refused][:1000],
            },
        )


def legacy_case_import(
    *, legacy: LegacyCase, line: int, batch: ImportBatch, actor: Actor, now: dt.datetime
) -> tuple[Case, int, int]:
    """File one past case and its dated events, in one transaction, in the legacy-import
    mode. Returns the case, its clocks recorded missed and its notices claimed unsent."""
    with audit.legacy_import(), transaction.atomic():
        case, _code = case_file(
            filing=legacy.filing,
            actor=actor,
            received_via=legacy.received_via,
            received_at=legacy.received_at,
        )
        ImportedCase.objects.create(
            legacy_reference=legacy.reference, case=case, batch=batch, source_line=line
        )
        case_event_record(
            subject=case,
            verb="case_imported",
            actor=actor,
            data={"batch": batch.pk, "legacy_reference": legacy.reference, "line": line},
        )
        for event in legacy.events:
            _event_apply(case, event, actor=actor)
        settled = clocks_settle_imported(subject=case, now=now)
    return case, settled.missed, settled.notices_superseded


def _event_apply(case: Case, event: LegacyEvent, *, actor: Actor) -> None:
    if event.type == "hearing_scheduled":
        case_hearing_schedule(case=case, scheduled_for=event.at, actor=actor)
    elif event.type == "hearing_held":
        case_hearing_record_held(case=case, held_at=event.at, actor=actor)
    elif event.type == "petition_denied":
        petition_deny(
            petition=case,
            reasoning=event.data["reasoning"],
            reference=event.data["reference"],
            denied_at=event.at,
            actor=actor,
        )
    elif event.type == "compliance_statement":
        compliance_statement_record(
            case=case,
            government=event.data["government"],
            statement=event.data["statement"],
            received_at=event.at,
            actor=actor,
        )


def _messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def cases_import(
    *,
    path: Path,
    actor: Actor,
    fmt: str | None = None,
    progress: Callable[[int], None] | None = None,
    total: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import every case of the file at `path` (JSON or CSV, by `fmt` or the file's suffix).
    `total(n)` is called once the rows are counted and `progress(1)` after each row."""
    import time

    started = time.monotonic()
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    raw = path.read_bytes()
    if fmt not in FORMATS:
        raise ValidationError(_("Unknown format “%(fmt)s” (json or csv).") % {"fmt": fmt})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text.")) from exc
    try:
        rows = list(rows_read(text, fmt=fmt))
    except RowError as exc:
        raise ValidationError(exc.messages) from exc
    if total is not None:
        total(len(rows))
    batch = import_batch_start(
        source_name=path.name,
        source_sha256=hashlib.sha256(raw).hexdigest(),
        source_format=fmt,
        actor=actor,
    )
    summary = ImportSummary(batch_id=batch.pk)
    records = _Records()
    known = set(ImportedCase.objects.values_list("legacy_reference", flat=True))
    now = timezone.now()
    for line, record in rows:
        try:
            _row_import(
                line, record, batch=batch, actor=actor, now=now, known=known,
                records=records, summary=summary,
            )  # fmt: skip
        finally:
            if progress is not None:
                progress(1)
    summary.seconds = time.monotonic() - started
    import_batch_finish(batch=batch, summary=summary, actor=actor)
    logger.info(
        "legacy import %s: %s rows, %s imported, %s imported before, %s refused",
        batch.pk,
        summary.rows,
        summary.imported,
        summary.already_imported,
        len(summary.refused),
    )
    return summary


def _row_import(
    line: int,
    record: Any,
    *,
    batch: ImportBatch,
    actor: Actor,
    now: dt.datetime,
    known: set[str],
    records: _Records,
    summary: ImportSummary,
) -> None:
    """One row: skipped when imported before, imported, or refused with its reasons."""
    summary.rows += 1
    reference = ""
    if isinstance(record, dict):
        reference = str(record.get("legacy_reference") or "").strip()
    if reference and reference in known:
        summary.already_imported += 1
        return
    try:
        legacy = legacy_case_read(record, records)
        try:
            _case, missed, superseded = legacy_case_import(
                legacy=legacy, line=line, batch=batch, actor=actor, now=now
            )
        except IntegrityError:
            # Imported meanwhile by another run: the unique reference refused a second.
            if ImportedCase.objects.filter(legacy_reference=legacy.reference).exists():
                summary.already_imported += 1
                known.add(legacy.reference)
                return
            raise
    except RowError as exc:
        summary.refused.append(Refusal(line, reference, exc.messages))
    except ValidationError as exc:
        summary.refused.append(Refusal(line, reference, _messages(exc)))
    except PermissionDenied as exc:
        summary.refused.append(Refusal(line, reference, [str(exc) or _("Not permitted.")]))
    except IntegrityError as exc:
        logger.warning("legacy import line %s refused by the database", line)
        summary.refused.append(
            Refusal(line, reference, [_("refused by the database: %(error)s") % {"error": exc}])
        )
    else:
        known.add(legacy.reference)
        summary.imported += 1
        summary.clocks_missed += missed
        summary.notices_superseded += superseded
