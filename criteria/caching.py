"""The register's public answers, cached and revalidated by the register's state (ADR 0011).

`register_answer` keys a GET on the state's serial (bumped by a trigger with every write to the
register), the language, the Accept header, today's date and the absolute URL: a matching ETag
or date answers 304; otherwise the response comes from Django's cache (`CACHE_URL`, prefixed by
the `RELEASE`) or is computed and cached. Nothing is cached inside a transaction, for a reader
with flash messages waiting, or when the answer is not a plain public 200.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, cast

from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from . import selectors

TIMEOUT = 24 * 3600
CACHED_TYPES = ("application/json", "text/html")

_P = ParamSpec("_P")


def _may_cache() -> bool:
    return not connection.in_atomic_block


def _last_modified(changed_at: dt.datetime | None) -> dt.datetime:
    """When the answer to a question asked today last changed: the register's last write, or
    the start of today if later (a page for "today" changes when the date does)."""
    start_of_today = timezone.make_aware(dt.datetime.combine(selectors.today(), dt.time()))
    return max(changed_at, start_of_today) if changed_at else start_of_today


def register_answer(view: Callable[_P, HttpResponseBase]) -> Callable[_P, HttpResponseBase]:
    """Conditional GET and caching of a portal view or a DRF action (the module's docstring)."""

    @wraps(view)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> HttpResponseBase:
        # A function view's first argument is the request; a viewset's is `self`.
        index = 0 if hasattr(args[0], "method") else 1
        # DRF wraps Django's request; either way what is read below is Django's.
        request = cast(HttpRequest, getattr(args[index], "_request", args[index]))
        if request.method not in ("GET", "HEAD") or len(messages.get_messages(request)):
            return view(*args, **kwargs)
        state = selectors.register_state()
        question = (
            state.epoch,
            state.serial,
            get_language(),
            selectors.today().isoformat(),
            request.headers.get("accept", ""),
            request.build_absolute_uri(),
        )
        digest = hashlib.sha256(repr(question).encode()).hexdigest()
        etag = quote_etag(digest[:32])
        modified = _last_modified(state.changed_at)
        response: HttpResponseBase | None = get_conditional_response(
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


def _store_when_rendered(response: HttpResponseBase, key: str) -> None:
    def store(rendered: Any) -> None:
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
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.add_post_render_callback(store)
    else:
        store(response)
