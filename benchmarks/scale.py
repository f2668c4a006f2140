"""The commission at scale (issue #22): every listed path against its floor, in one run, in one
table — path, p50, p95, queries, ratio to the floor, budget, PASS/FAIL — on the database of
DATABASE_URL (SQLite or PostgreSQL). Exits non-zero when a budget is missed.

    .venv/bin/python -m benchmarks --cases 10000            # quick
    DATABASE_URL=postgres://... .venv/bin/python -m benchmarks --cases 100000

The database is filled by `manage.py generate_commission --cases N --seed S` when it holds no
case; a database that already holds exactly N cases is reused (generation at 100,000 takes a
while); any other count is refused. Without DATABASE_URL the run uses the SQLite file
`.local/bench-<N>-<seed>.sqlite3` (`--fresh` deletes it first).

Floors, measured interleaved with each path in the same process, through the same middleware:
a bare Django view for the portal and staff pages, a bare DRF view (same authentication,
permission and throttle classes) for the API, and a view that does one durable write (one
UPDATE and its COMMIT) for the filing submit. The opinion render (template, layout, PDF,
signature of a 40-page opinion) is compared with a plain WeasyPrint render of the same HTML
with the same fonts; it must also be byte-identical on re-render. The clock sweep keeps its own
benchmark (`benchmarks.clock_sweep`, 1,000,000 clocks against 10,000, and old missed clocks),
run here as the last row unless `--skip sweep`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGE_BUDGET = 3.0
# The court API's register of opinions: a page within 2x of a bare DRF view (docs/api.md).
OPINION_LIST_BUDGET = 2.0
FILING_BUDGET = 4.0
OPINION_BUDGET = 1.5


@dataclass
class Row:
    path: str
    p50: float | None
    p95: float | None
    queries: int | None
    floor: str
    ratio: float | None
    budget: str
    ok: bool
    note: str = ""


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=40, help="timed requests per path")
    parser.add_argument("--fresh", action="store_true", help="SQLite: start from a new file")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated groups to leave out: pages, api, staff, filing, opinion, sweep",
    )
    return parser.parse_args(argv)


def _environment(args: argparse.Namespace) -> None:
    if not os.environ.get("DATABASE_URL"):
        local = ROOT / ".local"
        local.mkdir(exist_ok=True)
        path = local / f"bench-{args.cases}-{args.seed}.sqlite3"
        if args.fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["STAFF_TWO_FACTOR"] = "false"
    os.environ["DEBUG"] = "false"
    # Rate limits and throttles count in the cache: a dummy cache never fills, so the
    # hundreds of requests of one client are measured, not refused.
    os.environ["CACHE_URL"] = "dummycache://"
    for scope in (
        "FILING_RATE_LIMIT",
        "FILING_START_RATE_LIMIT",
        "ACCESS_CODE_RATE_LIMIT",
        "FILING_STEP_RATE_LIMIT",
    ):
        os.environ[scope] = "100000000/hour"
    os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="bench-static-"))


# --- the floors, added to the project's URLs -------------------------------------------------


def _bare_drf_view():
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class Bare(APIView):
        """The API's floor: DRF with the project's authentication, permission and throttle
        classes, no query of its own."""

        def get(self, request):
            return Response({"ok": True})

    return Bare.as_view()


def one_durable_write(request):
    """The filing's floor: the cheapest request that durably records something (one UPDATE of
    one row and its COMMIT)."""
    from django.db import transaction
    from django.db.models import F
    from django.http import HttpResponse

    from complaints.models import DocketCounter

    with transaction.atomic():
        DocketCounter.objects.filter(prefix="B", year=0).update(last_number=F("last_number") + 1)
    return HttpResponse("ok", content_type="text/plain")


def __getattr__(name: str):
    if name == "urlpatterns":
        from django.urls import include, path
        from django.views.decorators.csrf import csrf_exempt

        from benchmarks import _timing

        return [
            _timing.bare_path(),
            path("bench/drf/", _bare_drf_view()),
            path("bench/commit/", csrf_exempt(one_durable_write)),
            path("", include("config.urls")),
        ]
    raise AttributeError(name)


# --- the database -----------------------------------------------------------------------------


def _database(args: argparse.Namespace) -> float:
    """Migrate and generate when empty; return the generation time (0 when reused)."""
    from django.core.management import call_command
    from django.db import connection

    from commission.models import CaseEvent
    from complaints.models import Case, DocketCounter

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    # The generated cases (their filing was imported); a benchmark's own filings add more.
    existing = CaseEvent.objects.filter(verb="filed", imported=True).count()
    seconds = 0.0
    if not Case.objects.exists():
        print(f"generating {args.cases} cases (seed {args.seed}) ...", flush=True)
        started = time.monotonic()
        call_command("generate_commission", cases=args.cases, seed=args.seed, verbosity=1)
        seconds = time.monotonic() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    elif existing != args.cases:
        raise SystemExit(
            f"the database holds {existing} generated cases, not {args.cases}: use an empty "
            "database "
            "(or --fresh on SQLite)"
        )
    DocketCounter.objects.get_or_create(prefix="B", year=0)
    return seconds


# --- measuring --------------------------------------------------------------------------------


def _queries(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def _ok(status: int = 200):
    def check(response) -> None:
        assert response.status_code == status, (response.status_code, response.content[:300])

    return check


def _path_row(name, call, floor_call, floor_name, samples, budget=PAGE_BUDGET) -> Row:
    from benchmarks import _timing

    queries = _queries(call)
    timing, floor = _timing.measure_interleaved(
        call, floor_call, samples=samples, warmup=5, check=_ok()
    )
    ratio = timing.p50 / floor.p50
    return Row(
        name,
        timing.p50,
        timing.p95,
        queries,
        f"{floor_name} {floor.p50:.2f} ms",
        ratio,
        f"{budget:.1f}x",
        ratio <= budget,
    )


def _users():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from commission import roles

    User = get_user_model()
    staff, created = User.objects.get_or_create(username="bench.staff", defaults={"is_staff": True})
    if created:
        staff.groups.add(Group.objects.get(name=roles.STAFF))
    court, created = User.objects.get_or_create(username="bench.court")
    if created:
        court.groups.add(Group.objects.get(name=roles.COURT))
    return staff, court


def _pages(rows: list[Row], samples: int, skip: set[str]) -> None:
    from django.test import Client

    from complaints.models import Case
    from hearings.models import Opinion

    staff, court = _users()
    public = Client()
    case = Case.objects.filter(status="decided").order_by("-received_at").first()
    bare = lambda: public.get("/bench/bare/")  # noqa: E731
    if "pages" not in skip:
        for name, url in (
            ("public docket list", "/complaints/docket/"),
            ("public docket search", "/complaints/docket/?q=overtime"),
            ("public case page", f"/complaints/docket/{case.docket_number}/"),
            ("timeliness dashboard", "/timeliness/"),
        ):
            rows.append(_path_row(name, lambda url=url: public.get(url), bare, "bare", samples))
    if "api" not in skip:
        api = Client()
        api.force_login(court)
        opinion = Opinion.objects.order_by("-issued_at", "-id").first()
        floor = lambda: api.get("/bench/drf/")  # noqa: E731
        for name, url, budget in (
            ("API opinions list", "/api/v1/opinions/", OPINION_LIST_BUDGET),
            ("API opinion detail", f"/api/v1/opinions/{opinion.sha256}/", PAGE_BUDGET),
        ):
            rows.append(
                _path_row(name, lambda url=url: api.get(url), floor, "bare DRF", samples, budget)
            )
    if "staff" not in skip:
        desk = Client()
        desk.force_login(staff)
        floor = lambda: desk.get("/bench/bare/")  # noqa: E731
        for name, url in (
            ("staff case list", "/admin/complaints/case/"),
            ("staff case list: search", "/admin/complaints/case/?q=Arequipa"),
            ("staff case list: deadline filter", "/admin/complaints/case/?deadline=week"),
            ("staff dashboard home", "/admin/"),
        ):
            rows.append(_path_row(name, lambda url=url: desk.get(url), floor, "bare", samples))


# --- filing submit ------------------------------------------------------------------------------


class _Filer:
    """The portal's filing form, step by step, through the test client (one session)."""

    def __init__(self) -> None:
        from django.test import Client

        from commission.models import Organization, Sector

        self.client = Client(enforce_csrf_checks=False)
        K = Organization.Kind
        self.government = Organization.objects.filter(kind=K.GOVERNMENT).order_by("pk")[0].pk
        self.employer = Organization.objects.filter(kind=K.EMPLOYER).order_by("pk")[0].pk
        self.sector = Sector.objects.order_by("pk")[0].pk

    def draft(self, n: int) -> str:
        response = self.client.post("/complaints/file/")
        assert response.status_code == 302, response.status_code
        base = response["Location"].rsplit("/", 2)[0] + "/"
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
                    "governments": [self.government],
                    "employers": [self.employer],
                    "sectors": [self.sector],
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
                    "allegations-0-proposed_standard": "No dismissal for pregnancy.",
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
            response = self.client.post(f"{base}{step}/", {"action": "continue", **data})
            assert response.status_code == 302, (step, response.status_code, response.content[:400])
        return base

    def submit(self, base: str):
        response = self.client.post(f"{base}review/", {"confirm": "on"})
        assert response.status_code == 302, (response.status_code, response.content[:400])
        assert "/filed/" in response["Location"], response["Location"]
        return response


def filing_submit(samples: int) -> Row:
    from benchmarks import _timing

    filer = _Filer()
    commit = lambda: filer.client.post("/bench/commit/")  # noqa: E731
    drafts = [filer.draft(n) for n in range(samples + 6)]
    queries = _queries(lambda: filer.submit(drafts.pop()))
    for _ in range(5):  # warm-up
        filer.submit(drafts.pop())
        commit()
    submit_times, floor_times = [], []
    for base in drafts:  # interleaved: one submit, one durable write
        submit_times.extend(_timing.measure_each([lambda base=base: filer.submit(base)]).samples_ms)
        floor_times.extend(_timing.measure_each([commit], check=_ok()).samples_ms)
    timing, floor = _timing.Timing(tuple(submit_times)), _timing.Timing(tuple(floor_times))
    ratio = timing.p50 / floor.p50
    return Row(
        "filing submit",
        timing.p50,
        timing.p95,
        queries,
        f"one durable write {floor.p50:.2f} ms",
        ratio,
        f"{FILING_BUDGET:.1f}x",
        ratio <= FILING_BUDGET,
    )


# --- opinion render -----------------------------------------------------------------------------


def opinion_render(runs: int = 3) -> Row:
    import statistics

    import weasyprint
    from django.test import override_settings
    from weasyprint.text.fonts import FontConfiguration

    from benchmarks.opinion_pdf import TARGET_PAGES, _context
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
        findings = 18
        context = _context(findings, paragraphs=3)
        while opinion.pdf_render(context, sign=False).pages < TARGET_PAGES:
            findings += 2
            context = _context(findings, paragraphs=3)
        html = opinion.html_render(context)
        base_url = opinion.FONTS_DIR.as_uri() + "/"

        def plain():
            return weasyprint.HTML(string=html, base_url=base_url).write_pdf(
                font_config=FontConfiguration()
            )

        full, floor, digests = [], [], set()
        plain()
        for _ in range(runs):  # interleaved, so that both see the same load
            started = time.perf_counter()
            rendered = opinion.pdf_render(context)
            full.append((time.perf_counter() - started) * 1000)
            digests.add(rendered.sha256)
            started = time.perf_counter()
            plain()
            floor.append((time.perf_counter() - started) * 1000)
    p50, floor_p50 = statistics.median(full), statistics.median(floor)
    ratio = p50 / floor_p50
    identical = len(digests) == 1
    return Row(
        f"opinion render + sign ({rendered.pages} pages)",
        p50,
        max(full),
        None,
        f"plain WeasyPrint {floor_p50:.0f} ms",
        ratio,
        f"{OPINION_BUDGET:.1f}x",
        ratio <= OPINION_BUDGET and identical and rendered.pages >= TARGET_PAGES,
        note="byte-identical" if identical else "NOT byte-identical",
    )


# --- clock sweep (its own benchmark, in its own process and database) ----------------------------


def clock_sweep() -> Row:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.clock_sweep"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    print(result.stdout[-3000:], flush=True)
    return Row(
        "clock sweep (benchmarks.clock_sweep)",
        None,
        None,
        None,
        "10,000 clocks",
        None,
        "2.0x at 1,000,000",
        result.returncode == 0,
        note=f"{time.monotonic() - started:.0f} s; figures above",
    )


# --- the table ----------------------------------------------------------------------------------


def _table(rows: list[Row]) -> str:
    def f(value, fmt):
        width = int("".join(c for c in fmt.split(".")[0] if c.isdigit()) or 0)
        return "-".rjust(width) if value is None else format(value, fmt)

    header = (
        f"{'path':<40} {'p50 ms':>9} {'p95 ms':>9} {'queries':>7}  {'ratio':>6}  "
        f"{'budget':<17} {'floor':<28} result"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r.path:<40} {f(r.p50, '9.2f')} {f(r.p95, '9.2f')} {f(r.queries, '7d')}  "
            f"{f(r.ratio, '5.2f') + ('x' if r.ratio is not None else ''):>6}  {r.budget:<17} "
            f"{r.floor:<28} {'PASS' if r.ok else 'FAIL'}{'  ' + r.note if r.note else ''}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(sys.argv[1:] if argv is None else argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    _environment(args)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings

    from benchmarks import _timing

    generated = _database(args)
    settings.ALLOWED_HOSTS = ["*"]
    rows: list[Row] = []
    with override_settings(ROOT_URLCONF="benchmarks.scale", ALLOWED_HOSTS=["*"]):
        _pages(rows, args.samples, skip)
        if "filing" not in skip:
            rows.append(filing_submit(args.samples))
    if "opinion" not in skip:
        rows.append(opinion_render())
    if "sweep" not in skip:
        rows.append(clock_sweep())
    print()
    print(
        f"{args.cases} cases (seed {args.seed}) on {connection.vendor}"
        + (f", generated in {generated:.0f} s" if generated else ", reused")
        + f"; {os.cpu_count()} CPUs, load average {_timing.load_average()}"
    )
    print(_table(rows))
    failed = [r.path for r in rows if not r.ok]
    print(f"\n{'FAIL: ' + ', '.join(failed) if failed else 'PASS'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
