"""The platform's own upkeep: the worker heartbeat beat schedules, and the role groups'
permissions synchronised with `commission.roles`.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from .. import roles
from ..models import Heartbeat


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
