"""The portal's error summary for any form of any app (the filing steps', the teams', the
members' and the verification forms alike): one box at the top that names each field in error
and links to it; `static/js/portal.js` moves the focus to it."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


def field_anchor(bound_field: Any) -> str:
    """The id to link to from the error summary (the first option of a radio/checkbox group)."""
    if bound_field.use_fieldset:
        for sub in bound_field.subwidgets:
            return sub.id_for_label
    return bound_field.id_for_label


def form_error_list(*forms: Any) -> list[tuple[str, str]]:
    """(anchor, message) pairs of every bound form's errors: the form's own errors first
    (no anchor), then each field's, as "Label: message"."""
    items: list[tuple[str, str]] = []
    for form in forms:
        if form is None or not getattr(form, "is_bound", False):
            continue
        items.extend(("", str(e)) for e in form.non_field_errors())
        for name, messages in form.errors.items():
            if name == "__all__":
                continue
            bound = form[name]
            label = bound.label or name
            items.extend((field_anchor(bound), f"{label}: {m}") for m in messages)
    return items


@register.inclusion_tag("forms/error_summary.html")
def error_summary(*forms: Any) -> dict[str, Any]:
    return {"error_list": form_error_list(*forms)}
