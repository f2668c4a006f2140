"""Where the time of a filing submit goes: cProfile over N submits of the portal's filing form
(the "check your answers" POST), on the database the scale benchmark uses, grouped by the
project's own functions and by SQL.

    .venv/bin/python -m benchmarks.filing_profile --cases 10000 [--submits 30]

Prints the queries of one submit (count, time in the database) and the functions of the
project that take most of the cumulative time."""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.filing_profile")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--submits", type=int, default=30)
    args = parser.parse_args()

    from benchmarks import scale

    bench = argparse.Namespace(cases=args.cases, seed=args.seed, fresh=False)
    scale._environment(bench)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    scale._database(bench)
    with override_settings(ROOT_URLCONF="benchmarks.scale", ALLOWED_HOSTS=["*"]):
        filer = scale._Filer()
        drafts = [filer.draft(n) for n in range(args.submits + 3)]
        for _ in range(2):
            filer.submit(drafts.pop())
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            filer.submit(drafts.pop())
            wall = (time.perf_counter() - started) * 1000
        db_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        print(
            f"one submit: {wall:.1f} ms, {len(ctx.captured_queries)} queries, {db_ms:.1f} ms "
            "in the database (as timed by the driver)"
        )
        for q in ctx.captured_queries:
            print(f"  {float(q['time']) * 1000:6.2f} ms  {q['sql'][:110]}")
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for base in drafts:
            filer.submit(base)
        profile.disable()
        per = (time.perf_counter() - started) * 1000 / len(drafts)
    print(f"\n{len(drafts)} submits under the profiler: {per:.1f} ms each")
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
    stats.print_stats(r"/(commission|complaints|criteria|hearings|investigations|sanctions)/", 40)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
