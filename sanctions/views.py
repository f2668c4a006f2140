"""The public register of sanctions and the team's verification page (docs/adr/0060)."""

from __future__ import annotations

import csv
import json
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from commission.models import InvestigativeTeam

from . import api, selectors, services
from .models import LiftDetermination, SanctionBenchmark, SanctionSpecification

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class SignedInRequest(HttpRequest):
    """A request past `login_required`: its user is signed in."""

    user: User


class RegisterFilterForm(forms.Form):
    """The register's search and filters (a GET form: every answer is a link one can share)."""

    q = forms.CharField(
        label=gettext_lazy("Search the register"),
        help_text=gettext_lazy(
            "A docket number or the name of the target: employer, corporation, government "
            "entity, country or sector."
        ),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "class": "usa-input"}),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("Any status")),
            ("in_force", gettext_lazy("In force")),
            ("lifted", gettext_lazy("Lifted")),
            ("waived", gettext_lazy("Waived")),
        ],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    target = forms.ChoiceField(
        label=gettext_lazy("Target"),
        required=False,
        choices=[("", gettext_lazy("Any target")), *SanctionSpecification.Target.choices],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    instrument = forms.ChoiceField(
        label=gettext_lazy("Instrument"),
        required=False,
        choices=[("", gettext_lazy("Any instrument")), *SanctionSpecification.Instrument.choices],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )


def _filtered(request: HttpRequest) -> tuple[RegisterFilterForm, list[selectors.RegisterRow]]:
    """The rows the request's filters ask for; an invalid filter (garbage in a link) is
    ignored, never an error."""
    form = RegisterFilterForm(request.GET or None)
    criteria: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # cleaned_data then holds every field that is valid
        criteria = {k: v for k, v in form.cleaned_data.items() if v}
    return form, selectors.sanction_register(**criteria)


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    form, rows = _filtered(request)
    query = request.GET.urlencode()
    return render(
        request,
        "sanctions/register.html",
        {
            "rows": rows,
            "form": form,
            "searching": form.is_bound and any(form.cleaned_data.values()),
            "query": query,
        },
    )


@require_GET
def sanction_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    row = selectors.register_row(public_id=public_id)
    if row is None:
        raise Http404
    determinations = LiftDetermination.objects.filter(order=row.order).order_by("determined_at")
    return render(request, "sanctions/detail.html", {"row": row, "determinations": determinations})


@require_GET
def register_json(request: HttpRequest) -> JsonResponse:
    _form, rows = _filtered(request)
    return JsonResponse(
        {"sanctions": [api.register_json(r) for r in rows]},
        json_dumps_params={"ensure_ascii": False},
    )


CSV_COLUMNS = [
    "id",
    "docket_number",
    "number",
    "target",
    "target_label",
    "instrument",
    "unit",
    "currency",
    "magnitude_ordered",
    "magnitude_in_force",
    "estimated_benefit",
    "in_force_from",
    "status",
    "lifted_percent",
    "repeat_violator",
    "benchmarks",
]


@require_GET
def register_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sanctions.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    _form, rows = _filtered(request)
    for row in rows:
        data = api.register_json(row)
        data["benchmarks"] = json.dumps(data["benchmarks"], ensure_ascii=False)
        writer.writerow([data[c] for c in CSV_COLUMNS])
    return response


@require_GET
def determination_pdf(request: HttpRequest, public_id: Any) -> FileResponse:
    determination = get_object_or_404(LiftDetermination, public_id=public_id)
    return FileResponse(
        determination.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"determination-{determination.public_id}.pdf",
    )


class BenchmarkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SanctionBenchmark) -> str:
        return (
            f"{obj.sanction.decision.case.docket_number} S{obj.sanction.number}/{obj.position}: "
            f"{obj.metric} ({obj.target_display})"
        )


class VerificationForm(forms.Form):
    benchmark = BenchmarkChoiceField(
        label=gettext_lazy("Benchmark"), queryset=SanctionBenchmark.objects.none()
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("Your team"), queryset=InvestigativeTeam.objects.none()
    )
    measured_value = forms.DecimalField(label=gettext_lazy("Measured value"), required=False)
    achieved = forms.NullBooleanField(
        label=gettext_lazy("Outcome observed achieved (yes/no benchmarks)"), required=False
    )
    measured_on = forms.DateField(
        label=gettext_lazy("Measured on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    method_applied = forms.CharField(
        label=gettext_lazy("How it was measured"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The fields are typed as plain fields; these are the model choice fields declared above.
        cast(
            forms.ModelChoiceField, self.fields["benchmark"]
        ).queryset = SanctionBenchmark.objects.filter(
            pk__in=[b.pk for b in selectors.benchmarks_for_team(user=user)]
        ).select_related("sanction__decision__case")
        cast(
            forms.ModelChoiceField, self.fields["team"]
        ).queryset = InvestigativeTeam.objects.filter(memberships__person__user=user).distinct()


@login_required(login_url="complaints:sign-in")
@require_http_methods(["GET", "POST"])
def verification_page(request: SignedInRequest) -> HttpResponse:
    """A team member files a verification report: the measured value and how it was measured.
    There is no field for a plan, an intention or "steps being taken"."""
    teams = InvestigativeTeam.objects.filter(memberships__person__user=request.user)
    if not teams.exists():
        raise PermissionDenied
    form = VerificationForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            v = services.benchmark_verify(
                benchmark=data["benchmark"],
                team=data["team"],
                measured_value=data["measured_value"],
                achieved=data["achieved"],
                measured_on=data["measured_on"],
                method_applied=data["method_applied"],
                actor=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Verification recorded: the benchmark is met.")
                if v.met
                else _("Verification recorded: the benchmark is not met."),
            )
            return redirect("sanctions:verify")
    return render(request, "sanctions/verify.html", {"form": form})
