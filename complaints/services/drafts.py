"""Portal drafts of a filing and the evidence uploaded to them (or, by staff, to a case)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import SYSTEM, Actor, actor_user
from commission.services import case_event_record

from ..models import (
    Case,
    Evidence,
    FilingDraft,
    new_access_code,
)
from ..uploads import UploadRejected, clamd_scan, scanning_enabled, upload_accept
from ._common import PERM_RECORD_PAPER, FilingInput, _code_hash, _is_authenticated
from .filing import case_file

logger = logging.getLogger(__name__)


def filing_draft_start(*, owner: Actor | None = None, language: str = "en") -> FilingDraft:
    return FilingDraft.objects.create(owner=actor_user(owner), language=language[:8])


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
        if locked.submitted_case is not None:
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
    upload: UploadedFile[bytes],
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
        uploaded_by=actor_user(actor),
    )
    with transaction.atomic():
        # The count limit holds under parallel uploads: the draft's (or case's) row is locked
        # while the files are counted and the new one stored, so uploads queue one by one.
        if draft is not None:
            FilingDraft.objects.select_for_update().filter(pk=draft.pk).first()
            owner_filter: dict[str, FilingDraft | Case] = {"draft": draft}
        elif case is not None:  # one of the two, checked above
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
    from ..tasks import evidence_scan

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
        if not quarantined:  # read above: a pending file is stored
            raise ValueError(f"evidence {evidence_id} has no file")
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
        if locked.case is not None:
            case_event_record(
                subject=locked.case,
                verb="evidence_scanned",
                data={"evidence": locked.pk, "result": locked.scan_status},
            )
    if not result.clean:
        logger.warning("evidence %s blocked by the virus scanner", evidence_id)
    return locked


# --- hearings and outcomes (called by the hearings app) -----------------------------------
