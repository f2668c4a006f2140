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
    "/api/",
    "/api/docket/",
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


def test_only_the_api_docs_may_load_swagger_from_its_cdn():
    policy = _policy(Client().get("/api/docs/"))
    assert "https://cdn.jsdelivr.net" in policy["script-src"]
    assert "https://cdn.jsdelivr.net" not in _policy(Client().get("/"))["script-src"]
