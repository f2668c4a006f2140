"""Confidentiality at hearings: members read a case only from their panel seat and by
pseudonym; a public submission's title cannot be used to test a guessed name; attachments
pass the evidence checks and are not served at counted addresses."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from commission import roles
from commission.models import Organization, OrganizationMembership
from hearings import services
from hearings.models import Submission
from tests.factories.commission import OrganizationFactory, PersonFactory
from tests.factories.hearings import WORKER_NAME, user_in
from tests.staff.conftest import login

pytestmark = pytest.mark.django_db


def test_a_member_reads_a_case_only_from_a_panel_seat_and_by_pseudonym(world, seated):
    url = f"/complaints/cases/{seated.docket_number}/"
    on_panel = Client()
    on_panel.force_login(world.members.worker_pe.person.user)
    page = on_panel.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Eleven pregnant workers, among them Worker " in body
    for part in WORKER_NAME.split():
        assert part not in body
    off_panel = Client()
    off_panel.force_login(world.members.jurist_pe.person.user)  # declared, not seated
    assert off_panel.get(url).status_code in (403, 404)
    assert off_panel.get(f"/admin/complaints/case/{seated.pk}/change/").status_code in (
        302,
        403,
    )


def _supporter(hearing, username: str):
    """Any human-rights organization's delegate may register as a supporting organization."""
    user = user_in(roles.FILERS, username)
    org = OrganizationFactory(kind=Organization.Kind.HUMAN_RIGHTS_ORGANIZATION, name=username)
    OrganizationMembership.objects.create(
        organization=org,
        person=PersonFactory(user=user, full_name=username),
        role=OrganizationMembership.Role.DELEGATE,
    )
    participant = services.participant_register(hearing=hearing, organization=org, actor=user)
    return user, participant


def test_a_submission_title_cannot_confirm_a_guessed_name(world, scheduled):
    right_user, right = _supporter(scheduled, "prober.one")
    wrong_user, wrong = _supporter(scheduled, "prober.two")
    surname = WORKER_NAME.split()[-1]
    services.submission_file(
        participant=right,
        kind=Submission.Kind.WRITTEN_EVIDENCE,
        title=f"Statement of {surname.upper()}",
        text="x",
        actor=right_user,
    )
    services.submission_file(
        participant=wrong,
        kind=Submission.Kind.WRITTEN_EVIDENCE,
        title="Statement of Pedro Nadie",
        text="x",
        actor=wrong_user,
    )
    body = Client().get(f"/hearings/{scheduled.pk}/").content.decode()
    assert surname.upper() not in body
    assert "Pedro Nadie" not in body
    assert "Statement of Worker" not in body  # nothing tells a right guess from a wrong one
    assert body.count("(awaiting review)") == 2
    for submission in Submission.objects.filter(hearing=scheduled):
        services.submission_review(submission=submission, actor=world.staff)
    body = Client().get(f"/hearings/{scheduled.pk}/").content.decode()
    assert "Statement of Worker " in body
    assert surname.upper() not in body
    assert "Statement of Pedro Nadie" in body


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<!doctype html><script>alert(1)</script>"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
        ("report.pdf", b"MZ\x90\x00 not a pdf"),
    ],
)
def test_hearing_attachments_pass_the_evidence_checks(world, scheduled, name, content):
    user, participant = _supporter(scheduled, "attacher")
    with pytest.raises(ValidationError):
        services.submission_file(
            participant=participant,
            kind=Submission.Kind.WRITTEN_EVIDENCE,
            title="Annex",
            text="See the annex.",
            upload=SimpleUploadedFile(name, content),
            actor=user,
        )
    assert not Submission.objects.filter(hearing=scheduled).exists()


def test_hearing_attachments_respect_the_size_limit(world, scheduled, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    user, participant = _supporter(scheduled, "big.attacher")
    with pytest.raises(ValidationError, match="too large"):
        services.submission_file(
            participant=participant,
            kind=Submission.Kind.WRITTEN_EVIDENCE,
            title="Annex",
            text="See the annex.",
            upload=SimpleUploadedFile("annex.pdf", b"%PDF-1.4\n" + b"0" * 200),
            actor=user,
        )


def test_an_attachment_is_served_at_its_content_address_only_once_reviewed(world, scheduled):
    user, participant = _supporter(scheduled, "annexer")
    submission = services.submission_file(
        participant=participant,
        kind=Submission.Kind.WRITTEN_EVIDENCE,
        title="Annex",
        text="See the annex.",
        upload=SimpleUploadedFile("annex.pdf", b"%PDF-1.4\n%%EOF\n"),
        actor=user,
    )
    client = Client()
    assert client.get(f"/hearings/submissions/{submission.pk}/").status_code == 404
    address = f"/hearings/submissions/{submission.pk}/{submission.sha256}/"
    assert client.get(address).status_code == 404  # awaiting review
    services.submission_review(submission=submission, actor=world.staff)
    response = client.get(address)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"


def test_members_read_hearing_rows_in_the_admin_only_from_a_seat_and_by_pseudonym(
    world, scheduled, settings
):
    settings.STAFF_TWO_FACTOR = False
    user, participant = _supporter(scheduled, "party.delegate")
    surname = WORKER_NAME.split()[-1]
    submission = services.submission_file(
        participant=participant,
        kind=Submission.Kind.WRITTEN_EVIDENCE,
        title=f"Statement of {surname}",
        text=f"{WORKER_NAME} was dismissed in her fifth month.",
        actor=user,
    )
    on_panel = login(world.members.worker_pe.person.user)
    for url in (
        "/admin/hearings/submission/",
        f"/admin/hearings/submission/{submission.pk}/change/",
    ):
        page = on_panel.get(url)
        assert page.status_code == 200, url
        body = page.content.decode()
        assert "Statement of Worker " in body, url
        for part in WORKER_NAME.split():
            assert part not in body, (url, part)
    assert (
        "was dismissed in her fifth month"
        in on_panel.get(f"/admin/hearings/submission/{submission.pk}/change/").content.decode()
    )

    off_panel = login(world.members.jurist_pe.person.user)  # declared, not seated
    listing = off_panel.get("/admin/hearings/submission/").content.decode()
    assert "Statement of" not in listing
    assert off_panel.get(f"/admin/hearings/submission/{submission.pk}/change/").status_code in (
        302,
        404,
    )
    for model in ("hearing", "panel", "decision", "hearingparticipant"):
        assert (
            str(scheduled.case) not in off_panel.get(f"/admin/hearings/{model}/").content.decode()
        )
