"""Files carried by an interview (audio, scans): through the one upload door, encrypted at
rest under a content address, opened only with the interview's explicit grant, every opening
logged, never on a public page, the API or the admin."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from commission.integrity import IntegrityRefused
from commission.models import CaseEvent
from investigations import services
from investigations.models import ConfidentialAccess, InterviewFile
from tests.factories.commission import UserFactory
from tests.factories.investigations import INTERVIEWEE, STATEMENT, open_agency_monitoring

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.4\n% signed statement of the worker\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NAME = "rosa-condori-statement.pdf"


def _interview(tw):
    investigation = open_agency_monitoring(tw)
    return services.interview_record(
        investigation=investigation,
        held_on=timezone.localdate(),
        place_description="Union hall, Ate",
        off_premises=True,
        interviewee_name=INTERVIEWEE,
        statement=STATEMENT,
        actor=tw.rep,
    )


def _scan(name: str = NAME, data: bytes = SCAN) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_a_file_is_encrypted_at_rest_and_opened_only_with_the_grant(tw):
    interview = _interview(tw)
    row = services.interview_file_add(
        interview=interview, upload=_scan(), kind="scan", actor=tw.rep
    )
    assert row.sha256 == hashlib.sha256(SCAN).hexdigest()
    assert row.mime_type == "application/pdf"
    stored = (Path(settings.MEDIA_ROOT) / row.stored_as).read_bytes()
    assert SCAN not in stored
    assert b"signed statement" not in stored
    assert row.stored_as.endswith(f"{hashlib.sha256(stored).hexdigest()}.bin")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT original_name FROM investigations_interviewfile WHERE id = %s", [row.pk]
        )
        assert "rosa" not in cursor.fetchone()[0]
    content = services.interview_file_read(file=row, user=tw.rep, door="test")
    assert content.data == SCAN
    assert content.name == NAME
    assert ConfidentialAccess.objects.filter(user=tw.rep, what=f"file {row.pk}").count() == 1
    boss = UserFactory(username="root", is_superuser=True, is_staff=True)
    for user in (tw.lead, tw.base.staff, tw.other_lead, boss):
        with pytest.raises(PermissionDenied):
            services.interview_file_read(file=row, user=user, door="test")
    services.interview_access_grant(
        interview=interview, user=tw.base.staff, reason="Hearing preparation", actor=tw.lead
    )
    assert services.interview_file_read(file=row, user=tw.base.staff, door="test").data == SCAN
    assert ConfidentialAccess.objects.filter(what=f"file {row.pk}").count() == 2
    assert not any(NAME in str(e.data) for e in CaseEvent.objects.all())
    assert CaseEvent.objects.filter(verb="interview_file_added").count() == 1


def test_a_file_is_never_replaced_or_deleted(tw):
    interview = _interview(tw)
    row = services.interview_file_add(
        interview=interview, upload=_scan(), kind="scan", actor=tw.rep
    )
    with pytest.raises(IntegrityRefused):
        row.delete()
    row.sha256 = "0" * 64
    with pytest.raises(IntegrityRefused):
        row.save()


def test_only_readers_of_the_interview_add_files_through_the_upload_door(tw):
    interview = _interview(tw)
    with pytest.raises(PermissionDenied):  # on the team, without the grant
        services.interview_file_add(interview=interview, upload=_scan(), kind="scan", actor=tw.lead)
    with pytest.raises(PermissionDenied):
        services.interview_file_add(
            interview=interview, upload=_scan(), kind="scan", actor=tw.other_lead
        )
    with pytest.raises(ValidationError, match="not accepted"):
        services.interview_file_add(
            interview=interview,
            upload=SimpleUploadedFile("x.html", b"<html><script>alert(1)</script></html>"),
            kind="scan",
            actor=tw.rep,
        )
    with pytest.raises(ValidationError, match="does not match its content"):
        services.interview_file_add(
            interview=interview, upload=_scan(name="scan.mp3"), kind="audio", actor=tw.rep
        )
    assert not InterviewFile.objects.exists()


def test_the_portal_uploads_and_serves_files_to_grant_holders_only(client, tw):
    interview = _interview(tw)
    page = reverse("investigations:interview", args=[interview.pk])
    client.force_login(tw.rep)
    response = client.post(
        reverse("investigations:interview-file-new", args=[interview.pk]),
        {"kind": "scan", "upload": _scan()},
    )
    assert response.status_code == 302
    row = InterviewFile.objects.get()
    html = client.get(page).content.decode()
    assert NAME in html
    download = client.get(reverse("investigations:interview-file", args=[row.pk]))
    assert download.status_code == 200
    assert download.content == SCAN
    assert download["Content-Disposition"].startswith("attachment;")
    assert "rosa" not in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]
    client.force_login(tw.lead)  # on the team, without the grant
    assert NAME not in client.get(page).content.decode()
    assert client.get(reverse("investigations:interview-file", args=[row.pk])).status_code == 403
    refused = client.post(
        reverse("investigations:interview-file-new", args=[interview.pk]),
        {"kind": "scan", "upload": _scan()},
    )
    assert refused.status_code == 403
    client.force_login(tw.other_lead)
    assert client.get(reverse("investigations:interview-file", args=[row.pk])).status_code == 404
    client.logout()
    anonymous = client.get(reverse("investigations:interview-file", args=[row.pk]))
    assert anonymous.status_code == 302
    assert InterviewFile.objects.count() == 1
    assert ConfidentialAccess.objects.filter(what=f"file {row.pk}").count() == 1


def test_files_never_reach_the_admin_or_the_api(client, tw):
    interview = _interview(tw)
    row = services.interview_file_add(
        interview=interview, upload=_scan(), kind="scan", actor=tw.rep
    )
    tw.base.staff.is_staff = True
    tw.base.staff.save()
    client.force_login(tw.base.staff)
    admin_page = client.get(reverse("admin:investigations_interview_change", args=[interview.pk]))
    assert NAME not in admin_page.content.decode()
    assert row.stored_as not in admin_page.content.decode()
    assert client.get(f"/admin/investigations/interviewfile/{row.pk}/change/").status_code == 404
    from tests.investigations.test_api import client_for

    api = client_for(tw.rep).get(f"/api/v1/interviews/{interview.pk}/")
    assert api.status_code == 200
    assert NAME not in api.content.decode()
    assert row.stored_as not in api.content.decode()
