"""The one function that applies a model's TRANSITIONS table.

A model with a status declares `TRANSITIONS = {from_status: {to_status, ...}}` (for complaints
one table per kind). Services move a status only through `status_transition`, which refuses a
move the table does not allow; the database guards (commission.integrity) refuse it again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class HasStatus(Protocol):
    status: Any

    def get_status_display(self) -> str: ...


def status_transition(
    obj: HasStatus,
    to_status: str,
    *,
    table: Mapping[Any, Collection[Any]] | None = None,
    refusal: str | None = None,
) -> str:
    """Set `obj.status` to `to_status` if `table` (default: the model's `TRANSITIONS`) allows
    the move from its current status, and return the status it had. Nothing is saved.

    Refused with a ValidationError (code "transition_refused"), `refusal` being its message
    when given."""
    allowed = (type(obj).TRANSITIONS if table is None else table).get(obj.status, ())  # type: ignore[attr-defined]
    if to_status not in allowed:
        if refusal is None:
            status_enum = type(obj).Status  # type: ignore[attr-defined]
            refusal = _("Not allowed: from “%(from)s” to “%(to)s”.") % {
                "from": obj.get_status_display(),
                "to": status_enum(to_status).label
                if to_status in status_enum.values
                else to_status,
            }
        raise ValidationError(refusal, code="transition_refused")
    from_status: str = obj.status
    obj.status = to_status
    return from_status
