"""Caching of register answers, keyed by the register's state.

The database keeps the register's state in one row (`RegisterState`): triggers increment its
serial in the same transaction as every write to the register's tables, and the row lock they
take orders the writers, so a reader that sees serial N sees every change up to N. An answer
computed for a question after reading serial N is therefore the answer for as long as the serial
stays N; the next write changes the key, so a stale answer can never be served — in any process,
with any cache backend. (The state is read before the answer is computed; what the answer reads
is at least as new, and the register is append-only, so it is never older than its key.)

Reading the state is one primary-key lookup. Nothing is cached inside a transaction: there the
state could include the transaction's own, not yet committed (possibly rolled back) writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

from . import renderer
from .models import RegisterState

T = TypeVar("T")
TIMEOUT = 24 * 3600
_STATE_SQL = f"SELECT epoch, serial FROM {RegisterState._meta.db_table} WHERE id = 1"  # noqa: S608


def register_stamp() -> str:
    """The register's state in one primary-key lookup: "<epoch>.<serial>"."""
    global _last_seen
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL)
        row = cursor.fetchone()
    # No row: nothing was ever written to the register since the table was (re)created.
    stamp = f"{row[0]}.{row[1]}" if row else "empty"
    if _may_cache():
        _last_seen = stamp
    return stamp


# The register state this process last read from committed data (a hint, never an answer's
# key by itself: see `last_seen`).
_last_seen: str | None = None


def last_seen() -> str | None:
    """The register state this process last read outside a transaction, or None. It may be
    out of date: something looked up under it must be confirmed by reading the state
    (`one_state`) before it is served."""
    return _last_seen


# The state read once for everything one answer caches (see `one_state`).
_current_stamp: ContextVar[str | None] = ContextVar("criteria_register_stamp", default=None)


@contextmanager
def one_state() -> Iterator[None]:
    """Within: every cache key names the state read once on entering, so the parts one answer
    is put together from (a page's chrome, its content, its rows) are of one state, and the
    state is read once rather than for each part."""
    token = _current_stamp.set(register_stamp() if _may_cache() else None)
    try:
        yield
    finally:
        _current_stamp.reset(token)


@contextmanager
def at_state(stamp: str) -> Iterator[None]:
    """Within: every cache key names the state `stamp`, read by the caller from the database
    together with what it answers (e.g. a precomputed answer joined to the state row), so the
    parts it is put together with are of the same state and the state is not read again."""
    global _last_seen
    if _may_cache():
        _last_seen = stamp
    token = _current_stamp.set(stamp if _may_cache() else None)
    try:
        yield
    finally:
        _current_stamp.reset(token)


def _may_cache() -> bool:
    # Inside a transaction the state could count writes that are later rolled back; only
    # answers read from committed data are cached.
    return not connection.in_atomic_block


def key_of(parts: tuple) -> str | None:
    """The cache key of the question `parts` in the register's current state; None when
    answers may not be cached (inside a transaction)."""
    return keys_of([parts])[0]


def keys_of(questions: list[tuple]) -> list[str | None]:
    """`key_of` for several questions, reading the state once."""
    if not _may_cache():
        return [None] * len(questions)
    stamp = (_current_stamp.get() or register_stamp()) if questions else ""
    # Answers are of a state and of the code that rendered them: a deployment that changes
    # how answers are rendered must not serve those the code it replaced left in a shared cache.
    fingerprint = renderer.fingerprint()
    return [
        "criteria:" + hashlib.sha256(repr((stamp, fingerprint, *parts)).encode()).hexdigest()
        for parts in questions
    ]


def cached(parts: tuple, build: Callable[[], T]) -> T:
    """`build()`'s value for the question `parts` in the register's current state."""
    key = key_of(parts)
    if key is None:
        return build()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value


def cached_with_state(parts: tuple, build: Callable[[], tuple[str, T] | None]) -> T | None:
    """The value for the question `parts` in the register's current state, where `build()`
    reads the value together with the state it is of, in one query: (state, value), or None
    when it cannot answer (then so does this).

    The cache is looked up under the state this process last saw (`last_seen`): a value found
    is returned once one read of the state confirms that it is still that state; a value not
    found is built without reading the state first, so a new question costs one query, and
    cached under the state it was read with."""
    seen = last_seen()
    key = None
    if seen is not None:
        with at_state(seen):
            key = key_of(parts)
        value = cache.get(key) if key else None
        if value is not None:
            current = key_of(parts)  # reads the state
            if current == key:
                return value
            value = cache.get(current) if current else None  # the state has moved on since
            if value is not None:
                return value
    found = build()
    if found is None:
        return None
    stamp, value = found
    if key is None or stamp != seen:
        with at_state(stamp):
            key = key_of(parts)
    if key:
        cache.set(key, value, TIMEOUT)
    return value


# Parts kept in this process for the current state (see `memo`): the state they are of and,
# by question, the parts; replaced whole when the state moves on.
_memo: tuple[str, dict[tuple, object]] = ("", {})
MEMO_SIZE = 512


def memo(parts: tuple, build: Callable[[], T]) -> T:
    """`build()`'s value for `parts` in the register's current state, kept in this process:
    for the small parts that every request of a state is put together with (a page's chrome,
    its skeletons, its forms), which a shared cache would fetch over the network each time.
    Only the current state's parts are kept, at most `MEMO_SIZE` of them."""
    global _memo
    # Within `one_state` or `at_state` the state is set, unless answers may not be cached.
    stamp = _current_stamp.get()
    if stamp is None:
        if not _may_cache():
            return build()
        stamp = register_stamp()
    state, values = _memo
    if state != stamp or len(values) >= MEMO_SIZE:
        values = {}
        _memo = (stamp, values)
    try:
        return values[parts]  # type: ignore[return-value]
    except KeyError:
        value = values[parts] = build()
        return value
