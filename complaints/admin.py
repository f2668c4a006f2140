"""The staff workspace for complaints and petitions: the intake queue, completeness checks that
never stop the clocks, assignment, and the recorded steps of petitions (outcome, court review)
and complaints (a government's statement of compliance). Every change goes through
`complaints.services`; the admin never saves a case itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BigIntegerField, CharField, Prefetch, Q
from django.db.models.functions import Cast
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from commission.admin import CsvExportMixin, clock_badge
from commission.confidential import confidential_read_record
from commission.dashboard import (
    DEADLINE_CHOICES,
    at_risk_q,
    clock_deadline_q,
    clock_milestone_register,
    deadline_list_register,
)
from commission.models import CaseEvent, Clock, ConfidentialRead, Organization, TradingPartner
from commission.selectors import clocks_for_subjects
from criteria.models import Right

from . import selectors, services
from .models import (
    GROUND_FIELDS,
    Allegation,
    Case,
    Complainant,
    ComplianceStatement,
    CourtReview,
    Evidence,
    Respondent,
)
from .search import case_search

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ComplainantInline(ReadOnlyInline):
    model = Complainant
    fields = ["position", "kind", "public", "identity", "user"]
    readonly_fields = fields

    @admin.display(description=_("shown as"))
    def public(self, obj):
        return obj.public_label

    @admin.display(description=_("identity (confidential)"))
    def identity(self, obj):
        request = getattr(self, "_request", None)
        if obj.kind != Complainant.Kind.WORKER:
            return obj.organization.name if obj.organization_id else ""
        if request is not None and request.user.has_perm("complaints.view_worker_identity"):
            confidential_read_record(
                user=request.user,
                what=ConfidentialRead.What.WORKER_IDENTITY,
                door=ConfidentialRead.Door.ADMIN,
                subject=f"complainant {obj.public_label}",
                docket_number=obj.case.docket_number,
            )
            return f"{obj.name} — {obj.contact}" if obj.contact else obj.name
        return _("(restricted)")

    def get_formset(self, request, obj=None, **kwargs):
        self._request = request
        return super().get_formset(request, obj, **kwargs)


class RespondentInline(ReadOnlyInline):
    model = Respondent
    fields = ["kind", "organization", "sector", "name_given", "country", "linked"]
    readonly_fields = fields

    @admin.display(boolean=True, description=_("linked to the records"))
    def linked(self, obj):
        return obj.is_linked


class AllegationInline(ReadOnlyInline):
    model = Allegation
    fields = [
        "number",
        "summary",
        "place",
        "period_start",
        "period_end",
        "workers_affected",
        "cited",
        "flagged_for_deliberation",
        "proposed_standard",
    ]
    readonly_fields = fields

    @admin.display(description=_("criteria cited"))
    def cited(self, obj):
        return ", ".join(c.code for c in obj.criteria.all())


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fk_name = "case"
    fields = [
        "original_name",
        "description",
        "content_type",
        "size",
        "sha256",
        "scan_status",
        "link",
    ]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def link(self, obj):
        if not obj.is_servable or not obj.case_id:
            return "—"
        url = reverse(
            "complaints:evidence",
            kwargs={"docket_number": obj.case.docket_number, "evidence_id": obj.pk},
        )
        return format_html('<a href="{}">{}</a>', url, _("download"))


class ComplianceStatementInline(ReadOnlyInline):
    model = ComplianceStatement
    fields = ["government", "received_at", "statement", "recorded_by"]
    readonly_fields = fields


class CourtReviewInline(ReadOnlyInline):
    model = CourtReview
    fk_name = "petition"
    fields = [
        "court",
        "court_case_number",
        "filed_on",
        *GROUND_FIELDS,
        "order",
        "order_date",
        "complaint",
    ]
    readonly_fields = fields


# --- sections of the case page added by higher apps (panel, hearing, decision, opinion) ---
CASE_SECTIONS: list[Callable[[Case, dict], str]] = []


def case_section_register(render: Callable[[Case, dict], str]):
    CASE_SECTIONS.append(render)
    return render


# --- stages of a case, shared by the case list and the dashboard --------------------------
#
# slug -> (label, function narrowing a Case queryset). Higher apps register the stages they
# know (a panel to select, a hearing to schedule, a decision to draft).
CASE_STAGES: dict[str, tuple[str, Callable]] = {}


def case_stage_register(slug: str, label, narrow: Callable) -> None:
    CASE_STAGES[slug] = (label, narrow)


def case_stage_url(slug: str) -> str:
    return f"{reverse('admin:complaints_case_changelist')}?stage={slug}"


class StageFilter(admin.SimpleListFilter):
    title = _("stage")
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return [(slug, label) for slug, (label, _narrow) in CASE_STAGES.items()]

    def queryset(self, request, queryset):
        if self.value() in CASE_STAGES:
            return CASE_STAGES[self.value()][1](queryset)
        return queryset


def _case_clocks(q) -> Q:
    """Cases having a clock that matches `q`."""
    ids = (
        Clock.objects.filter(q, subject_type=ContentType.objects.get_for_model(Case))
        .annotate(case_id=Cast("subject_id", BigIntegerField()))
        .values("case_id")
    )
    return Q(pk__in=ids)


class CaseDeadlineFilter(admin.SimpleListFilter):
    """Cases by their statutory clocks: due today, within N days, at risk, missed."""

    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return DEADLINE_CHOICES

    def queryset(self, request, queryset):
        q = clock_deadline_q(self.value()) if self.value() else None
        return queryset.filter(_case_clocks(q)) if q is not None else queryset


def _hearing_scheduled() -> Q:
    scheduled = (
        Case.objects.filter(hearing_scheduled_for__isnull=False)
        .annotate(sid=Cast("pk", CharField()))
        .values("sid")
    )
    return Q(subject_type=ContentType.objects.get_for_model(Case), subject_id__in=scheduled)


clock_milestone_register(Clock.Kind.HEARING_BY, _hearing_scheduled)
deadline_list_register(
    count=lambda q: Case.objects.filter(_case_clocks(q)).count(),
    url=lambda value: f"{reverse('admin:complaints_case_changelist')}?deadline={value}",
)


class IntakeQueueFilter(admin.SimpleListFilter):
    title = _("intake")
    parameter_name = "intake"

    def lookups(self, request, model_admin):
        return [
            ("new", _("New filings (not yet checked)")),
            ("checked", _("Checked")),
            ("mine", _("Assigned to me")),
            ("unassigned", _("Nobody assigned")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "new":
            return queryset.filter(intake_checked_at__isnull=True)
        if value == "checked":
            return queryset.filter(intake_checked_at__isnull=False)
        if value == "mine":
            return queryset.filter(assigned_staff=request.user)
        if value == "unassigned":
            return queryset.filter(assigned_staff__isnull=True)
        return queryset


# --- the recorded steps of a case ---------------------------------------------------------
#
# Every step a case goes through is a `CaseStep`: a form that calls exactly one service
# function. The steps of this app are registered below; higher apps (hearings) register
# theirs with `case_step_register` and add what they know about a case with
# `case_state_loader_register`, so the case page offers every step through one mechanism
# without this app importing theirs.


class StepForm(forms.Form):
    """The form of a recorded step: it knows its case and who acts."""

    intro = ""  # shown above the form (the clock's arithmetic, the candidates, the draft)
    formsets: list = []  # (title, formset) rendered after the fields

    def __init__(self, *args, case=None, user=None, state=None, **kwargs):
        self.case = case
        self.user = user
        self.state = state or {}
        super().__init__(*args, **kwargs)


def _always(case, state) -> bool:
    return True


@dataclass(frozen=True)
class CaseStep:
    """One step of a case offered on its page.

    `permitted(user, case, state)` says whether the user's role allows it (a 403 otherwise);
    `applies(case, state)` whether the case's state offers it (the button is shown only
    then; the service still decides). `run(form)` calls the one service and returns the
    success message (or None for a generic one). `clock`, when set, is the kind of the
    statutory clock whose arithmetic is shown with a refusal."""

    slug: str
    title: StrOrPromise
    form: type[StepForm]
    run: Callable[[StepForm], str | None]
    permitted: Callable[[object, Case, dict], bool]
    applies: Callable[[Case, dict], bool] = _always
    clock: str | None = None
    stage: StrOrPromise = ""
    kind: str | None = None  # a step of complaints only, or of petitions only (404 otherwise)


CASE_STEPS: dict[str, CaseStep] = {}
CASE_STATE_LOADERS: list[Callable[[Case, object], dict]] = []


def case_step_register(step: CaseStep) -> CaseStep:
    CASE_STEPS[step.slug] = step
    return step


def case_state_loader_register(loader: Callable[[Case, object], dict]):
    CASE_STATE_LOADERS.append(loader)
    return loader


def case_state(case: Case, user) -> dict:
    """What the steps need to know about a case, loaded once per page."""
    state: dict = {}
    for loader in CASE_STATE_LOADERS:
        state.update(loader(case, user))
    return state


def case_steps_offered(case: Case, user, state: dict) -> list[CaseStep]:
    return [
        step
        for step in CASE_STEPS.values()
        if (step.kind is None or step.kind == case.kind)
        and step.applies(case, state)
        and step.permitted(user, case, state)
    ]


def has_perm(perm: str) -> Callable[[object, Case, dict], bool]:
    def check(user, case, state) -> bool:
        return user.has_perm(perm)

    return check


def aware(value: dt.datetime) -> dt.datetime:
    """A datetime typed in the form is in the commission's time zone."""
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _staff_users():
    return get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")


def _governments():
    return Organization.objects.filter(kind=Organization.Kind.GOVERNMENT).order_by("name")


class AssignForm(StepForm):
    staff_user = forms.ModelChoiceField(label=_("Staff member"), queryset=_staff_users())


class IntakeCheckForm(StepForm):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, required=False)


class PetitionDenyForm(StepForm):
    reasoning = forms.CharField(
        label=_("Reasoned opinion: the findings in detail and why they do not breach the criteria"),
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    reference = forms.CharField(label=_("Opinion reference"), max_length=120, required=False)


class PetitionFileComplaintForm(StepForm):
    complainant = forms.ModelChoiceField(label=_("Filed in the name of"), queryset=_governments())
    reasoning = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 8}))


class CourtReviewForm(StepForm):
    court = forms.CharField(label=_("Court"), max_length=200)
    court_case_number = forms.CharField(label=_("Court case number"), max_length=80)
    grounds = forms.MultipleChoiceField(
        label=_("Grounds"),
        choices=[(name, CourtReview._meta.get_field(name).verbose_name) for name in GROUND_FIELDS],
        widget=forms.CheckboxSelectMultiple,
    )
    filed_on = forms.DateField(
        label=_("Filed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class CourtOrderForm(StepForm):
    review = forms.ModelChoiceField(label=_("Court action"), queryset=CourtReview.objects.none())
    order = forms.ChoiceField(
        label=_("Order"),
        choices=[
            (CourtReview.Order.COMPEL_FILING, CourtReview.Order.COMPEL_FILING.label),
            (CourtReview.Order.UPHOLD_DENIAL, CourtReview.Order.UPHOLD_DENIAL.label),
        ],
    )
    order_date = forms.DateField(
        label=_("Dated"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    order_text = forms.CharField(label=_("What the court ordered"), widget=forms.Textarea)
    complainant = forms.ModelChoiceField(
        label=_("Complaint filed in the name of (when filing is compelled)"),
        queryset=_governments(),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review"].queryset = CourtReview.objects.filter(
            petition=self.case, order=CourtReview.Order.PENDING
        )


class RespondentLinkForm(StepForm):
    respondent = forms.ModelChoiceField(
        label=_("Respondent named by the filer"), queryset=Respondent.objects.none()
    )
    organization = forms.ModelChoiceField(
        label=_("The organization in the records"), queryset=Organization.objects.order_by("name")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respondent"].queryset = Respondent.objects.filter(
            case=self.case, organization__isnull=True, sector__isnull=True
        )


class ComplianceStatementForm(StepForm):
    government = forms.ModelChoiceField(label=_("Government"), queryset=_governments())
    statement = forms.CharField(label=_("Statement"), widget=forms.Textarea)
    received_at = forms.DateTimeField(
        label=_("Received at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


def _run_assign(form):
    services.case_assign(
        case=form.case, staff_user=form.cleaned_data["staff_user"], actor=form.user
    )
    return _("Case assigned to %(user)s.") % {"user": form.cleaned_data["staff_user"]}


def _run_intake(form):
    issues = services.intake_check_record(
        case=form.case, actor=form.user, note=form.cleaned_data["note"]
    )
    return _("Intake check recorded (%(n)s issues). The clocks run regardless.") % {
        "n": len(issues)
    }


def _run_link(form):
    data = form.cleaned_data
    services.respondent_link(
        respondent=data["respondent"], organization=data["organization"], actor=form.user
    )
    return _("Respondent linked to %(org)s.") % {"org": data["organization"]}


def _run_deny(form):
    data = form.cleaned_data
    services.petition_deny(
        petition=form.case,
        reasoning=data["reasoning"],
        reference=data["reference"],
        actor=form.user,
    )
    return _("Petition denied with a reasoned opinion.")


def _run_file_complaint(form):
    data = form.cleaned_data
    complaint = services.petition_file_complaint(
        petition=form.case,
        complainant=data["complainant"],
        reasoning=data["reasoning"],
        actor=form.user,
    )
    return _("Complaint %(docket)s filed; its clocks start now.") % {
        "docket": complaint.docket_number
    }


def _run_court_review(form):
    data = form.cleaned_data
    services.court_review_file(
        petition=form.case,
        court=data["court"],
        court_case_number=data["court_case_number"],
        grounds=data["grounds"],
        filed_on=data["filed_on"],
        actor=form.user,
    )
    return _("Action in court recorded.")


def _run_court_order(form):
    data = form.cleaned_data
    services.court_order_record(
        review=data["review"],
        order=data["order"],
        order_date=data["order_date"],
        order_text=data["order_text"],
        complainant=data["complainant"],
        actor=form.user,
    )
    return _("The court's order is recorded.")


def _run_compliance(form):
    data = form.cleaned_data
    services.compliance_statement_record(
        case=form.case,
        government=data["government"],
        statement=data["statement"],
        received_at=aware(data["received_at"]),
        actor=form.user,
    )
    return _("Statement recorded. The case continues to a reasoned decision.")


def _is_petition(case, state) -> bool:
    return case.kind == Case.Kind.PETITION


def _petition_open(case, state) -> bool:
    return _is_petition(case, state) and not case.has_outcome


def _petition_denied(case, state) -> bool:
    return _is_petition(case, state) and case.status == Case.Status.DENIED


def _under_review(case, state) -> bool:
    return _is_petition(case, state) and case.status == Case.Status.UNDER_COURT_REVIEW


def _complaint_open(case, state) -> bool:
    return case.kind == Case.Kind.COMPLAINT and not case.has_outcome


def _unlinked_respondents(case, state) -> bool:
    return bool(state.get("unlinked_respondents"))


@case_state_loader_register
def _complaints_state(case: Case, user) -> dict:
    return {
        "unlinked_respondents": any(
            r.organization_id is None and r.sector_id is None for r in case.respondents.all()
        )
    }


for _step in (
    CaseStep(
        "assign",
        _("Assign to staff"),
        AssignForm,
        _run_assign,
        has_perm("complaints.assign_case"),
        stage=_("Intake"),
    ),
    CaseStep(
        "intake-check",
        _("Record the intake completeness check"),
        IntakeCheckForm,
        _run_intake,
        has_perm("complaints.check_intake"),
        stage=_("Intake"),
    ),
    CaseStep(
        "link-respondent",
        _("Link a respondent named by the filer to the records"),
        RespondentLinkForm,
        _run_link,
        has_perm("complaints.check_intake"),
        _unlinked_respondents,
        stage=_("Intake"),
    ),
    CaseStep(
        "deny",
        _("Deny the petition with a reasoned opinion"),
        PetitionDenyForm,
        _run_deny,
        has_perm("complaints.record_case_outcome"),
        _petition_open,
        stage=_("Outcome"),
        kind=Case.Kind.PETITION,
    ),
    CaseStep(
        "file-complaint",
        _("File the complaint the petition asks for"),
        PetitionFileComplaintForm,
        _run_file_complaint,
        has_perm("complaints.record_case_outcome"),
        _petition_open,
        stage=_("Outcome"),
        kind=Case.Kind.PETITION,
    ),
    CaseStep(
        "court-review",
        _("Record an action in court against the denial"),
        CourtReviewForm,
        _run_court_review,
        has_perm("complaints.record_court_review"),
        _petition_denied,
        stage=_("Court review"),
        kind=Case.Kind.PETITION,
    ),
    CaseStep(
        "court-order",
        _("Record the court's order"),
        CourtOrderForm,
        _run_court_order,
        has_perm("complaints.record_court_review"),
        _under_review,
        stage=_("Court review"),
        kind=Case.Kind.PETITION,
    ),
    CaseStep(
        "compliance-statement",
        _("Record a government's statement that the respondent now complies"),
        ComplianceStatementForm,
        _run_compliance,
        has_perm("complaints.record_case_outcome"),
        _complaint_open,
        stage=_("Hearing"),
        kind=Case.Kind.COMPLAINT,
    ),
):
    case_step_register(_step)


class CountryFilter(admin.SimpleListFilter):
    title = _("country complained against")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        return [(p.pk, p.name) for p in TradingPartner.objects.order_by("name")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        ids = Respondent.objects.filter(
            Q(organization__country=self.value()) | Q(country=self.value())
        ).values("case_id")
        return queryset.filter(pk__in=ids)


class RightFilter(admin.SimpleListFilter):
    title = _("right")
    parameter_name = "right"

    def lookups(self, request, model_admin):
        return [(r.pk, f"{r.code} — {r}") for r in Right.objects.order_by("code")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        ids = Allegation.objects.filter(criteria__right=self.value()).values("case_id")
        return queryset.filter(pk__in=ids)


class CaseChangeList(ChangeList):
    """Loads the statutory clocks of the page's cases in one query."""

    def get_results(self, request):
        super().get_results(request)
        cases = list(self.result_list)
        clocks = clocks_for_subjects(subjects=cases)
        for case in cases:
            case.page_clocks = {c.kind: c for c in clocks.get(case.pk, [])}


@admin.register(Case)
class CaseAdmin(CsvExportMixin, admin.ModelAdmin):
    list_display = [
        "docket_number",
        "kind",
        "status",
        "parties",
        "received_at",
        "hearing_clock",
        "decision_clock",
        "checked",
        "assigned",
    ]
    csv_columns = [
        "docket_number",
        "kind",
        "status",
        "parties",
        "received_at",
        "received_via",
        "hearing_clock",
        "decision_clock",
        "assigned",
    ]
    change_list_template = "admin/complaints/case/change_list.html"
    search_help_text = _(
        "Docket number, intake reference, a party's organization, a respondent as named, or "
        "words of the allegations (summary, facts, place)."
    )
    list_filter = [
        CaseDeadlineFilter,
        StageFilter,
        IntakeQueueFilter,
        "kind",
        "status",
        CountryFilter,
        RightFilter,
        "received_via",
    ]
    search_fields = ["docket_number", "intake_reference"]
    ordering = ["received_at"]
    # One count per page, not two (the full count is a second scan of every case).
    show_full_result_count = False
    list_select_related = ["intake_checked_by"]
    actions = ["assign_to_me", "record_intake_check"]
    inlines = [
        ComplainantInline,
        RespondentInline,
        AllegationInline,
        EvidenceInline,
        ComplianceStatementInline,
        CourtReviewInline,
    ]
    readonly_fields = [
        "docket_number",
        "kind",
        "status",
        "received_at",
        "received_via",
        "intake_reference",
        "recorded_at",
        "recorded_by",
        "filed_by",
        "language",
        "remedies_sought",
        "withhold_organization_names",
        "confidentiality_request",
        "contact",
        "originating_petition",
        "hearing_scheduled_for",
        "hearing_held_at",
        "outcome_at",
        "outcome_reasoning",
        "outcome_reference",
        "assigned",
        "intake_checked_at",
        "intake_checked_by",
        "completeness",
        "deadlines",
        "acknowledged_at",
        "receipt_sha256",
    ]
    fieldsets = [
        (None, {"fields": ["docket_number", "kind", "status"]}),
        (
            _("Receipt (never changes)"),
            {
                "fields": [
                    "received_at",
                    "received_via",
                    "intake_reference",
                    "recorded_at",
                    "recorded_by",
                    "filed_by",
                    "acknowledged_at",
                    "receipt_sha256",
                ]
            },
        ),
        (_("Statutory deadlines"), {"fields": ["deadlines"]}),
        (
            _("Intake"),
            {"fields": ["assigned", "intake_checked_at", "intake_checked_by", "completeness"]},
        ),
        (
            _("The filing"),
            {
                "fields": [
                    "language",
                    "remedies_sought",
                    "withhold_organization_names",
                    "confidentiality_request",
                    "contact",
                    "originating_petition",
                ]
            },
        ),
        (
            _("Hearing and outcome"),
            {
                "fields": [
                    "hearing_scheduled_for",
                    "hearing_held_at",
                    "outcome_at",
                    "outcome_reasoning",
                    "outcome_reference",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                "assigned_staff",
                Prefetch(
                    "complainants",
                    queryset=Complainant.objects.select_related("organization").order_by(
                        "position"
                    ),
                ),
                Prefetch(
                    "respondents",
                    queryset=Respondent.objects.select_related("organization", "sector"),
                ),
            )
        )

    def get_changelist(self, request, **kwargs):
        return CaseChangeList

    def get_search_results(self, request, queryset, search_term):
        return case_search(queryset, search_term), False

    @admin.display(description=_("parties"))
    def parties(self, obj):
        """Complainants as shown to the public (a worker by pseudonym) v. respondents."""
        complainants = [c.public_label for c in obj.complainants.all()]
        respondents = [
            r.organization.name if r.organization_id else (r.name_given or str(r.sector or ""))
            for r in obj.respondents.all()
        ]
        return f"{', '.join(complainants)} v. {', '.join(respondents)}"

    def _clock(self, obj, kind):
        clocks = getattr(obj, "page_clocks", None)
        if clocks is None:
            clocks = {c.kind: c for c in clocks_for_subjects(subjects=[obj])[obj.pk]}
            obj.page_clocks = clocks
        clock = clocks.get(kind)
        if clock is None:
            return "—"
        return format_html("{} {}", clock.last_day.isoformat(), clock_badge(clock))

    @admin.display(description=_("hearing by (day 60)"))
    def hearing_clock(self, obj):
        return self._clock(obj, Clock.Kind.HEARING_BY)

    @admin.display(description=_("decision by (day 90)"))
    def decision_clock(self, obj):
        return self._clock(obj, Clock.Kind.DECISION_BY)

    def has_view_permission(self, request, obj=None):
        """A member opens a case only where they sit on its panel without a conflict
        (docs/adr/0032); the list shows what the public docket shows."""
        if not super().has_view_permission(request, obj):
            return False
        if obj is not None and selectors.is_commission_member(request.user):
            return selectors.member_reads_case(user=request.user, case=obj)
        return True

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_assign_case_permission(self, request):
        return request.user.has_perm("complaints.assign_case")

    def has_check_intake_permission(self, request):
        return request.user.has_perm("complaints.check_intake")

    @admin.display(boolean=True, description=_("checked"))
    def checked(self, obj):
        return obj.intake_checked_at is not None

    @admin.display(description=_("assigned staff"))
    def assigned(self, obj):
        return ", ".join(u.get_username() for u in obj.assigned_staff.all()) or "—"

    @admin.display(description=_("contact email (confidential)"))
    def contact(self, obj):
        request = getattr(self, "_request", None)
        if request is not None and request.user.has_perm("complaints.view_worker_identity"):
            if obj.contact_email:
                confidential_read_record(
                    user=request.user,
                    what=ConfidentialRead.What.FILER_CONTACT,
                    door=ConfidentialRead.Door.ADMIN,
                    subject=f"case {obj.docket_number}: contact email",
                    docket_number=obj.docket_number,
                )
            return obj.contact_email or "—"
        return _("(restricted)")

    @admin.display(description=_("completeness (never stops the clocks)"))
    def completeness(self, obj):
        issues = selectors.case_completeness(case=obj)
        if not issues:
            return _("Nothing to follow up.")
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i.message,) for i in issues))
        )

    @admin.display(description=_("deadlines"))
    def deadlines(self, obj):
        rows = selectors.case_deadlines(case=obj)
        if not rows:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{}</strong>: {} — {}<br><small>{}</small></li>",
                (
                    (
                        d.label,
                        timezone.localtime(d.due_at).strftime("%Y-%m-%d %H:%M"),
                        d.status,
                        d.explanation,
                    )
                    for d in rows
                ),
            ),
        )

    @admin.display(description=_("record a step"))
    def steps(self, obj):
        request = getattr(self, "_request", None)
        if request is None:
            return "—"
        state = case_state(obj, request.user)
        offered = case_steps_offered(obj, request.user, state)
        if not offered:
            return _("No step is open to you in the case's present state.")
        links = [
            (reverse("admin:complaints_case_act", args=[obj.pk, step.slug]), step.stage, step.title)
            for step in offered
        ]
        return format_html(
            '<ul class="case-steps">{}</ul>',
            format_html_join("", '<li><a class="button" href="{}">{} — {}</a></li>', links),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._request = request
        case = self.get_object(request, object_id)
        if case is not None:
            state = case_state(case, request.user)
            clocks = {c.kind: c for c in clocks_for_subjects(subjects=[case])[case.pk]}
            risky = set(
                Clock.objects.filter(
                    at_risk_q(), pk__in=[c.pk for c in clocks.values()]
                ).values_list("kind", flat=True)
            )
            extra_context = {
                **(extra_context or {}),
                "case_header": {
                    "docket": case.docket_number,
                    "kind": case.get_kind_display(),
                    "status": case.get_status_display(),
                    "parties": self.parties(case),
                    "clocks": [
                        clock_badge(
                            clocks[kind],
                            label=str(Clock.Kind(kind).label),
                            at_risk=kind in risky,
                        )
                        + format_html(" <small>({})</small>", clocks[kind].last_day.isoformat())
                        for kind in (Clock.Kind.HEARING_BY, Clock.Kind.DECISION_BY)
                        if kind in clocks
                    ],
                },
                "case_steps": [
                    (
                        reverse("admin:complaints_case_act", args=[case.pk, step.slug]),
                        step.stage,
                        step.title,
                    )
                    for step in case_steps_offered(case, request.user, state)
                ],
                "case_sections": [render(case, state) for render in CASE_SECTIONS],
                "case_timeline": CaseEvent.objects.filter(docket_number=case.docket_number)
                .select_related("actor")
                .order_by("occurred_at", "pk"),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "paper_filing_url": reverse("complaints:start"),
        }
        return super().changelist_view(request, extra_context)

    # --- actions -------------------------------------------------------------------------
    def _each(self, request, queryset, run, done_message):
        """Run the service on each selected case, one by one; summarise what was done and
        list every refusal with its reason."""
        done, refused = 0, []
        for case in queryset:
            try:
                run(case)
            except (ValidationError, PermissionDenied) as exc:
                reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                refused.append(f"{case.docket_number}: {' '.join(reasons)}")
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                _("%(n)s refused — %(list)s") % {"n": len(refused), "list": "; ".join(refused)},
                messages.ERROR,
            )

    @admin.action(description=_("Assign the selected filings to me"), permissions=["assign_case"])
    def assign_to_me(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda case: services.case_assign(
                case=case, staff_user=request.user, actor=request.user
            ),
            _("%(n)s case(s) assigned to you."),
        )

    @admin.action(
        description=_("Record the intake completeness check"), permissions=["check_intake"]
    )
    def record_intake_check(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda case: services.intake_check_record(case=case, actor=request.user),
            _("%(n)s intake check(s) recorded. The clocks run regardless."),
        )

    # --- the recorded steps ----------------------------------------------------------------
    def get_urls(self):
        return [
            path(
                "<int:pk>/act/<slug:action>/",
                self.admin_site.admin_view(self.act_view),
                name="complaints_case_act",
            ),
            *super().get_urls(),
        ]

    def act_view(self, request, pk, action):
        case = get_object_or_404(Case, pk=pk)
        step = CASE_STEPS.get(action)
        if step is None or (step.kind is not None and case.kind != step.kind):
            raise Http404
        state = case_state(case, request.user)
        if not step.permitted(request.user, case, state):
            raise PermissionDenied
        if not step.applies(case, state):
            # Only the steps the case's state offers have a button; a stale page or a typed
            # address is told so, and nothing is run.
            self.message_user(
                request, _("The case's state does not offer this step now."), messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:complaints_case_change", args=[pk]))
        posted = request.method == "POST"
        form = step.form(
            request.POST if posted else None,
            request.FILES if posted else None,
            case=case,
            user=request.user,
            state=state,
        )
        if posted and form.is_valid():
            try:
                message = step.run(form)
            except (ValidationError, PermissionDenied) as exc:
                for error in step_refusal(exc, case=case, clock_kind=step.clock):
                    form.add_error(None, error)
                    self.message_user(request, error, messages.ERROR)
            else:
                self.message_user(request, message or _("Recorded."), messages.SUCCESS)
                if not self.has_view_permission(request, case):
                    # A member off the case's panel declares without reading the case
                    # (docs/adr/0032): back to the dashboard, not to a page closed to them.
                    return HttpResponseRedirect(reverse("admin:index"))
                return HttpResponseRedirect(reverse("admin:complaints_case_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{step.title} — {case.docket_number}",
            "form": form,
            "step": step,
            "case": case,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/complaints/case/act.html", context)


def step_refusal(exc: Exception, *, case: Case, clock_kind: str | None) -> list[str]:
    """The refusal of a service as the lines shown to staff: its messages, then — where a
    statutory clock is involved — how that clock's date was computed."""
    if isinstance(exc, ValidationError):
        lines = list(exc.messages)
    else:
        lines = [str(exc) or str(_("You are not allowed to do this."))]
    if clock_kind:
        clock = (
            Clock.objects.filter(
                subject_type=ContentType.objects.get_for_model(Case),
                subject_id=str(case.pk),
                kind=clock_kind,
            )
            .order_by("pk")
            .first()
        )
        if clock is not None:
            lines.append(
                _("%(kind)s: %(arithmetic)s")
                % {"kind": clock.get_kind_display(), "arithmetic": clock.explain()}
            )
    return lines
