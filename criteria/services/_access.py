"""Who may act on the register: sitting commission members, and staff with a permission."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from commission.models import CommissionMember


def _today() -> dt.date:
    return timezone.localdate()


def sitting_q(on: dt.date, prefix: str = "") -> Q:
    """The condition "this member sits on `on`" (optionally through a relation)."""
    return Q(**{f"{prefix}seated_on__lte": on}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": on})
    )


def member_sitting(*, user, on: dt.date | None = None) -> CommissionMember | None:
    """The user's seat on the commission on `on` (today by default), if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        CommissionMember.objects.filter(sitting_q(on or _today()), person__user=user)
        .select_related("person", "country")
        .order_by("-seated_on")
        .first()
    )


def _require(user, perm: str, message: str) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm(perm):
        raise ValidationError(message, code="permission")


def _require_member_or_perm(user, perm: str, message: str) -> None:
    if member_sitting(user=user) is not None:
        return
    _require(user, perm, message)
