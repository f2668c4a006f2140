"""Fixtures for investigations: tasks run at once, uploads in a temporary MEDIA_ROOT, service
messages in English, and a world with two investigative teams."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation

from commission.celery import app as celery_app
from tests.factories.investigations import build_team_world


@pytest.fixture(autouse=True, scope="session")
def _sqlite_flush_keeps_append_only_triggers():
    """Transactional tests (the live server) end with a flush, which on SQLite deletes rows
    one by one — and the append-only triggers (case events, cases, clocks, criteria versions)
    rightly refuse that. For the flush only, lift the triggers and put them back as they were.
    (PostgreSQL flushes with TRUNCATE, which row triggers do not see.)"""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        yield
        return
    from django.db.backends.sqlite3.base import DatabaseWrapper

    DatabaseOperations = DatabaseWrapper.ops_class
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            original(self, sql_list)
        finally:
            with self.connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


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
