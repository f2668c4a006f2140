"""Serving and verifying opinion files: reading a stored opinion only if its bytes still match
its digest, recording a mismatch, verifying every stored file, and the public verification
of a document by its bytes or its digest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from commission.services import case_event_record

from .. import selectors
from ..models import (
    Opinion,
)
from ._common import logger

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

    from ..signing import SignatureCheck

# --- serving opinion files --------------------------------------------------------------


class OpinionFileAltered(Exception):
    """The stored file of an opinion is missing or no longer matches its registered SHA-256.
    Its bytes are never served; staff have been told and the case record says so."""

    def __init__(self, opinion: Opinion, found: str) -> None:
        super().__init__(f"{opinion.reference}: stored file {found}, registered {opinion.sha256}")
        self.opinion = opinion
        self.found = found


def _sha256_file(field: FieldFile) -> str:
    digest = hashlib.sha256()
    try:
        with field.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except (FileNotFoundError, OSError, ValueError):
        return "missing"
    return digest.hexdigest()


def opinion_file_read(*, opinion: Opinion) -> bytes:
    """The bytes of an opinion's PDF, verified against the register before they leave: read,
    hash, compare, then return. On a mismatch (or a missing file) nothing is returned:
    `OpinionFileAltered` is raised, after `opinion_file_mismatch_record`."""
    data: bytes | None
    try:
        with opinion.file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError, ValueError):
        data = None
    found = "missing" if data is None else hashlib.sha256(data).hexdigest()
    if data is None or found != opinion.sha256:
        opinion_file_mismatch_record(opinion=opinion, found=found)
        raise OpinionFileAltered(opinion, found)
    return data


def opinion_file_mismatch_record(*, opinion: Opinion, found: str) -> bool:
    """Record that an opinion's stored file no longer matches its registered hash: a case
    event on the record and a notification to the case's staff, once per opinion and altered
    content (a reader retrying does not repeat them). Returns whether it was new."""
    from commission.models import CaseEvent
    from commission.services import notification_send, staff_users
    from complaints.selectors import case_staff_recipients

    case = opinion.decision.case
    with transaction.atomic():
        locked = Opinion.objects.select_for_update().get(pk=opinion.pk)
        if (
            CaseEvent.objects.for_subject(case)
            .filter(verb="opinion_file_mismatch", data__opinion=locked.reference, data__found=found)
            .exists()
        ):
            return False
        case_event_record(
            subject=case,
            verb="opinion_file_mismatch",
            reason=_("The stored file of the opinion does not match its registered SHA-256."),
            data={"opinion": locked.reference, "registered": locked.sha256, "found": found},
        )

        def message() -> tuple[str, str]:
            subject = _("[%(docket)s] Opinion %(ref)s: the stored file was altered") % {
                "docket": case.docket_number,
                "ref": locked.reference,
            }
            body = _(
                "The stored PDF of opinion %(ref)s no longer matches the SHA-256 in the "
                "register (%(registered)s; found: %(found)s). It is not served until the "
                "registered file is restored from a backup."
            ) % {"ref": locked.reference, "registered": locked.sha256, "found": found}
            return subject, body

        notification_send(
            recipients=case_staff_recipients(case=case) or staff_users(),
            message=message,
            docket_number=case.docket_number,
        )
    logger.error(
        "opinion %s: stored file %s, registered %s", locked.reference, found, locked.sha256
    )
    return True


@dataclass(frozen=True)
class FileMismatch:
    kind: str
    reference: str
    registered: str
    found: str

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}: registered {self.registered}, found {self.found}"


def stored_files_verify() -> tuple[int, list[FileMismatch]]:
    """Check every stored opinion and evidence file against its registered SHA-256; opinion
    mismatches are recorded and staff told (`opinion_file_mismatch_record`). Returns the
    number of files checked and the mismatches."""
    from complaints.models import Evidence

    checked = 0
    mismatches: list[FileMismatch] = []
    for opinion in Opinion.objects.select_related("decision__case").order_by("pk").iterator():
        checked += 1
        found = _sha256_file(opinion.file)
        if found != opinion.sha256:
            opinion_file_mismatch_record(opinion=opinion, found=found)
            mismatches.append(FileMismatch("opinion", opinion.reference, opinion.sha256, found))
    for evidence in Evidence.objects.exclude(file="").order_by("pk").iterator():
        checked += 1
        found = _sha256_file(evidence.file)
        if found != evidence.sha256:
            mismatches.append(FileMismatch("evidence", f"#{evidence.pk}", evidence.sha256, found))
    return checked, mismatches


# --- verification -----------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    sha256: str
    opinion: Opinion | None
    signature: SignatureCheck | None = None  # for uploads

    @property
    def registered(self) -> bool:
        return self.opinion is not None


def opinion_verify(*, data: bytes | None = None, sha256: str | None = None) -> Verification:
    """Check a PDF (or its SHA-256) against the register of issued opinions; for an upload,
    also check its signature against the commission's certificate. Reads only."""
    from .. import signing

    if data is None and not sha256:
        raise ValidationError(_("Upload a PDF or give its SHA-256."))
    signature: SignatureCheck | None = None
    if data is not None:
        digest = hashlib.sha256(data).hexdigest()
        signature = signing.signature_check(data)
    else:
        digest = (sha256 or "").strip().lower()
        if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
            raise ValidationError(_("A SHA-256 is 64 hexadecimal characters."))
    return Verification(
        sha256=digest, opinion=selectors.opinion_by_sha256(sha256=digest), signature=signature
    )
