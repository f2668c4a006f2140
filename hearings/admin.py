"""The admin shows the hearings app read-only; its only actions call the services (retrying a
failed render). Panels, hearings, decisions and opinions change only through
`hearings.services` — never by editing a row here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from . import admin_steps, services
from .models import (
    ConflictDeclaration,
    Decision,
    GovernmentConsultation,
    Hearing,
    HearingParticipant,
    HearingRecordItem,
    MemberInterest,
    Opinion,
    OpinionRender,
    Panel,
    PanelSeat,
    SanctionSpecification,
    Submission,
)

__all__ = ["admin_steps"]  # registers the hearings steps on the case page


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PanelSeatInline(admin.TabularInline):
    model = PanelSeat
    extra = 0
    can_delete = False
    readonly_fields = [
        "position",
        "member",
        "presides",
        "seated_at",
        "vacated_at",
        "vacated_reason",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Panel)
class PanelAdmin(ReadOnlyAdmin):
    list_display = ["case", "status", "selected_at"]
    list_filter = ["status"]
    inlines = [PanelSeatInline]


@admin.register(MemberInterest)
class MemberInterestAdmin(ReadOnlyAdmin):
    list_display = ["member", "organization", "nature", "since", "until"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["member", "case", "has_conflict", "declared_at"]
    list_filter = ["has_conflict"]


@admin.register(Hearing)
class HearingAdmin(ReadOnlyAdmin):
    list_display = ["case", "status", "scheduled_for", "held_at", "notice_published_at"]
    list_filter = ["status"]
    date_hierarchy = "scheduled_for"


@admin.register(HearingParticipant)
class HearingParticipantAdmin(ReadOnlyAdmin):
    list_display = ["hearing", "public_label", "role", "registered_at"]
    list_filter = ["role"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["hearing", "number", "kind", "title", "is_public", "filed_at"]
    list_filter = ["kind", "is_public"]


@admin.register(HearingRecordItem)
class HearingRecordItemAdmin(ReadOnlyAdmin):
    list_display = ["hearing", "kind", "description", "sha256", "uploaded_at"]


@admin.register(GovernmentConsultation)
class GovernmentConsultationAdmin(ReadOnlyAdmin):
    list_display = ["case", "held_on", "outcome"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "adoption", "status", "adopted_at", "issued_at"]
    list_filter = ["status", "kind", "adoption"]


@admin.register(SanctionSpecification)
class SanctionSpecificationAdmin(ReadOnlyAdmin):
    list_display = ["decision", "number", "target", "instrument", "magnitude", "unit", "public_id"]


@admin.register(OpinionRender)
class OpinionRenderAdmin(ReadOnlyAdmin):
    list_display = ["pk", "decision", "corrigendum", "status", "attempts", "queued_at", "seconds"]
    list_filter = ["status"]
    actions = ["retry"]

    @admin.action(description=_("Retry the selected failed renders"))
    def retry(self, request, queryset):
        done = 0
        for render in queryset:
            try:
                services.opinion_render_retry(render=render, actor=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"#{render.pk}: {exc}", messages.ERROR)
        if done:
            self.message_user(request, _("%(n)d render(s) queued again.") % {"n": done})


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "docket_number", "issued_at", "signed", "sha256"]
    list_filter = ["kind", "signed"]
