"""Who may act on the register: sitting commission members, and staff with a permission."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from commission.actors import Actor, actor_user
from commission.models import CommissionMember

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _today() -> dt.date:
    return timezone.localdate()


def sitting_q(on: dt.date, prefix: str = "") -> Q:
    """The condition "this member sits on `on`" (optionally through a relation)."""
    return Q(**{f"{prefix}seated_on__lte": on}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": on})
    )


def member_sitting(*, user: Actor | None, on: dt.date | None = None) -> CommissionMember | None:
    """The user's seat on the commission on `on` (today by default), if any."""
    person = actor_user(user)  # a signed-in account, never an anonymous visitor or SYSTEM
    if person is None:
        return None
    return (
        CommissionMember.objects.filter(sitting_q(on or _today()), person__user=person)
        .select_related("person", "country")
        .order_by("-seated_on")
        .first()
    )


def _require(user: Actor | None, perm: str, message: str) -> User:
    """The signed-in account acting, when it holds `perm`."""
    person = actor_user(user)
    if person is None or not person.has_perm(perm):
        raise ValidationError(message, code="permission")
    return person


def _require_member_or_perm(user: Actor | None, perm: str, message: str) -> User:
    """The signed-in account acting, when it sits on the commission or holds `perm`."""
    person = actor_user(user)
    if person is not None and member_sitting(user=person) is not None:
        return person
    return _require(user, perm, message)
