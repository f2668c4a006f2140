"""Uploads through one door, bounded: a "zip bomb" is refused without being inflated, a
container with too many entries is refused, and the per-filing count limit holds when
uploads arrive in parallel."""

from __future__ import annotations

import io
import threading
import tracemalloc
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from complaints import services, uploads
from complaints.models import Evidence, FilingDraft

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _bomb(inflated: int) -> bytes:
    """A .docx whose [Content_Types].xml inflates to `inflated` bytes (written in chunks)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("[Content_Types].xml", "w", force_zip64=True) as entry:
            chunk = b" " * (1 << 20)
            for _ in range(inflated // len(chunk)):
                entry.write(chunk)
        archive.writestr("word/document.xml", b"<w:document/>")
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_without_inflating_it():
    bomb = _bomb(64 * 1024 * 1024)
    assert len(bomb) < 200_000  # small on the wire
    tracemalloc.start()
    try:
        detected = uploads.detect_type(io.BytesIO(bomb))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert detected is None
    assert peak < 8 * 1024 * 1024, f"sniffing used {peak} bytes"
    with pytest.raises(uploads.UploadRejected):
        uploads.upload_accept(SimpleUploadedFile("statement.docx", bomb))


def test_a_container_with_too_many_entries_is_refused(settings):
    settings.UPLOAD_ZIP_MAX_ENTRIES = 50
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        for i in range(60):
            archive.writestr(f"word/media/{i}.bin", b"x")
    assert uploads.detect_type(io.BytesIO(buffer.getvalue())) is None
    settings.UPLOAD_ZIP_MAX_ENTRIES = 5000
    assert uploads.detect_type(io.BytesIO(buffer.getvalue())) == uploads.DOCX


def test_an_ordinary_document_still_passes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types>" + b" " * 100_000 + b"</Types>")
        archive.writestr("word/document.xml", b"<w:document/>")
    checked = uploads.upload_accept(SimpleUploadedFile("letter.docx", buffer.getvalue()))
    assert checked.type == uploads.DOCX


def test_the_size_cap_is_checked_before_reading(settings):
    class Unreadable(SimpleUploadedFile):
        def read(self, *args, **kwargs):  # pragma: no cover - must not be called
            raise AssertionError("read before the size was checked")

    settings.EVIDENCE_MAX_BYTES = 10
    upload = Unreadable("big.pdf", PDF)
    with pytest.raises(uploads.UploadRejected, match="too large"):
        uploads.upload_accept(upload)


def test_a_stored_file_is_addressed_by_its_content(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("../../etc/statement.PDF", PDF)
    checked = uploads.upload_accept(upload)
    name = uploads.content_addressed_store(upload, checked, folder="hearings/record")
    assert name == f"hearings/record/{checked.sha256[:2]}/{checked.sha256}.pdf"
    again = uploads.content_addressed_store(
        SimpleUploadedFile("other.pdf", PDF), checked, folder="hearings/record"
    )
    assert again == name


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_uploads_never_exceed_the_limit(world, settings):
    settings.EVIDENCE_MAX_FILES = 20
    draft = FilingDraft.objects.create(language="en", data={})
    for i in range(18):
        services.evidence_add(
            actor=AnonymousUser(),
            draft=draft,
            upload=SimpleUploadedFile(f"s{i}.pdf", PDF + str(i).encode()),
        )
    barrier = threading.Barrier(8)
    errors: list[Exception] = []

    def upload(i: int) -> None:
        try:
            barrier.wait()
            services.evidence_add(
                actor=AnonymousUser(),
                draft=draft,
                upload=SimpleUploadedFile(f"p{i}.pdf", PDF + f"p{i}".encode()),
            )
        except ValidationError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Evidence.objects.filter(draft=draft).count() == 20
    assert len(errors) == 6
