"""Evidence: the allow-list judged by content, clean names, the size limit, the SHA-256, the
quarantine and the clamd scan (against a stand-in clamd speaking the real protocol)."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import struct
import threading
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints import services, uploads
from complaints.models import Evidence
from complaints.tasks import evidence_scan

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
DOCM = _zip(
    {
        "[Content_Types].xml": b"<Types>application/vnd.ms-word.document.macroEnabled</Types>",
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"macro",
    }
)
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("statement.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.JPG", JPEG, "image/jpeg"),
        ("notes.txt", "Despidos en marzo — 14 trabajadoras.\n".encode(), "text/plain"),
        ("letter.docx", DOCX, uploads.DOCX.mime),
        ("letter.odt", ODT, uploads.ODT.mime),
        ("testimony.mp3", b"ID3\x03\x00" + b"\x00" * 40, "audio/mpeg"),
        ("video.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40, "video/mp4"),
    ],
)
def test_allowed_types_are_recognized_by_content(name, content, mime):
    checked = uploads.check_upload(io.BytesIO(content), name=name, size=len(content))
    assert checked.type.mime == mime
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evidence.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60),  # a Windows executable
        ("evidence.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 60),  # a Linux executable
        ("page.txt", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("image.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("run.txt", b"#!/bin/sh\nrm -rf /\n"),
        ("macro.docx", DOCM),
        ("archive.zip", _zip({"a.txt": b"x"})),
        ("binary.txt", b"abc\x00def"),
    ],
)
def test_other_content_is_refused_whatever_its_name(name, content):
    with pytest.raises(uploads.UploadRejected, match="not accepted"):
        uploads.check_upload(io.BytesIO(content), name=name, size=len(content))


@pytest.mark.parametrize(("name", "content"), [("photo.pdf", PNG), ("statement.png", PDF)])
def test_a_name_that_does_not_match_the_content_is_refused(name, content):
    with pytest.raises(uploads.UploadRejected, match="does not match its content"):
        uploads.check_upload(io.BytesIO(content), name=name, size=len(content))


def test_size_limits(settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(uploads.UploadRejected, match="too large"):
        uploads.check_upload(io.BytesIO(big), name="big.pdf", size=len(big))
    with pytest.raises(uploads.UploadRejected, match="empty"):
        uploads.check_upload(io.BytesIO(b""), name="empty.pdf", size=0)


@pytest.mark.parametrize(
    ("given", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\ana\\Desktop\\carta.PDF", "carta.pdf"),
        ("informe de despidos (marzo).pdf", "informe de despidos (marzo).pdf"),
        ("..hidden.txt", "hidden.txt"),
        ("a;rm -rf *|b.txt", "a_rm -rf _b.txt"),
        ("name\x00with\x1fcontrol.pdf", "namewithcontrol.pdf"),
        ("<script>.txt", "script.txt"),
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
        ("", "evidence"),
        ("niño_ñandú.pdf", "niño_ñandú.pdf"),
    ],
)
def test_file_names_are_sanitized(given, clean):
    assert uploads.sanitize_filename(given) == clean


# --- stored evidence ---------------------------------------------------------------------


@pytest.mark.django_db
def test_evidence_is_stored_under_media_root_with_a_random_name_and_its_hash(world, settings):
    draft = services.filing_draft_start()
    upload = SimpleUploadedFile("Carta de despido.pdf", PDF, content_type="text/html")
    evidence = services.evidence_add(
        actor=AnonymousUser(), draft=draft, upload=upload, description="Carta"
    )
    assert evidence.original_name == "Carta de despido.pdf"
    assert evidence.content_type == "application/pdf"  # from the content, not the browser
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.scan_status == Evidence.ScanStatus.NOT_SCANNED
    path = Path(evidence.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT) / "evidence")
    assert "Carta" not in path.name
    assert path.read_bytes() == PDF
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)


@pytest.mark.django_db
def test_a_draft_carries_a_limited_number_of_files(world, settings):
    settings.EVIDENCE_MAX_FILES = 2
    draft = services.filing_draft_start()
    for i in range(2):
        services.evidence_add(
            actor=AnonymousUser(), draft=draft, upload=SimpleUploadedFile(f"{i}.pdf", PDF)
        )
    with pytest.raises(ValidationError, match="at most 2 files"):
        services.evidence_add(
            actor=AnonymousUser(), draft=draft, upload=SimpleUploadedFile("3.pdf", PDF)
        )


@pytest.mark.django_db
def test_a_refused_upload_stores_nothing(world, settings):
    draft = services.filing_draft_start()
    with pytest.raises(ValidationError, match="not accepted"):
        services.evidence_add(
            actor=AnonymousUser(), draft=draft, upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00")
        )
    assert not Evidence.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


# --- clamd ---------------------------------------------------------------------------------


class FakeClamd:
    """A stand-in clamd on a Unix socket: INSTREAM chunks in, a verdict out."""

    def __init__(self, path: str, *, answer_for=None) -> None:
        self.path = path
        self.answer_for = answer_for or (
            lambda data: (
                b"stream: Eicar-Test-Signature FOUND\0" if b"EICAR" in data else b"stream: OK\0"
            )
        )
        self.received: list[bytes] = []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(5)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read(self, conn, n):
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                assert command == b"zINSTREAM\0"
                data = b""
                while True:
                    (size,) = struct.unpack("!L", self._read(conn, 4))
                    if size == 0:
                        break
                    data += self._read(conn, size)
                self.received.append(data)
                conn.sendall(self.answer_for(data))

    def close(self):
        self.server.close()
        if os.path.exists(self.path):
            os.unlink(self.path)


@pytest.fixture
def clamd(settings, tmp_path):
    path = str(tmp_path / "clamd.sock")
    server = FakeClamd(path)
    settings.CLAMD_SOCKET = path
    yield server
    server.close()


def test_clamd_client_speaks_instream(clamd):
    assert uploads.clamd_scan(io.BytesIO(PDF)) == uploads.ScanResult(clean=True, detail="OK")
    result = uploads.clamd_scan(io.BytesIO(EICAR))
    assert result == uploads.ScanResult(clean=False, detail="Eicar-Test-Signature")
    assert clamd.received == [PDF, EICAR]


def test_clamd_unreachable_or_erroring_is_reported(settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "nothing.sock")
    with pytest.raises(uploads.ScannerUnavailable):
        uploads.clamd_scan(io.BytesIO(PDF))
    path = str(tmp_path / "err.sock")
    server = FakeClamd(path, answer_for=lambda data: b"INSTREAM size limit exceeded. ERROR\0")
    settings.CLAMD_SOCKET = path
    try:
        with pytest.raises(uploads.ScannerUnavailable, match="ERROR"):
            uploads.clamd_scan(io.BytesIO(PDF))
    finally:
        server.close()


@pytest.mark.django_db
def test_with_a_scanner_uploads_wait_in_quarantine_until_a_clean_scan(
    world, clamd, settings, django_capture_on_commit_callbacks
):
    draft = services.filing_draft_start()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evidence = services.evidence_add(
            actor=AnonymousUser(), draft=draft, upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert evidence.scan_status == Evidence.ScanStatus.PENDING
    assert "/quarantine/" in evidence.file.name or evidence.file.name.startswith("quarantine/")
    assert not evidence.is_servable
    quarantined = Path(evidence.file.path)
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()  # queue the scan task (runs at once in tests)
    evidence.refresh_from_db()
    assert evidence.scan_status == Evidence.ScanStatus.CLEAN
    assert evidence.file.name.startswith("evidence/")
    assert Path(evidence.file.path).read_bytes() == PDF
    assert not quarantined.exists()
    assert evidence.is_servable
    # Scanning again changes nothing.
    evidence_scan.delay(evidence.pk)
    assert len(clamd.received) == 1


@pytest.mark.django_db
def test_an_infected_upload_is_blocked_and_its_file_removed(
    world, clamd, django_capture_on_commit_callbacks
):
    draft = services.filing_draft_start()
    with django_capture_on_commit_callbacks(execute=True):
        evidence = services.evidence_add(
            actor=AnonymousUser(), draft=draft, upload=SimpleUploadedFile("virus.txt", EICAR)
        )
    evidence.refresh_from_db()
    assert evidence.scan_status == Evidence.ScanStatus.INFECTED
    assert evidence.scan_detail == "Eicar-Test-Signature"
    assert not evidence.file
    assert not evidence.is_servable
    assert evidence.sha256 == hashlib.sha256(EICAR).hexdigest()  # kept for the record


@pytest.mark.django_db
def test_while_the_scanner_is_down_the_file_stays_in_quarantine_and_the_task_retries(
    world, settings, tmp_path, monkeypatch
):
    settings.CLAMD_SOCKET = str(tmp_path / "down.sock")
    draft = services.filing_draft_start()
    evidence = services.evidence_add(
        actor=AnonymousUser(), draft=draft, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    retried = []

    def fake_retry(self, exc=None, countdown=None, **kwargs):
        retried.append(countdown)
        return RuntimeError("retry")

    monkeypatch.setattr(evidence_scan.__class__, "retry", fake_retry)
    with pytest.raises(RuntimeError, match="retry"):
        evidence_scan.run(evidence.pk)
    evidence.refresh_from_db()
    assert retried == [30]
    assert evidence.scan_status == Evidence.ScanStatus.PENDING
    assert not evidence.is_servable
