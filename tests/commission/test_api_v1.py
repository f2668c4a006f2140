"""The API's version 1 machinery: the versioned paths and the redirect of the old ones, the
schema and its documentation pages, one error body, 401 vs 403, hashed tokens (expiry,
last use, revocation), bounded cursor pages and strict query parameters."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from commission import services
from commission.models import ApiToken
from tests.factories.commission import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff():
    return get_user_model().objects.create_user("clerk", password="x-Pass-1234", is_staff=True)


@pytest.fixture
def plain_user():
    return get_user_model().objects.create_user("reader", password="x-Pass-1234")


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_old_paths_redirect_to_v1_keeping_method_and_query(client):
    response = client.get("/api/organizations/?kind=company")
    assert response.status_code == 308
    assert response["Location"] == "/api/v1/organizations/?kind=company"
    assert response["Deprecation"] == "true"
    assert client.post("/api/opinions/verify/", {}).status_code == 308


def test_schema_documents_v1_only(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["openapi"].startswith("3.")
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert "basicAuth" not in schema["components"]["securitySchemes"]


def test_swagger_script_is_served_from_this_site(client):
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_no_credentials_is_401_with_a_challenge():
    response = APIClient().get("/api/v1/investigations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    body = response.json()
    assert (body["status"], body["code"]) == (401, "not_authenticated")
    assert body["detail"]


def test_http_basic_is_never_accepted(plain_user):
    client = APIClient()
    basic = base64.b64encode(b"reader:x-Pass-1234").decode()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {basic}")
    response = client.get("/api/v1/investigations/")
    assert response.status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"reader:wrong").decode())
    assert client.get("/api/v1/investigations/").status_code == 401


def test_bad_token_is_401(db):
    response = bearer("lrc_not-a-token").get("/api/v1/investigations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "authentication_failed"


def test_known_account_without_the_right_is_403(plain_user, staff):
    _token, raw = services.api_token_issue(user=plain_user, actor=staff, name="t")
    response = bearer(raw).post("/api/v1/criteria-proposals/1/decide/")
    assert response.status_code in (403, 404)
    response = bearer(raw).post(
        "/api/v1/criteria-rounds/NOPE/reports/", {"title": "t", "body": "b"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_token_is_hashed_at_rest_and_records_its_last_use(plain_user, staff):
    token, raw = services.api_token_issue(user=plain_user, actor=staff, name="court feed")
    assert raw not in token.digest
    assert raw.startswith(token.prefix)
    assert ApiToken.objects.filter(digest__contains=raw[4:]).count() == 0
    assert token.last_used_at is None
    assert bearer(raw).get("/api/v1/organizations/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_or_expired_token_answers_401(plain_user, staff, time_machine):
    token, raw = services.api_token_issue(user=plain_user, actor=staff, name="t", days=1)
    assert bearer(raw).get("/api/v1/investigations/").status_code == 200
    services.api_token_revoke(token=token, actor=staff)
    assert bearer(raw).get("/api/v1/investigations/").status_code == 401
    _token, other = services.api_token_issue(user=plain_user, actor=staff, name="t", days=1)
    time_machine.move_to(timezone.now() + dt.timedelta(days=1, minutes=1))
    assert bearer(other).get("/api/v1/investigations/").status_code == 401


def test_only_staff_issue_tokens_to_others(plain_user, staff):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.api_token_issue(user=staff, actor=plain_user, name="t")


def test_staff_issue_and_revoke_tokens_in_the_admin(admin_client, plain_user):
    response = admin_client.post(
        "/admin/commission/apitoken/add/",
        {"user": plain_user.pk, "name": "Court of Appeal feed", "days": 30},
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=plain_user)
    page = response.content.decode()
    assert token.prefix in page
    raw = page[page.index(token.prefix) :].split("<", 1)[0]
    assert bearer(raw).get("/api/v1/investigations/").status_code == 200
    admin_client.post(
        "/admin/commission/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert bearer(raw).get("/api/v1/investigations/").status_code == 401


@pytest.mark.parametrize(
    "query",
    ["limit=1e20", "limit=abc", "limit=0", "limit=-1", "limit=501", "limit=" + "9" * 40],
)
def test_bad_limits_are_400_never_500(client, query):
    response = client.get(f"/api/v1/organizations/?{query}")
    assert response.status_code == 400
    assert "limit" in response.json()["errors"]


@pytest.mark.parametrize(
    "query", ["offset=10", "offset=x", "page=2", "colour=blue", "kind=company&nonsense=1"]
)
def test_unknown_query_parameters_are_400(client, query):
    response = client.get(f"/api/v1/organizations/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_malformed_filters_and_orderings_are_400(client):
    assert client.get("/api/v1/clocks/?status=not-a-status").status_code == 400
    assert client.get("/api/v1/organizations/?ordering=password").status_code == 400
    assert client.get("/api/v1/timeliness/?since=yesterday").status_code == 400
    assert client.get("/api/v1/timeliness/?colour=blue").status_code == 400
    assert client.get("/api/v1/organizations/?cursor=garbage").status_code == 400


def test_cursor_pages_walk_the_whole_list(client, django_assert_max_num_queries):
    OrganizationFactory.create_batch(7)
    seen: list[int] = []
    url = "/api/v1/organizations/?limit=3"
    while url:
        with django_assert_max_num_queries(2):
            page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 7


def test_timeliness_answers_the_documented_object(client):
    body = client.get("/api/v1/timeliness/").json()
    assert set(body) == {"results"}


def test_an_unroutable_api_path_is_a_json_404(client):
    response = client.post("/api/v1/criteria-proposals/0.5/decide/")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "detail": "Not found."}
    assert "text/html" in client.get("/no-such-page/")["Content-Type"]


def test_drfs_own_token_app_is_not_installed():
    """API tokens are `commission.ApiToken` (hashed, with expiry); DRF's plain-text token
    table is not installed, so no second kind of token can authenticate."""
    from django.apps import apps
    from django.conf import settings

    assert "rest_framework.authtoken" not in settings.INSTALLED_APPS
    assert not apps.is_installed("rest_framework.authtoken")
