"""Emails of notifications whose message never reached a worker.

A notification's email is queued when the notification is written (on commit). If that message
is lost — Redis lost its last second of writes, or the broker was unreachable at the moment of
the commit — the notification stays `pending` in the database and nothing would send it. This
sweep, run by beat, queues those emails again. Sending claims each notification by a
conditional update (`commission.services.notification_email_send`), so an email queued twice,
by this sweep and by its original message, by two beats or on two workers, still goes out once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import Notification


def notifications_email_resend(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Queue again the emails of notifications still pending `NOTIFICATION_RESEND_AFTER_SECONDS`
    after they were written, oldest first, at most `limit`. Returns how many were queued."""
    from .tasks import notifications_email

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.NOTIFICATION_RESEND_AFTER_SECONDS)
    ids = list(
        Notification.objects.filter(
            email_status=Notification.EmailStatus.PENDING, created_at__lt=cutoff
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        notifications_email.delay(ids)
    return len(ids)
