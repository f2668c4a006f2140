"""Benchmark: the receipt PDF of a filing at the maximum text lengths the portal accepts.

A filing may carry 20 allegations whose facts are each FILING_FACTS_MAX_LENGTH characters,
and remedies of FILING_TEXT_MAX_LENGTH characters; the receipt is rendered (template and
WeasyPrint) by a worker for every filing. Measured in the same run: an ordinary receipt (the
floor, 2 short allegations) and the receipt at the limits. Budget: the receipt at the limits
takes at most RATIO_BUDGET times the ordinary one and at most SECONDS_BUDGET seconds.

The context is synthetic (the template's shape, no database), so the figure is the cost of
the text alone.

    .venv/bin/python -m benchmarks.receipt_pdf
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from types import SimpleNamespace

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("LOG_LEVEL", "WARNING")

RUNS = 3
RATIO_BUDGET = 40.0
SECONDS_BUDGET = 30.0
WORDS = "The supervisor told the seamstresses on the night shift that they would be dismissed. "


class _All(list):
    def all(self):
        return self


def _text(length: int) -> str:
    return (WORDS * (length // len(WORDS) + 1))[:length]


def _context(*, allegations: int, facts: int, remedies: int) -> dict:
    from commission.redaction import Identity, Redactor

    rows = _All(
        SimpleNamespace(
            number=n,
            summary=f"Allegation {n}: dismissal of pregnant workers",
            place="Ate, Lima",
            period_start=dt.date(2026, 1, 5),
            period_end=None,
            workers_affected=14,
            facts=_text(facts),
            criteria=_All(),
            flagged_for_deliberation=False,
            proposed_standard="",
        )
        for n in range(1, allegations + 1)
    )
    case = SimpleNamespace(
        docket_number="C-2026-00001",
        get_kind_display="Complaint",
        received_at=dt.datetime(2026, 3, 2, 14, 10, tzinfo=dt.UTC),
        get_received_via_display="Portal",
        language="en",
        originating_petition=None,
        complainants=_All([SimpleNamespace(public_label="Worker A")]),
        respondents=_All(
            [SimpleNamespace(display_name="Confecciones del Pacífico", get_kind_display="Employer")]
        ),
        allegations=rows,
        remedies_sought=_text(remedies),
        evidence=_All(),
        withhold_organization_names=False,
        confidentiality_request="",
    )
    return {
        "case": case,
        "redactor": Redactor([Identity("Rosa Elvira Quispe Huamán", "Worker A")]),
        "deadlines": [],
        "commission_name": "Labor Rights Commission",
        "time_zone": "America/Lima",
    }


def _render(context: dict) -> float:
    from django.conf import settings
    from django.template.loader import render_to_string
    from weasyprint import HTML

    started = time.perf_counter()
    html = render_to_string("complaints/pdf/receipt.html", context)
    HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return time.perf_counter() - started


def main() -> int:
    import django

    django.setup()
    from django.conf import settings

    ordinary = _context(allegations=2, facts=300, remedies=200)
    limits = _context(
        allegations=20,
        facts=settings.FILING_FACTS_MAX_LENGTH,
        remedies=settings.FILING_TEXT_MAX_LENGTH,
    )
    _render(ordinary)  # warm up fonts and the template cache
    floor = statistics.median(_render(ordinary) for _ in range(RUNS))
    at_limits = statistics.median(_render(limits) for _ in range(RUNS))
    ratio = at_limits / floor
    print(f"ordinary receipt (floor):  {floor:.3f} s")
    print(
        f"receipt at the limits:     {at_limits:.3f} s  (20 allegations x "
        f"{settings.FILING_FACTS_MAX_LENGTH} characters of facts)"
    )
    print(f"ratio: {ratio:.1f}x (budget {RATIO_BUDGET:.0f}x, and {SECONDS_BUDGET:.0f} s)")
    ok = ratio <= RATIO_BUDGET and at_limits <= SECONDS_BUDGET
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
