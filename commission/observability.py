"""Operations: structured logs that carry the request or task they belong to, and Prometheus
metrics (docs/operations.md).

Logs. `RequestIdMiddleware` (first in `MIDDLEWARE`) gives every request an id — the proxy's
`X-Request-ID` when it is a plain token, else a new one — returns it in the response's
`X-Request-ID` and writes one access line per request. Celery's `task_prerun`/`task_postrun`
do the same for a task's id. `ContextFilter` puts both on every log record of the request or
task, and `JsonFormatter` (`LOG_FORMAT=json`, production's default) writes one JSON object a
line with a fixed set of keys: time, level, logger, message, request_id, task_id and the
exception's traceback. Nothing else of a record is written — no `extra` attributes, no request
object, no query string, no body — so what a log line can say is what its message says, and
the messages never name a worker (tests/hearings/test_confidentiality_sweep.py).

Metrics (`GET /metrics`, Prometheus text format): request latency by route pattern, method and
status (`commission_http_request_duration_seconds`); task outcomes by task and state
(`commission_celery_tasks_total`) and their run time; clocks by kind and status, read from
the database at each scrape (`commission_clocks`). The endpoint answers only with
`Authorization: Bearer <METRICS_TOKEN>`; without the setting it does not exist (404). With
several processes (gunicorn workers, Celery's prefork children) set `PROMETHEUS_MULTIPROC_DIR`
to a directory the processes of one host share (docs/operations.md).
"""

from __future__ import annotations

import contextvars
import hmac
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
task_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="")

access_logger = logging.getLogger("commission.access")
task_logger = logging.getLogger("commission.tasks.run")

REQUEST_LATENCY = Histogram(
    "commission_http_request_duration_seconds",
    "Time to answer a request, by route pattern, method and status.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASKS = Counter(
    "commission_celery_tasks",
    "Celery tasks run, by task and final state (SUCCESS, FAILURE, RETRY, ...).",
    ["task", "state"],
)
TASK_DURATION = Histogram(
    "commission_celery_task_duration_seconds",
    "Run time of Celery tasks, by task.",
    ["task"],
    buckets=(0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 240.0),
)

# A proxy's request id is kept only when it is a plain token: nothing else reaches the logs.
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


# --- request ids and the access log -------------------------------------------------------


class RequestIdMiddleware:
    """Give the request its id (for every log line of it), answer with it, time it, log it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            route = _route(request)
            REQUEST_LATENCY.labels(route, request.method or "", str(response.status_code)).observe(
                elapsed
            )
            response["X-Request-ID"] = request_id
            # The path without its query string (which may carry a token or a search).
            access_logger.info(
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status_code,
                elapsed * 1000,
            )
            return response
        finally:
            request_id_var.reset(token)


def _route(request: HttpRequest) -> str:
    """The URL pattern that answered (`api/v1/cases/<pk>/`), not the path: bounded and free
    of ids."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.route or match.view_name or "unmatched"


# --- Celery: task ids and outcomes ----------------------------------------------------------

_task_tokens: dict[str, tuple[contextvars.Token[str], float]] = {}


def task_started(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    if not task_id:
        return
    _task_tokens[task_id] = (task_id_var.set(task_id), time.perf_counter())


def task_finished(
    task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any
) -> None:
    name = getattr(task, "name", None) or "unknown"
    TASKS.labels(name, state or "UNKNOWN").inc()
    entry = _task_tokens.pop(task_id or "", None)
    if entry is None:
        return
    token, started = entry
    elapsed = time.perf_counter() - started
    TASK_DURATION.labels(name).observe(elapsed)
    task_logger.info("task %s %s %.1fms", name, state or "UNKNOWN", elapsed * 1000)
    try:
        task_id_var.reset(token)
    except ValueError:  # pragma: no cover - finished in another context than it started
        task_id_var.set("")


def celery_signals_connect() -> None:
    """Connected once, from `config/celery.py` (workers) and `CommissionConfig.ready`."""
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(task_started, weak=False, dispatch_uid="commission.task_started")
    task_postrun.connect(task_finished, weak=False, dispatch_uid="commission.task_finished")


# --- logging ---------------------------------------------------------------------------------


class ContextFilter(logging.Filter):
    """Put the current request's and task's ids on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        task_id = task_id_var.get()
        if not task_id:
            task_id = _celery_task_id()
        record.task_id = task_id
        return True


def _celery_task_id() -> str:
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return ""
    request = getattr(current_task, "request", None) if current_task else None
    return str(getattr(request, "id", "") or "")


class JsonFormatter(logging.Formatter):
    """One JSON object a line, with a fixed set of keys (nothing of a record's `extra`)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
            + f".{int(record.msecs):03d}"
            + time.strftime("%z", self.converter(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
            "task_id": getattr(record, "task_id", "") or None,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(*, level: str, fmt: str) -> dict[str, Any]:
    """The LOGGING setting: `fmt` is "json" or "plain"."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "commission.observability.ContextFilter"}},
        "formatters": {
            "plain": {
                "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s%(task_id)s] "
                "%(message)s"
            },
            "json": {"()": "commission.observability.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if fmt == "json" else "plain",
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # The access line of every request is written by RequestIdMiddleware.
            "django.server": {"level": "WARNING"},
            # WeasyPrint and fontTools log every layout step at INFO.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }


# --- the metrics endpoint --------------------------------------------------------------------


class ClockCollector:
    """Clocks by kind and status, counted in the database when Prometheus scrapes."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from .models import Clock

        family = GaugeMetricFamily(
            "commission_clocks", "Statutory clocks by kind and status.", labels=["kind", "status"]
        )
        rows = Clock.objects.order_by().values("kind", "status").annotate(n=Count("pk"))
        for row in rows:
            family.add_metric([row["kind"], row["status"]], row["n"])
        yield family


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        # This process's request and task metrics.
        for collector in (REQUEST_LATENCY, TASKS, TASK_DURATION):
            registry.register(collector)
    registry.register(ClockCollector())
    return registry


def _authorized(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return False
    header = request.headers.get("Authorization", "")
    scheme, _sep, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, to the scraper holding METRICS_TOKEN only (404 to anyone else, and
    to everyone when no token is set: the endpoint is not advertised)."""
    if not _authorized(request):
        raise Http404
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


__all__ = [
    "ContextFilter",
    "JsonFormatter",
    "RequestIdMiddleware",
    "celery_signals_connect",
    "logging_config",
    "metrics",
]
