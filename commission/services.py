"""Writes of the shared core. Every state change anywhere records its CaseEvent through
`case_event_record` in the same transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q

from . import roles
from .models import CaseEvent, Heartbeat


def case_event_record(
    *,
    subject: models.Model,
    verb: str,
    actor=None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    is_public: bool = False,
    docket_number: str = "",
    occurred_at=None,
) -> CaseEvent:
    """Append one audit row about `subject`. Call it inside the transaction of the change."""
    event = CaseEvent(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        verb=verb,
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
        is_public=is_public,
        docket_number=docket_number or getattr(subject, "docket_number", "") or "",
    )
    if occurred_at is not None:
        event.occurred_at = occurred_at
    event.save()
    return event


def heartbeat_record(*, worker: str) -> Heartbeat:
    """Record that beat scheduled the heartbeat and a worker ran it; keep the last 100 rows."""
    with transaction.atomic():
        beat = Heartbeat.objects.create(worker=worker[:200])
        stale = Heartbeat.objects.order_by("-recorded_at").values_list("pk", flat=True)[100:]
        Heartbeat.objects.filter(pk__in=list(stale)).delete()
    return beat


def roles_sync() -> dict[str, int]:
    """Create the role groups and grant them exactly the permissions of `roles.ROLE_PERMISSIONS`."""
    granted: dict[str, int] = {}
    for group_name, names in roles.ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        query = Q(pk__in=[])
        for name in names:
            app_label, codename = name.split(".", 1)
            if codename == "*":
                query |= Q(content_type__app_label=app_label)
            else:
                query |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(Permission.objects.filter(query))
        group.permissions.set(permissions)
        granted[group_name] = len(permissions)
    return granted
