"""Public reads from a read replica (`DATABASE_REPLICA_URL`; docs/deployment.md, "Read replica").

With the variable set, the settings add a `replica` database, this module's router and its
middleware. The rule is small on purpose:

* Only an **anonymous** request (no signed-in session, no `Authorization` header) that is
  **safe** (GET or HEAD) to a **public page** (`PUBLIC_PATHS`: the home page, the timeliness
  page, the criteria register, the public docket and its feeds, hearings, decisions and
  opinions, the sanctions register) or to the **public API** (`/api/v1/`) reads from the
  replica. Everything else — every write, staff and members, signed-in filers and teams,
  tokens, the filing and tracking pages, the admin, Celery's tasks, management commands —
  reads and writes the primary (`default`), exactly as without a replica.
* **Writes never go to the replica** (`db_for_write` is always `default`; nothing migrates it).
* **A request reads its own writes**: once it has written (or asked for a row to write, e.g.
  `select_for_update`), and whenever a transaction is open on the primary (every service
  runs in one), its reads go to the primary for the rest of the request.

The choice is per request, kept in a context variable that the middleware sets and resets, so
threads and async tasks never see each other's.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse

DEFAULT = "default"
REPLICA = "replica"

# The public pages whose anonymous GETs may read from the replica. The filing, tracking and
# sign-in pages (a filer reads what they just wrote), the team workspace, the admin, the
# account pages, /healthz and /metrics are not among them.
PUBLIC_PATHS = re.compile(
    r"""^/(?:
        |en/|es/|timeliness/
        |criteria/.*
        |complaints/docket/.*
        |hearings/(?:|calendar\.ics|\d+/|decisions/.*|opinions/.*)
        |sanctions/.*
        |api/v1/.*
    )$""",
    re.VERBOSE,
)
SAFE_METHODS = frozenset({"GET", "HEAD"})


@dataclass
class _Reads:
    """A request whose reads may come from the replica until it writes."""

    wrote: bool = False


_request_reads: ContextVar[_Reads | None] = ContextVar("replica_reads", default=None)


def replica_eligible(request: HttpRequest) -> bool:
    """May this request read from the replica? (Safe, anonymous, public.)"""
    if request.method not in SAFE_METHODS or "authorization" in request.headers:
        return False
    if not PUBLIC_PATHS.match(request.path_info):
        return False
    user = getattr(request, "user", None)
    return user is not None and not user.is_authenticated


@contextlib.contextmanager
def public_reads() -> Iterator[None]:
    """Within it, reads may come from the replica (until the first write)."""
    token = _request_reads.set(_Reads())
    try:
        yield
    finally:
        _request_reads.reset(token)


class PublicReadsOnReplicaMiddleware:
    """Marks the request's reads for the replica when `replica_eligible` (after the
    authentication middleware, which it needs)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_eligible(request):
            return self.get_response(request)
        with public_reads():
            return self.get_response(request)


class ReplicaRouter:
    """Reads of a marked request that has not written, outside any transaction, go to the
    replica; everything else to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        reads = _request_reads.get()
        if reads is None or reads.wrote or connections[DEFAULT].in_atomic_block:
            return DEFAULT
        return REPLICA

    def db_for_write(self, model: type, **hints: Any) -> str:
        reads = _request_reads.get()
        if reads is not None:
            reads.wrote = True
        return DEFAULT

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: a row read from either relates to the other's.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None
