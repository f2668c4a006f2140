"""The Celery application. Workers and beat run with `-A commission`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commission.settings.base")

app = Celery("commission")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
