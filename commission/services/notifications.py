"""Notifications outside the clock schedule: written in the caller's transaction, in every
language, emailed after commit at most once, marked read by their recipient.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import roles
from ..models import Notification
from ._common import _queue_emails

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def notification_send(
    *,
    recipients: Iterable[User | None],
    message: Callable[[], tuple[str, str]],
    docket_number: str = "",
    audience: str = "staff",
) -> list[Notification]:
    """Tell `recipients` something outside the clock schedule (a vacated panel seat, an
    opinion file that no longer matches its hash, a broken audit chain): one in-app
    notification each, written in the caller's transaction, emailed after commit by the
    `notifications_email` task. `message()` returns (subject, body) and is called once per
    language, so every recipient reads it in their own."""
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not users:
        return []
    texts: dict[str, tuple[str, str]] = {}
    for language, _label in settings.LANGUAGES:
        with translation.override(language):
            subject_line, body = message()
            texts[language] = (str(subject_line)[:300], str(body))
    subject_line, body = texts[settings.LANGUAGE_CODE]
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                audience=audience,
                docket_number=docket_number,
                subject_line=subject_line,
                body=body,
                translations={
                    lang: {"subject": s, "body": b}
                    for lang, (s, b) in texts.items()
                    if lang != settings.LANGUAGE_CODE
                },
                created_at=now,
                email_status=(
                    Notification.EmailStatus.PENDING
                    if user.email
                    else Notification.EmailStatus.NONE
                ),
            )
            for user in users.values()
        ]
    )
    pending = [n.pk for n in notifications if n.email_status == Notification.EmailStatus.PENDING]
    if pending:
        transaction.on_commit(partial(_queue_emails, pending))
    return notifications


def staff_users() -> list[User]:
    """The active accounts of the staff role (who hear of anything that needs the
    commission's hands)."""
    return list(
        get_user_model()
        .objects.filter(groups__name=roles.STAFF, is_active=True)
        .order_by("pk")
        .distinct()
    )


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification, at most once: the row is claimed (pending -> sending) by a
    conditional update before the message leaves. Returns whether this call sent it."""
    claimed = Notification.objects.filter(
        pk=notification_id, email_status=Notification.EmailStatus.PENDING
    ).update(email_status=Notification.EmailStatus.SENDING)
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    parts = [notification.body]
    for language, text in notification.translations.items():
        if language != settings.LANGUAGE_CODE:
            parts.append(f"\n\n— {language.upper()} —\n\n{text['subject']}\n\n{text['body']}")
    try:
        send_mail(
            subject=notification.subject_line,
            message="".join(parts),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
    except Exception:
        Notification.objects.filter(pk=notification_id).update(
            email_status=Notification.EmailStatus.FAILED
        )
        raise
    Notification.objects.filter(pk=notification_id).update(
        email_status=Notification.EmailStatus.SENT, emailed_at=timezone.now()
    )
    return True


def notification_mark_read(*, notification: Notification, user: User) -> Notification:
    """The recipient marks an in-app notification read (idempotent)."""
    if notification.recipient_id != user.pk:
        raise ValidationError(_("Only the recipient can mark a notification read."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
