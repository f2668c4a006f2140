"""Site visits and interviews: recording them, who may see an investigation and an interview's
confidential part (an explicit object grant, every read logged), excerpts, and the sealed
interview files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_user_perms, remove_perm

from commission.actors import SYSTEM, Actor
from commission.models import (
    Organization,
)
from complaints import uploads
from complaints.fields import field_fernet

from ..models import (
    ConfidentialAccess,
    Interview,
    InterviewExcerpt,
    InterviewFile,
    Investigation,
    SiteVisit,
)
from ._common import (
    PERM_CHANGE,
    PERM_VIEW,
    _authenticated,
    _event,
    _lock,
    _not_future,
    _recorder,
    _require_member,
    _require_team_staff,
    _text,
    membership_of,
)
from .opening import _require_open
from .teams import team_group

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files import File

# --- activities --------------------------------------------------------------------------


def site_visit_record(
    *,
    investigation: Investigation,
    place: str,
    visited_on: dt.date,
    announced: bool,
    observations: str,
    organization: Organization | None = None,
    access_refused: bool = False,
    actor: Actor,
) -> SiteVisit:
    _require_member(actor, investigation)
    _require_open(investigation)
    _not_future(visited_on, _("A visit cannot be recorded in the future."))
    with transaction.atomic():
        visit = SiteVisit.objects.create(
            investigation=investigation,
            organization=organization,
            place=_text(place, _("Say where the visit took place.")),
            visited_on=visited_on,
            announced=announced,
            access_refused=access_refused,
            observations=_text(observations, _("Record what was observed.")),
            recorded_by=_recorder(actor),
        )
        _event(
            investigation,
            "site_visit_recorded",
            actor,
            data={"visit": visit.pk, "announced": announced, "access_refused": access_refused},
        )
    return visit


def interview_record(
    *,
    investigation: Investigation,
    held_on: dt.date,
    place_description: str,
    off_premises: bool,
    interviewee_name: str,
    statement: str,
    interviewee_contact: str = "",
    language: str = "es",
    actor: Actor,
) -> Interview:
    """Record a worker interview held off company premises. The identity and statement are
    encrypted; the interviewer alone receives the explicit grant to read them back, others
    receive it only from a staff member of the team (`interview_access_grant`)."""
    _require_member(actor, investigation)
    _require_open(investigation)
    if not off_premises:
        raise ValidationError(
            _("Workers are interviewed off company premises only, where they can speak freely.")
        )
    _not_future(held_on, _("An interview cannot be recorded in the future."))
    with transaction.atomic():
        locked = _lock(Investigation, investigation.pk)
        count = Interview.objects.filter(investigation=locked).count()
        interview = Interview.objects.create(
            investigation=locked,
            pseudonym=_("Worker %(n)s") % {"n": count + 1},
            held_on=held_on,
            place_description=_text(place_description, _("Say where the interview was held.")),
            off_premises=True,
            interviewee_name=_text(interviewee_name, _("Record the interviewee's name.")),
            interviewee_contact=(interviewee_contact or "").strip(),
            statement=_text(statement, _("Record the statement.")),
            language=language[:8],
            recorded_by=_recorder(actor),
        )
        if _authenticated(actor):
            assign_perm("view_interview_confidential", actor, interview)
        assign_perm("view_interview", team_group(locked.team), interview)
        # Logs and events name the pseudonym only.
        _event(locked, "interview_recorded", actor, data={"interview": interview.pk})
    return interview


def interview_access_grant(*, interview: Interview, user: User, reason: str, actor: Actor) -> None:
    """A staff member of the team grants a team member or commission staff the right to read
    an interview's identity and statement."""
    investigation = interview.investigation
    _require_team_staff(actor, investigation)
    reason = _text(reason, _("Say why access is needed."))
    in_team = membership_of(user, investigation.team_id) is not None
    is_staff = user.is_active and user.groups.filter(name="Commission staff").exists()
    if not (in_team or is_staff):
        raise ValidationError(
            _("Only the team and entitled commission staff may read interview records.")
        )
    with transaction.atomic():
        assign_perm("view_interview_confidential", user, interview)
        _event(
            investigation,
            "interview_access_granted",
            actor,
            reason=reason,
            data={"interview": interview.pk, "user": user.pk},
        )


def interview_access_revoke(*, interview: Interview, user: User, actor: Actor) -> None:
    investigation = interview.investigation
    _require_team_staff(actor, investigation)
    with transaction.atomic():
        remove_perm("view_interview_confidential", user, interview)
        _event(
            investigation,
            "interview_access_revoked",
            actor,
            data={"interview": interview.pk, "user": user.pk},
        )


def can_view(user: Actor | None, investigation: Investigation) -> bool:
    """The team (object permission) and the commission's staff and members (model
    permission) read an investigation's record."""
    return bool(
        _authenticated(user)
        and user.is_active
        and (user.has_perm(PERM_VIEW) or user.has_perm(PERM_VIEW, investigation))
    )


def can_write(user: Actor | None, investigation: Investigation) -> bool:
    return bool(
        _authenticated(user) and user.is_active and user.has_perm(PERM_CHANGE, investigation)
    )


def can_read_confidential(user: Actor | None, interview: Interview) -> bool:
    """Only an explicit grant on this interview opens its identity and statement."""
    return bool(
        can_view(user, interview.investigation)
        and "view_interview_confidential" in get_user_perms(user, interview)
    )


@dataclass(frozen=True)
class ConfidentialInterview:
    name: str
    contact: str
    statement: str


def interview_confidential_read(
    *, interview: Interview, user: Actor | None, door: str
) -> ConfidentialInterview:
    """The identity and statement of an interview, for a holder of the explicit grant; the
    read is logged (who, what, when, through which door) before anything is returned."""
    # A grant is a signed-in person's (can_read_confidential asks it too).
    if not (_authenticated(user) and can_read_confidential(user, interview)):
        raise PermissionDenied(_("This interview record is confidential."))
    ConfidentialAccess.objects.create(
        user=user, interview=interview, what="identity_and_statement", door=door[:16]
    )
    return ConfidentialInterview(
        name=interview.interviewee_name,
        contact=interview.interviewee_contact,
        statement=interview.statement,
    )


def interview_excerpt_add(*, interview: Interview, text: str, actor: Actor) -> InterviewExcerpt:
    """A pseudonymised excerpt of a statement, usable as evidence. Written by someone who may
    read the statement."""
    investigation = interview.investigation
    _require_member(actor, investigation)
    if actor is not SYSTEM and not can_read_confidential(actor, interview):
        raise PermissionDenied(_("Only those who may read the statement write its excerpts."))
    text = _text(text, _("Write the excerpt."))
    if interview.interviewee_name and interview.interviewee_name.lower() in text.lower():
        raise ValidationError(_("An excerpt never names the interviewee: use the pseudonym."))
    with transaction.atomic():
        excerpt = InterviewExcerpt.objects.create(
            interview=interview, text=text, created_by=_recorder(actor)
        )
        _event(
            investigation,
            "excerpt_added",
            actor,
            data={"interview": interview.pk, "excerpt": excerpt.pk},
        )
    return excerpt


# --- interview files ---------------------------------------------------------------------

INTERVIEW_FILES = "investigations/interviews"


def _sealed_address(sealed: bytes) -> str:
    digest = hashlib.sha256(sealed).hexdigest()
    return f"{INTERVIEW_FILES}/{digest[:2]}/{digest}.bin"


def _sealed_store(sealed: bytes) -> str:
    """Store encrypted bytes under the SHA-256 of what is stored (the content address): the
    same bytes twice are stored once; different bytes at an address are refused."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = _sealed_address(sealed)
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as existing:
            if hashlib.sha256(existing.read()).hexdigest() != name.rsplit("/", 1)[1][:64]:
                raise ValidationError(_("A stored file does not match its address."))
        return name
    stored = default_storage.save(name, ContentFile(sealed))
    if stored != name:
        raise ValidationError(_("A stored file does not match its address."))
    return name


def interview_file_add(
    *, interview: Interview, upload: File[bytes], kind: str, actor: Actor
) -> InterviewFile:
    """Attach a file to an interview (an audio recording, a scanned note). It passes the one
    upload door (size cap, type by content, virus scan when configured), is encrypted with the
    field keys (ADR 0032) and stored under the hash of the encrypted bytes; its name is
    encrypted too. Only someone who may read the interview's statement adds its files."""
    investigation = interview.investigation
    _require_member(actor, investigation)
    _require_open(investigation)
    if actor is not SYSTEM and not can_read_confidential(actor, interview):
        raise PermissionDenied(_("Only those who may read the interview add its files."))
    if kind not in InterviewFile.Kind.values:
        raise ValidationError(_("Say what the file is."))
    try:
        checked = uploads.upload_accept(upload, scan=True)
    except uploads.UploadRejected as exc:
        raise ValidationError(exc.message, code="upload_rejected") from exc
    upload.seek(0)
    sealed = field_fernet().encrypt(upload.read())
    upload.seek(0)
    with transaction.atomic():
        stored_as = _sealed_store(sealed)
        row = InterviewFile.objects.create(
            interview=interview,
            kind=kind,
            original_name=checked.name,
            mime_type=checked.type.mime,
            size=checked.size,
            sha256=checked.sha256,
            stored_as=stored_as,
            uploaded_by=_recorder(actor),
        )
        # Events and logs name the file's number and kind, never its name.
        _event(
            investigation,
            "interview_file_added",
            actor,
            data={"interview": interview.pk, "file": row.pk, "kind": kind, "size": checked.size},
        )
    return row


@dataclass(frozen=True)
class InterviewFileContent:
    name: str
    mime_type: str
    data: bytes


def interview_file_read(
    *, file: InterviewFile, user: Actor | None, door: str
) -> InterviewFileContent:
    """The decrypted file, for a holder of the interview's explicit grant; the read is logged
    (who, which file, when, through which door) before anything is returned, and the bytes are
    checked against both hashes (of what is stored, and of the file as uploaded)."""
    from django.core.files.storage import default_storage

    interview = file.interview
    if not (_authenticated(user) and can_read_confidential(user, interview)):
        raise PermissionDenied(_("This interview record is confidential."))
    ConfidentialAccess.objects.create(
        user=user, interview=interview, what=f"file {file.pk}"[:40], door=door[:16]
    )
    with default_storage.open(file.stored_as, "rb") as handle:
        sealed = handle.read()
    if _sealed_address(sealed) != file.stored_as:
        raise ValidationError(_("A stored file does not match its address."))
    data = field_fernet().decrypt(sealed)
    if hashlib.sha256(data).hexdigest() != file.sha256:
        raise ValidationError(_("A stored file does not match its hash."))
    return InterviewFileContent(name=file.original_name, mime_type=file.mime_type, data=data)


def interview_fields_reencrypt() -> int:
    """Re-save interviewees' identities and statements, and interview files' names, under the
    first key of FIELD_ENCRYPTION_KEYS (run with `complaints.services.confidential_fields_
    reencrypt` after a new key is prepended; ADR 0032). Returns the number of rows rewritten.
    A file's bytes stay sealed under the key they were written with (their address is their
    hash): an old key is kept in the list while such files exist."""
    count = 0
    fields = ["interviewee_name", "interviewee_contact", "statement"]
    for row in Interview.objects.only("pk", *fields).iterator():
        row.save(update_fields=fields)
        count += 1
    for file in InterviewFile.objects.only("pk", "original_name").iterator():
        file.save(update_fields=["original_name"])
        count += 1
    return count
