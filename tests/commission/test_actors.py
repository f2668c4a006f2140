"""The one actor convention: `None` is never an actor, SYSTEM passes only where admitted."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from commission.actors import SYSTEM, actor_require, actor_user
from commission.transitions import status_transition
from complaints import services as complaints_services


def test_none_is_refused_as_an_actor():
    with pytest.raises(TypeError, match="actor is required"):
        actor_require(None, "complaints.assign_case")
    with pytest.raises(TypeError, match="actor is required"):
        actor_require(None, "complaints.assign_case", system_allowed=True)


def test_system_passes_only_where_admitted():
    actor_require(SYSTEM, "complaints.assign_case", system_allowed=True)
    with pytest.raises(PermissionDenied):
        actor_require(SYSTEM, "complaints.assign_case")


def test_an_anonymous_visitor_holds_no_permission():
    with pytest.raises(PermissionDenied):
        actor_require(AnonymousUser(), "complaints.assign_case")
    assert actor_user(AnonymousUser()) is None
    assert actor_user(SYSTEM) is None


def test_complaints_services_require_an_actor():
    with pytest.raises(TypeError):
        complaints_services.case_assign(case=None, staff_user=None)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="actor is required"):
        complaints_services.case_assign(case=None, staff_user=None, actor=None)  # type: ignore[arg-type]


class _Thing:
    TRANSITIONS = {"draft": {"open"}, "open": {"closed"}}
    status = "draft"

    def get_status_display(self) -> str:
        return self.status


def test_status_transition_applies_the_table():
    thing = _Thing()
    assert status_transition(thing, "open", refusal="no") == "draft"
    assert thing.status == "open"
    with pytest.raises(ValidationError, match="no") as refused:
        status_transition(thing, "draft", refusal="no")
    assert refused.value.code == "transition_refused"
    assert thing.status == "open"
