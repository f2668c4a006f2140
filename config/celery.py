"""The Celery application. Workers and beat run with `-A config`."""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("commission")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _observability() -> None:
    # Task ids on every log line of a task, and task outcomes counted (docs/operations.md).
    from commission.observability import celery_signals_connect

    celery_signals_connect()


_observability()


@beat_init.connect
def send_first_heartbeat(sender=None, **kwargs) -> None:
    """As it starts, beat schedules one heartbeat (so /healthz turns healthy within seconds
    instead of after the first interval) and one deadline sweep (so reminders, escalations and
    misses that fell due while nothing ran are caught up at once)."""
    app.send_task("commission.tasks.heartbeat")
    app.send_task("commission.tasks.clock_sweep")
