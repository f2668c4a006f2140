"""The hearings app's staff actions in the API that are not steps of a case's page
(hearings/api_staff.py): reviewing a submission before it is public, and a member's
declaration of a standing interest. Each calls the workspace's service, which writes the case
event; the roles it refuses are refused here."""

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from commission.models import CaseEvent
from hearings import services
from hearings.models import MemberInterest, Panel, Submission
from tests.factories import hearings as f


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _submission(world, scheduled, at) -> Submission:
    at(f.day(30))
    p = world.parties
    union = services.participant_register(
        hearing=scheduled, organization=p.union, actor=p.union_user
    )
    return services.submission_file(
        participant=union,
        kind=Submission.Kind.WRITTEN_EVIDENCE,
        title="Payroll records",
        text="Payroll shows the dismissals.",
        upload=SimpleUploadedFile("payroll.csv", b"name,date\nA,2026-01-12\n"),
        actor=p.union_user,
    )


def test_staff_review_a_submission_and_its_filer_may_not(world, scheduled, at):
    submission = _submission(world, scheduled, at)
    url = f"/api/v1/hearing-submissions/{submission.pk}/review/"
    body = {"publish": True, "public_title": "Payroll records"}
    refused = _client(world.parties.union_user).post(url, body, format="json")
    assert refused.status_code == 403
    submission.refresh_from_db()
    assert submission.reviewed_at is None
    case = scheduled.case
    before = CaseEvent.objects.for_subject(case).filter(actor=world.staff).count()
    response = _client(world.staff).post(url, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": submission.pk,
        "number": submission.number,
        "reviewed": True,
        "published": True,
    }
    submission.refresh_from_db()
    assert submission.reviewed_at is not None
    events = CaseEvent.objects.filter(docket_number=case.docket_number, actor=world.staff)
    assert events.count() > before
    assert (
        _client(world.staff)
        .post("/api/v1/hearing-submissions/99999999999/review/", body, format="json")
        .status_code
        == 404
    )


def test_a_member_declares_an_interest_and_a_party_may_not(world, seated, at):
    at(f.day(5))
    m = world.members
    body = {"member": m.jurist_us.pk, "organization": world.parties.buyer.pk, "nature": "financial"}
    refused = _client(world.parties.union_user).post("/api/v1/member-interests/", body)
    assert refused.status_code == 403
    # Another member (who may seat panels) records it only from the member's signed statement.
    unsigned = _client(m.worker_us.person.user).post("/api/v1/member-interests/", body)
    assert unsigned.status_code == 400
    assert "signed statement" in unsigned.json()["detail"]
    assert not MemberInterest.objects.exists()
    response = _client(m.jurist_us.person.user).post("/api/v1/member-interests/", body)
    assert response.status_code == 201, response.content
    assert MemberInterest.objects.get().member == m.jurist_us
    # A tie to a party of a case the member sits on recuses them: the seat's public event.
    seat = Panel.objects.get(case=seated).seats.get(member=m.jurist_us)
    assert seat.vacated_at is not None
    event = CaseEvent.objects.for_subject(seated).get(verb="panel_seat_vacated")
    assert event.is_public
