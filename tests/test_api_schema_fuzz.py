"""The running API against its own OpenAPI schema (schemathesis, in process): generated
requests to every operation, anonymously, must never meet a server error, and every response
must match the schema (status code, content type, body)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

pytestmark = [pytest.mark.django_db(transaction=False)]

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def _no_throttle():
    cache.clear()
    yield
    cache.clear()


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_matches_its_schema(case):
    case.call_and_validate(headers={"Host": "testserver"})
