import hashlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from hearings import services
from hearings.models import Corrigendum, Opinion
from tests.factories import hearings as f


def test_editing_an_issued_opinion_is_refused(issued):
    """Must hold: an issued opinion is never edited — by the model, the queryset or SQL."""
    issued.page_count = 1
    with pytest.raises(ValidationError, match=re.escape("hearings.Opinion.page_count:frozen")):
        issued.save()
    with pytest.raises(ValidationError, match=re.escape("hearings.Opinion.page_count:frozen")):
        Opinion.objects.filter(pk=issued.pk).update(page_count=1)
    with pytest.raises(ValidationError, match=re.escape("hearings.Opinion:no_delete")):
        issued.delete()
    with (
        pytest.raises(Exception, match=re.escape("hearings.Opinion.sha256:frozen")),
        transaction.atomic(),
    ):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE hearings_opinion SET sha256 = %s WHERE id = %s", ["0" * 64, issued.pk]
            )
    issued.refresh_from_db()
    assert issued.page_count > 1


def test_a_correction_is_a_linked_corrigendum(
    world, issued, at, django_capture_on_commit_callbacks
):
    at(f.day(88))
    original = (issued.sha256, issued.file.read())
    with django_capture_on_commit_callbacks(execute=True):
        render = services.corrigendum_issue(
            opinion=issued,
            corrections=[
                {"where": "Finding 2", "reads": "64%", "should_read": "61% of the workers"}
            ],
            reason="Clerical error in a percentage.",
            actor=world.staff,
        )
    render.refresh_from_db()
    assert render.status == "done", render.error
    corrigendum = Corrigendum.objects.get(opinion=issued)
    issued_as = corrigendum.issued_as
    assert issued_as.kind == Opinion.Kind.CORRIGENDUM
    assert issued_as.reference == f"{issued.reference}-C1"
    assert issued_as.sha256 != issued.sha256
    issued.refresh_from_db()
    assert (issued.sha256, issued.file.read()) == original
    from tests.hearings.pdf import pdf_text

    text = " ".join(pdf_text(issued_as.file.read()).split())
    assert issued.sha256 in "".join(text.split())
    assert "61% of the workers" in text


def test_verification_by_upload_and_by_hash(world, issued, client):
    data = issued.file.read()
    page = client.post("/hearings/opinions/verify/", {"pdf": _upload(data)})
    assert page.status_code == 200
    assert "Registered." in page.content.decode()
    assert issued.reference in page.content.decode()
    altered = data + b"\n%% appended\n"
    page = client.post("/hearings/opinions/verify/", {"pdf": _upload(altered)})
    assert "Not in the register." in page.content.decode()
    api = client.post("/api/v1/opinions/verify/", {"sha256": issued.sha256})
    assert api.status_code == 200
    assert api.json()["registered"] is True
    api = client.post("/api/v1/opinions/verify/", {"sha256": hashlib.sha256(b"x").hexdigest()})
    assert api.json()["registered"] is False
    api = client.post("/api/v1/opinions/verify/", {"sha256": "nothex"})
    assert api.status_code == 400
    pdf = client.get(f"/hearings/opinions/{issued.sha256}.pdf")
    assert pdf.status_code == 200
    assert hashlib.sha256(pdf.content).hexdigest() == issued.sha256


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("opinion.pdf", data, content_type="application/pdf")


def test_public_pages_and_api_redact_identities(
    world, issued, client, django_assert_max_num_queries
):
    for url in (
        "/hearings/",
        "/hearings/decisions/",
        "/hearings/opinions/",
        f"/hearings/decisions/{issued.decision_id}/",
        f"/api/v1/decisions/{issued.decision_id}/",
        "/api/v1/decisions/",
        "/api/v1/opinions/",
        "/api/v1/hearings/",
        f"/hearings/{issued.decision.case.hearing.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert f.WORKER_NAME not in body, url
        assert "+51 999" not in body, url
    detail = client.get(f"/hearings/decisions/{issued.decision_id}/").content.decode()
    assert world.criteria.pregnancy_v2.identifier in detail
    assert issued.sha256 in detail
    with django_assert_max_num_queries(12):
        client.get("/api/v1/opinions/")
    with django_assert_max_num_queries(12):
        client.get("/api/v1/decisions/")


def test_no_api_writes_to_panels_or_decisions(world, issued, client):
    assert client.post("/api/v1/decisions/", {}).status_code in (403, 405)
    assert client.post("/api/v1/hearings/", {}).status_code in (403, 405)
    assert client.delete(f"/api/v1/opinions/{issued.sha256}/").status_code in (403, 405)


# --- the bytes served are the bytes registered ----------------------------------------------


def _overwrite(opinion, data: bytes) -> None:
    with open(opinion.file.path, "wb") as handle:
        handle.write(data)


def test_an_opinion_is_served_with_its_registered_hash(issued, client):
    response = client.get(f"/hearings/opinions/{issued.sha256}.pdf")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == issued.sha256
    assert response["X-Content-SHA256"] == issued.sha256


def test_an_overwritten_opinion_file_is_never_served(
    world, issued, client, django_capture_on_commit_callbacks
):
    """Must hold: a PDF overwritten in storage is not served under its registered SHA-256;
    the reader gets a clear error, staff are told and the case record says so."""
    from commission.models import CaseEvent, Notification

    altered = b"%PDF-1.7\n% a forged opinion\n"
    _overwrite(issued, altered)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(f"/hearings/opinions/{issued.sha256}.pdf")
    assert page.status_code == 503
    assert altered not in page.content
    assert b"does not match its registered SHA-256" in page.content
    api = client.get(f"/hearings/opinions/{issued.sha256}.pdf", HTTP_ACCEPT="application/json")
    assert api.status_code == 503
    assert api.json()["reference"] == issued.reference
    assert "not served" in api.json()["detail"]
    case = issued.decision.case
    events = CaseEvent.objects.for_subject(case).filter(verb="opinion_file_mismatch")
    assert events.count() == 1  # once, however many readers retry
    assert events.get().data["found"] == hashlib.sha256(altered).hexdigest()
    assert Notification.objects.filter(subject_line__contains="altered").exists()
    # Spanish readers get the message in Spanish.
    es = client.get(f"/hearings/opinions/{issued.sha256}.pdf", HTTP_ACCEPT_LANGUAGE="es")
    assert es.status_code == 503


def test_a_missing_opinion_file_is_reported_not_served(issued, client):
    import os

    os.remove(issued.file.path)
    response = client.get(f"/hearings/opinions/{issued.sha256}.pdf")
    assert response.status_code == 503


def test_verify_files_names_every_mismatch(world, issued):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("verify_files", stdout=out)
    assert "match" in out.getvalue()
    _overwrite(issued, b"tampered")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of"):
        call_command("verify_files", stderr=err)
    assert issued.reference in err.getvalue()
    assert hashlib.sha256(b"tampered").hexdigest() in err.getvalue()
