"""The log of reads of confidential data: a worker's identity or contact, a filer's contact, an
interview record, a party's unredacted text, the confidential record produced to a court.

Every door that shows such data (the staff workspace's case page and submissions, the portal's
case page for staff, the team workspace's and the API's interview reads, the court record)
calls `confidential_read_record` *before* it shows anything, in the request's transaction:
who, what (never the content), when, through which door and why. The rows are append-only
(`ConfidentialRead.integrity`); staff read them in the admin, per case.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import ConfidentialRead

What = ConfidentialRead.What
Door = ConfidentialRead.Door


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def confidential_read_record(
    *,
    user: Any,
    what: str,
    door: str,
    subject: str,
    docket_number: str = "",
    purpose: str = "",
) -> ConfidentialRead:
    """Record one read of confidential data (before it is shown). `subject` names the record
    read, never its content; `user` None (or anonymous) is the system itself."""
    if what not in What.values:
        raise ValueError(f"unknown kind of confidential data: {what}")
    if door not in Door.values:
        raise ValueError(f"unknown door: {door}")
    return ConfidentialRead.objects.create(
        user=_user(user),
        what=what,
        door=door,
        subject=subject[:120],
        docket_number=docket_number or "",
        purpose=(purpose or "")[:300],
    )


def confidential_reads_for_case(*, docket_number: str) -> QuerySet[ConfidentialRead]:
    """Every recorded read of the case's confidential data, the latest first."""
    return ConfidentialRead.objects.filter(docket_number=docket_number).select_related("user")
