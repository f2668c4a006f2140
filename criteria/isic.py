"""The ISIC Rev. 4 hierarchy, as far as applicability needs it: a criterion that applies to a
section ("C"), a division ("14") or a group ("141") applies to every class beneath it ("1410")."""

from __future__ import annotations

# Section letter -> inclusive range of divisions (ISIC Rev. 4).
_SECTIONS = {
    "A": (1, 3),
    "B": (5, 9),
    "C": (10, 33),
    "D": (35, 35),
    "E": (36, 39),
    "F": (41, 43),
    "G": (45, 47),
    "H": (49, 53),
    "I": (55, 56),
    "J": (58, 63),
    "K": (64, 66),
    "L": (68, 68),
    "M": (69, 75),
    "N": (77, 82),
    "O": (84, 84),
    "P": (85, 85),
    "Q": (86, 88),
    "R": (90, 93),
    "S": (94, 96),
    "T": (97, 98),
    "U": (99, 99),
}


def section_of(code: str) -> str | None:
    """The section letter of an ISIC code ("1410" -> "C"); the letter itself for a section."""
    code = code.strip().upper()
    if len(code) == 1 and code.isalpha():
        return code if code in _SECTIONS else None
    if len(code) < 2 or not code[:2].isdigit():
        return None
    division = int(code[:2])
    for letter, (low, high) in _SECTIONS.items():
        if low <= division <= high:
            return letter
    return None


def ancestors(code: str) -> list[str]:
    """The code itself and every code that covers it: "1410" -> ["1410", "141", "14", "C"]."""
    code = code.strip().upper()
    if len(code) == 1:
        return [code]
    result = [code[:n] for n in range(len(code), 1, -1)]
    section = section_of(code)
    if section:
        result.append(section)
    return result


def covers(outer: str, inner: str) -> bool:
    """Whether the sector `outer` includes the sector `inner` (or is it)."""
    return outer.strip().upper() in ancestors(inner)
