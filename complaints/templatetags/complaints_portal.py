from django import template

from ..labels import event_detail, event_label
from ..selectors import DEADLINE_STATUS_LABELS

register = template.Library()


@register.filter
def anchor(bound_field) -> str:
    """The id to link to from the error summary (the first option of a radio/checkbox group)."""
    if bound_field.use_fieldset:
        for sub in bound_field.subwidgets:
            return sub.id_for_label
    return bound_field.id_for_label


@register.filter
def verb_label(event) -> str:
    return event_label(event)


@register.filter
def verb_detail(event) -> str:
    return event_detail(event)


@register.filter
def deadline_status(deadline) -> str:
    return str(DEADLINE_STATUS_LABELS.get(deadline.status, deadline.status))


@register.filter
def absolute(value: int) -> int:
    return abs(value)
