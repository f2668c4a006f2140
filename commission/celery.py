"""The Celery application. Workers and beat run with `-A commission`."""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commission.settings.base")

app = Celery("commission")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def send_first_heartbeat(sender=None, **kwargs) -> None:
    """Beat schedules one heartbeat as it starts, so /healthz turns healthy within seconds
    instead of after the first interval."""
    app.send_task("commission.tasks.heartbeat")
