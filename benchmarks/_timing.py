"""Shared helpers for benchmarks that compare a view with a bare Django view in the same run.

    from benchmarks import _timing
    urlpatterns = [_timing.bare_path(), ...]           # /bench/bare/ -> "ok"
    bare = _timing.measure(lambda: client.get("/bench/bare/"), samples=500)
    page = _timing.measure(lambda: client.get("/some/page/"), samples=200)
    ok = _timing.report("some page", page, bare, ratio_budget=3.0)

`measure` runs a warm-up, then times each call with `time.perf_counter_ns` and returns a
`Timing` (all samples in milliseconds, p50/p90/p99). `report` prints one line with the
figures and PASS/FAIL against "p50 at most `ratio_budget` times the bare view's p50".
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponse
from django.urls import path


def bare_view(request):
    """The baseline: a Django view that does nothing, through the same middleware stack."""
    return HttpResponse("ok", content_type="text/plain")


def bare_path(route: str = "bench/bare/"):
    return path(route, bare_view)


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation between closest ranks."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Timing:
    samples_ms: tuple[float, ...]

    @property
    def p50(self) -> float:
        return percentile(list(self.samples_ms), 50)

    @property
    def p90(self) -> float:
        return percentile(list(self.samples_ms), 90)

    @property
    def p95(self) -> float:
        return percentile(list(self.samples_ms), 95)

    @property
    def p99(self) -> float:
        return percentile(list(self.samples_ms), 99)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.samples_ms)

    def line(self) -> str:
        return (
            f"p50 {self.p50:8.3f} ms  p90 {self.p90:8.3f} ms  p99 {self.p99:8.3f} ms  "
            f"(n={len(self.samples_ms)})"
        )


def measure(
    call: Callable[[], object],
    *,
    samples: int,
    warmup: int = 20,
    check: Callable[[object], None] | None = None,
) -> Timing:
    """Time `samples` calls of `call` after `warmup` untimed calls. `check` (optional)
    validates each result, e.g. that the response status is 200."""
    for _ in range(warmup):
        result = call()
        if check:
            check(result)
    return measure_each([call] * samples, check=check)


def measure_each(
    calls: list[Callable[[], object]], *, check: Callable[[object], None] | None = None
) -> Timing:
    """Time each call once (e.g. a different query each time: no repetition, no warm cache),
    with this process's garbage collector off while timing."""
    times: list[float] = []
    gc_was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for call in calls:
            start = time.perf_counter_ns()
            result = call()
            times.append((time.perf_counter_ns() - start) / 1e6)
            if check:
                check(result)
    finally:
        if gc_was_enabled:
            gc.enable()
    return Timing(tuple(times))


def measure_interleaved(
    call: Callable[[], object],
    baseline: Callable[[], object],
    *,
    samples: int,
    warmup: int = 20,
    check: Callable[[object], None] | None = None,
) -> tuple[Timing, Timing]:
    """Time `call` and `baseline` alternately, `samples` times each after `warmup` untimed
    rounds, so that both see the same load on a shared machine; returns (call, baseline)."""
    for _ in range(warmup):
        for each in (baseline, call):
            result = each()
            if check:
                check(result)
    times: dict[int, list[float]] = {0: [], 1: []}
    gc_was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(samples):
            for index, each in enumerate((call, baseline)):
                start = time.perf_counter_ns()
                result = each()
                times[index].append((time.perf_counter_ns() - start) / 1e6)
                if check:
                    check(result)
    finally:
        if gc_was_enabled:
            gc.enable()
    return Timing(tuple(times[0])), Timing(tuple(times[1]))


def load_average() -> str:
    """The machine's load average (1, 5 and 15 minutes), to read the figures next to."""
    import os

    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def report(
    name: str, timing: Timing, baseline: Timing, *, ratio_budget: float, show_baseline=False
) -> bool:
    """Print the figures of `name` against the baseline and the verdict; return pass/fail.
    `show_baseline`: also print the baseline's p50 (when each case has its own)."""
    ratio = timing.p50 / baseline.p50 if baseline.p50 else float("inf")
    ok = ratio <= ratio_budget
    against = f" / bare {baseline.p50:.3f} ms" if show_baseline else ""
    print(
        f"  {name:<46} {timing.line()}  ratio {ratio:5.2f}x{against} "
        f"(budget {ratio_budget:.1f}x)  {'PASS' if ok else 'FAIL'}",
        flush=True,
    )
    return ok


# --- a real server: gunicorn in its own process group, and a keep-alive client ---------------


def start_gunicorn(
    app: str,
    *,
    port: int,
    env: dict[str, str] | None = None,
    workers: int = 1,
    threads: int = 2,
    cwd: str | None = None,
):
    """Start `gunicorn <app>` on 127.0.0.1:`port` (gthread workers, keep-alive) and wait until
    it accepts connections. Stop it with `stop_server`."""
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    root = Path(cwd) if cwd else Path(__file__).resolve().parent.parent
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "30",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root), **(env or {})},
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited at start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    stop_server(process)
    raise RuntimeError("gunicorn did not start")


def stop_server(process) -> None:
    import os
    import signal
    import subprocess

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class KeepAliveClient:
    """GET over one persistent HTTP/1.1 connection; returns (status, body)."""

    def __init__(self, port: int, host: str = "127.0.0.1"):
        import http.client

        self._factory = lambda: http.client.HTTPConnection(host, port, timeout=300)
        self._conn = self._factory()

    def get(self, url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                self._conn.request("GET", url, headers=headers or {})
                response = self._conn.getresponse()
                return response.status, response.read()
            except (ConnectionError, OSError):
                self._conn.close()
                self._conn = self._factory()
                if attempt:
                    raise
        raise RuntimeError("unreachable")

    def close(self) -> None:
        self._conn.close()
