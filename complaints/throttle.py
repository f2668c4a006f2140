"""Rate limits of the portal, counted in Django's cache (per client address and scope).

A limit is "N/period" with period second, minute, hour or day (the same notation as DRF's
throttle rates). Production should point CACHE_URL at Redis so every web process shares the
counters; with the per-process local-memory cache each process counts on its own.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache

if TYPE_CHECKING:
    from django.http import HttpRequest

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0].lower()]


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind a reverse proxy set NUM_PROXIES so the right hop of
    X-Forwarded-For is used; otherwise the header is ignored (it is trivially forged)."""
    proxies: int = settings.NUM_PROXIES
    if proxies:
        forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    address: str = request.META.get("REMOTE_ADDR", "unknown")
    return address


def rate_limited(request: HttpRequest, *, scope: str) -> bool:
    """Count one attempt for the client in `scope`; True when it is over the limit."""
    count, period = parse_rate(settings.PORTAL_RATE_LIMITS[scope])
    window = int(time.time() // period)
    key = f"complaints:rate:{scope}:{client_address(request)}:{window}"
    if cache.add(key, 1, timeout=period + 5):
        used = 1
    else:
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=period + 5)
            used = 1
    return used > count
