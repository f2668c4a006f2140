"""Benchmark: the public criteria register and the "which criteria bind C, S on D" selector
with 5,000 criteria × 10 versions (50,000 versions, each citing a source).

Every request goes to a gunicorn server over one keep-alive HTTP connection and is compared
with a bare Django view (an "ok" response through the same middleware stack) measured in the
same run (its p50 is printed on the case's line): a repeated question's requests alternate
with the bare view's, a never-asked case is preceded by its own bare measurement, since a
shared machine's speed drifts over the minutes of a run.

* Repeated questions (what a public register sees: the same question asked again; answered
  from Django's cache, keyed by the register's state — criteria/caching.py). Budget, which
  gates the exit status: p50 at most 3× the bare view's.
* Never-asked questions (each case asks questions of its own, so every answer is computed
  from the register): p50 and p95 in ms and as a ratio to the bare view — reported, not
  gated (docs/adr/0011).

For context it also prints the in-process time of the whole answer (every binding with its
sources) and the load average.

The register is built in a throwaway database with bulk_create: a SQLite file in a temporary
directory, or — when DATABASE_URL points at PostgreSQL — a database of its own
(`<name>_bench_criteria`) created and dropped here. The cache is `CACHE_URL` (in-process
memory by default; e.g. `CACHE_URL=redis://127.0.0.1:6379/13` measures Redis).

    .venv/bin/python -m benchmarks.criteria_register
    BENCH_CRITERIA=5000 BENCH_VERSIONS=10 BENCH_SAMPLES=200 .venv/bin/python -m ...
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from urllib.parse import urlparse, urlunparse

CRITERIA = int(os.environ.get("BENCH_CRITERIA", "5000"))
VERSIONS = int(os.environ.get("BENCH_VERSIONS", "10"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "200"))
BARE_SAMPLES = int(os.environ.get("BENCH_BARE_SAMPLES", "500"))
RATIO_BUDGET = 3.0

_pg_admin_url = None
_original = os.environ.get("DATABASE_URL", "")
if os.environ.get("BENCH_CRITERIA_DB"):  # the server process: the database is already chosen
    os.environ["DATABASE_URL"] = os.environ["BENCH_CRITERIA_DB"]
elif _original.startswith(("postgres://", "postgresql://")):
    parsed = urlparse(_original)
    bench_name = f"{parsed.path.lstrip('/') or 'commission'}_bench_criteria"
    _pg_admin_url = urlunparse(parsed._replace(path="/postgres"))
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{bench_name}"))
else:
    _tmp = tempfile.mkdtemp(prefix="bench-criteria-")
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp}/register.sqlite3"
os.environ["DEBUG"] = "false"
os.environ["LOG_LEVEL"] = "WARNING"
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The API's throttle stays on (its cache lookups are part of every answer), above the run's rate.
os.environ.setdefault("API_ANON_RATE", "1000000/minute")
PORT = int(os.environ.get("BENCH_PORT", "8791"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


_application = None


def _configure() -> None:
    from django.conf import settings

    settings.ROOT_URLCONF = "benchmarks.criteria_register"
    # Persistent database connections, as production has on PostgreSQL (CONN_MAX_AGE=60 by
    # default); the development SQLite default reconnects on every request.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 600
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def __getattr__(name: str):
    # This module is the URLconf of the run (the bare view plus the whole project) and, for
    # the gunicorn server, its WSGI application.
    global _application
    if name == "urlpatterns":
        from django.urls import include, path

        from benchmarks import _timing

        return [_timing.bare_path(), path("", include("config.urls"))]
    if name == "application":
        if _application is None:
            from django.core.wsgi import get_wsgi_application

            _application = get_wsgi_application()
            _configure()
        return _application
    raise AttributeError(name)


def _pg_database(create: bool) -> None:
    import psycopg2

    name = urlparse(os.environ["DATABASE_URL"]).path.lstrip("/")
    conn = psycopg2.connect(_pg_admin_url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


COUNTRIES = [
    "PE", "US", "MX", "CO", "CL", "BR", "AR", "EC", "BO", "GT", "HN", "SV", "NI",
    "CR", "PA", "DO", "JO", "MA", "KE", "ZA", "BD", "KH", "VN", "ID", "PH",
]  # fmt: skip
SECTORS = [
    "A", "C", "01", "13", "14", "131", "141", "0116", "1311", "1312", "1410", "1420",
    "1430", "1511", "1520", "2011", "2220", "2610", "2910", "4100", "4641", "4771",
    "5510", "8423", "1071", "1080", "1392", "1399", "1512", "3100",
]  # fmt: skip
RIGHTS = ["FOA", "CB", "FL", "CL", "ND", "WAGE", "HRS", "OSH"]
FIRST = dt.date(2016, 1, 1)


def build(rng: random.Random) -> dict:
    """Bulk-create the register: 5,000 criteria in competing groups of five (same quantity or
    matter), 10 versions each (yearly, each measure tightening), one source per version;
    10% apply to every trading partner, the rest to one; 30% to every sector, the rest to one
    ISIC code (section, division, group or class)."""
    from django.db import connection

    from commission.models import Sector, TradingPartner
    from criteria.models import Criterion, CriterionVersion, Right, Source

    partners = TradingPartner.objects.bulk_create(
        [
            TradingPartner(
                code=c, name=f"Country {c}", region="Region", income_level="upper_middle",
                labor_relations_system="enterprise",
            )
            for c in COUNTRIES
        ]
    )  # fmt: skip
    sectors = Sector.objects.bulk_create([Sector(isic_code=s, title=f"ISIC {s}") for s in SECTORS])
    rights = Right.objects.bulk_create(
        [Right(code=r, name_en=f"Right {r}", position=i) for i, r in enumerate(RIGHTS)]
    )
    criteria = []
    for i in range(CRITERIA):
        right = rights[i % len(rights)]
        group = i // 5
        kind = "measure" if group % 2 == 0 else "rule"
        criteria.append(
            Criterion(
                code=f"{right.code}-{i + 1:04d}",
                right=right,
                kind=kind,
                governs=f"{kind}-{group}",
                title_en=f"Criterion {i + 1}",
                title_es=f"Criterio {i + 1}",
            )
        )
    criteria = Criterion.objects.bulk_create(criteria, batch_size=2000)

    versions, sources, country_links, sector_links = [], [], [], []
    CountryLink = CriterionVersion.countries.through
    SectorLink = CriterionVersion.sectors.through
    applicability = []
    for _criterion in criteria:
        all_countries = rng.random() < 0.10
        all_sectors = rng.random() < 0.30
        applicability.append(
            (
                all_countries,
                None if all_countries else rng.choice(partners),
                all_sectors,
                None if all_sectors else rng.choice(sectors),
            )
        )
    for criterion, (all_c, _partner, all_s, _sector) in zip(criteria, applicability, strict=True):
        measure = criterion.kind == "measure"
        unit = rng.choice(["µg/m³", "mg/m³"]) if measure else ""
        base = Decimal(rng.randint(150, 400))
        for n in range(1, VERSIONS + 1):
            since = FIRST + dt.timedelta(days=365 * (n - 1))
            value = base - 5 * n
            versions.append(
                CriterionVersion(
                    criterion=criterion,
                    number=n,
                    identifier=f"{criterion.code}/v{n}",
                    effective_from=since,
                    text_en=f"Version {n} of {criterion.code}: employers shall comply.",
                    text_es=f"Versión {n} de {criterion.code}: los empleadores cumplirán.",
                    direction="at_most" if measure else "",
                    threshold=(value / 1000 if unit == "mg/m³" else value) if measure else None,
                    unit=unit,
                    averaging_period="twa_8h" if measure else "",
                    applies_to_all_countries=all_c,
                    applies_to_all_sectors=all_s,
                    provenance="historical",
                    record_reference="benchmark",
                )
            )
    versions = CriterionVersion.objects.bulk_create(versions, batch_size=5000)
    kinds = ["international_law", "domestic_law", "best_practice"]
    for index, version in enumerate(versions):
        all_c, partner, all_s, sector = applicability[index // VERSIONS]
        kind = kinds[(index // VERSIONS) % 3]
        sources.append(
            Source(
                version=version,
                kind=kind,
                instrument=f"Instrument {index // VERSIONS}",
                article="Art. 1",
                country=partner if kind == "domestic_law" else None,
                comparator_name="Comparator" if kind == "best_practice" else "",
                comparison_region="Region" if kind == "best_practice" else "",
            )
        )
        if not all_c:
            country_links.append(
                CountryLink(criterionversion_id=version.pk, tradingpartner_id=partner.pk)
            )
        if not all_s:
            sector_links.append(SectorLink(criterionversion_id=version.pk, sector_id=sector.pk))
    Source.objects.bulk_create(sources, batch_size=5000)
    CountryLink.objects.bulk_create(country_links, batch_size=5000)
    SectorLink.objects.bulk_create(sector_links, batch_size=5000)
    # Each version ends when the next takes effect, set only now: a version that has ended
    # takes no new countries or sectors (its integrity declaration), and the database checks
    # that the next version exists.
    table = CriterionVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET effective_until = (SELECT n.effective_from FROM {table} n"  # noqa: S608
            f" WHERE n.criterion_id = {table}.criterion_id AND n.number = {table}.number + 1)"
            f" WHERE number < %s",
            [VERSIONS],
        )
    return {"versions": len(versions), "sources": len(sources)}


def main() -> int:
    # This module is also the URLconf, which the server process imports again: it must keep
    # the database chosen here.
    os.environ["BENCH_CRITERIA_DB"] = os.environ["DATABASE_URL"]
    if _pg_admin_url:
        _pg_database(create=True)
    import django

    django.setup()
    _configure()
    from django.core.cache import cache, caches
    from django.core.management import call_command
    from django.db import connection

    from benchmarks import _timing
    from criteria.selectors import BINDING_PAGE_SIZE, criteria_binding, today

    server = None
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter()
        counts = build(random.Random(20261127))
        built = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connection.close()
        cache.clear()
        print(
            f"criteria register benchmark on {connection.vendor}: {CRITERIA} criteria × "
            f"{VERSIONS} versions = {counts['versions']} versions, {counts['sources']} sources "
            f"(migrate {migrated - started:.1f} s, build {built - migrated:.1f} s); "
            f"cache {caches['default'].__class__.__name__}; gunicorn, 1 worker, over HTTP keep-alive; "
            f"load average {_timing.load_average()}",
            flush=True,
        )
        server = _timing.start_gunicorn(
            "benchmarks.criteria_register:application",
            port=PORT,
            env={"BENCH_CRITERIA_DB": os.environ["DATABASE_URL"]},
        )
        http = _timing.KeepAliveClient(PORT)

        def ok(response):
            assert response[0] == 200, response

        def bare_now() -> _timing.Timing:
            # The baseline is measured again right before each case, so that each ratio
            # compares figures taken seconds apart.
            return _timing.measure(lambda: http.get("/bench/bare/"), samples=BARE_SAMPLES, check=ok)

        bare = bare_now()
        print(f"  {'bare Django view (first)':<46} {bare.line()}", flush=True)
        on = today().isoformat()
        print("repeated questions (cache hit) — gated:", flush=True)
        results = []
        cases = [
            ("register list (today, page 1)", "/criteria/"),
            ("register list (PE, 1410, today)", "/criteria/?country=PE&sector=1410"),
            ("register list (OSH, on 2019-06-01, page 3)", "/criteria/?right=OSH&on=2019-06-01&page=3"),
            ("criterion page (OSH-0008)", "/criteria/OSH-0008/"),
            ("selector page (PE, 1410, today)", f"/criteria/binding/?country=PE&sector=1410&on={on}"),
            ("selector API (PE, 1410, today)", f"/api/v1/criteria/binding/?country=PE&sector=1410&on={on}"),
            ("selector API (MX, 1312, 2021-03-01)", "/api/v1/criteria/binding/?country=MX&sector=1312&on=2021-03-01"),
        ]  # fmt: skip
        for name, url in cases:
            # Each request of the case alternates with one of the bare view, so that both
            # are measured under the same load.
            timing, bare = _timing.measure_interleaved(
                lambda url=url: http.get(url),
                lambda: http.get("/bench/bare/"),
                samples=SAMPLES,
                check=ok,
            )
            results.append(
                _timing.report(name, timing, bare, ratio_budget=RATIO_BUDGET, show_baseline=True)
            )

        # Never-asked questions: each case has questions of its own, so that none is
        # answered from the cache or reads rows an earlier case has just read into the
        # database's buffers.
        def distinct_questions(seed: int) -> list[tuple[str, str, dt.date]]:
            rng = random.Random(seed)
            return [
                (rng.choice(COUNTRIES), rng.choice(SECTORS[7:]), FIRST + dt.timedelta(days=rng.randint(0, 4000)))
                for _ in range(SAMPLES)
            ]  # fmt: skip

        print("never-asked questions (computed from the register) — reported:", flush=True)
        distinct_cases = [
            ("selector API", "/api/v1/criteria/binding/?country={c}&sector={s}&on={d}"),
            ("selector page", "/criteria/binding/?country={c}&sector={s}&on={d}"),
            ("register list", "/criteria/?country={c}&sector={s}&on={d}"),
        ]
        for seed, (name, pattern) in enumerate(distinct_cases, start=7):
            questions = distinct_questions(seed)
            bare = bare_now()
            distinct = _timing.measure_each(
                [
                    lambda q=q, pattern=pattern: http.get(
                        pattern.format(c=q[0], s=q[1], d=q[2].isoformat())
                    )
                    for q in questions
                ],
                check=ok,
            )
            print(
                f"  {name + ', distinct (C, S, D) each time':<46} "
                f"p50 {distinct.p50:8.3f} ms ({distinct.p50 / bare.p50:5.2f}x)  "
                f"p95 {distinct.p95:8.3f} ms ({distinct.p95 / bare.p50:5.2f}x)  "
                f"/ bare p50 {bare.p50:.3f} ms  (n={len(distinct.samples_ms)})",
                flush=True,
            )
        questions = distinct_questions(7)
        sizes = [len(criteria_binding(country=q[0], sector=q[1], on=q[2])) for q in questions[:20]]
        print(
            f"  (binding criteria per answer in the distinct set: min {min(sizes)}, "
            f"median {sorted(sizes)[len(sizes) // 2]}, max {max(sizes)}; the selector answers "
            f"{BINDING_PAGE_SIZE} a page, with the count)",
            flush=True,
        )
        whole = _timing.measure_each(
            [
                lambda q=q: criteria_binding(country=q[0], sector=q[1], on=q[2])
                for q in questions[:50]
            ]
        )
        print(
            f"  (in process, no HTTP: the whole answer, every binding with its sources: "
            f"{whole.line()})",
            flush=True,
        )
        print(f"  load average (1, 5, 15 min): {_timing.load_average()}", flush=True)
        passed = all(results)
        print(
            f"RESULT: {'PASS' if passed else 'FAIL'} (budget: a repeated question's p50 ≤ "
            f"{RATIO_BUDGET}× bare view; never-asked questions are reported, not gated)"
        )
        return 0 if passed else 1
    finally:
        if server is not None:
            _timing.stop_server(server)
        connection.close()
        if _pg_admin_url:
            _pg_database(create=False)


if __name__ == "__main__":
    sys.exit(main())
