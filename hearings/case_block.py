"""The hearings app's block on a case's public pages (complaints/case_blocks.py): its public
hearings, its issued decision and the reasoned opinions, each PDF with its SHA-256 and a link
that verifies it against the register."""

from __future__ import annotations

from .models import Decision, Hearing, Opinion


def context(case) -> dict:
    decisions = list(
        Decision.objects.filter(case=case, status=Decision.Status.ISSUED).order_by("issued_at")
    )
    return {
        "hearings": list(Hearing.objects.filter(case=case).order_by("scheduled_for", "id")),
        "decisions": decisions,
        "opinions": list(
            Opinion.objects.filter(decision__in=decisions).order_by("issued_at", "id")
        ),
    }
