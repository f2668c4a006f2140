"""Helpers for reading PDFs in tests."""

import io

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def pdf_metadata(data: bytes) -> dict:
    return dict(PdfReader(io.BytesIO(data)).metadata or {})
