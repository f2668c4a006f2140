"""Redaction of confidential identities in free text: one matcher for every app.

A confidential identity (a worker's name, a withheld organization's name) is replaced by its
public label (its pseudonym) wherever it appears, however it is written: in any case, with or
without accents, with extra spaces or line breaks between its words, and — for a person — by
any of its given names or surnames alone or in any order ("Quispe", "QUISPE HUAMAN", "Rosa
Elvira"). Particles ("de", "la", "y"…) are not names on their own. An organization is matched
by its whole name (its words are common words).

Matching works on a folded copy of the text (case-folded, accents removed, whitespace kept)
with a map back to the original characters, so the replacement keeps everything around the
name exactly as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Words that join the parts of a name and are no name on their own.
PARTICLES = frozenset(
    "de del la las los y e da das do dos di du van von der den ter le el al bin ibn".split()  # noqa: SIM905 - reads as a list of words
)
MIN_PART_LENGTH = 2


@dataclass(frozen=True)
class Identity:
    """A confidential name and the label that stands for it. `by_parts`: a person's name,
    matched by each of its parts too; otherwise only the whole name matches."""

    name: str
    label: str
    by_parts: bool = True


def fold(text: str) -> tuple[str, list[int]]:
    """`text` case-folded and without accents, and for each folded character the index of
    the original character it comes from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        ).casefold()
        if char.isspace():
            base = " "
        for out in base:
            folded.append(out)
            origin.append(index)
    return "".join(folded), origin


def name_parts(name: str) -> list[str]:
    """The folded parts of a person's name that identify them on their own."""
    folded, _origin = fold(name)
    words = re.findall(r"\w+", folded)
    return [w for w in words if len(w) >= MIN_PART_LENGTH and w not in PARTICLES]


def _pattern(identity: Identity) -> str | None:
    folded, _origin = fold(identity.name)
    words = re.findall(r"\w+", folded)
    if not words:
        return None
    if identity.by_parts:
        parts = sorted(set(name_parts(identity.name)), key=len, reverse=True)
        if not parts:
            return None
        one = "(?:" + "|".join(re.escape(p) for p in parts) + ")"
        particle = "(?:" + "|".join(sorted(PARTICLES, key=len, reverse=True)) + ")"
        # A run of the name's parts, joined by spaces, hyphens, dots or particles.
        joint = rf"(?:[\s\-.,']+(?:{particle}[\s\-.']+)*)"
        return rf"(?<!\w){one}(?:{joint}{one})*(?!\w)"
    return r"(?<!\w)" + r"[\s\-.,']+".join(re.escape(w) for w in words) + r"(?!\w)"


class Redactor:
    """Replaces every confidential identity of a case in free text by its public label."""

    def __init__(self, identities: Iterable[Identity]):
        self.identities = [i for i in identities if i.name and i.name.strip()]
        compiled = []
        for identity in self.identities:
            pattern = _pattern(identity)
            if pattern:
                compiled.append((re.compile(pattern), identity.label))
        # Whole names (organizations) before parts, so the longer match wins.
        compiled.sort(key=lambda p: len(p[0].pattern), reverse=True)
        self._patterns = compiled

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, label) of each confidential name in `text` (original positions)."""
        if not text or not self._patterns:
            return []
        folded, origin = fold(text)
        taken: list[tuple[int, int, str]] = []
        for pattern, label in self._patterns:
            for match in pattern.finditer(folded):
                start = origin[match.start()]
                end = origin[match.end() - 1] + 1
                if any(start < e and s < end for s, e, _l in taken):
                    continue
                taken.append((start, end, label))
        return sorted(taken)

    def matches(self, text: str) -> bool:
        return bool(self.spans(text))

    def redact(self, text: str) -> str:
        if not text:
            return text
        out, last = [], 0
        for start, end, label in self.spans(text):
            out.append(text[last:start])
            out.append(str(label))
            last = end
        out.append(text[last:])
        return "".join(out)


NO_REDACTION = Redactor([])


def redact(text: str, redactor: Redactor | None) -> str:
    return redactor.redact(text) if redactor is not None else text
