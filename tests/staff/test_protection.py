"""No one — the superuser included — deletes a case, a decision, an opinion, a sanction, a
clock or a case event from the admin; the hearings' add pages lead to the case's steps; a
member declares their own interests through the service."""

from unittest import mock

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from commission.models import CaseEvent, Clock
from complaints.models import Case
from hearings import models as h
from hearings import services
from hearings.models import MemberInterest
from sanctions import models as sm
from tests.factories import hearings as f

from .conftest import login

PROTECTED = [
    Case,
    h.Decision,
    h.Opinion,
    sm.SanctionSpecification,
    sm.SanctionOrder,
    sm.BenchmarkVerification,
    sm.LiftNotice,
    sm.LiftHearing,
    sm.LiftDetermination,
    sm.SanctionWaiver,
    Clock,
    CaseEvent,
    h.Panel,
    h.Hearing,
    h.OpinionRender,
    h.ConflictDeclaration,
    h.MemberInterest,
    h.GovernmentConsultation,
    h.HearingRecordItem,
]


@pytest.mark.parametrize("model", PROTECTED, ids=lambda m: m.__name__)
def test_nobody_deletes_a_protected_record(superuser, model):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = superuser.user
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)
    opts = model._meta
    url = f"/admin/{opts.app_label}/{opts.model_name}/1/delete/"
    assert superuser.get(url).status_code == 403
    assert superuser.post(url, {"post": "yes"}).status_code == 403


HEARINGS_ADDS = [
    "hearings.panel",
    "hearings.hearing",
    "hearings.decision",
    "sanctions.sanctionspecification",
    "hearings.opinion",
]


@pytest.mark.parametrize("model_label", HEARINGS_ADDS)
def test_hearings_add_pages_lead_to_the_cases_steps(superuser, model_label):
    app_label, model_name = model_label.split(".")
    response = superuser.get(f"/admin/{app_label}/{model_name}/add/", follow=True)
    assert response.redirect_chain[-1][0] == "/admin/complaints/case/"
    assert "recorded from the page of their case" in response.content.decode()


def test_a_member_declares_their_own_interest_through_the_service(world):
    chair_member = world.members.jurist_us
    client = login(chair_member.person.user)
    other = world.members.jurist_pe
    data = {"organization": world.parties.employer.pk, "nature": "employment", "description": ""}
    page = client.get("/admin/hearings/memberinterest/add/")
    assert page.status_code == 200
    with mock.patch.object(
        services, "member_interest_declare", wraps=services.member_interest_declare
    ) as spy:
        response = client.post(
            "/admin/hearings/memberinterest/add/", {**data, "member": chair_member.pk}
        )
    assert response.status_code == 302, response.content[:400]
    assert spy.call_count == 1
    assert spy.call_args.kwargs["actor"] == chair_member.person.user
    interest = MemberInterest.objects.get()
    assert interest.member == chair_member
    assert CaseEvent.objects.filter(verb="interest_declared").count() == 1
    refused = client.post("/admin/hearings/memberinterest/add/", {**data, "member": other.pk})
    assert refused.status_code == 200
    assert MemberInterest.objects.count() == 1


def test_bulk_actions_run_the_service_case_by_case_and_summarise_refusals(world, case, at, staff):
    from complaints import services as complaints_services

    from .test_dashboard_and_lists import more_cases

    at(f.day(2))
    other = more_cases(world, 1)[0]
    real = complaints_services.intake_check_record
    calls = []

    def refuse_the_first(*, case, actor, **kwargs):
        calls.append(case.pk)
        if case.pk == other.pk:
            raise ValidationError("Not today.")
        return real(case=case, actor=actor, **kwargs)

    with mock.patch.object(complaints_services, "intake_check_record", refuse_the_first):
        response = staff.post(
            "/admin/complaints/case/",
            {"action": "record_intake_check", "_selected_action": [case.pk, other.pk]},
            follow=True,
        )
    assert sorted(calls) == sorted([case.pk, other.pk])
    shown = [str(m) for m in response.context["messages"]]
    assert "1 intake check(s) recorded. The clocks run regardless." in shown
    assert f"1 refused — {other.docket_number}: Not today." in shown
    case.refresh_from_db()
    other.refresh_from_db()
    assert case.intake_checked_at is not None
    assert other.intake_checked_at is None
