"""What the text of precomputed answers is rendered by, as one fingerprint.

A set of precomputed answers (criteria.answers) stores text: each binding's JSON for the API
and HTML for the portal, and each version's row of the register list, in every language. That
text is the work of the code, templates and translation catalogs deployed when the set was
built. A set is used only by code with the same fingerprint, so a deployment that changes how
an answer is worded or rendered never serves text rendered by the code it replaced: until beat
builds the set of the new fingerprint, answers are computed from the register, as they are
after every register write.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import import_module
from pathlib import Path

import django
from django.conf import settings

APP = Path(__file__).resolve().parent
# The apps whose code and templates the text is rendered by: this one and the one below it
# (its models are the partners and sectors that answers name and list).
PACKAGES = [APP, APP.parent / "commission"]


def sources() -> list[Path]:
    """The files the precomputed text depends on: the code and templates of `PACKAGES`, the
    compiled translation catalogs and the root URLconf (answers link to versions)."""
    files = []
    for package in PACKAGES:
        files += [*package.glob("*.py"), *(package / "templates").rglob("*.html")]
        files += (package / "locale").rglob("*.mo")
    for root in settings.LOCALE_PATHS:
        files += Path(root).rglob("*.mo")
    urlconf = getattr(import_module(settings.ROOT_URLCONF), "__file__", None)
    if urlconf:
        files.append(Path(urlconf))
    return sorted(set(files))


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A digest of `sources()` (names and contents), the languages and Django's version:
    computed once per process."""
    digest = hashlib.sha256(
        repr((django.get_version(), settings.LANGUAGE_CODE, settings.LANGUAGES)).encode()
    )
    for path in sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]
