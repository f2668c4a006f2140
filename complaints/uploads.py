"""Evidence files: what is accepted (by content, not by name), how names are cleaned, how
files are hashed, and the client of the clamd virus scanner (docs/adr/0033).

The allow-list is checked against the first bytes of the file (its "magic" signature) and,
for office documents, against the structure of the ZIP container; the extension must be one
of those the detected type may carry. HTML, SVG, scripts, executables and macro-enabled
office documents are never accepted, whatever their name.
"""

from __future__ import annotations

import hashlib
import io
import re
import socket
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class FileType:
    mime: str
    label: str
    extensions: tuple[str, ...]


PDF = FileType("application/pdf", "PDF", (".pdf",))
PNG = FileType("image/png", "PNG", (".png",))
JPEG = FileType("image/jpeg", "JPEG", (".jpg", ".jpeg"))
WEBP = FileType("image/webp", "WebP", (".webp",))
TEXT = FileType("text/plain", "text", (".txt", ".csv"))
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word (DOCX)",
    (".docx",),
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "Excel (XLSX)",
    (".xlsx",),
)
ODT = FileType("application/vnd.oasis.opendocument.text", "OpenDocument text", (".odt",))
ODS = FileType(
    "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet", (".ods",)
)
MP3 = FileType("audio/mpeg", "MP3 audio", (".mp3",))
MP4 = FileType("video/mp4", "MP4 audio/video", (".mp4", ".m4a"))
OGG = FileType("audio/ogg", "Ogg audio", (".ogg", ".oga", ".opus"))

ALLOWED_TYPES = (PDF, PNG, JPEG, WEBP, TEXT, DOCX, XLSX, ODT, ODS, MP3, MP4, OGG)
ALLOWED_EXTENSIONS = tuple(ext for t in ALLOWED_TYPES for ext in t.extensions)
MP4_BRANDS = {b"isom", b"iso2", b"mp41", b"mp42", b"M4A ", b"M4V ", b"avc1", b"3gp4", b"3gp5"}
SNIFF_BYTES = 8192


class UploadRejected(Exception):
    """The file is refused; `message` says why in the reader's language."""

    def __init__(self, message: StrOrPromise) -> None:
        super().__init__(str(message))
        self.message = message


class _InflateLimit(Exception):
    """A compressed container asks for more than the caps allow."""


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """At most `limit` inflated bytes of one entry, read in chunks: the declared size is not
    trusted (it is written by the sender) and nothing beyond the cap is ever inflated."""
    chunks: list[bytes] = []
    remaining = limit
    with archive.open(info) as member:
        while remaining > 0:
            chunk = member.read(min(1 << 16, remaining))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    return b"".join(chunks)


def _sniff_zip(handle: IO[bytes]) -> FileType | None:
    """ODF and OOXML by their container. Bounded: at most UPLOAD_ZIP_MAX_ENTRIES entries are
    listed and at most UPLOAD_ZIP_MAX_INFLATED_BYTES are inflated in all (a "zip bomb" is
    refused, never expanded)."""
    max_entries = settings.UPLOAD_ZIP_MAX_ENTRIES
    budget = settings.UPLOAD_ZIP_MAX_INFLATED_BYTES
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            if len(infos) > max_entries:
                return None
            by_name = {info.filename: info for info in infos}
            names = set(by_name)
            if "mimetype" in names:
                raw = _read_member(archive, by_name["mimetype"], 100)
                mimetype = raw.decode("ascii", "replace").strip()
                return {ODT.mime: ODT, ODS.mime: ODS}.get(mimetype)
            if "[Content_Types].xml" not in names:
                return None
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return None  # macros
            info = by_name["[Content_Types].xml"]
            content_types = _read_member(archive, info, budget + 1)
            if len(content_types) > budget:
                raise _InflateLimit
            if b"macroEnabled" in content_types:
                return None
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
    except (_InflateLimit, zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    except (EOFError, NotImplementedError, zlib.error):
        return None
    return None


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sniffed window is fine.
        if exc.start < len(head) - 4:
            return False
        text = head[: exc.start].decode("utf-8")
    lowered = text.lstrip().lower()
    if lowered.startswith(("<!doctype", "<html", "<svg", "<?xml", "<script", "#!")):
        return False
    return all(ch in "\t\n\r\f" or unicodedata.category(ch) != "Cc" for ch in text)


def detect_type(handle: IO[bytes]) -> FileType | None:
    """The allowed type the content is, or None."""
    handle.seek(0)
    head = handle.read(SNIFF_BYTES)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(handle)
    if head.startswith(b"ID3") or (
        len(head) > 1 and head[0] == 0xFF and head[1] in (0xFB, 0xF3, 0xF2)
    ):
        return MP3
    if head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return MP4
    if head.startswith(b"OggS"):
        return OGG
    if _looks_like_text(head):
        return TEXT
    return None


_UNSAFE = re.compile(r"[^\w .()\-]+", re.UNICODE)


def sanitize_filename(name: str, *, max_length: int = 100) -> str:
    """A name safe to show and to offer in a download: no path, no control or shell
    characters, no leading dots, bounded length, the (lower-cased) extension kept."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"_+", "_", name).strip(" ._")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext.lower()[:10]
    stem = stem.strip(" ._") or "evidence"
    room = max_length - (len(ext) + 1 if ext else 0)
    stem = stem[:room].rstrip(" ._") or "evidence"
    return f"{stem}.{ext}" if ext else stem


def sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    handle.seek(0)
    for chunk in iter(lambda: handle.read(1 << 16), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    type: FileType
    size: int
    sha256: str


def check_upload(
    handle: IO[bytes], *, name: str, size: int, max_bytes: int | None = None
) -> CheckedUpload:
    """Accept or refuse an uploaded file. Raises `UploadRejected` with the reason. The size
    is checked (from the upload's declared size) before a byte is read."""
    limit = max_bytes or settings.EVIDENCE_MAX_BYTES
    if size <= 0:
        raise UploadRejected(_("The file is empty."))
    if size > limit:
        raise UploadRejected(
            _("The file is too large: the limit is %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    clean = sanitize_filename(name)
    detected = detect_type(handle)
    if detected is None:
        raise UploadRejected(
            _(
                "This type of file is not accepted. Accepted: PDF, images (PNG, JPEG, WebP), "
                "plain text, Word, Excel and OpenDocument files, and audio or video (MP3, MP4, "
                "Ogg)."
            )
        )
    extension = "." + clean.rpartition(".")[2].lower() if "." in clean else ""
    if extension not in detected.extensions:
        raise UploadRejected(
            _(
                "The file's name does not match its content: it contains %(type)s, so its "
                "name must end in %(extensions)s."
            )
            % {"type": detected.label, "extensions": ", ".join(detected.extensions)}
        )
    return CheckedUpload(name=clean, type=detected, size=size, sha256=sha256_of(handle))


def upload_accept(
    upload: IO[bytes], *, max_bytes: int | None = None, scan: bool = False
) -> CheckedUpload:
    """The one door every uploaded file goes through (evidence, hearing submissions and
    record, and any later upload): the size cap before reading, the type allow-list judged by
    content (bounded decompression), a clean name and the SHA-256. With `scan`, and when a
    scanner is configured, the file is scanned now and refused if infected or if the
    scanner cannot answer (callers that quarantine and scan later pass `scan=False`)."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    checked = check_upload(
        upload, name=getattr(upload, "name", "") or "", size=size, max_bytes=max_bytes
    )
    if scan and scanning_enabled():
        try:
            result = clamd_scan(upload)
        except ScannerUnavailable as exc:
            raise UploadRejected(
                _("The file could not be checked for viruses just now. Try again later.")
            ) from exc
        if not result.clean:
            raise UploadRejected(_("The file carries a virus and was refused."))
    upload.seek(0)
    return checked


def content_address(checked: CheckedUpload, *, folder: str) -> str:
    """The stored name of a checked file: its SHA-256 under `folder`, with an extension its
    detected type may carry."""
    extension = "." + checked.name.rpartition(".")[2].lower()
    if extension not in checked.type.extensions:
        extension = checked.type.extensions[0]
    return f"{folder}/{checked.sha256[:2]}/{checked.sha256}{extension}"


def content_addressed_store(upload: IO[bytes], checked: CheckedUpload, *, folder: str) -> str:
    """Store a checked file under its content address, streaming it (never whole in memory).
    The same bytes twice are stored once; a stored file whose hash differs is refused."""
    from django.core.files.storage import default_storage

    name = content_address(checked, folder=folder)
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as existing:
            if sha256_of(existing) != checked.sha256:
                raise UploadRejected(_("A stored file does not match its hash."))
        return name
    upload.seek(0)
    stored = default_storage.save(name, upload)
    upload.seek(0)
    return stored


# --- clamd ---------------------------------------------------------------------------------


class ScannerUnavailable(Exception):
    """clamd could not be reached or answered with an error; the file stays in quarantine."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    detail: str


def scanning_enabled() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def _clamd_connect() -> socket.socket:
    timeout = settings.CLAMD_TIMEOUT
    if settings.CLAMD_SOCKET:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(settings.CLAMD_SOCKET)
        return sock
    return socket.create_connection((settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=timeout)


def clamd_scan(handle: IO[bytes]) -> ScanResult:
    """Stream the file to clamd (INSTREAM) and read its verdict."""
    try:
        sock = _clamd_connect()
    except OSError as exc:
        raise ScannerUnavailable(f"clamd unreachable: {exc.__class__.__name__}") from exc
    try:
        sock.sendall(b"zINSTREAM\0")
        handle.seek(0)
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        reply = io.BytesIO()
        while not reply.getvalue().endswith(b"\0"):
            data = sock.recv(4096)
            if not data:
                break
            reply.write(data)
    except OSError as exc:
        raise ScannerUnavailable(f"clamd failed: {exc.__class__.__name__}") from exc
    finally:
        sock.close()
        handle.seek(0)
    answer = reply.getvalue().rstrip(b"\0").decode("utf-8", "replace").strip()
    # "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    if answer.endswith("OK"):
        return ScanResult(clean=True, detail="OK")
    if answer.endswith("FOUND"):
        signature = answer.removeprefix("stream:").removesuffix("FOUND").strip()
        return ScanResult(clean=False, detail=signature[:200])
    raise ScannerUnavailable(f"clamd answered: {answer[:200]}")
