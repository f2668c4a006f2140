"""Every catalog is complete: no untranslated or fuzzy Spanish entry ships."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = sorted(p for p in ROOT.glob("**/locale/es/LC_MESSAGES/*.po") if ".venv" not in p.parts)


def test_there_is_a_spanish_catalog():
    assert CATALOGS


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_spanish_catalog_is_complete(path):
    po = polib.pofile(str(path))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or e.fuzzy)]
    assert missing == [], f"untranslated in {path}: {missing}"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_plural_entry_has_the_forms_its_catalog_declares(path):
    # A plural entry with fewer forms than the header's nplurals fails `msgfmt -c` and, for a
    # count in the missing form, shows the English text.
    po = polib.pofile(str(path))
    nplurals = int(po.metadata["Plural-Forms"].split("nplurals=")[1].split(";")[0])
    short = [
        e.msgid
        for e in po
        if not e.obsolete and e.msgid_plural and len(e.msgstr_plural) != nplurals
    ]
    assert short == [], f"plural entries without {nplurals} forms in {path}: {short}"
