"""Writes of complaints and petitions. Every rule of the first door into a binding case lives
here, and the portal, the admin, the API, the demo and the tasks all call these functions.

* `case_file` is the only way a case comes into being: it records the receipt instant (the
  server's, or — for paper and email — the one staff record, never in the future), allocates
  the docket number, writes the parties, allegations and evidence, starts the statutory clocks
  and records the public "filed" event, all in one transaction.
* Statuses move only through `_transition`, which checks `Case.TRANSITIONS`. There is no
  service that withdraws, closes or dismisses a case: a case ends only with a reasoned outcome
  (`complaint_decide`, `petition_deny`, `petition_file_complaint`). A withdrawal request or a
  government's statement that the respondent now complies is recorded and changes nothing.
* Nothing moves a receipt instant or a clock: neither field has a writer here.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from commission.actors import SYSTEM, Actor, actor_is_user, actor_require
from commission.forms import INT32_MAX
from commission.models import (
    CaseEvent,
    Organization,
    OrganizationMembership,
    Sector,
    TradingPartner,
)
from commission.services import case_event_record, clock_meet, clocks_start_statutory
from commission.transitions import status_transition

from .models import (
    GROUND_FIELDS,
    Allegation,
    Case,
    Complainant,
    ComplianceStatement,
    CourtReview,
    DocketCounter,
    Evidence,
    FilingDraft,
    Respondent,
    case_filed,
    new_access_code,
)
from .uploads import UploadRejected, clamd_scan, scanning_enabled, upload_accept

logger = logging.getLogger(__name__)

MAX_ALLEGATIONS = 20  # as many as the portal offers

PERM_RECORD_PAPER = "complaints.record_paper_filing"
PERM_ASSIGN = "complaints.assign_case"
PERM_CHECK_INTAKE = "complaints.check_intake"
PERM_OUTCOME = "complaints.record_case_outcome"
PERM_COURT = "complaints.record_court_review"

STAFF_CHANNELS = frozenset({Case.Channel.PAPER, Case.Channel.EMAIL})
DOCKET_PREFIX = {Case.Kind.COMPLAINT: "C", Case.Kind.PETITION: "P"}


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


def _pk(value) -> Any:
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
                f"UPDATE {table} SET last_number = last_number + 1 "  # noqa: S608 - fixed name
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
    actor,
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


# --- filing ------------------------------------------------------------------------------


def _validate_filing(filing: FilingInput, *, actor, channel: str) -> None:  # noqa: C901 - split into steps below
    errors: list[str] = []
    if filing.kind not in Case.Kind.values:
        errors.append(_("Choose whether this is a complaint or a petition."))
    if filing.language not in dict(settings.LANGUAGES):
        errors.append(_("Choose the language of the filing."))
    if not filing.complainants:
        errors.append(_("A filing names at least one complainant."))
    if not filing.respondents:
        errors.append(_("A filing names at least one respondent."))
    if not filing.allegations:
        errors.append(_("A filing makes at least one allegation."))
    if not (filing.remedies_sought or "").strip():
        errors.append(_("Say which remedies you seek."))
    for c in filing.complainants:
        if c.kind == Complainant.Kind.ORGANIZATION:
            if c.organization is None:
                errors.append(_("An organization complainant must be chosen from the records."))
            elif channel == Case.Channel.PORTAL and not _is_delegate(actor, c.organization):
                name = Organization.objects.filter(pk=_pk(c.organization)).values_list(
                    "name", flat=True
                )
                errors.append(
                    _("You may file for %(org)s only as one of its delegates.")
                    % {"org": name.first() or _pk(c.organization)}
                )
        elif c.kind == Complainant.Kind.WORKER:
            if not c.name.strip():
                errors.append(_("A worker complainant gives a name (it stays confidential)."))
        else:
            errors.append(_("Unknown kind of complainant."))
    for r in filing.respondents:
        if r.kind not in Respondent.Kind.values:
            errors.append(_("Unknown kind of respondent."))
        elif r.kind == Respondent.Kind.SECTOR:
            if r.sector is None:
                errors.append(_("A sector respondent must be chosen from the sectors."))
        elif r.organization is None and not r.name_given.strip():
            errors.append(_("Each respondent is chosen from the records or named."))
    today = timezone.localdate()
    earliest = dt.date.fromisoformat(settings.FILING_EARLIEST_DATE)
    if len(filing.allegations) > MAX_ALLEGATIONS:
        errors.append(_("A filing makes at most %(n)s allegations.") % {"n": MAX_ALLEGATIONS})
    for text in (filing.remedies_sought, filing.confidentiality_request):
        if len(text or "") > settings.FILING_TEXT_MAX_LENGTH:
            errors.append(
                _("A text of the filing is too long (at most %(n)s characters).")
                % {"n": settings.FILING_TEXT_MAX_LENGTH}
            )
    for number, a in enumerate(filing.allegations, start=1):
        label = _("Allegation %(n)s") % {"n": number}
        if not (a.summary.strip() and a.facts.strip() and a.place.strip()):
            errors.append(_("%(a)s: give a summary, the facts and the place.") % {"a": label})
        if a.period_start is None or a.period_start > today:
            errors.append(_("%(a)s: the period cannot start in the future.") % {"a": label})
        elif a.period_start < earliest or (a.period_end is not None and a.period_end < earliest):
            errors.append(
                _("%(a)s: the commission hears what happened from %(day)s on.")
                % {"a": label, "day": earliest.isoformat()}
            )
        elif a.period_end is not None and a.period_end < a.period_start:
            errors.append(_("%(a)s: the period ends before it starts.") % {"a": label})
        if a.workers_affected is not None and a.workers_affected < 1:
            errors.append(_("%(a)s: the number of workers affected is at least 1.") % {"a": label})
        elif a.workers_affected is not None and a.workers_affected > INT32_MAX:
            errors.append(
                _("%(a)s: the number of workers affected is at most %(max)s.")
                % {"a": label, "max": INT32_MAX}
            )
        if len(a.facts) > settings.FILING_FACTS_MAX_LENGTH:
            errors.append(
                _("%(a)s: the facts are too long (at most %(n)s characters).")
                % {"a": label, "n": settings.FILING_FACTS_MAX_LENGTH}
            )
        if not a.criteria and not a.proposed_standard.strip():
            errors.append(
                _(
                    "%(a)s: cite at least one criterion of the register, or describe the "
                    "standard that was breached when no criterion fits."
                )
                % {"a": label}
            )
    if errors:
        raise ValidationError(errors)


def _is_delegate(user, organization: Organization | int) -> bool:
    if not _is_authenticated(user):
        return False
    return OrganizationMembership.objects.filter(
        organization_id=_pk(organization), person__user=user
    ).exists()


def case_file(  # noqa: C901 - split into steps below
    *,
    filing: FilingInput,
    actor: Actor,
    received_via: str = Case.Channel.PORTAL,
    received_at: dt.datetime | None = None,
    intake_reference: str = "",
    originating_petition: Case | None = None,
) -> tuple[Case, str]:
    """File a complaint or a petition. Returns the case and, when the filer has no account,
    the access code to follow it (shown once; only its hash is stored), else "".

    The receipt instant is the server's clock for the portal and for filings by the
    commission; for paper and email filings staff record when it was received, which may
    not be in the future. The statutory clocks start from it, inside this transaction."""
    now = timezone.now()
    if originating_petition is not None and received_via not in {
        Case.Channel.COMMISSION,
        Case.Channel.COURT_ORDER,
    }:
        raise ValidationError(_("Only the commission files a complaint on a petition."))
    if received_via == Case.Channel.PORTAL:
        if received_at is not None:
            raise ValidationError(_("A portal filing is received when the server receives it."))
        received_at = now
    elif received_via in STAFF_CHANNELS:
        actor_require(actor, PERM_RECORD_PAPER)
        if received_at is None:
            raise ValidationError(_("Record when the paper or emailed filing was received."))
        if timezone.is_naive(received_at):
            raise ValidationError(_("The receipt time must carry its time zone."))
        if received_at > now:
            raise ValidationError(_("A filing cannot be recorded as received in the future."))
    elif received_via == Case.Channel.INVESTIGATION:
        # An investigative team files when a remedial order failed (investigations.services);
        # received when the server records it, like a portal filing.
        if filing.kind != Case.Kind.COMPLAINT:
            raise ValidationError(_("An investigative team files complaints."))
        received_at = now
    elif received_via in {Case.Channel.COMMISSION, Case.Channel.COURT_ORDER}:
        if originating_petition is None or filing.kind != Case.Kind.COMPLAINT:
            raise ValidationError(_("Only a complaint on a petition is filed by the commission."))
        received_at = now
    else:
        raise ValidationError(_("Unknown channel of receipt."))
    _validate_filing(filing, actor=actor, channel=received_via)
    access_code = "" if _is_authenticated(actor) else new_access_code()
    # Tell the clocks which step triggered them ("Complaint filed 2 March 2026, 14:10 …").
    trigger_event = f"{filing.kind}_filed"

    with transaction.atomic():
        docket = _docket_allocate(kind=filing.kind, received_at=received_at)
        case = Case.objects.create(
            kind=filing.kind,
            docket_number=docket,
            status=Case.Status.FILED,
            received_at=received_at,
            received_via=received_via,
            intake_reference=intake_reference.strip(),
            recorded_at=now,
            recorded_by=actor if _is_authenticated(actor) else None,
            filed_by=actor if (_is_authenticated(actor) and received_via == "portal") else None,
            language=filing.language,
            remedies_sought=filing.remedies_sought.strip(),
            withhold_organization_names=filing.withhold_organization_names,
            confidentiality_request=filing.confidentiality_request.strip(),
            contact_email=filing.contact_email.strip(),
            access_code_hash=_code_hash(access_code) if access_code else "",
            originating_petition=originating_petition,
        )
        Complainant.objects.bulk_create(
            [
                Complainant(
                    case=case,
                    kind=c.kind,
                    position=position,
                    organization_id=_pk(c.organization) if c.kind == "organization" else None,
                    name=c.name.strip() if c.kind == "worker" else "",
                    contact=c.contact.strip() if c.kind == "worker" else "",
                    pseudonym=pseudonym_letter(position - 1),
                    identity_withheld=(
                        True
                        if c.kind == "worker"
                        else (c.identity_withheld or filing.withhold_organization_names)
                    ),
                    user=c.user if _is_authenticated(c.user) else None,
                )
                for position, c in enumerate(filing.complainants, start=1)
            ]
        )
        Respondent.objects.bulk_create(
            [
                Respondent(
                    case=case,
                    kind=r.kind,
                    organization_id=_pk(r.organization) if r.kind != "sector" else None,
                    sector_id=_pk(r.sector) if r.kind == "sector" else None,
                    name_given="" if r.organization or r.kind == "sector" else r.name_given.strip(),
                    country_id=_pk(r.country),
                )
                for r in filing.respondents
            ]
        )
        allegations = [
            Allegation(
                case=case,
                number=number,
                summary=a.summary.strip(),
                facts=a.facts.strip(),
                period_start=a.period_start,
                period_end=a.period_end,
                place=a.place.strip(),
                workers_affected=a.workers_affected,
                proposed_standard=a.proposed_standard.strip(),
                flagged_for_deliberation=bool(a.proposed_standard.strip()),
            )
            for number, a in enumerate(filing.allegations, start=1)
        ]
        Allegation.objects.bulk_create(allegations)
        if connection_returns_ids():
            created = allegations
        else:  # pragma: no cover - every supported database returns ids
            created = list(Allegation.objects.filter(case=case).order_by("number"))
        through = Allegation.criteria.through
        through.objects.bulk_create(
            [
                through(allegation_id=allegation.pk, criterion_id=_pk(criterion))
                for allegation, a in zip(created, filing.allegations, strict=True)
                for criterion in a.criteria
            ]
        )
        evidence_ids = [e.pk for e in filing.evidence]
        if evidence_ids:
            Evidence.objects.filter(pk__in=evidence_ids, case__isnull=True).update(case=case)
        case_event_record(
            subject=case,
            verb="filed",
            actor=actor,
            to_status=Case.Status.FILED,
            data={
                "kind": case.kind,
                "received_via": received_via,
                "received_at": received_at.isoformat(),
                "recorded_at": now.isoformat(),
                "complainants": len(filing.complainants),
                "respondents": len(filing.respondents),
                "allegations": len(filing.allegations),
                "evidence": len(evidence_ids),
                "originating_petition": originating_petition.docket_number
                if originating_petition
                else "",
            },
            is_public=True,
            docket_number=docket,
            occurred_at=received_at,
        )
        clocks_start_statutory(
            subject=case, trigger_at=received_at, actor=actor, trigger_event=trigger_event
        )
        case_id = case.pk
        transaction.on_commit(lambda: _queue_acknowledgment(case_id))
        transaction.on_commit(lambda: case_filed.send(sender=Case, case_id=case_id))
    logger.info("filing received: %s via %s", docket, received_via)
    return case, access_code


def connection_returns_ids() -> bool:
    from django.db import connection

    return connection.features.can_return_rows_from_bulk_insert


def _queue_acknowledgment(case_id: int) -> None:
    from .tasks import filing_acknowledge

    filing_acknowledge.delay(case_id)


# --- drafts ------------------------------------------------------------------------------


def filing_draft_start(*, owner=None, language: str = "en") -> FilingDraft:
    return FilingDraft.objects.create(
        owner=owner if _is_authenticated(owner) else None, language=language[:8]
    )


def filing_draft_save(
    *, draft: FilingDraft, step: str, answers: dict[str, Any], clean: Any = None
) -> FilingDraft:
    """Save one step's answers as typed and, when the step validated, its validated form
    (`clean`); without it any earlier validated form of the step is dropped. A submitted draft
    is never changed again."""
    with transaction.atomic():
        locked = FilingDraft.objects.select_for_update().get(pk=draft.pk)
        if locked.submitted_case_id:
            raise ValidationError(_("This filing has already been submitted."))
        data = dict(locked.data or {})
        data[step] = answers
        validated = dict(data.get("_clean") or {})
        if clean is None:
            validated.pop(step, None)
        else:
            validated[step] = clean
        data["_clean"] = validated
        locked.data = data
        locked.step = step
        locked.updated_at = timezone.now()
        locked.save(update_fields=["data", "step", "updated_at"])
    draft.data, draft.step, draft.updated_at = locked.data, locked.step, locked.updated_at
    return draft


def filing_draft_issue_resume_code(*, draft: FilingDraft) -> str:
    """A new code to come back to the draft without an account (shown once; a new code
    replaces the previous one)."""
    code = new_access_code()
    draft.resume_code_hash = _code_hash(code)
    draft.updated_at = timezone.now()
    draft.save(update_fields=["resume_code_hash", "updated_at"])
    return code


def filing_draft_resume(*, code: str) -> FilingDraft | None:
    """The unsubmitted, unexpired draft the code opens, or None."""
    if not code or not code.strip():
        return None
    oldest = timezone.now() - dt.timedelta(days=settings.FILING_DRAFT_RETENTION_DAYS)
    return (
        FilingDraft.objects.filter(
            resume_code_hash=_code_hash(code),
            submitted_case__isnull=True,
            updated_at__gte=oldest,
        )
        .order_by("-updated_at")
        .first()
    )


def filing_draft_submit(
    *,
    draft: FilingDraft,
    filing: FilingInput,
    actor: Actor,
    received_via: str = Case.Channel.PORTAL,
    received_at: dt.datetime | None = None,
    intake_reference: str = "",
) -> tuple[Case, str, bool]:
    """Submit a draft exactly once. Returns (case, access code, created). A second submission
    of the same draft — a double click, a retried request — returns the case already filed
    and files nothing."""
    with transaction.atomic():
        locked = FilingDraft.objects.select_for_update().get(pk=draft.pk)
        if locked.submitted_case_id:
            return locked.submitted_case, "", False
        filing.evidence = list(
            Evidence.objects.filter(draft=locked, case__isnull=True).order_by("pk")
        )
        pending = [e for e in filing.evidence if e.scan_status == Evidence.ScanStatus.INFECTED]
        for e in pending:
            filing.evidence.remove(e)
        case, code = case_file(
            filing=filing,
            actor=actor,
            received_via=received_via,
            received_at=received_at,
            intake_reference=intake_reference,
        )
        locked.submitted_case = case
        locked.data = {}  # the case holds the answers now; no second encrypted copy
        locked.resume_code_hash = ""
        locked.updated_at = timezone.now()
        locked.save(update_fields=["submitted_case", "data", "resume_code_hash", "updated_at"])
    draft.submitted_case = case
    return case, code, True


def filing_drafts_purge(*, now: dt.datetime | None = None) -> int:
    """Delete unsubmitted drafts not saved for FILING_DRAFT_RETENTION_DAYS, with their files."""
    now = now or timezone.now()
    oldest = now - dt.timedelta(days=settings.FILING_DRAFT_RETENTION_DAYS)
    stale = FilingDraft.objects.filter(submitted_case__isnull=True, updated_at__lt=oldest)
    count = 0
    for draft in stale:
        for evidence in draft.evidence.filter(case__isnull=True):
            if evidence.file:
                evidence.file.delete(save=False)
            evidence.delete()
        draft.delete()
        count += 1
    return count


# --- evidence ----------------------------------------------------------------------------


def evidence_add(
    *,
    upload: UploadedFile,
    description: str = "",
    actor: Actor,
    draft: FilingDraft | None = None,
    case: Case | None = None,
) -> Evidence:
    """Check and store an uploaded file for a draft (or, by staff, a filed case).

    Refused: too large, empty, a type outside the allow-list (judged by content), a name whose
    extension does not match the content, too many files. The SHA-256 is recorded. When a
    virus scanner is configured the file waits in quarantine until the scan task clears it."""
    if (draft is None) == (case is None):
        raise ValidationError(_("Evidence belongs to a draft or to a case."))
    if case is not None and not (
        actor is SYSTEM or (_is_authenticated(actor) and actor.has_perm(PERM_RECORD_PAPER))
    ):
        # A filed case's evidence is added by intake staff, or by the commission's background
        # work when it files a case itself (an investigation's escalation); no silent path.
        raise PermissionDenied(_("You are not allowed to do this."))
    if draft is not None and draft.submitted_case_id:
        raise ValidationError(_("This filing has already been submitted."))
    try:
        checked = upload_accept(upload)  # scanned later, from quarantine
    except UploadRejected as exc:
        raise ValidationError(exc.message, code="upload_rejected") from exc
    quarantine = scanning_enabled()
    evidence = Evidence(
        draft=draft,
        case=case,
        original_name=checked.name,
        description=(description or "").strip()[:300],
        content_type=checked.type.mime,
        size=checked.size,
        sha256=checked.sha256,
        scan_status=Evidence.ScanStatus.PENDING if quarantine else Evidence.ScanStatus.NOT_SCANNED,
        uploaded_by=actor if _is_authenticated(actor) else None,
    )
    with transaction.atomic():
        # The count limit holds under parallel uploads: the draft's (or case's) row is locked
        # while the files are counted and the new one stored, so uploads queue one by one.
        if draft is not None:
            FilingDraft.objects.select_for_update().filter(pk=draft.pk).first()
            owner_filter = {"draft": draft}
        else:
            Case.objects.select_for_update().filter(pk=case.pk).first()
            owner_filter = {"case": case}
        if Evidence.objects.filter(**owner_filter).count() >= settings.EVIDENCE_MAX_FILES:
            raise ValidationError(
                _("A filing carries at most %(n)s files.") % {"n": settings.EVIDENCE_MAX_FILES}
            )
        upload.seek(0)
        evidence.file.save(checked.name, upload, save=False)
        try:
            evidence.save()
        except BaseException:
            evidence.file.delete(save=False)
            raise
        if case is not None:
            case_event_record(
                subject=case,
                verb="evidence_added",
                actor=actor,
                data={"evidence": evidence.pk, "sha256": evidence.sha256, "size": evidence.size},
            )
        if quarantine:
            evidence_id = evidence.pk
            transaction.on_commit(lambda: _queue_scan(evidence_id))
    return evidence


def _queue_scan(evidence_id: int) -> None:
    from .tasks import evidence_scan

    evidence_scan.delay(evidence_id)


def evidence_remove(*, draft: FilingDraft, evidence_id: int) -> None:
    """Remove a file from a draft before submission (a filed case's evidence stays)."""
    if draft.submitted_case_id:
        raise ValidationError(_("This filing has already been submitted."))
    evidence = Evidence.objects.filter(pk=evidence_id, draft=draft, case__isnull=True).first()
    if evidence is None:
        raise ValidationError(_("No such file in this draft."))
    if evidence.file:
        evidence.file.delete(save=False)
    evidence.delete()


def evidence_scan_run(*, evidence_id: int) -> Evidence | None:
    """Scan one quarantined file with clamd and release or block it. Safe to run twice: only a
    file still pending is scanned. Raises ScannerUnavailable (the task retries)."""
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None or evidence.scan_status != Evidence.ScanStatus.PENDING:
        return evidence
    with evidence.file.open("rb") as handle:
        result = clamd_scan(handle)
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=evidence_id)
        if locked.scan_status != Evidence.ScanStatus.PENDING:
            return locked
        quarantined = locked.file.name
        locked.scanned_at = timezone.now()
        locked.scan_detail = result.detail
        if result.clean:
            locked.scan_status = Evidence.ScanStatus.CLEAN
            with locked.file.storage.open(quarantined, "rb") as handle:
                locked.file.save(locked.original_name, handle, save=False)
        else:
            locked.scan_status = Evidence.ScanStatus.INFECTED
            locked.file = ""
        locked.save(update_fields=["scan_status", "scan_detail", "scanned_at", "file"])
        storage = Evidence._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(quarantined))
        if locked.case_id:
            case_event_record(
                subject=locked.case,
                verb="evidence_scanned",
                data={"evidence": locked.pk, "result": locked.scan_status},
            )
    if not result.clean:
        logger.warning("evidence %s blocked by the virus scanner", evidence_id)
    return locked


# --- hearings and outcomes (called by the hearings app) -----------------------------------


def case_hearing_schedule(*, case: Case, scheduled_for: dt.datetime, actor: Actor) -> Case:
    """Record the date of the hearing (the hearings app calls this). The date may fall after
    the 60-day deadline — the clock will then be missed and published, never moved."""
    actor_require(actor, PERM_OUTCOME)
    if timezone.is_naive(scheduled_for):
        raise ValidationError(_("The hearing time must carry its time zone."))
    with transaction.atomic():
        locked = _lock(case)
        if scheduled_for < locked.received_at:
            raise ValidationError(_("A hearing cannot precede the filing."))
        previous = locked.hearing_scheduled_for
        locked.hearing_scheduled_for = scheduled_for
        data = {"scheduled_for": scheduled_for.isoformat()}
        if locked.status == Case.Status.HEARING_SCHEDULED:
            locked.save(update_fields=["hearing_scheduled_for"])
            data["previously"] = previous.isoformat() if previous else ""
            case_event_record(
                subject=locked, verb="hearing_rescheduled", actor=actor, data=data, is_public=True
            )
        else:
            _transition(
                case=locked,
                to_status=Case.Status.HEARING_SCHEDULED,
                actor=actor,
                verb="hearing_scheduled",
                data=data,
                extra_fields=["hearing_scheduled_for"],
            )
    _refresh(case, locked)
    return case


def case_hearing_record_held(*, case: Case, held_at: dt.datetime, actor: Actor) -> Case:
    """Record that the hearing was held; meets (or completes late) the hearing-by clock."""
    actor_require(actor, PERM_OUTCOME)
    if held_at > timezone.now():
        raise ValidationError(_("A hearing cannot be recorded as held in the future."))
    with transaction.atomic():
        locked = _lock(case)
        if held_at < locked.received_at:
            raise ValidationError(_("A hearing cannot precede the filing."))
        locked.hearing_held_at = held_at
        event = _transition(
            case=locked,
            to_status=Case.Status.HEARD,
            actor=actor,
            verb="hearing_held",
            data={"held_at": held_at.isoformat()},
            extra_fields=["hearing_held_at"],
            at=held_at,
        )
        clock_meet(subject=locked, kind="hearing_by", at=held_at, event=event, actor=actor)
    _refresh(case, locked)
    return case


def _record_outcome(
    *,
    case: Case,
    to_status: str,
    verb: str,
    reasoning: str,
    actor,
    reference: str = "",
    at: dt.datetime | None = None,
    data: dict[str, Any] | None = None,
) -> tuple[Case, CaseEvent]:
    reasoning = _required_text(
        reasoning, _("Every outcome comes with its reasons: write the reasoning.")
    )
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError(_("An outcome cannot be recorded in the future."))
    locked = _lock(case)
    locked.outcome_at = at
    locked.outcome_reasoning = reasoning
    locked.outcome_reference = reference.strip()[:120]
    event = _transition(
        case=locked,
        to_status=to_status,
        actor=actor,
        verb=verb,
        reason=reasoning,
        data={**(data or {}), "reference": locked.outcome_reference},
        extra_fields=["outcome_at", "outcome_reasoning", "outcome_reference"],
        at=at,
    )
    clock_meet(subject=locked, kind="decision_by", at=at, event=event, actor=actor)
    return locked, event


def complaint_decide(
    *,
    complaint: Case,
    reasoning: str,
    actor: Actor,
    reference: str = "",
    decided_at: dt.datetime | None = None,
) -> Case:
    """The panel's reasoned decision: the only way a complaint ends."""
    actor_require(actor, PERM_OUTCOME, system_allowed=True)
    if not complaint.is_complaint:
        raise ValidationError(_("Only a complaint is decided by a panel."))
    with transaction.atomic():
        locked, _event = _record_outcome(
            case=complaint,
            to_status=Case.Status.DECIDED,
            verb="decided",
            reasoning=reasoning,
            actor=actor,
            reference=reference,
            at=decided_at,
        )
    _refresh(complaint, locked)
    return complaint


def petition_deny(*, petition: Case, reasoning: str, actor: Actor, reference: str = "") -> Case:
    """Deny a petition with a reasoned opinion (the findings in detail and why they do not
    breach the criteria). Only after the hearing."""
    actor_require(actor, PERM_OUTCOME, system_allowed=True)
    if not petition.is_petition:
        raise ValidationError(_("Only a petition is denied."))
    with transaction.atomic():
        if _lock(petition).status != Case.Status.HEARD:
            raise ValidationError(
                _("A petition is denied only after its hearing, with a reasoned opinion."),
                code="transition_refused",
            )
        locked, _event = _record_outcome(
            case=petition,
            to_status=Case.Status.DENIED,
            verb="petition_denied",
            reasoning=reasoning,
            actor=actor,
            reference=reference,
        )
    _refresh(petition, locked)
    return petition


def petition_file_complaint(
    *,
    petition: Case,
    complainant: Organization,
    reasoning: str,
    actor: Actor,
    court_review: CourtReview | None = None,
) -> Case:
    """The commission files the complaint a petition asks for: a new complaint, linked to the
    petition, with the petition's respondents and allegations, whose own clocks start at this
    filing. Under a court order (`court_review`) the same happens, through the order."""
    actor_require(actor, PERM_COURT if court_review else PERM_OUTCOME, system_allowed=True)
    if not petition.is_petition:
        raise ValidationError(_("Only a petition leads to a complaint filed by the commission."))
    if complainant.kind != Organization.Kind.GOVERNMENT:
        raise ValidationError(_("The complaint is filed in the name of a government."))
    with transaction.atomic():
        source = _lock(petition)
        filing = FilingInput(
            kind=Case.Kind.COMPLAINT,
            language=source.language,
            complainants=[ComplainantInput(kind="organization", organization=complainant)],
            respondents=[
                RespondentInput(
                    kind=r.kind,
                    organization=r.organization,
                    sector=r.sector,
                    name_given=r.name_given,
                    country=r.country,
                )
                for r in source.respondents.select_related("organization", "sector", "country")
            ],
            allegations=[
                AllegationInput(
                    summary=a.summary,
                    facts=a.facts,
                    period_start=a.period_start,
                    period_end=a.period_end,
                    place=a.place,
                    workers_affected=a.workers_affected,
                    criteria=list(a.criteria.all()),
                    proposed_standard=a.proposed_standard,
                )
                for a in source.allegations.prefetch_related("criteria")
            ],
            remedies_sought=source.remedies_sought,
        )
        channel = Case.Channel.COURT_ORDER if court_review else Case.Channel.COMMISSION
        complaint, _code = case_file(
            filing=filing,
            actor=actor,
            received_via=channel,
            originating_petition=source,
        )
        data = {
            "complaint": complaint.docket_number,
            "court_review": court_review.pk if court_review else None,
        }
        if court_review is None and source.outcome_at is None:
            locked, _event = _record_outcome(
                case=source,
                to_status=Case.Status.COMPLAINT_FILED,
                verb="petition_complaint_filed",
                reasoning=reasoning,
                actor=actor,
                reference=complaint.docket_number,
                at=complaint.received_at,
                data=data,
            )
        else:
            # After a denial (under court review, or by the court's order) the denial stays
            # on record with its reasons and date, and its clock stays met by it.
            locked = source
            _transition(
                case=locked,
                to_status=Case.Status.COMPLAINT_FILED,
                actor=actor,
                verb="petition_complaint_filed",
                reason=_required_text(reasoning, _("Say why the complaint is filed.")),
                data=data,
                at=complaint.received_at,
            )
    _refresh(petition, locked)
    return complaint


def court_review_file(
    *,
    petition: Case,
    court: str,
    court_case_number: str,
    grounds: Iterable[str],
    filed_on: dt.date,
    actor: Actor,
) -> CourtReview:
    """Record the petitioners' action in court against a denial, on one or more of the three
    grounds: the record does not support the findings, the criteria were misapplied, the
    criteria are not the most worker-protective."""
    actor_require(actor, PERM_COURT)
    grounds = set(grounds)
    if not grounds or not grounds <= set(GROUND_FIELDS):
        raise ValidationError(_("Name at least one of the three grounds of review."))
    court = _required_text(court, _("Name the court."))
    court_case_number = _required_text(court_case_number, _("Give the court's case number."))
    if filed_on > timezone.localdate():
        raise ValidationError(_("An action cannot be recorded as filed in the future."))
    with transaction.atomic():
        locked = _lock(petition)
        if not locked.is_petition:
            raise ValidationError(_("Only the denial of a petition is reviewed in court here."))
        if locked.outcome_at and filed_on < timezone.localtime(locked.outcome_at).date():
            raise ValidationError(_("The action cannot precede the denial."))
        review = CourtReview.objects.create(
            petition=locked,
            court=court,
            court_case_number=court_case_number,
            filed_on=filed_on,
            recorded_by=actor if _is_authenticated(actor) else None,
            **{name: name in grounds for name in GROUND_FIELDS},
        )
        _transition(
            case=locked,
            to_status=Case.Status.UNDER_COURT_REVIEW,
            actor=actor,
            verb="court_review_filed",
            data={
                "court": court,
                "court_case_number": court_case_number,
                "grounds": sorted(grounds),
                "filed_on": filed_on.isoformat(),
            },
        )
    _refresh(petition, locked)
    return review


def court_order_record(
    *,
    review: CourtReview,
    order: str,
    order_date: dt.date,
    order_text: str,
    actor: Actor,
    complainant: Organization | None = None,
) -> CourtReview:
    """Record the court's order. An order compelling the filing files the linked complaint
    (in the name of `complainant`, a government); an order upholding the denial returns the
    petition to "denied"."""
    actor_require(actor, PERM_COURT)
    order_text = _required_text(order_text, _("Record what the court ordered."))
    if order not in {CourtReview.Order.COMPEL_FILING, CourtReview.Order.UPHOLD_DENIAL}:
        raise ValidationError(_("Unknown order."))
    if order_date > timezone.localdate():
        raise ValidationError(_("An order cannot be dated in the future."))
    with transaction.atomic():
        locked_review = CourtReview.objects.select_for_update().get(pk=review.pk)
        if locked_review.order != CourtReview.Order.PENDING:
            raise ValidationError(_("The court's order in this action is already recorded."))
        if order_date < locked_review.filed_on:
            raise ValidationError(_("The order cannot precede the action."))
        petition = _lock(locked_review.petition)
        if petition.status != Case.Status.UNDER_COURT_REVIEW:
            raise ValidationError(_("The petition is not under court review."))
        locked_review.order = order
        locked_review.order_date = order_date
        locked_review.order_text = order_text
        locked_review.save(update_fields=["order", "order_date", "order_text"])
        if order == CourtReview.Order.COMPEL_FILING:
            if complainant is None:
                raise ValidationError(
                    _("Name the government in whose name the complaint is filed.")
                )
            complaint = petition_file_complaint(
                petition=petition,
                complainant=complainant,
                reasoning=_("Filed as ordered by %(court)s in case %(number)s.")
                % {"court": locked_review.court, "number": locked_review.court_case_number},
                actor=actor,
                court_review=locked_review,
            )
            locked_review.complaint = complaint
            locked_review.save(update_fields=["complaint"])
        else:
            _transition(
                case=petition,
                to_status=Case.Status.DENIED,
                actor=actor,
                verb="court_upheld_denial",
                reason=order_text[:500],
                data={"court_review": locked_review.pk},
            )
    review.refresh_from_db()
    return review


# --- statements that never end a case -----------------------------------------------------


def compliance_statement_record(
    *,
    case: Case,
    government: Organization,
    statement: str,
    received_at: dt.datetime,
    actor: Actor,
) -> ComplianceStatement:
    """Record a complaining government's statement that the respondent now complies. It goes
    on the record and the case continues: the panel still convenes and rules."""
    actor_require(actor, PERM_OUTCOME)
    statement = _required_text(statement, _("Record the statement's text."))
    if government.kind != Organization.Kind.GOVERNMENT:
        raise ValidationError(_("Only a government makes this statement."))
    if received_at > timezone.now():
        raise ValidationError(_("A statement cannot be recorded as received in the future."))
    with transaction.atomic():
        locked = _lock(case)
        row = ComplianceStatement.objects.create(
            case=locked,
            government=government,
            statement=statement,
            received_at=received_at,
            recorded_by=actor if _is_authenticated(actor) else None,
        )
        case_event_record(
            subject=locked,
            verb="compliance_statement_recorded",
            actor=actor,
            reason=_("Recorded; the case continues to a reasoned decision."),
            data={"statement": row.pk, "government": government.name},
            is_public=True,
            occurred_at=received_at,
        )
    return row


def case_withdrawal_request_record(*, case: Case, statement: str, actor: Actor) -> CaseEvent:
    """A complainant's request to withdraw is recorded on the record for the panel; it does not
    end, close or pause the case, which continues to a reasoned decision.

    Only a complainant of the case (its filer, a complainant worker or a delegate of a
    complainant organization) records its own request, or staff with the outcome permission
    record a request received otherwise. There is no silent system path: `actor` is required."""
    from .selectors import case_party_users

    if not _is_authenticated(actor) or not (
        actor.has_perm(PERM_OUTCOME) or any(u.pk == actor.pk for u in case_party_users(case=case))
    ):
        raise PermissionDenied(_("Only a complainant or the commission's staff records this."))
    statement = _required_text(statement, _("Record what was asked."))
    with transaction.atomic():
        locked = _lock(case)
        return case_event_record(
            subject=locked,
            verb="withdrawal_requested",
            actor=actor,
            reason=_("Recorded; a case ends only with a reasoned decision."),
            data={"statement": statement[:2000]},
            is_public=True,
        )


# --- intake ------------------------------------------------------------------------------


def case_assign(*, case: Case, staff_user, actor: Actor) -> Case:
    actor_require(actor, PERM_ASSIGN)
    if not (staff_user.is_active and staff_user.is_staff):
        raise ValidationError(_("Cases are assigned to active staff accounts."))
    with transaction.atomic():
        locked = _lock(case)
        if locked.assigned_staff.filter(pk=staff_user.pk).exists():
            return case
        locked.assigned_staff.add(staff_user)
        case_event_record(
            subject=locked, verb="assigned", actor=actor, data={"staff_user": staff_user.pk}
        )
    return case


def case_unassign(*, case: Case, staff_user, actor: Actor) -> Case:
    actor_require(actor, PERM_ASSIGN)
    with transaction.atomic():
        locked = _lock(case)
        if not locked.assigned_staff.filter(pk=staff_user.pk).exists():
            return case
        locked.assigned_staff.remove(staff_user)
        case_event_record(
            subject=locked, verb="unassigned", actor=actor, data={"staff_user": staff_user.pk}
        )
    return case


def intake_check_record(*, case: Case, actor: Actor, note: str = "") -> list[str]:
    """Record staff's completeness check. The issues found are noted for follow-up with the
    filer; they never stop, pause or restart the statutory clocks, which run from receipt."""
    from .selectors import case_completeness

    actor_require(actor, PERM_CHECK_INTAKE)
    with transaction.atomic():
        locked = _lock(case)
        issues = case_completeness(case=locked)
        locked.intake_checked_at = timezone.now()
        locked.intake_checked_by = actor if _is_authenticated(actor) else None
        locked.save(update_fields=["intake_checked_at", "intake_checked_by"])
        case_event_record(
            subject=locked,
            verb="intake_checked",
            actor=actor,
            reason=note.strip()[:1000],
            data={"issues": [issue.code for issue in issues]},
        )
    _refresh(case, locked)
    return [issue.code for issue in issues]


def respondent_link(
    *, respondent: Respondent, organization: Organization, actor: Actor
) -> Respondent:
    """Link a respondent the filer entered by name to the core record it is."""
    actor_require(actor, PERM_CHECK_INTAKE)
    if respondent.kind == Respondent.Kind.SECTOR:
        raise ValidationError(_("A sector respondent is already a core record."))
    with transaction.atomic():
        locked = Respondent.objects.select_for_update().get(pk=respondent.pk)
        locked.organization = organization
        locked.save(update_fields=["organization"])
        case_event_record(
            subject=locked.case,
            verb="respondent_linked",
            actor=actor,
            data={"respondent": locked.pk, "organization": organization.pk},
        )
    return locked


# --- receipts and acknowledgments (run by tasks) ------------------------------------------


def receipt_render(*, case_id: int) -> Case:
    """Render the receipt PDF once (a second run changes nothing)."""
    import hashlib

    from django.core.files.base import ContentFile

    from .receipts import receipt_pdf_bytes

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
    from .notifications import acknowledgment_email

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
