"""Fixtures for investigations: tasks run at once, uploads in a temporary MEDIA_ROOT, service
messages in English, and a world with two investigative teams."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation

from config.celery import app as celery_app
from tests.factories.investigations import build_team_world


@pytest.fixture(autouse=True)
def _investigations_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    eager = celery_app.conf.task_always_eager
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    cache.clear()
    with translation.override("en"):
        yield settings
    celery_app.conf.task_always_eager = eager
    celery_app.conf.task_eager_propagates = propagates
    cache.clear()


@pytest.fixture
def tw(db):
    return build_team_world()
