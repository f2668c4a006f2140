"""The staff workflow steps of a case in the REST API: one endpoint per step the staff
workspace offers on a case's page, `POST /api/v1/docket/{docket_number}/steps/{step}/`, and
`GET /api/v1/docket/{docket_number}/steps/` for the steps the caller may take now.

Each endpoint is the staff workspace's step itself (`complaints.admin.CASE_STEPS`, which
every app registers into): the same form validates the body, the same `run` calls the same
one service — which checks the rules, writes the case event and refuses as it refuses in the
workspace — so the two doors cannot differ. Who may take a step is the step's own check on
the account's recorded role (its groups' permissions, its seat on the panel), behind the
workspace's own door: an active staff account. The request body is the form's fields as
JSON (or as a form, with a file where the step uploads one); a choice of a record (a member,
an organization, a court action) is that record's id; a list of rows (a corrigendum's
corrections) is a list of objects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from commission.api import SingleObjectSchema

from .models import Case

DOCKET = OpenApiParameter("docket_number", str, OpenApiParameter.PATH)


class StepOfferedSerializer(serializers.Serializer):
    step = serializers.CharField(help_text="The step's name, the last part of its endpoint.")
    title = serializers.CharField()
    stage = serializers.CharField()
    url = serializers.CharField()


class StepsOfferedSerializer(serializers.Serializer):
    docket_number = serializers.CharField()
    steps = StepOfferedSerializer(many=True)


class StepDoneSerializer(serializers.Serializer):
    step = serializers.CharField()
    docket_number = serializers.CharField()
    detail = serializers.CharField(help_text="What was recorded, as the workspace says it.")
    case = serializers.CharField(help_text="The case in the public docket.")


class StaffWorkspace(permissions.BasePermission):
    """The staff workspace's own door: an active staff account (the step then checks the
    account's recorded role)."""

    message = gettext_lazy("The workflow steps of a case are taken by commission staff.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)


# --- the form's fields as the schema documents them ---------------------------------------


# Form fields documented by a serializer field of the same meaning, taking only the common
# arguments (the first match counts: subclasses first).
_SIMPLE = [
    (forms.DateTimeField, serializers.DateTimeField),
    (forms.DateField, serializers.DateField),
    (forms.FileField, serializers.FileField),
]


def _field_for(field: forms.Field) -> serializers.Field:
    """The serializer field documenting one form field (the form itself validates)."""
    common: dict[str, Any] = {"required": field.required, "help_text": str(field.label or "")}
    if isinstance(field, forms.ModelChoiceField):
        return _record_field(field, common)
    if isinstance(field, forms.ChoiceField):
        return _choice_field(field, common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(required=False, help_text=common["help_text"])
    if isinstance(field, forms.IntegerField):
        low, high = field.min_value, field.max_value
        return serializers.IntegerField(
            min_value=low if isinstance(low, int) else None,
            max_value=high if isinstance(high, int) else None,
            allow_null=True,
            **common,
        )
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=field.max_digits, decimal_places=field.decimal_places, **common
        )
    for form_class, serializer_class in _SIMPLE:
        if isinstance(field, form_class):
            return serializer_class(**common)
    if isinstance(field, forms.URLField):
        return serializers.URLField(allow_blank=not field.required, **common)
    return serializers.CharField(
        allow_blank=not field.required, max_length=getattr(field, "max_length", None), **common
    )


def _record_field(field: forms.ModelChoiceField, common: dict[str, Any]) -> serializers.Field:
    """A chosen record: its id (a list of ids for several)."""
    queryset = field.queryset
    model = queryset.model._meta.verbose_name if queryset is not None else "record"
    common["help_text"] = f"{field.label} (the id of a {model})"
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    return serializers.IntegerField(allow_null=not field.required, **common)


def _choice_field(field: forms.ChoiceField, common: dict[str, Any]) -> serializers.Field:
    """A choice: one of the form's choices (chosen per case where the form fills them in
    when it is built: then any value, which the form checks)."""
    choices = [c for c, _label in cast(Iterable[tuple[Any, Any]], field.choices)]
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.ChoiceField(choices=choices), **common)
    if isinstance(field, forms.TypedChoiceField) and field.coerce is int:
        return serializers.IntegerField(**common)
    if choices:
        return serializers.ChoiceField(
            choices=choices, allow_blank="" in choices or not field.required, **common
        )
    return serializers.CharField(allow_blank=not field.required, **common)


def step_input_serializer(step: Any) -> type[serializers.Serializer]:
    """The request body of a step: its form's declared fields, and a list of objects for each
    of its formsets (`api_formsets` on the form: prefix → form class)."""
    attrs: dict[str, Any] = {
        name: _field_for(field) for name, field in step.form.base_fields.items()
    }
    for prefix, form_class in getattr(step.form, "api_formsets", {}).items():
        row = type(
            f"{_camel(step.slug)}{_camel(prefix)}Row",
            (serializers.Serializer,),
            {name: _field_for(field) for name, field in form_class.base_fields.items()},
        )
        attrs[prefix] = row(many=True, required=False)
    attrs["__doc__"] = str(step.title)
    return type(f"{_camel(step.slug)}StepInput", (serializers.Serializer,), attrs)


def _camel(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.replace("_", "-").split("-"))


def form_data(data: Any, formsets: dict[str, Any]) -> QueryDict:
    """The request's body as the form reads a posted form: a JSON object's lists become
    repeated keys, a formset's list of objects the formset's management and row keys."""
    if isinstance(data, QueryDict):
        return data
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    flat = QueryDict(mutable=True)
    for key, value in data.items():
        if key in formsets:
            rows = value if isinstance(value, list) else []
            flat[f"{key}-TOTAL_FORMS"] = str(len(rows))
            flat[f"{key}-INITIAL_FORMS"] = "0"
            for i, row in enumerate(rows):
                for name, item in (row if isinstance(row, dict) else {}).items():
                    flat[f"{key}-{i}-{name}"] = _plain(item)
        elif isinstance(value, list):
            flat.setlist(key, [_plain(v) for v in value])
        elif value is not None:
            flat[key] = _plain(value)
    for key in formsets:
        if f"{key}-TOTAL_FORMS" not in flat:
            flat[f"{key}-TOTAL_FORMS"] = "0"
            flat[f"{key}-INITIAL_FORMS"] = "0"
    return flat


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, dict | list):
        return ""  # no field takes a nested value: the form refuses it as empty or invalid
    return str(value)


def _form_errors(form: forms.Form) -> dict[str, list[str]]:
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    for _title, formset in getattr(form, "formsets", []):
        for i, row_errors in enumerate(getattr(formset, "errors", []) or []):
            for name, messages in row_errors.items():
                errors[f"{formset.prefix}-{i}-{name}"] = [str(m) for m in messages]
        for message in formset.non_form_errors():
            errors.setdefault(formset.prefix, []).append(str(message))
    return errors or {"non_field_errors": [_("Invalid input.")]}


# --- the viewset -------------------------------------------------------------------------


class CaseStepViewSet(viewsets.ViewSet):
    """The workflow steps of a case (staff). Built by `case_step_viewset` with one action per
    registered step."""

    permission_classes = [StaffWorkspace]
    schema = SingleObjectSchema()  # the list of steps offered is one object

    def _case(self, docket_number: str) -> Case:
        return get_object_or_404(Case, docket_number=docket_number)

    @extend_schema(parameters=[DOCKET], responses={200: StepsOfferedSerializer})
    def list(self, request: Request, docket_number: str) -> Response:
        """The steps the caller may take on the case now (the buttons of its page in the
        staff workspace)."""
        from .admin import case_state, case_steps_offered

        case = self._case(docket_number)
        state = case_state(case, request.user)
        steps = [
            {
                "step": step.slug,
                "title": str(step.title),
                "stage": str(step.stage),
                "url": request.build_absolute_uri(
                    reverse(
                        f"case-step-{step.slug}",
                        kwargs={"docket_number": case.docket_number},
                    )
                ),
            }
            for step in case_steps_offered(case, request.user, state)
        ]
        return Response({"docket_number": case.docket_number, "steps": steps})

    def _take(self, request: Request, docket_number: str, slug: str) -> Response:
        from .admin import CASE_STEPS, case_state, step_refusal

        step = CASE_STEPS[slug]
        case = self._case(docket_number)
        if step.kind is not None and case.kind != step.kind:
            raise exceptions.NotFound(_("This step is not one of this kind of case."))
        state = case_state(case, request.user)
        if not step.permitted(request.user, case, state):
            raise exceptions.PermissionDenied(_("Your role does not take this step."))
        if not step.applies(case, state):
            # The workspace offers the step only where the case's state does (its button).
            raise exceptions.ValidationError(
                {"detail": [_("The case's state does not offer this step now.")]}
            )
        formsets = getattr(step.form, "api_formsets", {})
        form = step.form(
            form_data(request.data, formsets),
            request.FILES,
            case=case,
            user=request.user,
            state=state,
        )
        if not form.is_valid():
            raise exceptions.ValidationError(_form_errors(form))
        try:
            message = step.run(form)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(
                " ".join(step_refusal(exc, case=case, clock_kind=step.clock))
            ) from exc
        except ValidationError as exc:
            raise exceptions.ValidationError(
                {"detail": [str(line) for line in step_refusal(exc, case=case, clock_kind=None)]}
            ) from exc
        case.refresh_from_db()
        return Response(
            {
                "step": slug,
                "docket_number": case.docket_number,
                "detail": str(message or _("Recorded.")),
                "case": request.build_absolute_uri(
                    reverse("docket-detail", kwargs={"docket_number": case.docket_number})
                ),
            },
            status=status.HTTP_201_CREATED,
        )


def _step_action(step: Any) -> Any:
    slug = step.slug

    def take(self: CaseStepViewSet, request: Request, docket_number: str) -> Response:
        return self._take(request, docket_number, slug)

    take.__name__ = f"step_{slug.replace('-', '_')}"
    take.__doc__ = f"{step.title}. The staff workspace's step `{slug}` (the same form and service)."
    schema = extend_schema(
        operation_id=f"case_step_{slug.replace('-', '_')}",
        summary=str(step.title),
        parameters=[DOCKET],
        request=step_input_serializer(step),
        responses={201: StepDoneSerializer},
        tags=["case-steps"],
    )
    return schema(action(detail=False, methods=["post"], url_path=slug, url_name=slug)(take))


def case_step_viewset() -> type[CaseStepViewSet]:
    """The viewset with one action per step registered on the case page (every app's steps
    are registered when the admin is loaded, before the URLs)."""
    from .admin import CASE_STEPS

    actions = {
        f"step_{slug.replace('-', '_')}": _step_action(step) for slug, step in CASE_STEPS.items()
    }
    return type("CaseStepViewSet", (CaseStepViewSet,), actions)


def step_endpoints() -> dict[str, str]:
    """Each registered step's endpoint (the table in docs/api.md, the drift test)."""
    from .admin import CASE_STEPS

    return {slug: f"/api/v1/docket/{{docket_number}}/steps/{slug}/" for slug in CASE_STEPS}


def register_api(router: Any) -> None:
    router.register(
        r"docket/(?P<docket_number>[^/.]+)/steps", case_step_viewset(), basename="case-step"
    )
