"""The sanctions in the staff workspace: read-only lists of what was ordered and of every step
since (each written by `sanctions.services` from a case step), and an admin action per
lifecycle step on the sanctions in force, each calling its one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from hearings.admin import ReadOnlyAdmin

from . import admin_dashboard, admin_steps, selectors, services  # noqa: F401 (registration)
from .models import (
    BenchmarkVerification,
    LiftDetermination,
    LiftHearing,
    LiftNotice,
    LiftRender,
    SanctionOrder,
    SanctionSpecification,
    SanctionWaiver,
)


@admin.register(SanctionSpecification)
class SanctionSpecificationAdmin(ReadOnlyAdmin):
    case_path = "decision__case"
    list_display = ["decision", "number", "target", "instrument", "magnitude", "unit", "public_id"]


class WaiverActionForm(forms.Form):
    national_security_grounds = forms.CharField(
        label=_("National-security grounds"), widget=forms.Textarea, required=False
    )
    house_vote = forms.CharField(label=_("Vote of the House of Representatives"), required=False)
    senate_vote = forms.CharField(label=_("Vote of the Senate"), required=False)
    president_signature = forms.CharField(label=_("President's signature"), required=False)


class LiftActionForm(forms.Form):
    reasoning = forms.CharField(label=_("Reasons for the determination"), widget=forms.Textarea)


@admin.register(SanctionOrder)
class SanctionOrderAdmin(ReadOnlyAdmin):
    case_path = "specification__decision__case"
    list_display = [
        "specification",
        "in_force_from",
        "magnitude",
        "estimated_benefit",
        "repeat_violator",
    ]
    list_filter = ["repeat_violator"]
    actions = ["lift_fully", "waive"]

    def _report(self, request: HttpRequest, done: int, refused: list[str], what: str) -> None:
        if done:
            self.message_user(request, _("%(n)d %(what)s.") % {"n": done, "what": what})
        if refused:
            self.message_user(
                request,
                _("%(n)s refused — %(list)s") % {"n": len(refused), "list": "; ".join(refused)},
                messages.ERROR,
            )

    def _action(
        self,
        request: HttpRequest,
        queryset: Any,
        form_class: type[forms.Form],
        title: Any,
        run: Any,
    ) -> HttpResponse | None:
        form = form_class(request.POST if "apply" in request.POST else None)
        if "apply" not in request.POST or not form.is_valid():
            return TemplateResponse(
                request,
                "sanctions/admin_action.html",
                {
                    **self.admin_site.each_context(request),
                    "title": title,
                    "form": form,
                    "orders": queryset,
                    "action": request.POST.get("action", ""),
                    "opts": self.model._meta,
                },
            )
        done, refused = 0, []
        for order in queryset:
            try:
                run(order, form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                refused.append(f"{order}: {' '.join(reasons)}")
            else:
                done += 1
        self._report(request, done, refused, str(_("done")))
        return None

    @admin.action(description=_("Lift the selected sanctions fully (every benchmark met)"))
    def lift_fully(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        return self._action(
            request,
            queryset,
            LiftActionForm,
            _("Lift fully"),
            lambda order, data: services.sanction_lift_step(
                order=order, benchmark=None, reasoning=data["reasoning"], actor=request.user
            ),
        )

    @admin.action(description=_("Record a waiver of the selected sanctions"))
    def waive(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        return self._action(
            request,
            queryset,
            WaiverActionForm,
            _("Record a waiver"),
            lambda order, data: services.sanction_waive(order=order, actor=request.user, **data),
        )


@admin.register(BenchmarkVerification)
class BenchmarkVerificationAdmin(ReadOnlyAdmin):
    case_path = "benchmark__sanction__decision__case"
    list_display = ["benchmark", "team", "measured_value", "achieved", "measured_on", "met"]
    list_filter = ["met"]


@admin.register(LiftNotice)
class LiftNoticeAdmin(ReadOnlyAdmin):
    case_path = "order__specification__decision__case"
    list_display = ["order", "benchmark", "published_at", "hearing_at", "location"]


@admin.register(LiftHearing)
class LiftHearingAdmin(ReadOnlyAdmin):
    case_path = "notice__order__specification__decision__case"
    list_display = ["notice", "held_at"]


@admin.register(LiftDetermination)
class LiftDeterminationAdmin(ReadOnlyAdmin):
    case_path = "order__specification__decision__case"
    list_display = ["order", "benchmark", "full", "reduction", "magnitude_after", "determined_at"]


@admin.register(SanctionWaiver)
class SanctionWaiverAdmin(ReadOnlyAdmin):
    case_path = "order__specification__decision__case"
    list_display = ["order", "house_vote", "senate_vote", "recorded_at"]


@admin.register(LiftRender)
class LiftRenderAdmin(ReadOnlyAdmin):
    """Determinations waiting for their opinion PDF (a Celery task renders it); a failed render
    is retried here once its cause is fixed."""

    case_path = "order__specification__decision__case"
    list_display = ["order", "benchmark", "status", "attempts", "requested_at", "finished_at"]
    list_filter = ["status"]
    actions = ["retry"]

    @admin.action(description=_("Retry the selected failed renders"))
    def retry(self, request: HttpRequest, queryset: Any) -> None:
        done, refused = 0, []
        for render in queryset:
            try:
                services.lift_render_retry(render=render, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                refused.append(f"{render}: {' '.join(reasons)}")
            else:
                done += 1
        if done:
            self.message_user(request, _("%(n)d render(s) queued again.") % {"n": done})
        if refused:
            self.message_user(request, "; ".join(refused), messages.ERROR)
