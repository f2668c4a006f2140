"""Emails whose message was lost (the broker lost it, or was unreachable at the commit) are
queued again by beat's resend sweep, and still go out once: sending claims each notification."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from commission.models import Notification
from commission.notification_resend import notifications_email_resend
from commission.services import notification_email_send, notification_send
from commission.tasks import notifications_email
from tests.factories.commission import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


def _lost(recipient, *, minutes_ago: int, subject: str) -> Notification:
    """A notification written `minutes_ago` whose email message never reached a worker (the
    on-commit queueing is dropped, as a lost message would be)."""
    (notification,) = notification_send(recipients=[recipient], message=lambda: (subject, "Body."))
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return notification


def test_a_pending_email_whose_message_was_lost_is_sent_once(settings, eager_celery):
    settings.NOTIFICATION_RESEND_AFTER_SECONDS = 600
    user = UserFactory(email="intake@commission.example")
    old = _lost(user, minutes_ago=11, subject="Lost in the broker")
    recent = _lost(user, minutes_ago=1, subject="Still on its way")
    sent = _lost(user, minutes_ago=30, subject="Already sent")
    assert notification_email_send(notification_id=sent.pk)
    mail.outbox.clear()

    assert notifications_email_resend() == 1
    assert [m.subject for m in mail.outbox] == ["Lost in the broker"]
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.email_status == Notification.EmailStatus.SENT
    assert recent.email_status == Notification.EmailStatus.PENDING  # its message may yet come

    # Run again, on another beat; and the original message turns up after all: nothing twice.
    assert notifications_email_resend() == 0
    assert notifications_email.delay([old.pk]).get() == 0
    assert len(mail.outbox) == 1


def test_a_notification_without_email_is_never_resent(settings, eager_celery):
    settings.NOTIFICATION_RESEND_AFTER_SECONDS = 0
    user = UserFactory(email="")
    (notification,) = notification_send(recipients=[user], message=lambda: ("S", "B"))
    assert notification.email_status == Notification.EmailStatus.NONE
    assert notifications_email_resend() == 0
    assert mail.outbox == []


def test_beat_schedules_the_resend_sweep(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["commission-notifications-resend"]
    assert entry["task"] == "commission.tasks.notifications_email_resend"
    assert entry["schedule"] < settings.NOTIFICATION_RESEND_AFTER_SECONDS
