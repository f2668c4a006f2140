"""The commission's name, as configured (COMMISSION_NAME), for every page, email and PDF."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

# The development default of COMMISSION_NAME, in the catalogs so that it reads in Spanish too;
# a deployment's own name is shown as configured unless its catalog translates it.
gettext_noop("Bilateral Labor Rights Commission")


def commission_name() -> str:
    """The commission's name as configured (COMMISSION_NAME), in the current language."""
    return gettext(settings.COMMISSION_NAME)
