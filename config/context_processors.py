"""Portal context: the navigation, each app's `urls.nav = [(label, "url-name"), ...]` in the
order of the root URLconf's PORTAL_APPS, and the commission's name from settings."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from commission.naming import commission_name


@cache
def _links() -> tuple[tuple[str, str], ...]:
    from .urls import PORTAL_APPS

    return tuple(
        (label, f"{app}:{name}")
        for app, module in PORTAL_APPS
        for label, name in getattr(module, "nav", [])
    )


def portal_nav(request: HttpRequest) -> dict[str, Any]:
    links = [(label, reverse(name)) for label, name in _links()]
    # The current section: the longest link the path starts with (marked aria-current).
    current = max((href for _, href in links if request.path.startswith(href)), key=len, default="")
    return {
        "portal_nav": [(label, href, href == current) for label, href in links],
        "commission_name": commission_name(),
    }
