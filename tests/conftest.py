"""Shared fixtures, and the rule for tests that need real services.

A test marked `postgres`, `redis` or `browser` runs only where that service is configured and
reachable; elsewhere it is skipped with the reason printed in the summary (`-ra`). Where
REQUIRE_SERVICES lists a service (CI does: `REQUIRE_SERVICES=postgres,redis`), its absence is
an error instead of a skip, so CI can never pass by skipping. `s3` (media on S3-compatible
object storage) needs no server of its own: `s3_media` starts moto's on a free local port.
"""

from __future__ import annotations

import os
import shutil
import socket
from importlib.util import find_spec
from urllib.parse import urlparse

import pytest
from django.conf import settings

REQUIRED = {s.strip() for s in os.environ.get("REQUIRE_SERVICES", "").split(",") if s.strip()}
# Markers whose tests another pass of the same run executes (`.ci/run` runs the browser and
# live-worker tests, and the API's schema fuzzing, once, in its PostgreSQL + Redis pass); they
# are skipped here with that reason.
DEFERRED = {s.strip() for s in os.environ.get("TESTS_DEFERRED", "").split(",") if s.strip()}


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def _service_problem(name: str) -> str | None:
    if name == "postgres":
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            return "PostgreSQL not configured: set DATABASE_URL=postgres://... (.ci/run does)"
    elif name == "redis":
        url = settings.CELERY_BROKER_URL
        if not url.startswith("redis://"):
            return "Redis not configured: set CELERY_BROKER_URL=redis://... (.ci/run does)"
        if not _reachable(url, 6379):
            return f"Redis not reachable at {url}"
    elif name == "browser" and not shutil.which("chromium"):
        return "Debian's chromium is not installed (apt-get install chromium)"
    elif name == "s3":
        missing = [
            m for m in ("moto", "flask", "flask_cors", "storages", "boto3") if not find_spec(m)
        ]
        if missing:
            return (
                f"the local S3-compatible server cannot start: {', '.join(missing)} not "
                "installed (moto[server] and django-storages[s3] are in requirements.lock)"
            )
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        deferred = sorted(DEFERRED.intersection(item.keywords))
        if deferred:
            reason = f"DEFERRED ({', '.join(deferred)}): runs in the other pass of this run"
            item.add_marker(pytest.mark.skip(reason=reason))
            continue
        for name in ("postgres", "redis", "browser", "s3"):
            if name not in item.keywords:
                continue
            problem = _service_problem(name)
            if problem is None:
                continue
            if name in REQUIRED:
                raise pytest.UsageError(f"REQUIRE_SERVICES includes {name}, but: {problem}")
            item.add_marker(pytest.mark.skip(reason=f"SKIPPED ({name}): {problem}"))
            break


@pytest.fixture(autouse=True, scope="session")
def _flush_keeps_integrity_guards():
    """Transactional tests (the live server, the worker) end with a flush, which the integrity
    guards (commission.integrity) rightly refuse: SQLite deletes rows one by one, PostgreSQL
    truncates. For the flush only, the test database's owner lifts the guards and puts them
    back as they were (on PostgreSQL by disabling the TRUNCATE guards, which only the owner of
    a table may do)."""
    from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQL
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLite

    def sqlite_flush(original):
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

        return execute_sql_flush

    def postgresql_flush(original):
        def execute_sql_flush(self, sql_list):
            from django.db import transaction

            with transaction.atomic(using=self.connection.alias):
                with self.connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                        "WHERE tgname LIKE '%%\\_\\_guard\\_truncate'"
                    )
                    guards = cursor.fetchall()
                    for table, name in guards:
                        cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
                original(self, sql_list)
                with self.connection.cursor() as cursor:
                    for table, name in guards:
                        cursor.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')

        return execute_sql_flush

    patched = []
    for wrapper, patch in ((SQLite, sqlite_flush), (PostgreSQL, postgresql_flush)):
        ops = wrapper.ops_class
        patched.append((ops, ops.execute_sql_flush))
        ops.execute_sql_flush = patch(ops.execute_sql_flush)
    yield
    for ops, original in patched:
        ops.execute_sql_flush = original


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On PostgreSQL with two roles (`DATABASE_OWNER_URL`), the test database is created,
    migrated and used by the owner role; tests of what the application role may do switch to
    it (`SET ROLE`, tests/integrity)."""
    from django.db import connections

    from commission.db.roles import as_owner

    database = settings.DATABASES["default"]
    owner = as_owner(database)
    if owner is not database:
        database.update(owner)
        connections["default"].close()


@pytest.fixture(autouse=True)
def _default_language_and_empty_cache():
    """Each test starts in the default language, with an empty cache: a request served in
    Spanish (the locale middleware activates it for the thread) must not leave later tests
    reading Spanish, and the API's throttles (counted in the cache) must not carry one test's
    requests into the next."""
    from django.core.cache import cache
    from django.utils import translation

    translation.deactivate()
    cache.clear()
    yield
    translation.deactivate()


# --- media on S3-compatible object storage ---------------------------------------------------


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3-compatible server, in this process on a free local port (no network beyond
    127.0.0.1, no account). Tests marked `s3` use it through `s3_media`."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_media(s3_server, settings, tmp_path):
    """Media on the S3 server for one test, configured as production configures it
    (`MEDIA_STORAGE=s3`, config.settings.base.media_storage), in a bucket of its own.
    MEDIA_ROOT points at an empty folder that must stay empty. Yields (boto3 client, bucket)."""
    import uuid

    import boto3

    from config.settings import base

    bucket = f"media-{uuid.uuid4().hex[:12]}"
    variables = {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "commission-test",
        "AWS_SECRET_ACCESS_KEY": "commission-test-secret",
        "AWS_S3_ADDRESSING_STYLE": "path",
    }
    previous = {k: os.environ.get(k) for k in variables}
    os.environ.update(variables)
    try:
        storage = base.media_storage()
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="commission-test",
        aws_secret_access_key="commission-test-secret",
    )
    client.create_bucket(Bucket=bucket)
    media_root = tmp_path / "media-root-unused"
    media_root.mkdir()
    settings.MEDIA_ROOT = str(media_root)
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    yield client, bucket
    assert not any(media_root.rglob("*")), "a media file was written to MEDIA_ROOT"
