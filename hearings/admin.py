"""The admin shows the hearings app read-only; its only actions call the services (retrying a
failed render). Panels, hearings, decisions and opinions change only through
`hearings.services` — never by editing a row here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from commission.confidential import confidential_read_record
from commission.models import CommissionMember, ConfidentialRead
from complaints.selectors import is_commission_member

from . import admin_citations, admin_court, admin_dashboard, admin_steps, selectors, services
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
    Submission,
)

# registers the hearings steps on the case page and the hearings rows of the dashboard
__all__ = ["admin_court", "admin_dashboard", "admin_steps"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by `hearings.services` only. Adding one is a step of its case: the add
    page sends staff to the cases, whose page offers the step (never a 403, never a blank
    form that would bypass the service)."""

    def has_add_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        self.message_user(
            request,
            _(
                "%(things)s are recorded from the page of their case: open the case and "
                "choose the step."
            )
            % {"things": capfirst(self.model._meta.verbose_name_plural)},
            messages.INFO,
        )
        return HttpResponseRedirect(reverse("admin:complaints_case_changelist"))

    # The path from a row to its case: a commission member sees only the rows of cases whose
    # panel they sit on without a conflict (docs/adr/0032); staff see every row.
    case_path: str | None = None

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if self.case_path is not None and is_commission_member(request.user):
            rows = rows.filter(
                **{f"{self.case_path}__in": selectors.cases_read_by_member(user=request.user)}
            )
        return rows

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
    case_path = "case"
    list_display = ["case", "status", "selected_at"]
    list_filter = ["status"]
    inlines = [PanelSeatInline]


class MemberInterestForm(forms.ModelForm):
    class Meta:
        model = MemberInterest
        fields = ["member", "organization", "nature", "description", "since"]
        widgets = {"since": forms.DateInput(attrs={"type": "date"})}


@admin.register(MemberInterest)
class MemberInterestAdmin(ReadOnlyAdmin):
    """A member declares their own standing ties here (the commission may record them for a
    member); the add form calls `member_interest_declare`."""

    list_display = ["member", "organization", "nature", "since", "until"]
    form = MemberInterestForm

    def _own_member(self, request):
        return (
            CommissionMember.objects.filter(person__user=request.user)
            .order_by("-seated_on")
            .first()
        )

    def has_add_permission(self, request, obj=None):
        return self._own_member(request) is not None or request.user.has_perm(
            services.PERM_SELECT_PANEL
        )

    def add_view(self, request, form_url="", extra_context=None):
        return admin.ModelAdmin.add_view(self, request, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        own = self._own_member(request)
        if own is not None:
            # A member declares their own ties only.
            form.base_fields["member"].queryset = CommissionMember.objects.filter(pk=own.pk)
            form.base_fields["member"].initial = own.pk
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        interest = services.member_interest_declare(
            member=data["member"],
            organization=data["organization"],
            nature=data["nature"],
            description=data["description"],
            since=data["since"],
            actor=request.user,
        )
        obj.pk = interest.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["member", "case", "has_conflict", "declared_at"]
    list_filter = ["has_conflict"]


@admin.register(Hearing)
class HearingAdmin(ReadOnlyAdmin):
    case_path = "case"
    list_display = ["case", "status", "scheduled_for", "held_at", "notice_published_at"]
    list_filter = ["status"]
    date_hierarchy = "scheduled_for"


@admin.register(HearingParticipant)
class HearingParticipantAdmin(ReadOnlyAdmin):
    case_path = "hearing__case"
    list_display = ["hearing", "public_label", "role", "registered_at"]
    list_filter = ["role"]


class AwaitingReview(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("waiting", _("Awaiting review")), ("done", _("Reviewed"))]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(reviewed_at__isnull=True)
        if self.value() == "done":
            return queryset.filter(reviewed_at__isnull=False)
        return queryset


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    """The redaction queue: staff read each submission and publish it (its title redacted)
    or keep it off the public page."""

    case_path = "hearing__case"

    list_display = [
        "hearing",
        "number",
        "kind",
        "title_read",
        "public_title",
        "is_public",
        "reviewed_at",
        "filed_at",
    ]
    list_filter = [AwaitingReview, "kind", "is_public"]
    actions = ["publish", "withhold"]

    # A submission's own words are a party's free text: whoever is not entitled to workers'
    # identities reads them through the case's redactor (docs/adr/0032).
    def _entitled(self, request) -> bool:
        return request.user.has_perm("complaints.view_worker_identity")

    def get_queryset(self, request):
        self._request = request
        return super().get_queryset(request).select_related("hearing__case")

    def get_exclude(self, request, obj=None):
        return [] if self._entitled(request) else ["title", "text"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if self._entitled(request) else [*fields, "title_read", "text_read"]

    def _read(self, submission: Submission, text: str) -> str:
        request = getattr(self, "_request", None)
        redactions = selectors.case_redactions(case=submission.hearing.case)
        if request is not None and self._entitled(request):
            if selectors.redact(text, redactions) != text:
                self._log_unredacted(request, submission)
            return text
        return selectors.redact(text, redactions)

    def _log_unredacted(self, request, submission: Submission) -> None:
        """An entitled reader sees a submission's words unredacted: logged before shown."""
        confidential_read_record(
            user=request.user,
            what=ConfidentialRead.What.UNREDACTED_TEXT,
            door=ConfidentialRead.Door.ADMIN,
            subject=f"submission S-{submission.number} (hearing {submission.hearing_id})",
            docket_number=submission.hearing.case.docket_number,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._request = request
        submission = self.get_object(request, object_id)
        if submission is not None and self._entitled(request):
            redactions = selectors.case_redactions(case=submission.hearing.case)
            if any(
                selectors.redact(text, redactions) != text
                for text in (submission.title, submission.text)
            ):
                self._log_unredacted(request, submission)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("title"))
    def title_read(self, obj):
        return self._read(obj, obj.title)

    @admin.display(description=_("text"))
    def text_read(self, obj):
        return self._read(obj, obj.text)

    def _review(self, request, queryset, *, publish: bool) -> None:
        done = 0
        for submission in queryset:
            try:
                services.submission_review(
                    submission=submission, publish=publish, actor=request.user
                )
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"S-{submission.number}: {exc}", messages.ERROR)
        if done:
            self.message_user(request, _("%(n)d submission(s) reviewed.") % {"n": done})

    @admin.action(description=_("Publish after review (title redacted)"))
    def publish(self, request, queryset):
        self._review(request, queryset, publish=True)

    @admin.action(description=_("Keep off the public page"))
    def withhold(self, request, queryset):
        self._review(request, queryset, publish=False)


@admin.register(HearingRecordItem)
class HearingRecordItemAdmin(ReadOnlyAdmin):
    case_path = "hearing__case"
    list_display = ["hearing", "kind", "description", "sha256", "uploaded_at"]


@admin.register(GovernmentConsultation)
class GovernmentConsultationAdmin(ReadOnlyAdmin):
    case_path = "case"
    list_display = ["case", "held_on", "outcome"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    case_path = "case"
    list_display = ["case", "kind", "adoption", "status", "adopted_at", "issued_at"]
    list_filter = ["status", "kind", "adoption"]
    readonly_fields = ["investigation_findings_cited"]

    @admin.display(description=_("Investigation findings cited"))
    def investigation_findings_cited(self, obj: Decision) -> str:
        return admin_citations.citations_table(obj)


@admin.register(OpinionRender)
class OpinionRenderAdmin(ReadOnlyAdmin):
    case_path = "decision__case"
    list_display = ["pk", "decision", "corrigendum", "status", "attempts", "queued_at", "seconds"]
    list_filter = ["status"]
    actions = ["retry"]

    @admin.action(description=_("Retry the selected failed renders"))
    def retry(self, request, queryset):
        """One render at a time through `opinion_render_retry`; refusals summarised."""
        done, refused = 0, []
        for render in queryset:
            try:
                services.opinion_render_retry(render=render, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                refused.append(f"#{render.pk}: {' '.join(reasons)}")
            else:
                done += 1
        if done:
            self.message_user(request, _("%(n)d render(s) queued again.") % {"n": done})
        if refused:
            self.message_user(
                request,
                _("%(n)s refused — %(list)s") % {"n": len(refused), "list": "; ".join(refused)},
                messages.ERROR,
            )


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "docket_number", "issued_at", "signed", "sha256"]
    list_filter = ["kind", "signed"]
