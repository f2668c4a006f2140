"""The staff workspace for investigations: read-mostly. Rows change only through
`investigations.services`; the actions below call them (assign a team, review findings and
orders, file the complaint of an order past due). Interviewees' identities and statements are
never shown here: they are read only through the grant-checked, logged service."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from commission.models import InvestigativeTeam

from . import admin_dashboard, admin_steps, services
from .models import (
    CommissionReview,
    ConfidentialAccess,
    DisclosureDemand,
    Finding,
    Interview,
    Investigation,
    ProtocolMandate,
    RemedialOrder,
    SiteVisit,
    VerificationVisit,
)

# register the "assign the investigative team" step on a complaint's page and the dashboard's
# section of demands, orders and verifications due
__all__ = ["admin_dashboard", "admin_steps"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AssignTeamForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=InvestigativeTeam.objects.all())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)


class ReviewForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea)


def _intermediate(modeladmin, request, queryset, *, form_class, title, action, apply):
    """An action that asks for input first; `apply(obj, data)` calls the service."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        done = 0
        for obj in queryset:
            try:
                apply(obj, form.cleaned_data)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                modeladmin.message_user(request, f"{obj}: {exc}", messages.ERROR)
        if done:
            modeladmin.message_user(request, _("Done for %(n)s.") % {"n": done}, messages.SUCCESS)
        return None
    return TemplateResponse(
        request,
        "admin/investigations/action_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": action,
            "opts": modeladmin.model._meta,
        },
    )


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    can_delete = False
    fields = ["criterion_version", "result", "status", "summary", "measured_value", "measured_unit"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Investigation)
class InvestigationAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "kind", "team", "status", "complaint", "opened_at"]
    list_filter = ["kind", "status", "team"]
    search_fields = ["number", "title"]
    inlines = [FindingInline]
    actions = ["assign_team"]

    def has_assign_team_permission(self, request):
        return request.user.has_perm(services.PERM_ASSIGN)

    @admin.action(
        description=_("Assign or reassign the investigative team"), permissions=["assign_team"]
    )
    def assign_team(self, request, queryset):
        return _intermediate(
            self,
            request,
            queryset,
            form_class=AssignTeamForm,
            title=_("Assign the investigative team"),
            action="assign_team",
            apply=lambda obj, d: services.investigation_assign_team(
                investigation=obj, team=d["team"], reason=d["reason"], actor=request.user
            ),
        )


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["investigation", "criterion_version", "result", "status", "workers_affected"]
    list_filter = ["result", "status"]
    actions = ["uphold", "remand"]

    def has_review_permission(self, request):
        return request.user.has_perm(services.PERM_REVIEW)

    def _review(self, request, queryset, outcome, action):
        return _intermediate(
            self,
            request,
            queryset,
            form_class=ReviewForm,
            title=_("Commission review of findings"),
            action=action,
            apply=lambda obj, d: services.review_record(
                finding=obj, outcome=outcome, reasons=d["reasons"], actor=request.user
            ),
        )

    @admin.action(description=_("Review: uphold"), permissions=["review"])
    def uphold(self, request, queryset):
        return self._review(request, queryset, "upheld", "uphold")

    @admin.action(description=_("Review: remand to the team"), permissions=["review"])
    def remand(self, request, queryset):
        return self._review(request, queryset, "remanded", "remand")


class VerificationInline(admin.TabularInline):
    model = VerificationVisit
    extra = 0
    can_delete = False
    fields = ["visited_on", "basis", "outcome", "measured_value", "measured_unit", "observations"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RemedialOrder)
class RemedialOrderAdmin(ReadOnlyAdmin):
    list_display = ["investigation", "addressee", "status", "issued_at", "complaint"]
    list_filter = ["status", admin_dashboard.OrderDueFilter]
    inlines = [VerificationInline]
    actions = ["uphold", "file_complaint"]

    def has_review_permission(self, request):
        return request.user.has_perm(services.PERM_REVIEW)

    @admin.action(description=_("Review: uphold"), permissions=["review"])
    def uphold(self, request, queryset):
        return _intermediate(
            self,
            request,
            queryset,
            form_class=ReviewForm,
            title=_("Commission review of remedial orders"),
            action="uphold",
            apply=lambda obj, d: services.review_record(
                order=obj, outcome="upheld", reasons=d["reasons"], actor=request.user
            ),
        )

    @admin.action(
        description=_("File the complaint of orders past due without verified compliance"),
        permissions=["review"],
    )
    def file_complaint(self, request, queryset):
        for order in queryset:
            try:
                services.remedial_order_escalate(order_id=order.pk, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{order}: {' '.join(exc.messages)}", messages.ERROR)


@admin.register(Interview)
class InterviewAdmin(ReadOnlyAdmin):
    """Metadata only: the identity and the statement are never shown in the admin."""

    list_display = ["investigation", "pseudonym", "held_on", "place_description"]
    fields = [
        "investigation",
        "pseudonym",
        "held_on",
        "place_description",
        "language",
        "recorded_at",
    ]
    readonly_fields = fields


@admin.register(ConfidentialAccess)
class ConfidentialAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "interview", "what", "door"]
    list_filter = ["door"]


@admin.register(DisclosureDemand)
class DisclosureDemandAdmin(ReadOnlyAdmin):
    list_display = ["investigation", "addressee", "instrument", "scope", "status", "issued_at"]
    list_filter = ["instrument", "scope", "status", admin_dashboard.DemandDueFilter]


@admin.register(SiteVisit)
class SiteVisitAdmin(ReadOnlyAdmin):
    list_display = ["investigation", "place", "visited_on", "announced", "access_refused"]


@admin.register(CommissionReview)
class CommissionReviewAdmin(ReadOnlyAdmin):
    list_display = ["reviewed_at", "finding", "order", "outcome", "reviewed_by"]


@admin.register(ProtocolMandate)
class ProtocolMandateAdmin(ReadOnlyAdmin):
    list_display = ["team", "effective_on", "mandated_by", "mandated_at"]
