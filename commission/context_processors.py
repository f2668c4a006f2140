"""Portal navigation contributed by each app: `<app>.urls.nav = [(label, "url-name"), ...]`."""

from functools import cache
from importlib import import_module

from django.conf import settings
from django.urls import reverse


@cache
def _links() -> tuple[tuple[str, str], ...]:
    links = []
    for app in settings.COMMISSION_APPS[1:]:
        try:
            module = import_module(f"{app}.urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.urls":
                raise
            continue
        for label, name in getattr(module, "nav", []):
            links.append((label, f"{app}:{name}"))
    return tuple(links)


def portal_nav(request):
    return {"portal_nav": [(label, reverse(name)) for label, name in _links()]}
