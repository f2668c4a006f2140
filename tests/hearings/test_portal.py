import datetime as dt

import pytest

from commission.actors import SYSTEM
from hearings import receivers, services
from hearings.models import HearingParticipant, Submission
from tests.factories import hearings as f


def test_a_delegate_registers_and_files_through_the_portal(world, scheduled, client, at):
    at(f.day(30))
    p = world.parties
    client.force_login(p.union_user)
    page = client.get(f"/hearings/{scheduled.pk}/participate/")
    assert page.status_code == 200
    response = client.post(
        f"/hearings/{scheduled.pk}/participate/",
        {"organization": p.union.pk, "presents_evidence": "on"},
    )
    assert response.status_code == 302
    participant = HearingParticipant.objects.get(hearing=scheduled, organization=p.union)
    response = client.post(
        f"/hearings/{scheduled.pk}/submit/",
        {
            "participant": participant.pk,
            "kind": "written_evidence",
            "title": "Payroll",
            "text": "The payroll shows the dismissals.",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    assert Submission.objects.filter(hearing=scheduled, title="Payroll").exists()
    # A refusal comes back as a form error, nothing saved.
    at(f.day(50, 10))
    client.force_login(p.union_user)  # the session of day 30 has expired
    response = client.post(
        f"/hearings/{scheduled.pk}/submit/",
        {"participant": participant.pk, "kind": "written_argument", "title": "Late", "text": "x"},
    )
    assert response.status_code == 200
    assert "before the hearing" in response.content.decode()
    assert not Submission.objects.filter(title="Late").exists()


def test_hearing_pages_are_public(world, scheduled, client):
    listing = client.get("/hearings/").content.decode()
    assert scheduled.case.docket_number in listing
    detail = client.get(f"/hearings/{scheduled.pk}/").content.decode()
    assert "Eleanor Whitfield" in detail
    assert "https://hearings.example.org/pe-2026" in detail
    assert client.get(f"/hearings/{scheduled.pk}/participate/").status_code == 302  # login


def test_the_clocks_ask_hearings_about_the_panel_and_the_draft(world, heard, at):
    case = heard.case
    panel_users = case.clock_recipients("panel")
    assert {u.username for u in panel_users} == {"chair", "worker.pe", "worker.us"}
    assert [u.username for u in case.clock_recipients("chair")] == ["chair"]
    assert case.clock_milestone_reached("draft_decision") is False
    at(f.day(70))
    decision = services.decision_open(case=case, actor=SYSTEM)
    assert receivers.milestone_reached(subject=case, milestone="draft_decision") is False
    f.findings_complete(decision, world.criteria)
    assert case.clock_milestone_reached("draft_decision") is True


@pytest.mark.parametrize("language", ["en", "es"])
def test_pages_render_in_both_languages(world, scheduled, client, language):
    client.cookies["django_language"] = language
    body = client.get("/hearings/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert ("Próximas audiencias" in body) == (language == "es")


def test_the_window_of_a_late_hearing_must_still_close_before_day_90(world, seated, at):
    """A hearing held late (after day 60) cannot open a window running past the decision
    deadline: the default 14 days is refused, a shorter window fits."""
    at(f.day(20))
    hearing = f.hearing_schedule(seated, when=f.day(59, 9))
    at(f.day(80, 12))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="must close before"):
        services.hearing_record_held(hearing=hearing, held_at=f.day(80, 9), actor=SYSTEM)
    held = services.hearing_record_held(
        hearing=hearing, held_at=f.day(80, 9), written_arguments_days=5, actor=SYSTEM
    )
    assert held.held_at == f.day(80, 9)
    assert held.held_at.date() == (f.FILED_AT + dt.timedelta(days=80)).date()
