"""The record of a decided case by API: the issued decision, its opinions with their hashes
and PDF links, and the criteria versions it applied — the same for the public and a court."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def test_the_record_of_a_decided_case_carries_its_decision_and_opinions(issued):
    client = APIClient()
    docket = issued.docket_number
    body = client.get(f"/api/v1/docket/{docket}/record/").json()
    assert body["reading"] == "public"
    assert body["decision"]["url"].endswith(f"/api/v1/decisions/{issued.decision_id}/")
    [opinion] = body["opinions"]
    assert opinion["sha256"] == issued.sha256
    assert opinion["pdf_url"].endswith(f"/opinions/{issued.sha256}.pdf")
    register = client.get(f"/api/v1/opinions/{issued.sha256}/").json()
    assert body["criteria_versions"] == register["criteria_versions"]
    assert body["criteria_versions"], "the versions the findings applied"
    assert any(e["verb"] == "decided" for e in body["events"])
    pdf = client.get(opinion["pdf_url"])
    assert pdf.status_code == 200
    assert pdf["ETag"] == f'"{issued.sha256}"'
