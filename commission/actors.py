"""Who acts, and the one check of what they may do.

Every service takes a required, keyword-only `actor: Actor`: the request's user (signed in or
anonymous) or, for background work (beat, Celery tasks, the clock sweep, an escalation the
sweep triggers, the demo loader), the explicit `SYSTEM` actor. `None` is never an actor: a
service that receives it refuses (`actor_require`), so leaving `actor` out can never skip a
permission check by accident. A service that background work may run says so with
`system_allowed=True`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard, Union

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.db.models import Model


class SystemActor:
    """The commission's own background work. It holds no permission of its own: each service
    that may be run by background work admits it explicitly."""

    is_authenticated = False
    is_anonymous = False
    pk = None

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False

    def __repr__(self) -> str:
        return "SYSTEM"

    def __str__(self) -> str:
        return "the commission (background work)"


SYSTEM = SystemActor()

# A person (signed in or not) or the commission's background work.
Actor = Union["User", "AnonymousUser", SystemActor]


def actor_is_user(actor: object) -> TypeGuard[User]:
    """Whether `actor` is a signed-in person (not anonymous, not SYSTEM)."""
    return actor is not SYSTEM and bool(getattr(actor, "is_authenticated", False))


def actor_user(actor: Actor | None) -> User | None:
    """The signed-in person acting, for the record; None for SYSTEM and anonymous visitors."""
    return actor if actor_is_user(actor) else None


def actor_require(
    actor: Actor | None, perm: str, *, obj: Model | None = None, system_allowed: bool = False
) -> None:
    """The one permission check of the services.

    `actor` must be given: `None` is refused with a TypeError (a programming error, not a
    user's). `SYSTEM` passes only where the service admits background work
    (`system_allowed=True`); a person passes with the permission (on `obj` when given)."""
    if actor is None:
        raise TypeError("actor is required: pass the request's user, or SYSTEM for background work")
    if actor is SYSTEM:
        if system_allowed:
            return
        raise PermissionDenied(_("Background work may not do this."))
    if not (actor_is_user(actor) and actor.has_perm(perm, obj)):
        raise PermissionDenied(_("You are not allowed to do this."))
