"""Opinions, decisions and hearings in the API's version 1: integrity metadata, links between
them, the PDF's entity tag and digest, constant queries, and the verification's limits."""

from __future__ import annotations

import base64

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import hearings as f

# the opinions (one join brings their decisions and corrigenda), then the criteria versions
# their decisions' findings applied (one query for the page)
LIST_QUERIES = 2


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def test_opinion_metadata_and_links(world, issued, client):
    body = client.get(f"/api/v1/opinions/{issued.sha256}/").json()
    assert body["sha256"] == issued.sha256
    assert world.criteria.pregnancy_v2.identifier in body["criteria_versions"]
    assert body["url"].endswith(f"/api/v1/opinions/{issued.sha256}/")
    assert body["decision"].endswith(f"/api/v1/decisions/{issued.decision_id}/")
    assert body["case"].endswith(f"/api/v1/docket/{issued.docket_number}/")
    decision = client.get(body["decision"]).json()
    assert body["url"] in decision["opinion_urls"]
    case = client.get(body["case"]).json()
    opinions = client.get(case["opinions"]).json()["results"]
    assert [o["sha256"] for o in opinions] == [issued.sha256]
    # A page reads each row's criteria versions and links as the detail does.
    assert opinions[0] == body
    hearings = client.get(case["hearings"]).json()["results"]
    assert len(hearings) == 1
    assert hearings[0]["case"] == body["case"]
    assert client.get(hearings[0]["decisions"]).json()["results"][0]["url"] == body["decision"]


def test_opinion_list_and_detail_in_constant_queries(
    world,
    issued,
    client,
    django_assert_num_queries,
):
    """Must hold: the register's list and detail cost a fixed number of queries (the
    opinions with their corrigenda, then the criteria versions their decisions applied), whatever the number of opinions, findings or versions."""
    with django_assert_num_queries(LIST_QUERIES):
        client.get("/api/v1/opinions/")
    with django_assert_num_queries(LIST_QUERIES):
        client.get("/api/v1/opinions/?limit=500")
    with django_assert_num_queries(LIST_QUERIES):
        client.get(f"/api/v1/opinions/{issued.sha256}/")


def test_pdf_has_an_etag_and_digests(world, issued, client):
    pdf = client.get(f"/hearings/opinions/{issued.sha256}.pdf")
    assert pdf["ETag"] == f'"{issued.sha256}"'
    expected = base64.b64encode(bytes.fromhex(issued.sha256)).decode()
    assert pdf["Repr-Digest"] == f"sha-256=:{expected}:"
    assert pdf["Digest"] == f"SHA-256={expected}"
    again = client.get(
        f"/hearings/opinions/{issued.sha256}.pdf", HTTP_IF_NONE_MATCH=f'"{issued.sha256}"'
    )
    assert again.status_code == 304


@override_settings(OPINION_VERIFY_MAX_BYTES=1024)
def test_verify_refuses_a_large_body_before_reading_it(world, db):
    client = APIClient()
    response = client.generic(
        "POST",
        "/api/v1/opinions/verify/",
        b"x" * 10,
        content_type="multipart/form-data; boundary=B",
        CONTENT_LENGTH="60000000",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    small = client.post("/api/v1/opinions/verify/", {"sha256": "0" * 64})
    assert small.status_code == 200


def test_verify_is_throttled(world, db, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    # The rates are read into a class attribute when DRF is imported; monkeypatch puts the
    # real ones back after the test, so no later test inherits the low rate.
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"anon": "1000/minute", "token": "1000/minute", "upload": "2/hour"},
    )
    client = APIClient()
    codes = [
        client.post("/api/v1/opinions/verify/", {"sha256": "0" * 64}).status_code for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_decision_list_links(world, issued, client):
    row = client.get("/api/v1/decisions/").json()["results"][0]
    assert row["case"].endswith(f"/api/v1/docket/{issued.docket_number}/")
    assert row["opinion_urls"][0].endswith(f"/api/v1/opinions/{issued.sha256}/")
    assert f.WORKER_NAME not in str(row)
