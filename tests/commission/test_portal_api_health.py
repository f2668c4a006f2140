import pytest
from django.test import override_settings
from django.utils import timezone

from commission.models import Heartbeat
from commission.services import heartbeat_record
from tests.factories.commission import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_home_in_english_by_default(client):
    body = client.get("/").content.decode()
    assert 'lang="en"' in body
    assert "Labor Rights Commission" in body


def test_language_switcher_sets_spanish(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert 'lang="es"' in body
    assert "Comisión Bilateral de Derechos Laborales" in body  # COMMISSION_NAME, translated


def test_accept_language_selects_spanish(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.headers["Content-Language"] == "es"


def test_api_lists_organizations_without_login_in_constant_queries(
    client, django_assert_max_num_queries
):
    OrganizationFactory.create_batch(3)
    with django_assert_max_num_queries(2):
        first = client.get("/api/v1/organizations/")
    OrganizationFactory.create_batch(20)
    with django_assert_max_num_queries(2):
        second = client.get("/api/v1/organizations/")
    assert first.status_code == second.status_code == 200
    assert len(second.json()["results"]) == 23
    assert {"name", "kind", "country", "sector"} <= set(second.json()["results"][0])


def test_openapi_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/organizations/" in response.content


def test_healthz_is_503_without_a_heartbeat(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["worker"]["ok"] is False


def test_healthz_is_200_with_a_fresh_heartbeat(client):
    heartbeat_record(worker="worker@test")
    body = client.get("/healthz").json()
    assert body["status"] == "ok", body
    assert body["worker"]["name"] == "worker@test"


@override_settings(HEARTBEAT_INTERVAL_SECONDS=1)
def test_healthz_reports_a_stale_heartbeat(client):
    Heartbeat.objects.create(worker="w", recorded_at=timezone.now() - timezone.timedelta(minutes=5))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"]["ok"] is False


def test_heartbeat_keeps_only_the_latest_hundred_rows():
    for _ in range(105):
        heartbeat_record(worker="w")
    assert Heartbeat.objects.count() == 100


def test_admin_login_page(client):
    assert client.get("/admin/login/").status_code == 200


def test_api_root_is_public_and_lists_organizations(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert "organizations" in response.json()
