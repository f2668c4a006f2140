"""Emails of the complaints app. A worker is addressed by pseudonym; nothing confidential
goes into a subject line."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from commission.naming import commission_name

from .models import Case
from .selectors import case_deadlines, case_detail


def acknowledgment_email(*, case: Case) -> EmailMessage:
    detail = case_detail(docket_number=case.docket_number)
    with translation.override(case.language or settings.LANGUAGE_CODE):
        subject = _("Filing received: %(docket)s") % {"docket": case.docket_number}
        body = render_to_string(
            "complaints/email/acknowledgment.txt",
            {
                "case": detail,
                "deadlines": case_deadlines(case=detail),
                "commission_name": commission_name(),
            },
        )
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[case.contact_email],
    )
    if case.receipt_pdf:
        with case.receipt_pdf.open("rb") as handle:
            message.attach(f"{case.docket_number}-receipt.pdf", handle.read(), "application/pdf")
    return message
