"""Portal navigation: each app's `urls.nav = [(label, "url-name"), ...]`, in the order of the
root URLconf's PORTAL_APPS."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest
from django.urls import reverse


@cache
def _links() -> tuple[tuple[str, str], ...]:
    from .urls import PORTAL_APPS

    return tuple(
        (label, f"{app}:{name}")
        for app, module in PORTAL_APPS
        for label, name in getattr(module, "nav", [])
    )


def portal_nav(request: HttpRequest) -> dict[str, list[tuple[str, str]]]:
    return {"portal_nav": [(label, reverse(name)) for label, name in _links()]}
