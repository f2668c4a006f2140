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

MAX_SECONDS = 10.0
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
    "/api/docket/",
    "/api/criteria/",
    "/api/criteria/binding/",
    "/api/criterion-versions/",
    "/api/criteria-rounds/",
    "/api/criteria-proposals/",
    "/api/hearings/",
    "/api/decisions/",
    "/api/opinions/",
    "/api/timeliness/",
    "/api/clocks/",
    "/api/trading-partners/",
    "/api/sectors/",
    "/api/organizations/",
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
