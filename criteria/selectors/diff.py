"""A readable, field-by-field diff between two versions of a criterion (texts word by word)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import CriterionVersion
from ..resolution import number


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    segments: tuple[tuple[str, str], ...] = ()  # ("equal"|"delete"|"insert", text)


def _word_segments(old: str, new: str) -> tuple[tuple[str, str], ...]:
    a, b = old.split(), new.split()
    segments: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("equal", " ".join(a[i1:i2])))
        else:
            if i2 > i1:
                segments.append(("delete", " ".join(a[i1:i2])))
            if j2 > j1:
                segments.append(("insert", " ".join(b[j1:j2])))
    return tuple(segments)


def _applicability(version: CriterionVersion, which: str) -> str:
    if which == "countries":
        if version.applies_to_all_countries:
            return _("all trading partners")
        return ", ".join(sorted(c.code for c in version.countries.all()))
    if version.applies_to_all_sectors:
        return _("all sectors")
    return ", ".join(sorted(s.isic_code for s in version.sectors.all()))


def _source_lines(version: CriterionVersion) -> str:
    return "\n".join(
        f"{s.get_kind_display()}: {s.citation}"
        + (f" [{number(s.value)} {s.unit}]" if s.value is not None else "")
        for s in version.sources.all()
    )


def _retirement(version: CriterionVersion) -> str:
    if not (version.is_retirement and version.successor):
        return ""
    return _("retires; replaced by %(code)s") % {"code": version.successor.code}


def criterion_version_diff(*, old: CriterionVersion, new: CriterionVersion) -> list[FieldChange]:
    """A readable, field-by-field diff between two versions (texts diffed word by word)."""
    rows = [
        (_("Text (English)"), old.text_en, new.text_en, True),
        (_("Text (Spanish)"), old.text_es, new.text_es, True),
        (_("Threshold"), old.threshold_display, new.threshold_display, False),
        (_("Measuring method (English)"), old.measuring_method_en, new.measuring_method_en, True),
        (_("Measuring method (Spanish)"), old.measuring_method_es, new.measuring_method_es, True),
        (
            _("Trading partners"),
            _applicability(old, "countries"),
            _applicability(new, "countries"),
            False,
        ),
        (_("Sectors"), _applicability(old, "sectors"), _applicability(new, "sectors"), False),
        (_("In force from"), old.effective_from.isoformat(), new.effective_from.isoformat(), False),
        (_("Sources"), _source_lines(old), _source_lines(new), True),
        (_("Retirement"), _retirement(old), _retirement(new), False),
    ]
    changes = []
    for label, a, b, wordwise in rows:
        a, b = a or "", b or ""
        if a == b:
            continue
        changes.append(
            FieldChange(
                label=str(label),
                old=a,
                new=b,
                segments=_word_segments(a, b) if wordwise else (),
            )
        )
    return changes
