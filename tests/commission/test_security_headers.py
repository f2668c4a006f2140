"""A Content Security Policy on every page (django-csp): same-origin scripts, styles and
images only, no inline script, no framing; the API docs allow Swagger UI's CDN only there."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/timeliness/",
    "/complaints/",
    "/complaints/docket/",
    "/complaints/track/",
    "/criteria/",
    "/hearings/",
    "/api/v1/",
    "/api/v1/docket/",
    "/admin/login/",
    "/no-such-page/",
]


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_policy(path):
    response = Client().get(path)
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_load_everything_from_this_site(path):
    response = Client().get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    body = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in body
    assert "https://" not in body
    assert "<script>" not in body
