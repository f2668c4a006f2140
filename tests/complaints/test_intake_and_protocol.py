"""Staff intake in the admin (queue, completeness checks that never stop the clocks,
assignment, the recorded steps), the clocks' subject protocol, and the demo."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from commission import services as core_services
from commission.clock_answers import milestone_source_register, recipients_source_register
from commission.models import Clock, Notification
from commission.selectors import clocks_for_subject
from complaints import services
from complaints.models import Case, CourtReview
from tests.factories.complaints import WORKER_CONTACT, WORKER_NAME, case_in_status, file_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(world):
    client = Client()
    client.force_login(world.staff)
    return client


def test_the_intake_queue_lists_new_filings_oldest_first(world, staff_client):
    old = file_case(world, received_days_ago=5)
    new = file_case(world, received_days_ago=1)
    services.intake_check_record(case=file_case(world, received_days_ago=2), actor=world.staff)
    page = staff_client.get("/admin/complaints/case/?intake=new").content.decode()
    assert old.docket_number in page
    assert new.docket_number in page
    assert page.index(old.docket_number) < page.index(new.docket_number)
    assert page.count("C-") >= 2
    assert "Record a paper or emailed filing" in page


def test_completeness_checks_never_touch_the_clocks(world, staff_client):
    case = file_case(world, received_days_ago=3, evidence=[])
    before = list(clocks_for_subject(subject=case).values("kind", "due_at", "status", "trigger_at"))
    response = staff_client.post(
        "/admin/complaints/case/",
        {"action": "record_intake_check", "_selected_action": [case.pk]},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.intake_checked_by == world.staff
    issues = services.intake_check_record(case=case, actor=world.staff, note="Ask for evidence.")
    assert {"no_evidence", "allegation_flagged"} <= set(issues)
    after = list(clocks_for_subject(subject=case).values("kind", "due_at", "status", "trigger_at"))
    assert after == before
    assert case.status == Case.Status.FILED


def test_assignment_from_the_admin_and_the_clock_recipients(world, staff_client):
    case = file_case(world, received_days_ago=3, organization=world.union)
    staff_client.post(
        "/admin/complaints/case/", {"action": "assign_to_me", "_selected_action": [case.pk]}
    )
    assert list(case.assigned_staff.all()) == [world.staff]
    assert case.clock_recipients("staff") == [world.staff]
    parties = {u.username for u in case.clock_recipients("parties")}
    assert {"union.delegate", "union.second"} <= parties
    assert "hro.delegate" not in parties
    assert case.clock_recipients("panel") == []
    response = staff_client.post(
        f"/admin/complaints/case/{case.pk}/act/assign/", {"staff_user": world.member.pk}
    )
    assert response.status_code == 302
    assert set(case.assigned_staff.all()) == {world.staff, world.member}


def test_the_intake_desk_hears_about_unassigned_cases(world):
    case = file_case(world, received_days_ago=3)
    assert case.clock_recipients("staff") == [world.staff]


def test_the_admin_shows_worker_identities_only_to_entitled_staff(world, staff_client):
    case = file_case(world, received_days_ago=3)
    page = staff_client.get(f"/admin/complaints/case/{case.pk}/change/").content.decode()
    assert WORKER_NAME in page
    assert WORKER_CONTACT in page
    # A member who does not sit on the case's panel does not open it at all (ADR 36); those
    # who do read it by pseudonym (tests/hearings/test_confidentiality.py).
    member = Client()
    member.force_login(world.member)
    response = member.get(f"/admin/complaints/case/{case.pk}/change/")
    assert response.status_code in (302, 403)
    assert WORKER_NAME not in response.content.decode()


def test_the_admin_never_adds_changes_or_deletes_a_case(world, staff_client):
    case = file_case(world, received_days_ago=3)
    assert staff_client.get("/admin/complaints/case/add/").status_code == 403
    assert staff_client.get(f"/admin/complaints/case/{case.pk}/delete/").status_code == 403
    response = staff_client.post(
        f"/admin/complaints/case/{case.pk}/change/",
        {"received_at_0": "2020-01-01", "received_at_1": "00:00"},
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.received_at.year != 2020


def test_petition_steps_are_recorded_from_the_admin(world, staff_client):
    petition = case_in_status(world, kind=Case.Kind.PETITION, status=Case.Status.HEARD)
    base = f"/admin/complaints/case/{petition.pk}/act/"
    empty = staff_client.post(f"{base}deny/", {"reasoning": ""})
    assert empty.status_code == 200
    staff_client.post(f"{base}deny/", {"reasoning": "Detailed findings ...", "reference": "OP-1"})
    petition.refresh_from_db()
    assert petition.status == Case.Status.DENIED
    staff_client.post(
        f"{base}court-review/",
        {
            "court": "Court of International Trade",
            "court_case_number": "26-1",
            "grounds": ["ground_criteria_not_most_protective"],
            "filed_on": timezone.localdate().isoformat(),
        },
    )
    review = CourtReview.objects.get()
    staff_client.post(
        f"{base}court-order/",
        {
            "review": review.pk,
            "order": "compel_filing",
            "order_date": timezone.localdate().isoformat(),
            "order_text": "File the complaint.",
            "complainant": world.us_government.pk,
        },
    )
    petition.refresh_from_db()
    assert petition.status == Case.Status.COMPLAINT_FILED
    assert petition.complaints_filed.count() == 1
    complaint = petition.complaints_filed.get()
    wrong_kind = staff_client.get(f"/admin/complaints/case/{complaint.pk}/act/deny/")
    assert wrong_kind.status_code == 404
    staff_client.post(
        f"/admin/complaints/case/{complaint.pk}/act/compliance-statement/",
        {
            "government": world.us_government.pk,
            "statement": "Peru now complies.",
            "received_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        },
    )
    complaint.refresh_from_db()
    assert complaint.compliance_statements.count() == 1
    assert complaint.status == Case.Status.FILED


def test_the_admin_refuses_steps_without_the_permission(world):
    petition = case_in_status(world, kind=Case.Kind.PETITION, status=Case.Status.HEARD)
    outsider = Client()
    world.outsider.is_staff = True
    world.outsider.save()
    outsider.force_login(world.outsider)
    response = outsider.post(f"/admin/complaints/case/{petition.pk}/act/deny/", {"reasoning": "R."})
    assert response.status_code == 403
    petition.refresh_from_db()
    assert petition.status == Case.Status.HEARD


# --- the subject protocol ---------------------------------------------------------------------


def test_milestones_follow_the_case_and_a_higher_layer_may_answer_more(world):
    case = file_case(world, received_days_ago=40)
    assert case.clock_milestone_reached("hearing_scheduled") is False
    assert case.clock_milestone_reached("draft_decision") is False
    services.case_hearing_schedule(
        case=case, scheduled_for=timezone.now() + dt.timedelta(days=7), actor=world.staff
    )
    case.refresh_from_db()
    assert case.clock_milestone_reached("hearing_scheduled") is True

    def draft_ready(*, subject, milestone):
        return milestone == "draft_decision"

    def panel(*, subject, audience):
        return [world.member] if audience == "panel" else []

    unregister_milestone = milestone_source_register(milestone="draft_decision", source=draft_ready)
    unregister_panel = recipients_source_register(audience="panel", source=panel)
    try:
        assert case.clock_milestone_reached("draft_decision") is True
        assert case.clock_recipients("panel") == [world.member]
    finally:
        unregister_milestone()
        unregister_panel()


def test_the_sweep_escalates_an_unscheduled_hearing_and_spares_a_scheduled_one(world):
    at_risk = file_case(world, received_days_ago=50, organization=world.union)
    scheduled = file_case(world, received_days_ago=50)
    services.case_hearing_schedule(
        case=scheduled, scheduled_for=timezone.now() + dt.timedelta(days=3), actor=world.staff
    )
    core_services.clock_sweep()
    notices = Notification.objects.filter(notice__kind="at_risk")
    dockets = set(notices.values_list("notice__clock__docket_number", flat=True))
    assert at_risk.docket_number in dockets
    assert scheduled.docket_number not in dockets


def test_the_sweep_records_a_missed_clock_on_the_public_docket(world, client):
    case = file_case(world, received_days_ago=95)
    core_services.clock_sweep()
    assert set(clocks_for_subject(subject=case).values_list("status", flat=True)) == {
        Clock.Status.MISSED
    }
    page = client.get(f"/complaints/docket/{case.docket_number}/").content.decode()
    assert "Statutory deadline MISSED by the commission" in page


# --- the demo ---------------------------------------------------------------------------------


def test_the_demo_loads_the_peru_scenario_at_three_clock_situations_and_twice_changes_nothing(
    settings,
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Case.objects.count(), Clock.objects.count())
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Case.objects.count(), Clock.objects.count()) == counts
    ours = Case.objects.filter(
        intake_reference__in=[
            "DEMO-2026-UNION-COMPLAINT",
            "DEMO-2026-HRO-PETITION",
            "DEMO-2026-WORKER-COMPLAINT",
        ]
    )
    assert ours.count() == 3
    assert Clock.objects.filter(docket_number__in=ours.values("docket_number")).count() == 6
    union = Case.objects.get(intake_reference="DEMO-2026-UNION-COMPLAINT")
    assert union.kind == "complaint"
    assert union.language == "es"
    summaries = list(union.allegations.order_by("number").values_list("summary", flat=True))
    assert summaries == [
        "Despido de trabajadoras embarazadas",
        "Negativa a reconocer al sindicato mayoritario",
        "Trabajo penitenciario en la cadena de suministro de Northfield Apparel Group",
    ]
    assert union.complainants.get().organization.name.startswith("Sindicato")
    assert {r.kind for r in union.respondents.all()} == {
        "government",
        "government_agency",
        "employer",
        "sector",
        "global_corporation",
    }
    petition = Case.objects.get(intake_reference="DEMO-2026-HRO-PETITION")
    worker = Case.objects.get(intake_reference="DEMO-2026-WORKER-COMPLAINT")
    assert petition.kind == "petition"
    assert petition.status == Case.Status.HEARD
    today = timezone.localdate()
    assert (today - timezone.localtime(worker.received_at).date()).days == 10
    assert (today - timezone.localtime(union.received_at).date()).days == 50
    assert (today - timezone.localtime(petition.received_at).date()).days == 95

    from complaints.selectors import case_deadlines

    def states(case):
        return {d.clock.kind: d.status for d in case_deadlines(case=case)}

    assert states(worker) == {"hearing_by": "running", "decision_by": "running"}
    assert states(union)["hearing_by"] == "at_risk"
    assert union.hearing_scheduled_for is None
    assert states(petition) == {"hearing_by": "met", "decision_by": "overdue"}
    assert worker.complainants.get().public_label == "Worker A"


def test_staff_link_a_respondent_named_by_the_filer_to_the_records(world, staff_client):
    from complaints.services import RespondentInput
    from tests.factories.complaints import filing_input

    case, _code = services.case_file(
        actor=AnonymousUser(),
        filing=filing_input(
            world, respondents=[RespondentInput(kind="employer", name_given="Taller San Martín")]
        ),
    )
    from complaints.selectors import case_completeness

    assert "respondent_not_linked" in {i.code for i in case_completeness(case=case)}
    respondent = case.respondents.get()
    response = staff_client.post(
        f"/admin/complaints/case/{case.pk}/act/link-respondent/",
        {"respondent": respondent.pk, "organization": world.employer.pk},
    )
    assert response.status_code == 302
    respondent.refresh_from_db()
    assert respondent.organization == world.employer
    assert respondent.is_linked


def test_a_window_shows_open_then_closed_never_missed(world):
    from django.db import transaction

    from complaints.selectors import deadline_view

    case = file_case(world, received_days_ago=5)
    with transaction.atomic():
        window = core_services.clock_start(
            subject=case,
            kind=Clock.Kind.WRITTEN_ARGUMENTS_CLOSE,
            trigger_at=timezone.now() - dt.timedelta(days=1),
            days=3,
            legal_basis="Written arguments after the hearing",
            trigger_event="hearing_held",
        )
    assert deadline_view(window, now=window.due_at - dt.timedelta(hours=1)).status == "open"
    assert deadline_view(window, now=window.due_at + dt.timedelta(seconds=1)).status == "closed"
    core_services.clock_sweep(now=window.due_at + dt.timedelta(minutes=1))
    window.refresh_from_db()
    view = deadline_view(window, now=window.due_at + dt.timedelta(days=5))
    assert view.status == "closed"
