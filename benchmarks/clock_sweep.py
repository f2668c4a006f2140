"""Benchmark: one clock sweep with 1,000 clocks due among 10,000 and among 1,000,000 pending;
and ("old misses") one sweep over 1,000 clocks missed ten years ago against one over 1,000
clocks missed yesterday.

Budgets: the sweep at 1,000,000 pending clocks takes at most 1 s, and at most twice the time it
takes at 10,000 (the sweep reads only the clocks whose next action has fallen due, through the
partial index on next_action_at; the plan is printed). The sweep over clocks missed ten years
ago takes at most twice the sweep over clocks missed yesterday (same run): a miss long past
costs one miss and one escalation, not one escalation per day since.

Runs on its own PostgreSQL database, created and dropped here:
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/commission_bench_clocks).
Emails are queued to an in-memory broker (sending them is the separate email task's work).

    .venv/bin/python -m benchmarks.clock_sweep              # both cases
    .venv/bin/python -m benchmarks.clock_sweep old-misses   # the old-misses case only
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from benchmarks._scratch_db import drop_database, recreate_database

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/commission_bench_clocks"
)
os.environ["DATABASE_URL"] = BENCH_URL
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ["EMAIL_URL"] = "memorymail://"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ["LOG_LEVEL"] = "WARNING"

DUE = 1_000
SMALL = 10_000
LARGE = 1_000_000
RUNS = 5
BUDGET_SECONDS = 1.0
BUDGET_RATIO = 2.0


def main() -> int:
    cases = sys.argv[1:] or ["due", "old-misses"]
    recreate_database(BENCH_URL)
    import django

    django.setup()
    try:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        results = []
        if "due" in cases:
            results.append(_run())
        if "old-misses" in cases:
            results.append(_run_old_misses())
        return max(results, default=0)
    finally:
        drop_database(BENCH_URL)


OLD_RUNS = 3


def _run_old_misses() -> int:
    """1,000 clocks missed ten years ago against 1,000 missed yesterday: fresh clocks for
    every run (a sweep changes them), the two kinds alternating, medians compared."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from commission import roles
    from commission.dates import statutory_deadline
    from commission.models import Clock, ClockNotice, Organization
    from commission.services import clock_sweep

    lima = ZoneInfo("America/Lima")
    now = dt.datetime(2026, 6, 15, 0, 0, 30, tzinfo=lima)
    # The most recent miss: of the filings 58 to 75 days back, the one whose last day is the
    # latest already past (yesterday, or the Friday before a weekend).
    candidates = [
        statutory_deadline(
            trigger_at=dt.datetime.combine(now.date() - dt.timedelta(days=back), dt.time(10), lima),
            days=60,
        )
        for back in range(58, 75)
    ]
    recent = max((c for c in candidates if c.due_at < now), key=lambda c: c.due_at)
    old = statutory_deadline(trigger_at=dt.datetime(2016, 4, 1, 10, 0, tzinfo=lima), days=60)
    subject_type = ContentType.objects.get_for_model(Organization).pk
    user_model = get_user_model()
    staff_group = Group.objects.get_or_create(name=roles.STAFF)[0]
    for i in range(2):
        user, _ = user_model.objects.get_or_create(
            username=f"old-staff{i}", defaults={"email": f"old-staff{i}@commission.example"}
        )
        user.groups.add(staff_group)
    columns = (
        "subject_type_id, subject_id, docket_number, kind, legal_basis, legal_source, "
        "trigger_event, trigger_at, days, counting_rule, time_zone, nominal_last_day, last_day, "
        "moved_over, due_at, started_at, status, next_action_at"
    )
    counter = iter(range(10_000_000, 100_000_000, DUE))

    def insert(deadline) -> None:
        first = next(counter)
        sql = f"""
            INSERT INTO commission_clock ({columns})
            SELECT %s, g::text, 'OLD-' || g, 'hearing_by', 'Hearing within 60 days.', '',
                   'filed', %s, %s, %s, %s, %s, %s, '[]'::jsonb, %s, %s, 'pending', %s
            FROM generate_series(%s, %s) AS g
        """  # noqa: S608 - constant fragments; every value is a parameter
        with connection.cursor() as cur:
            cur.execute(
                sql,
                [
                    subject_type,
                    deadline.trigger_at,
                    deadline.days,
                    deadline.counting_rule,
                    deadline.time_zone,
                    deadline.nominal_last_day,
                    deadline.last_day,
                    deadline.due_at,
                    deadline.trigger_at,
                    deadline.trigger_at,
                    first,
                    first + DUE - 1,
                ],
            )
            cur.execute("ANALYZE commission_clock")

    def sweep(deadline) -> tuple[float, int]:
        insert(deadline)
        start = time.perf_counter()
        report = clock_sweep(now=now)
        seconds = time.perf_counter() - start
        assert report.clocks == DUE, report
        assert report.misses == DUE, report
        return seconds, report.notices

    timings: dict[str, list[float]] = {"yesterday": [], "ten years": []}
    notices: dict[str, int] = {}
    for run in range(OLD_RUNS):
        order = [("yesterday", recent), ("ten years", old)]
        if run % 2:
            order.reverse()
        for label, deadline in order:
            seconds, count = sweep(deadline)
            timings[label].append(seconds)
            notices[label] = count
    assert not Clock.objects.filter(next_action_at__lte=now).exists()
    print(f"recent misses: last day {recent.last_day}; old misses: last day {old.last_day}")
    for label, values in timings.items():
        print(
            f"old misses, {DUE:,} clocks missed {label:>9}: sweep "
            f"{statistics.median(values) * 1000:8.1f} ms median of {OLD_RUNS} "
            f"({', '.join(f'{t * 1000:.1f}' for t in values)} ms), {notices[label]:,} notices"
        )
    print(f"notices claimed in all: {ClockNotice.objects.count():,}")
    ratio = statistics.median(timings["ten years"]) / statistics.median(timings["yesterday"])
    ok = ratio <= BUDGET_RATIO
    print(
        f"ten years / yesterday ratio: {ratio:.2f} (budget {BUDGET_RATIO:.1f}) "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


def _run() -> int:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from commission import roles
    from commission.dates import day_start, statutory_deadline
    from commission.models import Clock, ClockNotice, Organization
    from commission.services import clock_sweep

    lima = ZoneInfo("America/Lima")
    now = dt.datetime(2026, 6, 15, 0, 0, 30, tzinfo=lima)  # a Monday, just after midnight
    # The due clocks: filed 23 April, last day Monday 22 June; the 7-day reminder (start of
    # 15 June) is due; the 30- and 14-day reminders and the day-45 check were sent before.
    due_deadline = statutory_deadline(
        trigger_at=dt.datetime(2026, 4, 23, 10, 0, tzinfo=lima), days=60
    )
    reminder_7 = day_start(due_deadline.last_day - dt.timedelta(days=7), lima)
    # The other clocks: filed 1 June, their next action (30-day reminder) in July.
    later_deadline = statutory_deadline(
        trigger_at=dt.datetime(2026, 6, 1, 10, 0, tzinfo=lima), days=60
    )
    later_next = day_start(later_deadline.last_day - dt.timedelta(days=30), lima)
    subject_type = ContentType.objects.get_for_model(Organization).pk

    user_model = get_user_model()
    staff_group = Group.objects.get_or_create(name=roles.STAFF)[0]
    for i in range(2):
        user = user_model.objects.create_user(
            username=f"staff{i}", email=f"staff{i}@commission.example"
        )
        user.groups.add(staff_group)

    columns = (
        "subject_type_id, subject_id, docket_number, kind, legal_basis, legal_source, "
        "trigger_event, trigger_at, days, counting_rule, time_zone, nominal_last_day, last_day, "
        "moved_over, due_at, started_at, status, next_action_at"
    )

    def insert(first: int, last: int, deadline, next_sql: str, params: list) -> None:
        # Filed on the same local day, at different times (every clock explains differently).
        sql = f"""
            INSERT INTO commission_clock ({columns})
            SELECT %s, g::text, 'BENCH-' || g, 'hearing_by', 'Hearing within 60 days.', '',
                   'filed', %s + ((g %% 36000) * interval '1 second'), %s, %s, %s, %s, %s,
                   '[]'::jsonb, %s, %s, 'pending', {next_sql}
            FROM generate_series(%s, %s) AS g
        """  # noqa: S608 - constant fragments; every value is a parameter
        with connection.cursor() as cur:
            cur.execute(
                sql,
                [
                    subject_type,
                    deadline.trigger_at,
                    deadline.days,
                    deadline.counting_rule,
                    deadline.time_zone,
                    deadline.nominal_last_day,
                    deadline.last_day,
                    deadline.due_at,
                    deadline.trigger_at,
                    *params,
                    first,
                    last,
                ],
            )

    def insert_due() -> None:
        insert(1, DUE, due_deadline, "%s", [reminder_7])
        with connection.cursor() as cur:
            cur.execute(
                """
                INSERT INTO commission_clocknotice
                    (clock_id, kind, "offset", scheduled_at, claimed_at, is_late, outcome,
                     recipient_count)
                SELECT c.id, n.kind, n.off, %s, %s, false, 'sent', 2
                FROM commission_clock c
                CROSS JOIN (VALUES ('reminder', 30), ('reminder', 14), ('at_risk', 45))
                    AS n(kind, off)
                WHERE c.next_action_at = %s
                """,
                [due_deadline.trigger_at, due_deadline.trigger_at, reminder_7],
            )

    def insert_later(first: int, last: int) -> None:
        insert(
            first, last, later_deadline, "%s + ((g %% 20000) * interval '1 minute')", [later_next]
        )

    def analyze() -> None:
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE commission_clock")
            cur.execute("VACUUM ANALYZE commission_clocknotice")

    due_ids: list[int] = []

    def reset() -> None:
        """Undo one sweep: remove what it claimed and make the due clocks due again."""
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "DELETE FROM commission_notification WHERE notice_id IN "
                "(SELECT id FROM commission_clocknotice WHERE claimed_at = %s)",
                [now],
            )
            cur.execute("DELETE FROM commission_clocknotice WHERE claimed_at = %s", [now])
            cur.execute(
                "UPDATE commission_clock SET next_action_at = %s WHERE id = ANY(%s)",
                [reminder_7, due_ids],
            )

    def explain() -> str:
        qs = (
            Clock.objects.filter(next_action_at__lte=now)
            .order_by("next_action_at", "pk")
            .select_for_update(skip_locked=True)[:DUE]
        )
        with transaction.atomic():
            return qs.explain(analyze=True)

    def measure(label: str) -> float:
        timings = []
        for _ in range(RUNS):
            reset()
            start = time.perf_counter()
            if os.environ.get("BENCH_PROFILE"):
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                report = profiler.runcall(clock_sweep, now=now)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            else:
                report = clock_sweep(now=now)
            timings.append(time.perf_counter() - start)
            assert report.clocks == DUE, report
            assert report.notices == DUE, report
            assert report.notifications == 2 * DUE, report
        total = Clock.objects.count()
        pending = Clock.objects.filter(status="pending").count()
        print(
            f"{label}: {total:>9,} clocks ({pending:,} pending), {DUE:,} due -> sweep "
            f"{statistics.median(timings) * 1000:7.1f} ms median of {RUNS} "
            f"({', '.join(f'{t * 1000:.1f}' for t in timings)} ms)"
        )
        return statistics.median(timings)

    t0 = time.perf_counter()
    insert_due()
    due_ids.extend(Clock.objects.filter(next_action_at=reminder_7).values_list("pk", flat=True))
    insert_later(DUE + 1, SMALL)
    analyze()
    print(f"set-up 10k: {time.perf_counter() - t0:.1f} s")
    reset()
    print("EXPLAIN at 10,000:\n" + explain())
    small = measure("10k")

    t0 = time.perf_counter()
    insert_later(SMALL + 1, LARGE)
    analyze()
    print(f"set-up 1M: {time.perf_counter() - t0:.1f} s")
    reset()
    plan = explain()
    print("EXPLAIN at 1,000,000:\n" + plan)
    large = measure("1M ")
    assert ClockNotice.objects.filter(claimed_at=now).count() == DUE

    ratio = large / small
    uses_index = "clock_next_action" in plan
    ok_time = large <= BUDGET_SECONDS
    ok_ratio = ratio <= BUDGET_RATIO
    print(
        f"sweep at 1M: {large:.3f} s (budget {BUDGET_SECONDS:.1f} s) {'PASS' if ok_time else 'FAIL'}"
    )
    print(
        f"1M / 10k ratio: {ratio:.2f} (budget {BUDGET_RATIO:.1f}) {'PASS' if ok_ratio else 'FAIL'}"
    )
    print(f"plan uses the partial index clock_next_action: {'PASS' if uses_index else 'FAIL'}")
    return 0 if ok_time and ok_ratio and uses_index else 1


if __name__ == "__main__":
    sys.exit(main())
