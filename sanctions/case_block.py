"""The sanctions app's block on a case's public pages (complaints/case_blocks.py): each
sanction the case's decision ordered, with its magnitude in force and its benchmark progress,
linked to its page in the public register."""

from __future__ import annotations

from typing import Any

from complaints.models import Case

from .selectors import case_register_rows


def context(case: Case) -> dict[str, Any]:
    return {"rows": case_register_rows(case=case)}
