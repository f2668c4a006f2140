import csv

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext_lazy as _

from .dashboard import DEADLINE_CHOICES, clock_deadline_q, days_left
from .models import (
    ApiToken,
    CaseEvent,
    Clock,
    ClockNotice,
    CommissionHoliday,
    CommissionMember,
    ConfidentialRead,
    CourtUser,
    Heartbeat,
    InvestigativeTeam,
    Notification,
    Organization,
    OrganizationMembership,
    Person,
    Sector,
    StaffMember,
    SupplyRelationship,
    TeamMembership,
    TradingPartner,
)

admin.site.site_header = _("Labor Rights Commission — staff workspace")
admin.site.site_title = _("Commission staff")
admin.site.index_title = _("Workspace")
# The home page is the dashboard of what is due (commission.dashboard).
admin.site.index_template = "admin/dashboard.html"


class _Echo:
    def write(self, value):
        return value


class CsvExportMixin:
    """Streams the changelist — with its filters and search — as CSV, at
    `<changelist>/export.csv?<the same query string>`. `csv_columns` names model fields or
    admin display methods; the rows are read in chunks, never all in memory."""

    csv_columns: list[str] = []
    change_list_template = "admin/csv_change_list.html"

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "export.csv",
                self.admin_site.admin_view(self.csv_export_view),
                name=f"{info[0]}_{info[1]}_export",
            ),
            *super().get_urls(),
        ]

    def _csv_value(self, obj, column):
        attr = getattr(self, column, None)
        if callable(attr):
            value = attr(obj)
        else:
            value = getattr(obj, column)
            display = getattr(obj, f"get_{column}_display", None)
            if callable(display):
                value = display()
        return strip_tags(str(value if value is not None else ""))

    def csv_export_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request)
        columns = self.csv_columns or list(self.get_list_display(request))

        def header():
            for column in columns:
                attr = getattr(self, column, None)
                label = getattr(attr, "short_description", None)
                if label is None:
                    try:
                        label = self.model._meta.get_field(column).verbose_name
                    except Exception:
                        label = column
                yield str(label)

        def rows():
            yield list(header())
            for obj in (
                queryset.iterator(chunk_size=500)
                if not queryset._prefetch_related_lookups
                else queryset
            ):
                yield [self._csv_value(obj, c) for c in columns]

        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in rows()), content_type="text/csv; charset=utf-8"
        )
        name = self.model._meta.model_name
        response["Content-Disposition"] = f'attachment; filename="{name}s.csv"'
        return response

    def changelist_view(self, request, extra_context=None):
        info = self.model._meta.app_label, self.model._meta.model_name
        query = request.GET.urlencode()
        url = reverse(f"admin:{info[0]}_{info[1]}_export") + (f"?{query}" if query else "")
        extra_context = {**(extra_context or {}), "csv_export_url": url}
        return super().changelist_view(request, extra_context)


TONES = {
    "met": "#2e7d32",
    "closed": "#555",
    "ok": "#2e7d32",
    "due": "#b26a00",
    "missed": "#c62828",
}


def clock_badge(clock: Clock, *, label: str = "", at_risk: bool = False) -> str:
    """Days left or overdue, in colour and in words (the colour never carries it alone)."""
    _n, text, tone = days_left(clock)
    if at_risk and tone in ("ok", "due"):
        text, tone = str(_("at risk — %(left)s") % {"left": text}), "due"
    return format_html(
        '<span class="clock clock-{}" style="color:{};font-weight:bold">{}{}</span>',
        tone,
        TONES[tone],
        f"{label}: " if label else "",
        text,
    )


@admin.register(TradingPartner)
class TradingPartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "income_level", "labor_relations_system"]
    search_fields = ["name", "code"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["isic_code", "title"]
    search_fields = ["isic_code", "title"]


class SupplierLinkInline(admin.TabularInline):
    model = SupplyRelationship
    fk_name = "corporation"
    extra = 0
    autocomplete_fields = ["supplier"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "sector", "location"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "location"]
    autocomplete_fields = ["sector", "parent"]
    list_select_related = ["country", "sector"]
    inlines = [SupplierLinkInline]


@admin.register(SupplyRelationship)
class SupplyRelationshipAdmin(admin.ModelAdmin):
    list_display = ["supplier", "corporation", "products", "started_on", "ended_on"]
    autocomplete_fields = ["corporation", "supplier"]
    list_select_related = ["supplier", "corporation"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "country", "email", "user"]
    search_fields = ["full_name", "email"]
    list_select_related = ["country", "user"]


@admin.register(CommissionMember)
class CommissionMemberAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "country", "is_chair", "seated_on", "left_on"]
    list_filter = ["kind", "country", "is_chair"]
    autocomplete_fields = ["person"]
    list_select_related = ["person", "country"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["person", "title"]
    autocomplete_fields = ["person"]


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["person", "organization"]


@admin.register(InvestigativeTeam)
class InvestigativeTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "country"]
    search_fields = ["name"]
    inlines = [TeamMembershipInline]


@admin.register(CourtUser)
class CourtUserAdmin(admin.ModelAdmin):
    list_display = ["person", "court"]
    autocomplete_fields = ["person"]


class ApiTokenForm(forms.ModelForm):
    days = forms.IntegerField(
        label=_("valid for (days)"),
        min_value=1,
        initial=lambda: settings.API_TOKEN_DAYS,
        help_text=_("The token stops working after this many days."),
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff issue API tokens (the token is shown once, then only its prefix) and revoke
    them; a token is never edited."""

    form = ApiTokenForm
    list_display = ["prefix", "name", "user", "created_at", "expires_at", "last_used_at"]
    list_display += ["revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "name", "user__username"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "created_at", "created_by", "expires_at", "last_used_at"]
    readonly_fields += ["revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return ["user", "name", "days"]
        return ["user", "name", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list:
        return [*self.readonly_fields, "user", "name"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool) -> None:
        from .services import api_token_issue

        if change:
            return
        token, raw = api_token_issue(
            user=form.cleaned_data["user"],
            actor=request.user,
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
        )
        for field in ApiToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding = False
        messages.warning(
            request,
            format_html(
                "{} <code>{}</code>",
                _("Copy the token now; it will not be shown again:"),
                raw,
            ),
        )

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset) -> None:
        from .services import api_token_revoke

        for token in queryset:
            api_token_revoke(token=token, actor=request.user)
        self.message_user(request, _("Revoked."), messages.SUCCESS)


@admin.register(OrganizationMembership)
class OrganizationMembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "organization", "role"]
    autocomplete_fields = ["person", "organization"]


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    """Read-only: the audit record is append-only."""

    list_display = ["occurred_at", "docket_number", "verb", "from_status", "to_status", "actor"]
    list_filter = ["verb", "is_public"]
    search_fields = ["docket_number", "verb", "reason"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor", "subject_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConfidentialRead)
class ConfidentialReadAdmin(admin.ModelAdmin):
    """Read-only: every read of confidential data (commission.confidential), append-only.
    `?docket_number=` narrows it to one case (the case page links here)."""

    list_display = ["at", "docket_number", "user", "what", "subject", "door", "purpose"]
    list_filter = ["what", "door"]
    search_fields = ["docket_number", "subject", "user__username", "purpose"]
    date_hierarchy = "at"
    list_select_related = ["user"]

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "docket_number" or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["recorded_at", "worker"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, never editable here: the row is written by its service only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ClockNoticeInline(admin.TabularInline):
    model = ClockNotice
    extra = 0
    fields = ["kind", "offset", "scheduled_at", "claimed_at", "is_late", "outcome"]
    readonly_fields = fields
    can_delete = False
    ordering = ["scheduled_at", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeadlineFilter(admin.SimpleListFilter):
    """Due today, within N days, at risk, missed — the dashboard's counts link here."""

    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return DEADLINE_CHOICES

    def queryset(self, request, queryset):
        q = clock_deadline_q(self.value()) if self.value() else None
        return queryset.filter(q) if q is not None else queryset


@admin.register(Clock)
class ClockAdmin(CsvExportMixin, ReadOnlyAdmin):
    """Statutory clocks are read-only everywhere: no extension, tolling or pause exists.
    A window (written arguments, public notice) shows status "closed" once its time is up."""

    list_display = [
        "docket_number",
        "kind",
        "trigger_at",
        "last_day",
        "due_at",
        "status",
        "days_left",
    ]
    list_filter = [DeadlineFilter, "status", "kind"]
    search_fields = ["docket_number"]
    date_hierarchy = "due_at"
    list_select_related = ["subject_type"]
    inlines = [ClockNoticeInline]
    fields = [
        "docket_number",
        "subject_type",
        "subject_id",
        "kind",
        "legal_basis",
        "legal_source",
        "trigger_event",
        "trigger_at",
        "days",
        "counting_rule",
        "time_zone",
        "nominal_last_day",
        "last_day",
        "due_at",
        "arithmetic",
        "arithmetic_es",
        "status",
        "met_at",
        "met_by_event",
        "missed_at",
        "miss_recorded_at",
        "completed_at",
        "completed_by_event",
        "days_overdue",
        "closed_at",
        "next_action_at",
        "started_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("days left"), ordering="last_day")
    def days_left(self, clock: Clock) -> str:
        return clock_badge(clock)

    @admin.display(description=_("How the date was computed"))
    def arithmetic(self, clock: Clock) -> str:
        with translation.override("en"):
            return clock.explain()

    @admin.display(description=_("How the date was computed (Spanish)"))
    def arithmetic_es(self, clock: Clock) -> str:
        with translation.override("es"):
            return clock.explain()


@admin.register(ClockNotice)
class ClockNoticeAdmin(ReadOnlyAdmin):
    list_display = ["clock", "kind", "offset", "scheduled_at", "claimed_at", "is_late", "outcome"]
    list_filter = ["kind", "outcome", "is_late"]
    search_fields = ["clock__docket_number"]
    list_select_related = ["clock"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "docket_number", "subject_line", "email_status"]
    list_filter = ["email_status", "audience"]
    search_fields = ["docket_number", "subject_line", "recipient__username"]
    list_select_related = ["recipient"]
    readonly_fields = [
        "recipient",
        "notice",
        "audience",
        "docket_number",
        "subject_line",
        "message",
        "created_at",
        "read_at",
        "email_status",
        "emailed_at",
    ]
    fields = readonly_fields

    @admin.display(description=_("message"))
    def message(self, notification: Notification) -> str:
        subject, body = notification.localized()
        return format_html("<strong>{}</strong><pre>{}</pre>", subject, body)


@admin.register(CommissionHoliday)
class CommissionHolidayAdmin(admin.ModelAdmin):
    """Days off added to the national calendar. A holiday affects clocks started after it is
    entered; running clocks keep the deadline computed when they started."""

    list_display = ["date", "name", "created_at"]
    date_hierarchy = "date"
    fields = ["date", "name"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        from .services import commission_holiday_add

        try:
            saved = commission_holiday_add(date=obj.date, name=obj.name, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return
        obj.pk = saved.pk


# Webhook subscriptions and deliveries have their pages in a module of their own.
from . import webhook_admin  # noqa: E402, F401
