"""Reasoned opinions on S3-compatible object storage (MEDIA_STORAGE=s3), against moto's server
on a local port: the render stores the PDF under its content address in the bucket, the
register serves it only while its bytes match, and `verify_files` checks the bucket. Nothing
lands in MEDIA_ROOT (the `s3_media` fixture checks). Skipped with the reason where moto is not
installed."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from commission.actors import SYSTEM
from commission.models import CaseEvent
from hearings.models import Opinion

pytestmark = pytest.mark.s3


@pytest.fixture
def issued_on_s3(s3_media, world, heard, at, django_capture_on_commit_callbacks):
    from hearings import services
    from tests.factories import hearings as f

    at(f.day(70))
    decision = services.decision_open(case=heard.case, actor=SYSTEM)
    f.findings_complete(decision, world.criteria)
    f.sanctions_complete(decision, world.parties)
    at(f.day(85, 11))
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_issue(decision=decision, actor=SYSTEM)
    return Opinion.objects.get(decision=decision)


def test_the_opinion_is_rendered_into_the_bucket_under_its_hash(issued_on_s3, s3_media, client):
    s3, bucket = s3_media
    opinion = issued_on_s3
    assert opinion.file.name == f"opinions/{opinion.sha256[:2]}/{opinion.sha256}.pdf"
    stored = s3.get_object(Bucket=bucket, Key=opinion.file.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == opinion.sha256
    response = client.get(f"/hearings/opinions/{opinion.sha256}.pdf")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert hashlib.sha256(body).hexdigest() == opinion.sha256
    out = io.StringIO()
    call_command("verify_files", stdout=out)
    assert "match their registered SHA-256" in out.getvalue()


def test_an_object_overwritten_in_the_bucket_is_never_served(
    issued_on_s3, s3_media, client, django_capture_on_commit_callbacks
):
    s3, bucket = s3_media
    opinion = issued_on_s3
    forged = b"%PDF-1.7\n% a forged opinion\n"
    s3.put_object(Bucket=bucket, Key=opinion.file.name, Body=forged)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/hearings/opinions/{opinion.sha256}.pdf")
    assert response.status_code == 503
    assert forged not in response.content
    events = CaseEvent.objects.for_subject(opinion.decision.case).filter(
        verb="opinion_file_mismatch"
    )
    assert events.get().data["found"] == hashlib.sha256(forged).hexdigest()
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of"):
        call_command("verify_files", stderr=err)
    assert opinion.reference in err.getvalue()


def test_an_object_deleted_from_the_bucket_is_reported_missing(issued_on_s3, s3_media, client):
    s3, bucket = s3_media
    opinion = issued_on_s3
    s3.delete_object(Bucket=bucket, Key=opinion.file.name)
    assert client.get(f"/hearings/opinions/{opinion.sha256}.pdf").status_code == 503
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_files", stderr=err)
    assert "missing" in err.getvalue()
