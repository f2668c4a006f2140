"""The public iCalendar feed of hearings (RFC 5545), written by hand: a few properties,
escaped and folded at 75 octets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings

from .models import Hearing


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """Split a content line into lines of at most 75 octets (continuations start with a
    space), never inside a UTF-8 character."""
    out: list[str] = []
    current = ""
    limit = 75
    for ch in line:
        if len((current + ch).encode()) > limit:
            out.append(current)
            current = " " + ch
            limit = 75
        else:
            current += ch
    out.append(current)
    return out


def _utc(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(hearings: Iterable[Hearing], *, host: str, base_url: str) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{_escape(settings.COMMISSION_NAME)}//Hearings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(settings.COMMISSION_NAME)}",
        f"X-WR-TIMEZONE:{settings.TIME_ZONE}",
    ]
    for h in hearings:
        docket = h.case.docket_number
        url = f"{base_url}/hearings/{h.pk}/"
        description = h.notice_text
        if h.virtual_url:
            description += "\n" + h.virtual_url
        lines += [
            "BEGIN:VEVENT",
            f"UID:hearing-{h.pk}@{host}",
            f"SEQUENCE:{h.sequence}",
            f"DTSTAMP:{_utc(h.notice_published_at)}",
            f"DTSTART:{_utc(h.scheduled_for)}",
            f"DTEND:{_utc(h.ends_at)}",
            f"SUMMARY:{_escape(f'Public hearing — {docket}')}",
            f"LOCATION:{_escape(h.location)}",
            f"DESCRIPTION:{_escape(description)}",
            f"URL:{h.virtual_url or url}",
            "STATUS:CONFIRMED",
            "CLASS:PUBLIC",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    folded: list[str] = []
    for line in lines:
        folded.extend(_fold(line))
    return "\r\n".join(folded) + "\r\n"
