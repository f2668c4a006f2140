"""Caching of register answers, keyed by the register's state.

The register only ever grows: versions, their sources and applicability, and rule
resolutions are appended and never changed (the one derived column, `effective_until`, is set
in the same transaction that appends the next version). So the largest version id and the
largest resolution id identify the state of the whole register: an answer computed for a
question in that state is the answer for as long as they do not change, and a new promulgation
changes them, so a stale answer can never be served — in any process, with any cache backend.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

from .models import CriterionVersion, RuleResolution

T = TypeVar("T")
TIMEOUT = 24 * 3600


def register_stamp() -> str:
    """The register's state in one indexed query: "<max version id>.<max resolution id>"."""
    versions = CriterionVersion._meta.db_table
    resolutions = RuleResolution._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {versions}), (SELECT MAX(id) FROM {resolutions})"  # noqa: S608 - table names from the models
        )
        v, r = cursor.fetchone()
    return f"{v or 0}.{r or 0}"


def _may_cache() -> bool:
    # Inside a transaction the stamp could name rows that are later rolled back (and whose ids
    # SQLite would reuse); only answers read from committed data are cached.
    return not connection.in_atomic_block


def cached(parts: tuple, build: Callable[[], T]) -> T:
    """`build()`'s value for the question `parts` in the register's current state."""
    if not _may_cache():
        return build()
    raw = repr((register_stamp(), *parts)).encode()
    key = "criteria:" + hashlib.sha256(raw).hexdigest()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value
