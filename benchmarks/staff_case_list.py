"""Benchmark: the staff's case list at 100,000 cases.

Figures: queries per page (budget: at most 15, on every variant) and the p50 of the case
list — plain, with a full-text search, with a deadline filter, and with both — reported as a
ratio to the p50 of the admin index page (the dashboard of what is due) measured in the same
run.

The cases are bulk-inserted rows (a case, a complainant, a respondent, an allegation, its two
statutory clocks computed by `commission.dates.statutory_deadline`), received over the last
120 days so that some clocks are due this week, some at risk and some missed; the filing
service would take hours at this size and is benchmarked on its own (`benchmarks.filing`).

Runs on its own PostgreSQL database, created and dropped here:
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/commission_bench_staff).
BENCH_CASES overrides the number of cases.

    .venv/bin/python -m benchmarks.staff_case_list
"""

from __future__ import annotations

import os
import sys

from benchmarks._scratch_db import drop_database, recreate_database

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/commission_bench_staff"
)
os.environ["DATABASE_URL"] = BENCH_URL
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ["EMAIL_URL"] = "memorymail://"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ["LOG_LEVEL"] = "WARNING"
os.environ["STAFF_TWO_FACTOR"] = "false"

CASES = int(os.environ.get("BENCH_CASES", "100000"))
BATCH = 5_000
QUERY_BUDGET = 15
SAMPLES = 30


def main() -> int:
    recreate_database(BENCH_URL)
    import django

    django.setup()
    try:
        return _run()
    finally:
        drop_database(BENCH_URL)


PLACES = ["Ate, Lima", "Arequipa", "Trujillo", "Chiclayo", "Piura", "Cusco", "Callao"]
TOPICS = [
    ("Dismissal of pregnant workers", "Trabajadoras embarazadas fueron despedidas."),
    ("Refusal to recognize the union", "El empleador se niega a reconocer al sindicato."),
    ("Unpaid overtime", "Las horas extraordinarias no se pagan."),
    ("Prison labor", "Internos cosen prendas para el empleador."),
    ("Cotton dust above the limit", "El polvo de algodón supera el límite."),
]


def _populate(now) -> None:
    import datetime as dt

    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from commission.dates import statutory_deadline
    from commission.models import Clock, Organization, TradingPartner
    from complaints.models import Allegation, Case, Complainant, Respondent

    pe = TradingPartner.objects.create(code="PE", name="Peru")
    employers = [
        Organization.objects.create(
            kind=Organization.Kind.EMPLOYER, name=f"Confecciones {i} S.A.C.", country=pe
        )
        for i in range(200)
    ]
    unions = [
        Organization.objects.create(
            kind=Organization.Kind.LABOR_ORGANIZATION, name=f"Sindicato de base {i}", country=pe
        )
        for i in range(200)
    ]
    case_type = ContentType.objects.get_for_model(Case)
    base = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    deadlines: dict = {}  # one computation per distinct receipt instant
    for start in range(0, CASES, BATCH):
        size = min(BATCH, CASES - start)
        with transaction.atomic():
            cases = []
            for i in range(start, start + size):
                hours = (i * 7919) % (120 * 24)  # spread over 120 days, on the hour
                received = base - dt.timedelta(hours=hours)
                cases.append(
                    Case(
                        kind=Case.Kind.COMPLAINT,
                        docket_number=f"C-2026-{i + 1:06d}",
                        status=Case.Status.FILED,
                        received_at=received,
                        received_via=Case.Channel.PAPER,
                        intake_reference=f"bench-{i}",
                        language="es",
                        remedies_sought="Reinstatement.",
                    )
                )
            Case.objects.bulk_create(cases, batch_size=1000)
            complainants, respondents, allegations, clocks = [], [], [], []
            for i, case in enumerate(cases, start=start):
                complainants.append(
                    Complainant(
                        case=case,
                        position=1,
                        kind=Complainant.Kind.ORGANIZATION,
                        organization=unions[i % len(unions)],
                    )
                )
                respondents.append(
                    Respondent(
                        case=case,
                        kind=Respondent.Kind.EMPLOYER,
                        organization=employers[i % len(employers)],
                    )
                )
                summary, facts = TOPICS[i % len(TOPICS)]
                allegations.append(
                    Allegation(
                        case=case,
                        number=1,
                        summary=summary,
                        facts=facts,
                        place=PLACES[i % len(PLACES)],
                        period_start=dt.date(2025, 12, 1),
                    )
                )
                for kind, days in (("hearing_by", 60), ("decision_by", 90)):
                    deadline = deadlines.get((case.received_at, days))
                    if deadline is None:
                        deadline = statutory_deadline(
                            trigger_at=case.received_at, days=days, trigger_event="received"
                        )
                        deadlines[(case.received_at, days)] = deadline
                    fields = deadline.as_clock_fields()
                    missed = fields["due_at"] < now
                    clocks.append(
                        Clock(
                            subject_type=case_type,
                            subject_id=str(case.pk),
                            docket_number=case.docket_number,
                            kind=kind,
                            legal_basis="Statutory period.",
                            trigger_event="received",
                            status=Clock.Status.MISSED if missed else Clock.Status.PENDING,
                            missed_at=fields["due_at"] if missed else None,
                            **fields,
                        )
                    )
            Complainant.objects.bulk_create(complainants, batch_size=1000)
            Respondent.objects.bulk_create(respondents, batch_size=1000)
            Allegation.objects.bulk_create(allegations, batch_size=1000)
            Clock.objects.bulk_create(clocks, batch_size=1000)
        print(f"  {start + size:>7} cases", flush=True)


def _run() -> int:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from benchmarks import _timing
    from commission import roles

    call_command("migrate", verbosity=0)
    now = timezone.now()
    print(f"populating {CASES} cases ...", flush=True)
    _populate(now)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    user = get_user_model().objects.create_user(username="staff", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.STAFF))
    client = Client()
    client.force_login(user)

    variants = {
        "list": "/admin/complaints/case/",
        "search": "/admin/complaints/case/?q=sindicato",
        "deadline": "/admin/complaints/case/?deadline=week",
        "search+deadline": "/admin/complaints/case/?q=Arequipa&deadline=at_risk",
    }
    ok = True
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        index = _timing.measure(lambda: client.get("/admin/"), samples=SAMPLES)
        print(f"admin index (dashboard): p50 {index.p50:.1f} ms  p90 {index.p90:.1f} ms")
        for name, url in variants.items():
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            count = len(ctx.captured_queries)
            timing = _timing.measure(lambda url=url: client.get(url), samples=SAMPLES)
            ratio = timing.p50 / index.p50
            passed = count <= QUERY_BUDGET
            ok &= passed
            print(
                f"case list [{name:<15}] {count:>2} queries (budget {QUERY_BUDGET})  "
                f"p50 {timing.p50:7.1f} ms  p90 {timing.p90:7.1f} ms  "
                f"{ratio:4.2f}x the index  "
                f"{'PASS' if passed else 'FAIL'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
