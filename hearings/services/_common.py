"""What every hearings service shares: the permission constants, the permission check, the
locks, the text and instant checks, the clocks' lookups and the content-addressed store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import Actor, actor_require, actor_user
from commission.models import (
    Clock,
)
from commission.transitions import HasStatus, status_transition
from complaints import uploads
from complaints.models import Case

from .. import selectors

if TYPE_CHECKING:
    from django.core.files import File

logger = logging.getLogger(__name__)

PERM_SELECT_PANEL = "hearings.select_panel"
PERM_SCHEDULE = "hearings.schedule_hearing"
PERM_RECORD = "hearings.record_hearing"
PERM_DRAFT = "hearings.draft_decision"
PERM_ADOPT = "hearings.adopt_decision"
PERM_RETRY = "hearings.retry_render"
PERM_CORRECT = "hearings.correct_opinion"

ACTOR_REQUIRED = "actor is required: pass the request's user, or SYSTEM for background work"

WRITTEN_ARGUMENTS_LEGAL_BASIS = (
    "Complainants and supporting organizations may file written arguments after the hearing; "
    "the window closes before the decision deadline."
)


# --- helpers ----------------------------------------------------------------------------


def _authenticated(user: object) -> TypeGuard[User]:
    """A signed-in person: not None, not an anonymous visitor, not SYSTEM."""
    return user is not None and bool(getattr(user, "is_authenticated", False))


def _require_actor(actor: Actor | None) -> None:
    """Every service is told who acts: the request's user, or SYSTEM for background work (the
    Celery tasks, the sweeps, the hooks, the demo loader). `None` is a programming error and is
    refused, never read as anyone."""
    if actor is None:
        raise TypeError(ACTOR_REQUIRED)


def _require_perm(actor: Actor | None, perm: str) -> None:
    """The core's permission check (commission.actors.actor_require): `None` is refused (a
    TypeError), a person needs `perm`, SYSTEM is admitted (these services all run as background
    work too: the tasks, the sweeps and the demo)."""
    actor_require(actor, perm, system_allowed=True)


def _user(actor: Actor | None) -> User | None:
    """The person acting, for the record; None for SYSTEM and anonymous visitors."""
    return actor_user(actor)


def _transition(obj: HasStatus, to_status: str) -> str:
    return status_transition(obj, to_status)


_M = TypeVar("_M", bound=models.Model)


def _lock(model: type[_M], pk: object) -> _M:
    return model._default_manager.select_for_update().get(pk=pk)


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


def _aware(instant: dt.datetime, message: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValidationError(message)


def _local_date(instant: dt.datetime) -> dt.date:
    return timezone.localtime(instant, timezone.get_default_timezone()).date()


def _case_clock(case: Case, kind: str) -> Clock | None:
    return selectors.case_clock(case=case, kind=kind)


def _window_open(window: Clock, *, now: dt.datetime) -> bool:
    """A window is open until its due instant (inclusive). It is closed from then on, whether
    or not the clock sweep has yet recorded it closed."""
    return window.status == Clock.Status.PENDING and now <= window.due_at


def _store_content_addressed(data: bytes, name: str) -> str:
    """Store `data` under `name` (which embeds its SHA-256) atomically: write a temporary file
    and rename it, so a killed process never leaves a partial file at the address. Storing
    the same bytes twice is a no-op; different bytes at the address are refused."""
    digest = hashlib.sha256(data).hexdigest()
    if digest not in name:
        raise ValueError("a content address embeds the content's hash")
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as existing:
            if hashlib.sha256(existing.read()).hexdigest() == digest:
                return name
        raise ValidationError(_("A stored file does not match its hash; refusing to continue."))
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:
        return default_storage.save(name, ContentFile(data))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return name


RECORD_FOLDER = "hearings/record"


def _accept_upload(upload: File[bytes], *, max_bytes: int | None = None) -> uploads.CheckedUpload:
    """A hearing's files pass the same door as evidence (complaints.uploads): size cap,
    type allow-list by content, bounded decompression, virus scan when configured."""
    try:
        return uploads.upload_accept(upload, max_bytes=max_bytes, scan=True)
    except uploads.UploadRejected as exc:
        raise ValidationError(exc.message, code="upload_rejected") from exc
