"""The receipt: a PDF (WeasyPrint) listing what was filed and the statutory dates with their
arithmetic. Workers appear by pseudonym only, as everywhere outside the entitled staff."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from commission.naming import commission_name

from .models import Case
from .selectors import case_deadlines, case_detail, case_redactor


def receipt_context(*, case: Case) -> dict:
    detail = case_detail(docket_number=case.docket_number)
    return {
        "case": detail,
        "redactor": case_redactor(case=detail),
        "deadlines": case_deadlines(case=detail),
        "commission_name": commission_name(),
        "time_zone": settings.TIME_ZONE,
    }


def receipt_pdf_bytes(*, case: Case) -> bytes:
    """The receipt in the language of the filing."""
    from weasyprint import HTML

    with translation.override(case.language or settings.LANGUAGE_CODE):
        html = render_to_string("complaints/pdf/receipt.html", receipt_context(case=case))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
