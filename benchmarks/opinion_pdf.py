"""Benchmark: render a 40-page reasoned opinion (HTML template, WeasyPrint layout, PDF,
PAdES signature) as the render task does, off the request path.

Budget: at most 3 s per render (median of the runs), and every run byte-identical.

The opinion is built from a synthetic decision context of the same shape as
`hearings.opinion.decision_context` (findings with facts, criteria versions and reasoning,
sanctions with benchmarks, the procedural history and clocks), sized to reach about 40 pages.
The signing key is a throwaway RSA key generated into a temporary folder.

    .venv/bin/python -m benchmarks.opinion_pdf
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("LOG_LEVEL", "WARNING")

TARGET_PAGES = 40
RUNS = 5
BUDGET_SECONDS = 3.0


def _context(findings: int, paragraphs: int) -> dict:
    from zoneinfo import ZoneInfo

    from hearings.selectors import Parties

    tz = ZoneInfo("America/Lima")
    adopted = dt.datetime(2026, 5, 26, 11, 0, tzinfo=tz)
    received = dt.datetime(2026, 3, 2, 14, 10, tzinfo=tz)
    para = (
        "The panel finds, on the record as a whole, that the employer dismissed the worker "
        "within days of her written notice of pregnancy, that no disciplinary record existed, "
        "and that the reasons given at the hearing were contradicted by the payroll records "
        "and by the testimony of two supervisors. "
    )
    rows = []
    for n in range(1, findings + 1):
        rows.append(
            {
                "id": f"finding-{n}",
                "number": n,
                "summary": f"Allegation {n}: dismissal, recognition and prison labor",
                "allegation_facts": para * 2,
                "period_start": dt.date(2025, 9, 1),
                "period_end": None,
                "place": "Ate, Lima",
                "relevant_date": dt.date(2026, 1, 12),
                "determination": "violation",
                "determination_label": "Violation",
                "reasoning": "\n".join([para * 2] * paragraphs),
                "facts": [
                    {"text": para, "source": f"Submission S-{k}, hearing transcript p. {k * 7}"}
                    for k in range(1, 5)
                ],
                "criteria": [
                    {
                        "identifier": f"ND-00{k}/v2",
                        "code": f"ND-00{k}",
                        "title": "No dismissal for pregnancy",
                        "right": "ND",
                        "text": "An employer may not dismiss a worker because she is pregnant. "
                        * 3,
                        "threshold": "",
                        "effective_from": dt.date(2024, 1, 1),
                        "effective_until": None,
                        "analysis": para,
                    }
                    for k in range(1, 3)
                ],
                "sanction_numbers": [1, 2],
            }
        )
    sanctions = [
        {
            "number": s,
            "public_id": f"00000000-0000-0000-0000-00000000000{s}",
            "target": "Firm (employer / workplace)",
            "target_label": "Confecciones del Pacífico S.A.C.",
            "supplied": "",
            "instrument": "Tariff",
            "magnitude": "35 % ad valorem",
            "description": para,
            "deterrence": para,
            "findings": list(range(1, findings + 1)),
            "benchmarks": [
                {
                    "position": b,
                    "public_id": f"10000000-0000-0000-0000-00000000000{b}",
                    "description": "Reinstatement with back pay",
                    "metric": "share of workers reinstated",
                    "target": "≥ 100 %",
                    "criterion": "ND-001/v2",
                    "verification": "Payroll audit and confidential interviews off premises.",
                    "share": "50",
                }
                for b in (1, 2)
            ],
        }
        for s in (1, 2, 3)
    ]
    history = [
        {"at": received + dt.timedelta(days=d), "text": f"Step on day {d}.", "day": d, "period": 90}
        for d in range(0, 86, 5)
    ]
    return {
        "document": "opinion",
        "language": "en",
        "date_format": "j F Y",
        "commission_name": "Bilateral Labor Rights Commission",
        "title": "Decision and reasoned opinion",
        "docket_number": "C-2026-00001",
        "case_kind": "Complaint",
        "received_at": received,
        "adopted_at": adopted,
        "adoption": "panel",
        "adoption_record": "",
        "parties": Parties(
            complainants=["Sindicato de Trabajadores", "Worker A"],
            respondents=["Government of Peru", "Confecciones del Pacífico S.A.C."],
        ),
        "introduction": para,
        "history": history,
        "clocks": [
            {
                "label": "Final decision issued by",
                "days": 90,
                "explanation": "Filed 2 March 2026. Day 90 is Sunday 31 May 2026 … due Friday 29 "
                "May 2026.",
                "last_day": dt.date(2026, 5, 29),
                "due_at": adopted,
                "legal_basis": "No later than 90 days after filing.",
                "outcome": "Done on day 85, within the period.",
            }
        ],
        "findings": rows,
        "sanctions": sanctions,
        "is_complaint": True,
        "disposition": ["The respondents violated the criteria.", "Takes effect upon issue."],
        "panel": [
            {
                "name": "Eleanor Whitfield",
                "kind": "Jurist",
                "country": "United States",
                "presides": True,
            },
            {
                "name": "Julia Quispe Mamani",
                "kind": "Worker representative",
                "country": "Peru",
                "presides": False,
            },
            {
                "name": "Denise Carter",
                "kind": "Worker representative",
                "country": "United States",
                "presides": False,
            },
        ],
        "toc": True,
        "sealed": True,
        "identifier": "decision:benchmark",
        "created_iso": adopted.astimezone(dt.UTC).isoformat(),
        "signing_time": adopted,
        "signature_reason": "Reasoned opinion issued in C-2026-00001",
    }


def main() -> int:
    import django

    django.setup()
    from django.test import override_settings

    from hearings import opinion, signing

    with (
        tempfile.TemporaryDirectory() as folder,
        override_settings(
            OPINION_SIGNING_DEMO_DIR=folder,
            OPINION_SIGNING_KEY_FILE="",
            OPINION_SIGNING_CERT_FILE="",
        ),
    ):
        signing.demo_signing_key_ensure(common_name="Benchmark Commission")
        signing._signer.cache_clear()
        # Size the opinion: findings of ~2 pages each until it reaches TARGET_PAGES.
        findings = 18
        context = _context(findings, paragraphs=3)
        pages = opinion.pdf_render(context, sign=False).pages
        while pages < TARGET_PAGES:
            findings += 2
            context = _context(findings, paragraphs=3)
            pages = opinion.pdf_render(context, sign=False).pages
        timings, cpu, digests = [], [], set()
        for _ in range(RUNS):
            started, started_cpu = time.perf_counter(), time.process_time()
            rendered = opinion.pdf_render(context)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            digests.add(rendered.sha256)
        unsigned = []
        for _ in range(RUNS):
            started = time.perf_counter()
            opinion.pdf_render(context, sign=False)
            unsigned.append(time.perf_counter() - started)
    median = statistics.median(timings)
    ok_time = median <= BUDGET_SECONDS
    ok_bytes = len(digests) == 1
    print(
        f"opinion: {rendered.pages} pages, {len(rendered.data) / 1024:.0f} KiB, signed={rendered.signed}"
    )
    print(
        f"render + sign: median {median:.2f} s, min {min(timings):.2f} s, max {max(timings):.2f} s "
        f"over {RUNS} runs (budget {BUDGET_SECONDS:.1f} s) -> {'PASS' if ok_time else 'FAIL'}"
    )
    print(
        f"render + sign, CPU time of this process: median {statistics.median(cpu):.2f} s "
        f"(wall time above includes waiting for the CPU; load average "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)"
    )
    print(f"render unsigned: median {statistics.median(unsigned):.2f} s")
    print(
        f"byte-identical across runs: {ok_bytes} (sha256 {sorted(digests)[0][:16]}…) -> "
        f"{'PASS' if ok_bytes else 'FAIL'}"
    )
    result = ok_time and ok_bytes and rendered.pages >= TARGET_PAGES
    print("PASS" if result else "FAIL")
    return 0 if result else 1


if __name__ == "__main__":
    sys.exit(main())
