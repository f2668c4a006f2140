"""What every sanctions service shares: the permissions, the permission check, the text check
and the refusal of a sanction no longer in force.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, TypeGuard

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from commission.actors import SYSTEM, Actor, actor_is_user, actor_user
from hearings import services as hearings_services

from .. import selectors
from ..models import SanctionOrder

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The log of the sanctions services (named for the package, as before it was split by concern).
logger = logging.getLogger("sanctions.services")

PERM_NOTICE = "sanctions.publish_lift_notice"
PERM_HEARING = "sanctions.record_lift_hearing"
PERM_DETERMINE = "sanctions.determine_lift"
PERM_WAIVE = "sanctions.record_waiver"
PERM_DRAFT = hearings_services.PERM_DRAFT


def _authenticated(actor: Actor) -> TypeGuard[User]:
    return actor_is_user(actor)


def _user(actor: Actor) -> User | None:
    return actor_user(actor)


def _require_perm(actor: Actor, perm: str, *, system: bool = False) -> None:
    """The actor holds `perm`; the SYSTEM actor only where the service admits it."""
    if actor is SYSTEM and system:
        return
    if not (_authenticated(actor) and actor.has_perm(perm)):
        raise PermissionDenied(_("You are not allowed to do this."))


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


def _check_open(order: SanctionOrder) -> None:
    if selectors.order_closed(order=order):
        raise ValidationError(_("The sanction is no longer in force."))
