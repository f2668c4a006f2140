"""Portal context: the navigation contributed by each app
(`<app>.urls.nav = [(label, "url-name"), ...]`) and the commission's name from settings."""

from functools import cache
from importlib import import_module

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

# The development default of COMMISSION_NAME, in the catalogs so that it reads in Spanish too;
# a deployment's own name is shown as configured unless its catalog translates it.
gettext_noop("Bilateral Labor Rights Commission")


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


def commission_name() -> str:
    """The commission's name as configured (COMMISSION_NAME), in the current language."""
    return gettext(settings.COMMISSION_NAME)


def portal_nav(request):
    links = [(label, reverse(name)) for label, name in _links()]
    # The current section: the longest link the path starts with (marked aria-current).
    current = max((href for _, href in links if request.path.startswith(href)), key=len, default="")
    links = [(label, href, href == current) for label, href in links]
    return {"portal_nav": links, "commission_name": commission_name()}
