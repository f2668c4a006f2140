"""Fuzzing (hypothesis): every public query parameter and every step of the filing answer
without a server error, in bounded time and memory. The bounds are generous: this is a
guard against unbounded work, not a benchmark."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories.complaints import file_case

pytestmark = pytest.mark.django_db

MAX_SECONDS = 60.0  # tracemalloc slows requests; this guards against unbounded work
MAX_PEAK_BYTES = 64 * 1024 * 1024

NASTY = st.one_of(
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e23",
            "1e308",
            "inf",
            "-inf",
            "nan",
            "2147483648",
            "9223372036854775808",
            "99999999999999999999999999999999",
            "0001-01-01",
            "9999-12-31",
            "10000-01-01",
            "2026-02-30",
            "abc",
            "PE",
            "1410",
            "complaint",
            "' OR 1=1 --",
            "\x00",
            "%00",
            "<script>",
            "ñandú",
            "x" * 5000,
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=40),
)

PUBLIC_PATHS = [
    "/",
    "/timeliness/",
    "/complaints/docket/",
    "/criteria/",
    "/criteria/binding/",
    "/criteria/export.csv",
    "/criteria/export.json",
    "/criteria/rounds/",
    "/hearings/",
    "/hearings/decisions/",
    "/hearings/opinions/",
    "/api/v1/docket/",
    "/api/v1/criteria/",
    "/api/v1/criteria/binding/",
    "/api/v1/criterion-versions/",
    "/api/v1/criteria-rounds/",
    "/api/v1/criteria-proposals/",
    "/api/v1/hearings/",
    "/api/v1/decisions/",
    "/api/v1/opinions/",
    "/api/v1/timeliness/",
    "/api/v1/clocks/",
    "/api/v1/trading-partners/",
    "/api/v1/sectors/",
    "/api/v1/organizations/",
]
PARAMS = [
    "page",
    "limit",
    "offset",
    "kind",
    "status",
    "on",
    "country",
    "sector",
    "right",
    "ordering",
    "format",
    "docket_number",
    "round__code",
    "participant_role",
    "organization",
    "criterion",
]


def bounded_get(client: Client, path: str, params: dict):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = client.get(path, params)
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code < 500, (path, params, response.status_code)
    assert elapsed < MAX_SECONDS, (path, params, elapsed)
    assert peak < MAX_PEAK_BYTES, (path, params, peak)
    return response


@pytest.fixture
def docket(world):
    return file_case(world, received_days_ago=3)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.sampled_from(PUBLIC_PATHS),
    params=st.dictionaries(st.sampled_from(PARAMS), NASTY, max_size=4),
)
def test_public_query_parameters_never_break_a_page(docket, path, params):
    bounded_get(Client(), path, params)


@pytest.mark.parametrize("path", PUBLIC_PATHS)
@pytest.mark.parametrize("value", ["1e23", "99999999999999999999999999", "-5", "nan", "2147483648"])
def test_each_page_and_limit_parameter_is_parsed_safely(docket, path, value):
    for name in ("page", "limit", "offset"):
        bounded_get(Client(), path, {name: value})


STEP_FIELDS = {
    "filing": ["kind", "language"],
    "complainants": [
        "filer_type",
        "organizations",
        "worker_name",
        "worker_contact",
        "contact_email",
    ],
    "respondents": [
        "governments",
        "agencies",
        "employers",
        "corporations",
        "sectors",
        "new_1_kind",
        "new_1_name",
        "new_1_country",
    ],
    "allegations": [
        "allegations-TOTAL_FORMS",
        "allegations-INITIAL_FORMS",
        "allegations-0-summary",
        "allegations-0-facts",
        "allegations-0-period_start",
        "allegations-0-period_end",
        "allegations-0-place",
        "allegations-0-workers_affected",
        "allegations-0-criteria",
        "allegations-0-proposed_standard",
        "allegations-1-summary",
        "allegations-19-criteria",
        "allegations-25-summary",
    ],
    "remedies": ["remedies_sought"],
    "evidence": ["description"],
    "confidentiality": ["withhold_organization_names", "confidentiality_request"],
    "review": ["confirm", "website", "received_via", "received_at"],
}


@pytest.fixture
def filer(world):
    client = Client()
    response = client.post("/complaints/file/")
    return client, response.url.rsplit("/", 2)[0] + "/"


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_filing_steps_never_break_whatever_is_posted(filer, settings_override, data):
    client, base = filer
    step = data.draw(st.sampled_from(list(STEP_FIELDS)))
    fields = data.draw(
        st.dictionaries(
            st.sampled_from(STEP_FIELDS[step]),
            st.one_of(NASTY, st.lists(NASTY, max_size=3)),
            max_size=len(STEP_FIELDS[step]),
        )
    )
    action = data.draw(st.sampled_from(["continue", "save_exit", "add"]))
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = client.post(f"{base}{step}/", {"action": action, **fields})
        again = client.get(f"{base}{step}/")
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code < 500, (step, fields, response.status_code)
    assert again.status_code < 500, (step, fields, again.status_code)
    assert elapsed < MAX_SECONDS, (step, elapsed)
    assert peak < MAX_PEAK_BYTES, (step, peak)


@pytest.fixture
def settings_override(settings):
    # Fuzzing posts far more than a person does: lift the per-client limits for the run.
    settings.PORTAL_RATE_LIMITS = {scope: "1000000/hour" for scope in settings.PORTAL_RATE_LIMITS}
    return settings
