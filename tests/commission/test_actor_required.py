"""One actor convention across the hearings and investigations services: every service that
acts for someone (and the sanctions a panel specifies) takes a required, keyword-only `actor`, and `None` is refused before anything
is read or written — never read as the system. Background work passes `SYSTEM` explicitly
(its callers are tested with the rules they run: the render task and sweep, the panel refill,
the investigation opened for a complaint, the escalation of a failed order)."""

from __future__ import annotations

import inspect
from unittest import mock

import pytest

from commission.models import CaseEvent
from hearings import citations
from hearings import services as hearings_services
from investigations import services as investigations_services
from sanctions import services as sanctions_services

pytestmark = pytest.mark.django_db


def _services_taking_an_actor():
    found = []
    for module in (hearings_services, investigations_services, citations):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            home = fn.__module__
            if name.startswith("_") or not (
                home == module.__name__ or home.startswith(module.__name__ + ".")
            ):
                continue
            if "actor" in inspect.signature(fn).parameters:
                found.append(pytest.param(fn, id=f"{module.__name__}.{name}"))
    return found


SERVICES = [
    *_services_taking_an_actor(),
    # The sanctions a panel specifies in its draft decision (sanctions.services).
    pytest.param(sanctions_services.sanction_specify, id="sanctions.services.sanction_specify"),
    pytest.param(sanctions_services.sanction_remove, id="sanctions.services.sanction_remove"),
]


def test_the_list_covers_the_services():
    names = {p.id.rsplit(".", 1)[1] for p in SERVICES}
    assert {"decision_issue", "panel_select", "submission_file", "investigation_open"} <= names
    assert len(SERVICES) > 40


@pytest.mark.parametrize("service", SERVICES)
def test_actor_is_a_required_keyword(service):
    actor = inspect.signature(service).parameters["actor"]
    assert actor.kind is inspect.Parameter.KEYWORD_ONLY
    assert actor.default is inspect.Parameter.empty


@pytest.mark.parametrize("service", SERVICES)
def test_a_missing_actor_is_refused_before_anything_happens(service):
    params = inspect.signature(service).parameters
    kwargs = {
        name: mock.MagicMock(name=name)
        for name, p in params.items()
        if name != "actor" and p.default is inspect.Parameter.empty
    }
    before = CaseEvent.objects.count()
    with pytest.raises(TypeError, match="actor is required"):
        service(**kwargs, actor=None)
    assert CaseEvent.objects.count() == before
