"""Benchmark: submitting a filing through the portal, over HTTP, on PostgreSQL.

Two budgets, measured against one gunicorn server in the same run:

1. Latency — the p50 of the submit request (the "check your answers" POST that validates the
   whole draft, allocates the docket number, writes the case, its parties, allegations and
   evidence links, starts both statutory clocks and records the events, in one transaction)
   is at most 4x the p50 of a bare Django view (an "ok" response through the same middleware
   stack, same server, same connection handling).
2. Concurrency — 200 filers (threads, each with its own session) file through the whole
   multi-step form for 60 s, about one in ten submitting twice at the same moment (a double
   click): every filing is stored exactly once (one case per submitted draft, every docket
   number returned to a filer exists once, no other case), with zero server errors.

Runs on its own database, created and dropped here: BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/commission_bench_filing). Celery tasks (receipt PDF,
acknowledgment) are only queued, to an in-memory broker. The portal's per-address rate limits
are raised for the run: every simulated filer comes from 127.0.0.1.

    .venv/bin/python -m benchmarks.filing
    BENCH_FILERS=200 BENCH_SECONDS=60 BENCH_WORKERS=4 BENCH_THREADS=8 ...
"""

from __future__ import annotations

import contextlib
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import include, path

from benchmarks import _timing
from benchmarks._scratch_db import drop_database, recreate_database

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/commission_bench_filing"
)
os.environ["DATABASE_URL"] = BENCH_URL
os.environ["CELERY_BROKER_URL"] = os.environ.get("BENCH_BROKER_URL", "memory://")
os.environ["EMAIL_URL"] = "memorymail://"
os.environ["DEBUG"] = "false"
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ["LOG_LEVEL"] = "WARNING"
for _scope in (
    "FILING_RATE_LIMIT",
    "FILING_START_RATE_LIMIT",
    "ACCESS_CODE_RATE_LIMIT",
    "FILING_STEP_RATE_LIMIT",
):
    os.environ[_scope] = "100000000/hour"
os.environ["CONN_MAX_AGE"] = "600"
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="bench-filing-static-"))

FILERS = int(os.environ.get("BENCH_FILERS", "200"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
LATENCY_SAMPLES = int(os.environ.get("BENCH_LATENCY_SAMPLES", "150"))
BARE_SAMPLES = int(os.environ.get("BENCH_BARE_SAMPLES", "400"))
RATIO_BUDGET = 4.0
PORT = int(os.environ.get("BENCH_PORT", "8765"))
ROOT = Path(__file__).resolve().parent.parent


# --- the server side: the project's URLs plus one bare view ----------------------------------


def one_durable_write(request):
    """For context only: the cheapest request that durably records anything (one UPDATE and
    its COMMIT). On most disks the commit's flush, not Django, dominates a filing's latency."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO complaints_docketcounter (prefix, year, last_number) "
            "VALUES ('B', 0, 0) ON CONFLICT (prefix, year) DO UPDATE "
            "SET last_number = complaints_docketcounter.last_number + 1"
        )
    return HttpResponse("ok", content_type="text/plain")


def __getattr__(name: str):
    # The URLconf is built on first use, once Django is set up (PEP 562 module attribute).
    if name == "urlpatterns":
        return [
            _timing.bare_path(),
            path("bench/commit/", one_durable_write),
            path("", include("config.urls")),
        ]
    raise AttributeError(name)


_application = None


def application(environ, start_response):
    """The project's WSGI application, with this module as URLconf (adds /bench/bare/)."""
    global _application
    if _application is None:
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application

        _application = get_wsgi_application()
        settings.ROOT_URLCONF = "benchmarks.filing"
    return _application(environ, start_response)


# --- database ----------------------------------------------------------------------------------


def _prepare() -> dict:
    import datetime as dt

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from commission.demo_data import PERU, demo_data_load
    from commission.models import Organization, Sector
    from criteria.models import Criterion, CriterionVersion, Right

    demo_data_load(PERU)  # the core's parties and accounts
    right, _ = Right.objects.get_or_create(
        code="FOA", defaults={"name_en": "Freedom of association"}
    )
    criterion = Criterion.objects.create(
        code="FOA-901",
        right=right,
        kind="rule",
        governs="union-recognition",
        title_en="Recognition",
    )
    CriterionVersion.objects.create(
        criterion=criterion,
        number=1,
        identifier="FOA-901/v1",
        effective_from=dt.date(2020, 1, 1),
        text_en="Employers recognize a union that represents the majority of workers.",
        provenance=CriterionVersion.Provenance.HISTORICAL,
        record_reference="benchmark",
    )
    K = Organization.Kind
    return {
        "government": Organization.objects.get(kind=K.GOVERNMENT, name="Government of Peru").pk,
        "agency": Organization.objects.get(name="National Penitentiary System").pk,
        "employer": Organization.objects.get(kind=K.EMPLOYER).pk,
        "corporation": Organization.objects.get(kind=K.GLOBAL_CORPORATION).pk,
        "sector": Sector.objects.get(isic_code="1410").pk,
        "criterion": criterion.pk,
    }


# --- the server process ------------------------------------------------------------------------


def _start_server():
    return _timing.start_gunicorn(
        "benchmarks.filing:application",
        port=PORT,
        workers=WORKERS,
        threads=THREADS,
        cwd=str(ROOT),
    )


def _stop_server(process) -> None:
    _timing.stop_server(process)


# --- the client: one filer ------------------------------------------------------------------------


class ServerError(Exception):
    pass


class Filer:
    """One browser: its own cookies and keep-alive connection."""

    def __init__(self, ids: dict) -> None:
        self.ids = ids
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)

    def request(self, method: str, url: str, data: dict | None = None):
        body = urlencode(data or {}, doseq=True) if method == "POST" else None
        headers = {"Accept-Language": "en", "Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://127.0.0.1:{PORT}/"
        for attempt in range(2):
            try:
                self.conn.request(method, url, body=body, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed: reconnect once.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _eq, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.status >= 500:
            raise ServerError(f"{response.status} on {method} {url}")
        return response.status, response.getheader("Location", ""), payload

    def start_draft(self) -> str:
        if "csrftoken" not in self.cookies:
            self.request("GET", "/complaints/")
        status, location, _ = self.request("POST", "/complaints/file/")
        assert status == 302, status
        return location.rsplit("/", 2)[0] + "/"

    def fill(self, base: str, n: int) -> None:
        ids = self.ids
        steps = [
            ("filing", {"kind": "complaint", "language": "en"}),
            (
                "complainants",
                {
                    "filer_type": "worker",
                    "worker_name": f"Worker {n}",
                    "worker_contact": "+51 900 000 000",
                    "contact_email": f"worker{n}@example.org",
                },
            ),
            (
                "respondents",
                {
                    "governments": [ids["government"]],
                    "agencies": [ids["agency"]],
                    "employers": [ids["employer"]],
                    "corporations": [ids["corporation"]],
                    "sectors": [ids["sector"]],
                },
            ),
            (
                "allegations",
                {
                    "allegations-TOTAL_FORMS": "2",
                    "allegations-INITIAL_FORMS": "0",
                    "allegations-MIN_NUM_FORMS": "1",
                    "allegations-MAX_NUM_FORMS": "20",
                    "allegations-0-summary": "Dismissal of pregnant workers",
                    "allegations-0-facts": "Fourteen seamstresses were dismissed.",
                    "allegations-0-period_start": "2026-01-05",
                    "allegations-0-place": "Ate, Lima",
                    "allegations-0-workers_affected": "14",
                    "allegations-0-criteria": [ids["criterion"]],
                    "allegations-1-summary": "Prison labor in the supply chain",
                    "allegations-1-facts": "Shirts are sewn in prison workshops.",
                    "allegations-1-period_start": "2025-10-01",
                    "allegations-1-place": "Lima",
                    "allegations-1-proposed_standard": "No involuntary prison labor.",
                },
            ),
            ("remedies", {"remedies_sought": "Reinstatement with back pay."}),
            ("evidence", {}),
            ("confidentiality", {"confidentiality_request": "Fear of reprisals."}),
        ]
        for step, data in steps:
            status, _location, body = self.request(
                "POST", f"{base}{step}/", {"action": "continue", **data}
            )
            if status != 302:
                raise AssertionError(f"step {step}: {status} {body[:300]!r}")

    def submit(self, base: str) -> str:
        status, location, body = self.request("POST", f"{base}review/", {"confirm": "on"})
        if status != 302 or "/filed/" not in location:
            raise AssertionError(f"submit: {status} {location} {body[:300]!r}")
        return location.rstrip("/").rsplit("/", 1)[1]


def _percentile(values: list[float], q: float) -> float:
    return _timing.percentile(values, q * 100)


def _ok(result) -> None:
    status, _location, _body = result
    assert status == 200, status


def _latency(ids: dict):
    """The bare view, one durable write, and the submit — sequentially, one connection."""
    filer = Filer(ids)
    filer.request("GET", "/complaints/")
    bare = _timing.measure(
        lambda: filer.request("GET", "/bench/bare/"), samples=BARE_SAMPLES, warmup=50, check=_ok
    )
    commit = _timing.measure(
        lambda: filer.request("POST", "/bench/commit/"), samples=BARE_SAMPLES // 2, check=_ok
    )
    samples: list[float] = []
    dockets: list[str] = []
    warmup = 10
    n = 0
    while len(samples) < LATENCY_SAMPLES:
        drafts = []
        for _ in range(20):  # fill a batch of drafts (untimed), then time their submissions
            base = filer.start_draft()
            filer.fill(base, n)
            drafts.append(base)
            n += 1
        batch = _timing.measure_each(
            [lambda base=base: dockets.append(filer.submit(base)) for base in drafts]
        )
        samples.extend(batch.samples_ms[warmup:])
        warmup = 0
    submit = _timing.Timing(tuple(samples[:LATENCY_SAMPLES]))
    return bare, commit, submit, dockets


def _submit_into(filer: Filer, base: str, into: list[str]) -> None:
    into.append(filer.submit(base))


def _load(ids: dict) -> dict:
    stop_at = time.monotonic() + SECONDS
    lock = threading.Lock()
    results = {"dockets": [], "drafts": [], "errors": [], "double": 0, "latencies": []}
    start_gate = threading.Barrier(FILERS)

    def run(index: int) -> None:
        filer = Filer(ids)
        n = 0
        with contextlib.suppress(threading.BrokenBarrierError):
            start_gate.wait(timeout=120)
        while time.monotonic() < stop_at:
            n += 1
            try:
                base = filer.start_draft()
                filer.fill(base, index * 100000 + n)
                started = time.perf_counter()
                if n % 10 == 0:
                    # A double click: the same draft submitted twice at the same moment.
                    got: list[str] = []
                    twin = Filer(ids)
                    twin.cookies = dict(filer.cookies)
                    t = threading.Thread(target=_submit_into, args=(twin, base, got))
                    t.start()
                    docket = filer.submit(base)
                    t.join()
                    if got and got[0] != docket:
                        raise AssertionError(f"double submit gave {docket} and {got[0]}")
                    with lock:
                        results["double"] += 1
                else:
                    docket = filer.submit(base)
                elapsed = time.perf_counter() - started
                with lock:
                    results["dockets"].append(docket)
                    results["drafts"].append(base.rstrip("/").rsplit("/", 1)[1])
                    results["latencies"].append(elapsed)
            except Exception as exc:
                with lock:
                    results["errors"].append(f"{type(exc).__name__}: {str(exc)[:200]}")
                filer = Filer(ids)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(FILERS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results["elapsed"] = time.monotonic() - started
    return results


def _verify(all_dockets: list[str], all_drafts: list[str]) -> dict:
    from complaints.models import Case, FilingDraft

    db_dockets = list(Case.objects.values_list("docket_number", flat=True))
    submitted = dict(
        FilingDraft.objects.filter(submitted_case__isnull=False).values_list(
            "id", "submitted_case__docket_number"
        )
    )
    return {
        "cases_in_database": len(db_dockets),
        "distinct_dockets_in_database": len(set(db_dockets)),
        "dockets_returned": len(all_dockets),
        "distinct_dockets_returned": len(set(all_dockets)),
        "returned_equal_stored": set(all_dockets) == set(db_dockets),
        "cases_per_submitted_draft_one": len(submitted) == len(db_dockets)
        and len(set(submitted.values())) == len(db_dockets),
        "every_filer_draft_filed": set(all_drafts) <= {str(k) for k in submitted},
    }


def main() -> int:
    recreate_database(BENCH_URL)
    import django

    django.setup()
    server = None
    try:
        ids = _prepare()
        from django.db import connections

        connections.close_all()
        server = _start_server()
        bare, commit, submit, latency_dockets = _latency(ids)
        print("latency (sequential, one keep-alive connection, gunicorn, PostgreSQL):")
        print(f"  {'bare Django view':<46} {bare.line()}")
        print(
            f"  {'one durable write (context: UPDATE + COMMIT)':<46} {commit.line()}  "
            f"submit = {submit.p50 / commit.p50:.1f}x this"
        )
        latency_ok = _timing.report(
            "filing submit (check your answers -> filed)", submit, bare, ratio_budget=RATIO_BUDGET
        )

        load = _load(ids)
        _stop_server(server)
        server = None
        all_dockets = latency_dockets + load["dockets"]
        check = _verify(all_dockets, load["drafts"])
        filed = len(load["dockets"])
        print(
            f"concurrent filers     : {FILERS} threads for {load['elapsed']:.1f} s against "
            f"gunicorn {WORKERS} workers x {THREADS} threads on PostgreSQL"
        )
        print(
            f"filings submitted     : {filed} ({filed / load['elapsed']:.1f}/s), "
            f"{load['double']} of them submitted twice at once"
        )
        if load["latencies"]:
            print(
                f"submit under load     : p50 {statistics.median(load['latencies']) * 1000:.1f} "
                f"ms, p95 {_percentile(load['latencies'], 0.95) * 1000:.1f} ms"
            )
        print(f"server errors / failed: {len(load['errors'])}")
        for error in sorted(set(load["errors"]))[:10]:
            print(f"    {error}")
        for key, value in check.items():
            print(f"  {key:<30}: {value}")
        exactly_once = (
            check["cases_in_database"] == check["distinct_dockets_in_database"] == len(all_dockets)
            and check["distinct_dockets_returned"] == len(all_dockets)
            and check["returned_equal_stored"]
            and check["cases_per_submitted_draft_one"]
            and check["every_filer_draft_filed"]
        )
        load_ok = exactly_once and not load["errors"] and filed > 0
        print(f"every filing stored exactly once, zero errors: {'PASS' if load_ok else 'FAIL'}")
        passed = latency_ok and load_ok
        print("PASS" if passed else "FAIL")
        return 0 if passed else 1
    finally:
        if server is not None:
            _stop_server(server)
        drop_database(BENCH_URL)


if __name__ == "__main__":
    sys.exit(main())
