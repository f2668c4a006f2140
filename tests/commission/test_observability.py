"""Operations (commission/observability.py): JSON log lines with the request's and the task's
id and nothing confidential; the Prometheus endpoint behind its token, with request latency,
task outcomes and clocks by status."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from commission import observability
from commission.tasks import heartbeat
from tests.factories.commission import case_with_clocks

pytestmark = pytest.mark.django_db
TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def json_lines():
    """The root logger also writes, as production does, JSON lines with the context filter;
    returns a function that reads them back."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(observability.JsonFormatter())
    handler.addFilter(observability.ContextFilter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    def read() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    yield read
    root.removeHandler(handler)
    root.setLevel(previous)


def test_every_request_has_an_id_returned_and_on_its_log_lines(json_lines):
    response = Client().get("/healthz")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    access = [line for line in json_lines() if line["logger"] == "commission.access"]
    assert access[-1]["request_id"] == request_id
    assert access[-1]["message"].startswith("GET /healthz ")
    assert set(access[-1]) == {"time", "level", "logger", "message", "request_id", "task_id"}
    # A proxy's id is kept when it is a plain token, replaced when it is anything else.
    kept = Client().get("/healthz", HTTP_X_REQUEST_ID="edge-4f1c2d9a")
    assert kept["X-Request-ID"] == "edge-4f1c2d9a"
    replaced = Client().get("/healthz", HTTP_X_REQUEST_ID='x" injected\n{"level":"ERROR"}')
    assert replaced["X-Request-ID"] != 'x" injected\n{"level":"ERROR"}'
    assert len(replaced["X-Request-ID"]) == 32


def test_a_log_line_is_only_its_fixed_keys_never_a_records_extra_or_the_request(json_lines):
    secret = "Rosa Elvira Quispe Huamán"
    logging.getLogger("commission.test").info(
        "something happened", extra={"worker_name": secret, "request": f"GET /?q={secret}"}
    )
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("commission.test").exception("it failed")
    lines = json_lines()
    assert lines[0]["message"] == "something happened"
    assert secret not in json.dumps(lines, ensure_ascii=False)
    assert "ValueError: boom" in lines[1]["exception"]
    assert lines[1]["level"] == "ERROR"


def test_no_query_string_or_body_reaches_the_access_log(json_lines):
    name = "Rosa Elvira Quispe Huamán"
    Client().get("/healthz", {"q": name, "code": "ABCD-EFGH-JKLM-NPQR"})
    Client().post("/i18n/setlang/", {"language": "es", "next": f"/?n={name}"})
    text = json.dumps(json_lines(), ensure_ascii=False)
    assert "Quispe" not in text
    assert "ABCD-EFGH" not in text
    assert "POST /i18n/setlang/ 302" in text


def test_a_tasks_log_lines_carry_its_id_and_its_outcome_is_counted(json_lines):
    before = _sample("commission_celery_tasks_total", task="commission.tasks.heartbeat")
    result = heartbeat.apply()
    lines = [line for line in json_lines() if line["task_id"]]
    assert {line["task_id"] for line in lines} == {result.id}
    assert any(line["logger"] == "commission.tasks" for line in lines)
    assert any(
        line["message"].startswith("task commission.tasks.heartbeat SUCCESS") for line in lines
    )
    after = _sample("commission_celery_tasks_total", task="commission.tasks.heartbeat")
    assert after == before + 1
    # Outside the task, no task id.
    logging.getLogger("commission.test").info("after the task")
    assert json_lines()[-1]["task_id"] is None


def _sample(name: str, **labels) -> float:
    from prometheus_client import REGISTRY

    total = 0.0
    for metric in REGISTRY.collect():
        for sample in metric.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def test_metrics_exist_only_for_the_holder_of_the_token(settings):
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_metrics_tell_request_latency_task_outcomes_and_clocks_by_status(settings, monkeypatch):
    from tests.factories.commission import CaseProtocol

    CaseProtocol.install(monkeypatch)
    settings.METRICS_TOKEN = TOKEN
    lima = ZoneInfo("America/Lima")
    for _ in range(3):
        case_with_clocks(trigger_at=dt.datetime(2026, 1, 5, 10, tzinfo=lima))
    Client().get("/healthz")
    heartbeat.apply()
    body = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert 'commission_clocks{kind="hearing_by",status="pending"} 3.0' in body
    assert 'commission_clocks{kind="decision_by",status="pending"} 3.0' in body
    latency = [
        line
        for line in body.splitlines()
        if line.startswith("commission_http_request_duration_seconds_count")
        and 'route="healthz"' in line
    ]
    # /healthz answers 503 here (no worker or beat runs in the tests): its status is a label.
    assert latency
    assert 'method="GET"' in latency[0]
    assert 'status="503"' in latency[0]
    assert (
        'commission_celery_tasks_total{state="SUCCESS",task="commission.tasks.heartbeat"}' in body
    )
    assert "commission_celery_task_duration_seconds_bucket" in body
    # Routes are patterns, never paths with ids or codes in them.
    Client().get("/api/v1/cases/999999/")
    body = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    # In the labels (a sample's value, a duration, may hold any digits).
    labels = [line.split("}")[0] for line in body.splitlines() if "{" in line]
    assert labels
    assert not [label for label in labels if "999999" in label]
