"""The register's answers and pages, cached and revalidated by the register's state
(docs/adr/0011).

The database keeps the register's state in one row (`RegisterState`): triggers increment its
serial in the same transaction as every write to the register's tables (trading partners and
sectors included), so an answer computed after reading serial N stays the answer for as long as
the serial is N. `register_answer` wraps a public read view:

* the question is the request's absolute URL, the reader's language, its Accept header and
  today's date (pages default to today); its key and ETag name the question and the state,
  and its Last-Modified is when the register last changed (or today's start, if later);
* a request whose ETag or date still matches gets 304 Not Modified (Django's conditional GET);
* otherwise the response is read from Django's cache (`CACHE_URL`), or computed and cached.

Deployments change the cache's key prefix (`RELEASE`), so no page rendered by replaced code
is served. Nothing is cached inside a transaction (its state could count writes that are later
rolled back), for a reader with flash messages waiting (the page shows them), or when the
response is not a plain public answer (an error, a browsable-API page)."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from . import selectors

TIMEOUT = 24 * 3600
CACHED_TYPES = ("application/json", "text/html")


def _may_cache() -> bool:
    return not connection.in_atomic_block


def _last_modified(changed_at: dt.datetime | None) -> dt.datetime:
    """When the answer to a question asked today last changed: the register's last write, or
    the start of today if later (a page for "today" changes when the date does)."""
    start_of_today = timezone.make_aware(dt.datetime.combine(selectors.today(), dt.time()))
    return max(changed_at, start_of_today) if changed_at else start_of_today


def register_answer(view):
    """Conditional GET and caching of a public read of the register, by the register's
    state (see the module's docstring). Works for portal views and DRF actions alike."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        # A function view's first argument is the request; a viewset's is `self`.
        index = 0 if hasattr(args[0], "method") else 1
        request = getattr(args[index], "_request", args[index])  # DRF wraps Django's
        if request.method not in ("GET", "HEAD") or len(messages.get_messages(request)):
            return view(*args, **kwargs)
        state = selectors.register_state()
        question = (
            state.epoch,
            state.serial,
            get_language(),
            selectors.today().isoformat(),
            request.META.get("HTTP_ACCEPT", ""),
            request.build_absolute_uri(),
        )
        digest = hashlib.sha256(repr(question).encode()).hexdigest()
        etag = quote_etag(digest[:32])
        modified = _last_modified(state.changed_at)
        response = get_conditional_response(
            request, etag=etag, last_modified=int(modified.timestamp())
        )
        if response is None:
            key = f"criteria:{digest}" if _may_cache() else None
            hit = cache.get(key) if key else None
            if hit is not None:
                response = HttpResponse(hit[1], content_type=hit[0])
            else:
                response = view(*args, **kwargs)
                if key:
                    _store_when_rendered(response, key)
        if response.status_code in (200, 304):
            response.headers.setdefault("ETag", etag)
            response.headers.setdefault("Last-Modified", http_date(modified.timestamp()))
        return response

    return wrapped


def _store_when_rendered(response, key: str) -> None:
    def store(rendered) -> None:
        content_type = rendered.get("Content-Type", "")
        renderer = getattr(rendered, "accepted_renderer", None)
        if (
            rendered.status_code == 200
            and content_type.startswith(CACHED_TYPES)
            and (renderer is None or renderer.format == "json")
            and not rendered.cookies
        ):
            cache.set(key, (content_type, rendered.content), TIMEOUT)

    if getattr(response, "streaming", False):
        return
    if hasattr(response, "add_post_render_callback") and not response.is_rendered:
        response.add_post_render_callback(store)
    else:
        store(response)
