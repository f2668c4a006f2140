"""Evidence and receipts on S3-compatible object storage (MEDIA_STORAGE=s3), against moto's
server on a local port: every read and write goes through the storage API, nothing lands in
MEDIA_ROOT (the `s3_media` fixture checks), the quarantine works across objects, and the
portal serves the stored bytes. Skipped with the reason where moto is not installed."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from complaints import services, uploads
from complaints.models import Evidence
from tests.factories.complaints import file_case

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _keys(client, bucket: str) -> set[str]:
    listing = client.list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listing.get("Contents", [])}


def _object(client, bucket: str, key: str) -> bytes:
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_evidence_is_an_object_in_the_bucket_and_served_from_it(world, s3_media):
    s3, bucket = s3_media
    draft = services.filing_draft_start()
    evidence = services.evidence_add(
        actor=AnonymousUser(), draft=draft, upload=SimpleUploadedFile("Carta.pdf", PDF)
    )
    assert evidence.file.name.startswith("evidence/")
    assert "Carta" not in evidence.file.name
    assert _keys(s3, bucket) == {evidence.file.name}
    assert _object(s3, bucket, evidence.file.name) == PDF
    with evidence.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == evidence.sha256
    services.evidence_remove(draft=draft, evidence_id=evidence.pk)
    assert _keys(s3, bucket) == set()


def test_a_filing_with_evidence_and_its_receipt_live_in_the_bucket(
    world, s3_media, django_capture_on_commit_callbacks
):
    s3, bucket = s3_media
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(world, language="en", organization=world.union)
    case.refresh_from_db()
    assert case.receipt_pdf.name in _keys(s3, bucket)
    receipt = _object(s3, bucket, case.receipt_pdf.name)
    assert receipt.startswith(b"%PDF")
    assert hashlib.sha256(receipt).hexdigest() == case.receipt_sha256
    # Rendering again stores nothing new: the receipt is rendered once.
    services.receipt_render(case_id=case.pk)
    assert len([k for k in _keys(s3, bucket) if k.startswith("receipts/")]) == 1


def test_the_quarantine_moves_a_clean_file_and_drops_an_infected_one(
    world, s3_media, settings, tmp_path, django_capture_on_commit_callbacks
):
    from tests.complaints.test_uploads import FakeClamd

    s3, bucket = s3_media
    socket_path = str(tmp_path / "clamd.sock")
    clamd = FakeClamd(socket_path)
    settings.CLAMD_SOCKET = socket_path
    try:
        draft = services.filing_draft_start()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            evidence = services.evidence_add(
                actor=AnonymousUser(), draft=draft, upload=SimpleUploadedFile("a.pdf", PDF)
            )
        quarantined = evidence.file.name
        assert quarantined.startswith("quarantine/")
        assert _keys(s3, bucket) == {quarantined}
        with django_capture_on_commit_callbacks(execute=True):
            for callback in callbacks:
                callback()
        evidence.refresh_from_db()
        assert evidence.scan_status == Evidence.ScanStatus.CLEAN
        assert evidence.file.name.startswith("evidence/")
        assert _keys(s3, bucket) == {evidence.file.name}
        assert _object(s3, bucket, evidence.file.name) == PDF
        with django_capture_on_commit_callbacks(execute=True):
            infected = services.evidence_add(
                actor=AnonymousUser(), draft=draft, upload=SimpleUploadedFile("v.txt", EICAR)
            )
        infected.refresh_from_db()
        assert infected.scan_status == Evidence.ScanStatus.INFECTED
        assert _keys(s3, bucket) == {evidence.file.name}
    finally:
        clamd.close()


def test_content_addressed_files_are_stored_once_and_a_tampered_object_is_refused(world, s3_media):
    s3, bucket = s3_media
    checked = uploads.upload_accept(SimpleUploadedFile("s.pdf", PDF))
    first = uploads.content_addressed_store(SimpleUploadedFile("s.pdf", PDF), checked, folder="x")
    again = uploads.content_addressed_store(SimpleUploadedFile("t.pdf", PDF), checked, folder="x")
    assert first == again == uploads.content_address(checked, folder="x")
    assert _keys(s3, bucket) == {first}
    s3.put_object(Bucket=bucket, Key=first, Body=b"%PDF-1.4 forged")
    with pytest.raises(uploads.UploadRejected, match="does not match its hash"):
        uploads.content_addressed_store(SimpleUploadedFile("s.pdf", PDF), checked, folder="x")


def test_staff_download_evidence_of_a_filed_case_from_the_bucket(
    world, s3_media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(world, language="en", organization=world.union)
    evidence = services.evidence_add(
        actor=world.staff, case=case, upload=SimpleUploadedFile("s.pdf", PDF)
    )
    staff = Client()
    staff.force_login(world.staff)
    url = f"/complaints/cases/{case.docket_number}/evidence/{evidence.pk}/"
    response = staff.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
