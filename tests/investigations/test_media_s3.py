"""Interview files on S3-compatible object storage (MEDIA_STORAGE=s3), against moto's server
on a local port: the bucket holds only the encrypted bytes, under their content address; the
file is read back with the grant, and an object altered in the bucket is refused. Nothing lands
in MEDIA_ROOT (the `s3_media` fixture checks). Skipped with the reason where moto is absent."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from investigations import services
from tests.factories.investigations import INTERVIEWEE, STATEMENT, open_agency_monitoring

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

SCAN = b"%PDF-1.4\n% signed statement of the worker\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_interview_file_is_sealed_in_the_bucket_and_read_back(tw, s3_media):
    s3, bucket = s3_media
    interview = services.interview_record(
        investigation=open_agency_monitoring(tw),
        held_on=timezone.localdate(),
        place_description="Union hall, Ate",
        off_premises=True,
        interviewee_name=INTERVIEWEE,
        statement=STATEMENT,
        actor=tw.rep,
    )
    row = services.interview_file_add(
        interview=interview,
        upload=SimpleUploadedFile("statement.pdf", SCAN, content_type="application/pdf"),
        kind="scan",
        actor=tw.rep,
    )
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {row.stored_as}
    sealed = s3.get_object(Bucket=bucket, Key=row.stored_as)["Body"].read()
    assert b"signed statement" not in sealed
    assert row.stored_as.endswith(f"{hashlib.sha256(sealed).hexdigest()}.bin")
    assert services.interview_file_read(file=row, user=tw.rep, door="test").data == SCAN
    # The same bytes again: the sealed object differs (Fernet is randomised), a second object.
    again = services.interview_file_add(
        interview=interview,
        upload=SimpleUploadedFile("statement.pdf", SCAN, content_type="application/pdf"),
        kind="scan",
        actor=tw.rep,
    )
    assert again.stored_as != row.stored_as
    s3.put_object(Bucket=bucket, Key=row.stored_as, Body=b"altered")
    with pytest.raises(ValidationError, match="does not match its address"):
        services.interview_file_read(file=row, user=tw.rep, door="test")
