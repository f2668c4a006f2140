"""Fixtures for complaints and petitions: a small world of parties and accounts, tasks run at
once, uploads in a temporary MEDIA_ROOT, no virus scanner unless a test starts one."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from config.celery import app as celery_app
from tests.factories.complaints import build_world


@pytest.fixture(autouse=True)
def _complaints_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    cache.clear()
    yield settings
    celery_app.conf.task_always_eager = eager
    cache.clear()


@pytest.fixture
def world(db):
    return build_world()
