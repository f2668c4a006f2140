"""Public reads from a read replica (commission/db/replica.py): which database each request
reads, counted on each connection. The `replica` database of the test settings is a test
mirror of `default` (the same test database through a second connection); the tests turn on
the router and the middleware as `DATABASE_REPLICA_URL` does. The data is committed
(transactional tests), so the replica's connection sees it as a real replica would."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from commission import roles
from commission.db import replica
from commission.models import Organization
from config.settings import base
from criteria.models import CriterionVersion
from tests.factories.commission import OrganizationFactory, UserFactory
from tests.factories.criteria import CriterionVersionFactory

# Committed data, on both connections (each such test ends with a flush: few of them).
on_both = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def routed(settings):
    settings.DATABASE_ROUTERS = ["commission.db.replica.ReplicaRouter"]
    settings.MIDDLEWARE = base.replica_middleware_add(list(settings.MIDDLEWARE))
    yield
    connections["replica"].close()


@pytest.fixture
def version():
    return CriterionVersionFactory(criterion__title_en="No dismissal for pregnancy")


class Queries:
    """The queries run on each database inside the block."""

    def __enter__(self) -> Queries:
        self._stack = ExitStack()
        self.on = {
            alias: self._stack.enter_context(CaptureQueriesContext(connections[alias]))
            for alias in ("default", "replica")
        }
        return self

    def __exit__(self, *exc) -> None:
        self._stack.__exit__(*exc)

    def count(self, alias: str) -> int:
        return len(self.on[alias].captured_queries)


PUBLIC_READS = [
    ("/criteria/", "No dismissal for pregnancy"),
    ("/api/v1/criteria/", "No dismissal for pregnancy"),
    ("/complaints/docket/", ""),
    ("/hearings/opinions/", ""),
    ("/sanctions/", ""),
    ("/timeliness/", ""),
]


@on_both
def test_anonymous_reads_of_public_pages_and_the_api_come_from_the_replica(routed, version, client):
    for path, expected in PUBLIC_READS:
        with Queries() as queries:
            response = client.get(path)
        assert response.status_code == 200, path
        assert expected in response.content.decode()
        assert queries.count("replica") > 0, path
        assert queries.count("default") == 0, (path, queries.on["default"].captured_queries)


@on_both
def test_a_signed_in_reader_reads_the_primary(routed, version, client):
    staff = UserFactory(username="intake.replica", is_staff=True)
    staff.groups.add(Group.objects.get_or_create(name=roles.STAFF)[0])
    client.force_login(staff)
    for path in ("/criteria/", "/api/v1/criteria/"):
        with Queries() as queries:
            response = client.get(path)
        assert response.status_code == 200
        assert "No dismissal for pregnancy" in response.content.decode()
        assert queries.count("replica") == 0, path
        assert queries.count("default") > 0


@on_both
def test_a_token_a_write_and_the_private_pages_use_the_primary(routed, version, client):
    requests = [
        lambda: client.get("/api/v1/criteria/", HTTP_AUTHORIZATION="Bearer not-a-token"),
        lambda: client.post("/api/v1/criteria/", {}),
        lambda: client.post("/hearings/opinions/verify/", {}),
        lambda: client.get("/complaints/track/"),
        lambda: client.get("/complaints/file/"),
        lambda: client.get("/healthz"),
        lambda: client.get("/admin/login/"),
    ]
    for send in requests:
        with Queries() as queries:
            send()
        assert queries.count("replica") == 0


@on_both
def test_a_request_reads_its_own_writes_from_the_primary(routed):
    OrganizationFactory(name="Written before")
    router = replica.ReplicaRouter()
    with replica.public_reads():
        assert router.db_for_read(Organization) == "replica"
        with Queries() as queries:
            assert Organization.objects.filter(name="Written before").exists()
        assert (queries.count("replica"), queries.count("default")) == (1, 0)
        # Inside a transaction (every service runs in one) reads stay on the primary.
        with transaction.atomic():
            assert router.db_for_read(Organization) == "default"
        # Once it has written, the request reads the primary to the end.
        with Queries() as queries:
            written = OrganizationFactory(name="Written now")
            assert Organization.objects.filter(pk=written.pk).exists()
            assert CriterionVersion.objects.count() == 0
        assert queries.count("replica") == 0
        assert router.db_for_read(Organization) == "default"
        assert router.db_for_write(Organization) == "default"


def test_outside_a_marked_request_everything_uses_the_primary(routed):
    """Celery's tasks, management commands, and every request the middleware did not mark."""
    router = replica.ReplicaRouter()
    assert router.db_for_read(Organization) == "default"
    assert router.db_for_write(Organization) == "default"
    assert router.allow_migrate("replica", "commission") is False
    assert router.allow_migrate("default", "commission") is None


def test_without_the_variable_nothing_changes_and_with_it_the_replica_is_set_up(monkeypatch):
    databases = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "commission"}}
    middleware = list(base.MIDDLEWARE)
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    assert base.database_replica(databases, middleware) == []
    assert list(databases) == ["default"]
    assert middleware == base.MIDDLEWARE

    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader@replica.internal:5432/commission")
    routers = base.database_replica(databases, middleware)
    assert routers == ["commission.db.replica.ReplicaRouter"]
    assert databases["replica"]["HOST"] == "replica.internal"
    assert databases["replica"]["TEST"] == {"MIRROR": "default"}
    at = middleware.index("commission.db.replica.PublicReadsOnReplicaMiddleware")
    assert at > middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    base.database_replica(databases, middleware)
    assert middleware.count("commission.db.replica.PublicReadsOnReplicaMiddleware") == 1


@pytest.mark.parametrize(
    "replica_url", ["", "postgres://reader@replica.example.org:5432/commission"]
)
def test_the_production_settings_add_the_replica_only_with_the_variable(tmp_path, replica_url):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "commission.example.org",
        "FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "DATABASE_URL": "postgres://commission@db.example.org:5432/commission",
        "CELERY_BROKER_URL": "redis://localhost:6379/0",
        "EMAIL_URL": "smtp://localhost:25",
        "DEFAULT_FROM_EMAIL": "docket@commission.example.org",
        "MEDIA_ROOT": str(tmp_path),
        "DATABASE_REPLICA_URL": replica_url,
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({'databases': {k: [v['ENGINE'], v.get('HOST'), "
        "v.get('TEST', {}).get('MIRROR')] for k, v in settings.DATABASES.items()}, "
        "'routers': settings.DATABASE_ROUTERS, 'middleware': settings.MIDDLEWARE}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    name = "commission.db.replica.PublicReadsOnReplicaMiddleware"
    if not replica_url:
        assert list(found["databases"]) == ["default"]
        assert found["routers"] == []
        assert name not in found["middleware"]
    else:
        assert found["databases"]["replica"] == [
            "commission.db.postgresql",
            "replica.example.org",
            "default",
        ]
        assert found["routers"] == ["commission.db.replica.ReplicaRouter"]
        assert found["middleware"].count(name) == 1
        auth = found["middleware"].index("django.contrib.auth.middleware.AuthenticationMiddleware")
        assert found["middleware"].index(name) > auth
