"""Form fields shared by every app, bounded so that no value a client sends reaches the
database as a query it cannot run (an integer beyond the column's range fails the query on
both databases instead of matching nothing)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.renderers import DjangoTemplates

# The range every integer key and count of the schema fits (PostgreSQL's `integer` is the
# narrowest column the models use).
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


def _key_is_integer(queryset, to_field_name: str | None) -> bool:
    model = queryset.model
    field = model._meta.get_field(to_field_name) if to_field_name else model._meta.pk
    return isinstance(field, models.IntegerField | models.AutoField)


def _in_range(value) -> bool:
    text = str(value).strip()
    if len(text) > 20:
        return False
    try:
        number = int(text)
    except ValueError:
        return False
    return -INT64_MAX <= number <= INT64_MAX


class BoundedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose integer key must be an integer the database can hold."""

    def to_python(self, value):
        if value not in self.empty_values and _key_is_integer(self.queryset, self.to_field_name):
            if not _in_range(value):
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose integer keys must be integers the database can hold,
    and at most `max_choices` of them."""

    max_choices = 1000

    def _check_values(self, value):
        try:
            values = frozenset(value)
        except TypeError:
            values = None
        if values is not None:
            if len(values) > self.max_choices:
                raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
            if _key_is_integer(self.queryset, self.to_field_name):
                for item in values:
                    if not _in_range(item):
                        raise ValidationError(
                            self.error_messages["invalid_pk_value"],
                            code="invalid_pk_value",
                            params={"pk": str(item)[:20]},
                        )
        return super()._check_values(value)


class PortalFormRenderer(DjangoTemplates):
    """Every form field of the portal (`{{ field.as_field_group }}`) marks a required field in
    its label, and lists its errors under an id the control and the error summary can use."""

    field_template_name = "forms/field.html"
