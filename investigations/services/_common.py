"""What every investigations service shares: the permission constants and checks (the team's
object permission, a staff member of the team), the text and date checks, the case event on
the investigation, the status transition and the row lock.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping
from typing import Any, Protocol, TypeGuard, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from commission.actors import SYSTEM, Actor, actor_user
from commission.models import (
    CaseEvent,
    TeamMembership,
)
from commission.services import case_event_record
from commission.transitions import HasStatus

from ..models import (
    Investigation,
)

logger = logging.getLogger(__name__)

ACTOR_REQUIRED = "actor is required: pass the request's user, or SYSTEM for background work"

PERM_VIEW = "investigations.view_investigation"
PERM_CHANGE = "investigations.change_investigation"
PERM_ASSIGN = "investigations.assign_team"
PERM_REVIEW = "investigations.review_investigation"
PERM_MANDATE = "investigations.mandate_protocol"
PERM_CONFIDENTIAL = "investigations.view_interview_confidential"
PERM_TEAMS = "commission.change_investigativeteam"

DISCLOSURE_LEGAL_BASIS = gettext_noop(
    "Employers, global corporations (for their affiliates and suppliers) and government "
    "agencies must disclose what an investigative team demands by the due date; "
    "non-disclosure is penalized."
)
DISCLOSURE_LEGAL_SOURCE = gettext_noop(
    "Model labor-rights chapter, mandatory disclosure (policy paper, l. 2846–2858)"
)
REMEDIAL_LEGAL_BASIS = gettext_noop(
    "A violation found by an investigative team must be remedied by the due date of the "
    "remedial order; otherwise the team files a complaint."
)
REMEDIAL_LEGAL_SOURCE = gettext_noop(
    "Model labor-rights chapter, investigative teams (policy paper, l. 2518–2521)"
)


# --- helpers -----------------------------------------------------------------------------


def _authenticated(user: object) -> TypeGuard[User]:
    """A signed-in person: not None, not an anonymous visitor, not SYSTEM."""
    return user is not None and bool(getattr(user, "is_authenticated", False))


def _user(actor: Actor | None) -> User | None:
    """The person acting, for the record (`recorded_by`, …); None for SYSTEM."""
    return actor_user(actor)


def _recorder(actor: Actor | None) -> User:
    """The person a record names as made by them (`recorded_by`, `issued_by`, …): team work is
    a person's; the system has no such record to make."""
    user = _user(actor)
    if user is None:
        raise PermissionDenied(_("You are not allowed to do this."))
    return user


def _require_actor(actor: Actor | None) -> None:
    """Every service is told who acts: the request's user, or SYSTEM for background work (the
    Celery tasks, the sweeps, the demo loader). `None` is a programming error and is refused,
    never read as anyone."""
    if actor is None:
        raise TypeError(ACTOR_REQUIRED)


def _require_perm(actor: Actor | None, perm: str, obj: models.Model | None = None) -> None:
    """The permission check: `None` is refused (a TypeError); SYSTEM, background work, is
    admitted; a person needs to be active and hold `perm` (on `obj` when given)."""
    _require_actor(actor)
    if actor is SYSTEM:
        return
    user = _user(actor)
    if not (user is not None and user.is_active and user.has_perm(perm, obj)):
        raise PermissionDenied(_("You are not allowed to do this."))


def _require_member(actor: Actor | None, investigation: Investigation) -> None:
    """Team work: the team's object permission on this investigation."""
    _require_perm(actor, PERM_CHANGE, investigation)


def membership_of(user: Actor | None, team_id: int) -> TeamMembership | None:
    if not _authenticated(user):
        return None
    return (
        TeamMembership.objects.select_related("person")
        .filter(team_id=team_id, person__user=user)
        .first()
    )


def _require_team_staff(actor: Actor | None, investigation: Investigation) -> TeamMembership | None:
    """A staff member of the investigation's team (its membership), or SYSTEM (None)."""
    _require_actor(actor)
    if actor is SYSTEM:
        return None
    _require_member(actor, investigation)
    membership = membership_of(actor, investigation.team_id)
    if membership is None or membership.role != TeamMembership.Role.STAFF:
        raise PermissionDenied(
            _("Only a commission staff member of the team records its determinations.")
        )
    return membership


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


def _not_future(day: dt.date, message: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(message)


def _event(
    investigation: Investigation,
    verb: str,
    actor: Actor,
    *,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return case_event_record(
        subject=investigation,
        verb=verb,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
        is_public=False,
    )


class _Transitional(HasStatus, Protocol):
    """A model with a status, its `Status` choices and its `TRANSITIONS` table."""

    @property
    def TRANSITIONS(self) -> Mapping[str, Collection[str]]: ...

    @property
    def Status(self) -> type[models.TextChoices]: ...


def _transition(obj: _Transitional, to_status: str) -> str:
    if to_status not in obj.TRANSITIONS[obj.status]:
        raise ValidationError(
            _("A record that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": obj.Status(obj.status).label,
                "to": obj.Status(to_status).label,
            },
            code="transition_refused",
        )
    previous: str = obj.status
    obj.status = to_status
    return previous


_M = TypeVar("_M", bound=models.Model)


def _lock(model: type[_M], pk: object) -> _M:
    return model._default_manager.select_for_update().get(pk=pk)
