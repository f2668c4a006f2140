"""Shared fixtures, and the rule for tests that need real services.

A test marked `postgres`, `redis` or `browser` runs only where that service is configured and
reachable; elsewhere it is skipped with the reason printed in the summary (`-ra`). Where
REQUIRE_SERVICES lists a service (CI does: `REQUIRE_SERVICES=postgres,redis`), its absence is
an error instead of a skip, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

REQUIRED = {s.strip() for s in os.environ.get("REQUIRE_SERVICES", "").split(",") if s.strip()}


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
    elif name == "browser":
        if not shutil.which("chromium"):
            return "Debian's chromium is not installed (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        for name in ("postgres", "redis", "browser"):
            if name not in item.keywords:
                continue
            problem = _service_problem(name)
            if problem is None:
                continue
            if name in REQUIRED:
                raise pytest.UsageError(f"REQUIRE_SERVICES includes {name}, but: {problem}")
            item.add_marker(pytest.mark.skip(reason=f"SKIPPED ({name}): {problem}"))
            break
