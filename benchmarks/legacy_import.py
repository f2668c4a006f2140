"""Benchmark: a legacy import of 10,000 past cases (docs/import.md) into an empty database.

The file mixes complaints and petitions received over five years, half with a hearing (some
after their deadline), a fifth of the petitions denied, and one row in a hundred refused (an
organization not in the records). Budget: the 10,000 rows in at most 30 minutes (a one-off
migration, run once; the figure printed is what to plan for), and no notification written.

Runs on a scratch SQLite file by default; BENCH_DATABASE_URL=postgres://… runs it on a
PostgreSQL database created and dropped here (as the other benchmarks do).

    .venv/bin/python -m benchmarks.legacy_import                # 10,000 cases
    .venv/bin/python -m benchmarks.legacy_import write FILE N   # only write a file of N cases
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

CASES = int(os.environ.get("BENCH_CASES", "10000"))
BUDGET_SECONDS = 30 * 60

ORGANIZATIONS = {
    "union": ("labor_organization", "Sindicato de Trabajadores de Confecciones del Pacífico"),
    "hro": ("human_rights_organization", "Centro de Derechos Laborales y Humanos"),
    "employer": ("employer", "Confecciones del Pacífico S.A.C."),
    "buyer": ("global_corporation", "Northfield Apparel Group, Inc."),
    "agency": ("government_agency", "National Penitentiary System"),
}


def cases_write(path: Path, n: int, *, seed: int = 23) -> None:
    """A file of `n` legacy cases (deterministic for a seed)."""
    rng = random.Random(seed)
    start = dt.datetime(2019, 1, 7, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    records = []
    for i in range(n):
        received = start + dt.timedelta(hours=4 * i + rng.randrange(4))
        kind = "petition" if i % 3 == 0 else "complaint"
        filer = ORGANIZATIONS["hro" if kind == "petition" else "union"][1]
        if i % 100 == 99:
            filer = "An Organization Not In The Records"
        record = {
            "legacy_reference": f"BENCH-{i:06d}",
            "kind": kind,
            "language": rng.choice(["es", "en"]),
            "received_at": received.isoformat(),
            "received_via": rng.choice(["paper", "email", "portal"]),
            "remedies_sought": "Reinstatement and back pay.",
            "complainants": [{"kind": "organization", "organization": filer}],
            "respondents": [
                {"kind": "employer", "organization": ORGANIZATIONS["employer"][1], "country": "PE"}
            ],
            "allegations": [
                {
                    "summary": f"Allegation of case {i}",
                    "facts": "Workers were dismissed for organizing.",
                    "place": "Lima",
                    "period_start": (received.date() - dt.timedelta(days=90)).isoformat(),
                    "proposed_standard": "No dismissal for union activity.",
                }
            ],
            "events": [],
        }
        if i % 2 == 0:
            held = received + dt.timedelta(days=rng.choice([30, 45, 58, 75]))
            record["events"] += [
                {"type": "hearing_scheduled", "scheduled_for": held.isoformat()},
                {"type": "hearing_held", "at": held.isoformat()},
            ]
            if kind == "petition" and i % 5 == 0:
                record["events"].append(
                    {
                        "type": "petition_denied",
                        "at": (held + dt.timedelta(days=20)).isoformat(),
                        "reasoning": "The record does not establish a breach.",
                        "reference": f"OP-{i}",
                    }
                )
        records.append(record)
    with path.open("w", encoding="utf-8") as f:
        f.write("[\n")
        f.write(",\n".join(json.dumps(r, ensure_ascii=False) for r in records))
        f.write("\n]\n")


def _records_create() -> object:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from commission import roles
    from commission.models import Organization, TradingPartner
    from commission.services import roles_sync

    roles_sync()
    pe, _ = TradingPartner.objects.get_or_create(
        code="PE",
        defaults={"name": "Peru", "region": "Latin America", "income_level": "upper_middle"},
    )
    for kind, name in ORGANIZATIONS.values():
        Organization.objects.get_or_create(kind=kind, name=name, country=pe)
    user, _ = get_user_model().objects.get_or_create(username="bench.intake", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.STAFF))
    return user


def main() -> int:
    if sys.argv[1:2] == ["write"]:
        cases_write(Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else CASES)
        return 0
    scratch = Path(tempfile.mkdtemp(prefix="bench-import-"))
    url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
    postgres = url.startswith("postgres")
    os.environ["DATABASE_URL"] = url
    os.environ.pop("DATABASE_OWNER_URL", None)
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["LOG_LEVEL"] = "WARNING"
    if postgres:
        from benchmarks._scratch_db import recreate_database

        recreate_database(url)
    import django

    django.setup()
    try:
        from django.core.management import call_command

        from commission.models import CaseEvent, Notification
        from complaints.importing import cases_import

        call_command("migrate", verbosity=0)
        user = _records_create()
        path = scratch / "cases.json"
        cases_write(path, CASES)
        started = time.monotonic()
        summary = cases_import(path=path, actor=user)
        seconds = time.monotonic() - started
        events = CaseEvent.objects.count()
        notifications = Notification.objects.count()
        print(f"database: {'PostgreSQL' if postgres else 'SQLite'}")
        print(
            f"rows {summary.rows}: imported {summary.imported}, refused {len(summary.refused)}, "
            f"deadlines missed {summary.clocks_missed}, notices not sent "
            f"{summary.notices_superseded}, case events {events}"
        )
        print(
            f"import of {CASES} cases: {seconds:.1f} s ({summary.rows / seconds:.0f} rows/s), "
            f"budget {BUDGET_SECONDS} s"
        )
        print(f"notifications written: {notifications} (budget 0)")
        ok = seconds <= BUDGET_SECONDS and notifications == 0
        ok = ok and len(summary.refused) == CASES // 100
        return 0 if ok else 1
    finally:
        if postgres:
            from benchmarks._scratch_db import drop_database

            drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
