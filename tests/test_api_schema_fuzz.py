"""The running API against its own OpenAPI schema (schemathesis, in process): generated
requests to every operation, anonymously and with an API token of each role of the
permission matrix (docs/api-permissions.md), must never meet a server error, and every
response must match the schema (status code, content type, body).

The requests meet data that exists: the demo scenario (`load_demo`: cases with hearings,
decisions, opinions, sanctions, investigations, criteria rounds, court orders) is loaded once
for the module, each role's tokens are issued by the service staff use
(`commission.services.api_token_issue`, stored as their SHA-256), and most examples of an
operation with a path parameter take a real one: the first object the role itself lists
(its own investigation, its own webhook subscription), else one staff list. So the
authenticated operations reach their code, not only their 404.

One check is left out: "schema-valid request rejected". The API validates more than a schema
can say (a cursor must be one it issued, `since` must precede `until`, a proposal's draft must
not weaken the register, a step must apply to the case's state), so a request the schema
allows may rightly be a 400 — which is documented, with the shared error body, on every
operation.

Bounded and deterministic: `derandomize`, `API_SCHEMA_FUZZ_EXAMPLES` examples per operation
and role (3 by default; `API_SCHEMA_FUZZ=1` raises it to 25 for a longer run). It runs in one
pass of CI only (marked `schema_fuzz`, deferred from the SQLite pass like the browser tests,
.ci/run), and on its own everywhere else."""

from __future__ import annotations

import os
import re
import socket
import time
from typing import Any

import pytest
import schemathesis
from axes.models import AccessAttempt
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = [pytest.mark.schema_fuzz, pytest.mark.django_db(transaction=False)]

ROLES = ["anonymous", "filer", "other_filer", "team", "other_team", "member", "court", "staff"]
# The demo's account of each role (commission/demo.py); `other_team` is made here.
DEMO_ACCOUNTS = {
    "filer": "union",
    "other_filer": "hro",
    "team": "team.union",
    "member": "jurist.pe",
    "court": "court",
    "staff": "staff",
}
EXAMPLES = int(
    os.environ.get(
        "API_SCHEMA_FUZZ_EXAMPLES", "25" if os.environ.get("API_SCHEMA_FUZZ") == "1" else "3"
    )
)

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# The credentials are the role's own, sent with every call: schemathesis generates none from
# the security schemes (a random token would be a failed sign-in, and past the lockout's limit
# the address is locked out: 429 for everyone after). With the role's token explicit, its
# `ignored_auth` check sends each successful request again without it and expects a refusal.
schema.config.generation.update(with_security_parameters=False)
OPERATIONS = [result.ok() for result in schema.get_all_operations()]
PARAMETER = re.compile(r"\{(\w+)\}")


def _no_dns(host, *args, **kwargs):
    """Webhook receivers are checked by resolving their host name; the tests make no network
    request: an address resolves to itself, a name does not resolve."""
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in str(host) else socket.AF_INET, str(host))
    except (OSError, TypeError):
        raise socket.gaierror("no name resolution in the tests") from None
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (str(host), kwargs.get("port", 443)))]


def _other_team_account():
    from django.contrib.auth.models import Group

    from commission import roles
    from commission.actors import SYSTEM
    from commission.models import TradingPartner
    from investigations import services
    from tests.factories.commission import PersonFactory, UserFactory

    user = UserFactory(username="other.team", is_staff=False)
    user.groups.add(Group.objects.get(name=roles.TEAM))
    person = PersonFactory(user=user, full_name="Otra Investigadora")
    team = services.team_create(
        name="Arequipa Mining Team",
        country=TradingPartner.objects.get(code="PE"),
        staff=person,
        actor=SYSTEM,
    )
    assert team.pk
    return user


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo scenario and a token per role, loaded once and rolled back at the end."""
    from django.contrib.auth import get_user_model

    from commission import webhooks
    from commission.services import api_token_issue
    from criteria.models import CriterionVersion
    from hearings import signing

    media = tmp_path_factory.mktemp("fuzz-media")
    started = time.monotonic()
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=str(media / "media"),
            OPINION_SIGNING_DEMO_DIR=str(media / "signing"),
            WEBHOOK_ALLOW_HTTP=False,
            WEBHOOK_ALLOW_PRIVATE_ADDRESSES=False,
        ),
        pytest.MonkeyPatch.context() as patch,
        transaction.atomic(),
    ):
        patch.setattr(webhooks.socket, "getaddrinfo", _no_dns)
        signing._signer.cache_clear()
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        users = {
            role: get_user_model().objects.get(username=name)
            for role, name in DEMO_ACCOUNTS.items()
        }
        users["other_team"] = _other_team_account()
        headers: dict[str, dict[str, str]] = {"anonymous": {}}
        for role, user in users.items():
            # Issued as staff issue them in the staff workspace (*API tokens → Add*).
            _token, raw = api_token_issue(user=user, actor=users["staff"], name="schema fuzz")
            headers[role] = {"Authorization": f"Bearer {raw}"}
            # A receiver on the loopback's discard port: nothing is sent in the tests (the
            # deliveries wait for a commit that never comes), and nothing could leave.
            with override_settings(WEBHOOK_ALLOW_HTTP=True, WEBHOOK_ALLOW_PRIVATE_ADDRESSES=True):
                webhooks.webhook_subscription_create(
                    owner=user,
                    actor=user,
                    name=f"{role} receiver",
                    url="http://127.0.0.1:9/hooks",
                    events=["case.filed"],
                )
        values = {role: _path_values(headers[role]) for role in ROLES}
        for role in DEMO_ACCOUNTS.keys() | {"other_team"}:
            # Each token signs its account in: the account lists its own subscription.
            assert values[role].get("/api/v1/webhooks/"), f"{role}'s token is not accepted"
        # A criterion version has no list: the first version of the register.
        version = CriterionVersion.objects.order_by("pk").first()
        if version is not None:
            code, number = version.identifier.split("/v")
            values["staff"]["/api/v1/criterion-versions/"] = {"code": code, "version": number}
        print(f"\nschema fuzz: world loaded in {time.monotonic() - started:.1f}s")
        # The requests go to the WSGI application in this process, inside the module's
        # transaction: as Django's test client does for its own requests (it connects them
        # again after each), the connection is not closed between requests, which would end
        # the transaction on PostgreSQL.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            yield {"headers": headers, "values": values}
        finally:
            signing._signer.cache_clear()
            transaction.set_rollback(True)
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


def _path_values(headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """For each path `/api/v1/<list>/{lookup}/…`, the lookup of the first object the list
    shows these credentials."""
    client = Client(headers=headers)
    found: dict[str, dict[str, Any]] = {}
    for operation in OPERATIONS:
        names = PARAMETER.findall(operation.path)
        if not names:
            continue
        prefix = operation.path.split("{", 1)[0]
        if prefix in found:
            continue
        cache.clear()
        response = client.get(prefix)
        if response.status_code != 200 or not response["Content-Type"].startswith(
            "application/json"
        ):
            continue
        body = response.json()
        items = body.get("results", []) if isinstance(body, dict) else body
        if items and isinstance(items[0], dict):
            item = items[0]
            found[prefix] = {name: item.get(name, item.get("id")) for name in names}
    return found


def _fill(case, values: dict[str, dict[str, Any]]) -> None:
    prefix = case.operation.path.split("{", 1)[0]
    known = values.get(prefix)
    if known and all(v is not None for v in known.values()):
        case.path_parameters = {**(case.path_parameters or {}), **known}


@pytest.fixture(autouse=True)
def _eager_tasks_and_english():
    from django.utils import translation

    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    with translation.override("en"):
        yield
    app.conf.task_always_eager = previous


@pytest.mark.parametrize("role", ROLES)
def test_api_matches_its_schema(world, role, monkeypatch):
    from commission import webhooks

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", _no_dns)
    headers = {"Host": "testserver", **world["headers"][role]}
    staff_values = world["values"]["staff"]
    values = {**staff_values, **world["values"][role]}
    failures: list[str] = []
    requests = 0
    statuses: dict[int, int] = {}
    started = time.monotonic()
    for operation in OPERATIONS:

        @given(case=operation.as_strategy(), real=st.sampled_from([True, True, False]))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
        )
        def run(case, real):
            nonlocal requests
            if real:
                _fill(case, values)
            # Throttles, and the lockout: `ignored_auth` probes each success with a bad token,
            # a failed sign-in of this address; past the limit every request would be a 429.
            cache.clear()
            AccessAttempt.objects.all().delete()
            requests += 1
            response = case.call_and_validate(
                headers=headers, excluded_checks=[positive_data_acceptance]
            )
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        try:
            run()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # every operation's failure is reported
            failures.append(f"{operation.method.upper()} {operation.path} as {role}:\n{exc}")
    print(
        f"\nschema fuzz as {role}: {len(OPERATIONS)} operations, {requests} requests, "
        f"{time.monotonic() - started:.1f}s; answers {dict(sorted(statuses.items()))}"
    )
    assert not failures, "\n\n".join(failures)
