"""`{{ text|redact:redactor }}`: free text with the case's confidential identities replaced by
their pseudonyms (commission.redaction). A view passes `redactor=None` only to the staff
entitled to identities."""

from django import template

from commission.redaction import Redactor

register = template.Library()


@register.filter
def redact(text, redactor):
    """Fails closed: a template rendered without a redactor in its context is an error, not
    text shown as typed."""
    if redactor is None:
        return text
    if not isinstance(redactor, Redactor):
        raise TypeError("{{ text|redact:redactor }} needs a redactor (None for entitled staff)")
    return redactor.redact(text)
