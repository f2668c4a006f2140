"""Admin for members and staff. Nothing here writes a row itself: adding a round, a proposal,
a report, a rule resolution or a right calls the service, whose ValidationError becomes the
form's error; votes and decisions are admin actions calling the services. Versions and
criteria are read-only — they change only by adoption in a round."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from commission.models import Sector, TradingPartner

from . import services
from .forms import ProposalForm
from .models import (
    Criterion,
    CriterionVersion,
    DeliberationRound,
    ParticipantRole,
    Proposal,
    Right,
    RoundReport,
    RuleResolution,
    Source,
    Vote,
)


class ServiceForm(forms.ModelForm):
    """A model form whose only effect is one service call (made during validation, so a
    refusal is shown on the form and nothing is saved)."""

    user = None

    class Meta:
        fields: list[str] = []

    def perform(self, data):  # pragma: no cover - overridden
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = self.perform(cleaned)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return cleaned


class ServiceAdmin(admin.ModelAdmin):
    """Adding goes through `add_form`'s service call; rows are never edited or deleted here."""

    add_form: type[ServiceForm]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            form = type(self.add_form.__name__, (self.add_form,), {"user": request.user})
            kwargs["form"] = form
            kwargs["fields"] = list(form.base_fields)
            return super().get_form(request, obj, change=change, **kwargs)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": list(self.add_form.base_fields)})]
        return super().get_fieldsets(request, obj)

    def save_model(self, request, obj, form, change):
        """The service already saved it."""

    def save_related(self, request, form, formsets, change):
        """Nothing related is saved outside the service."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _run(modeladmin, request, queryset, call, done):
    for obj in queryset:
        try:
            call(obj)
        except ValidationError as exc:
            modeladmin.message_user(request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{obj}: {done}", messages.SUCCESS)


# --------------------------------------------------------------------------- rights


class RightAddForm(ServiceForm):
    code = forms.CharField(label=_("code"), max_length=8)
    name_en = forms.CharField(label=_("name (English)"), max_length=200)
    name_es = forms.CharField(label=_("name (Spanish)"), max_length=200, required=False)
    description_en = forms.CharField(
        label=_("description (English)"), widget=forms.Textarea, required=False
    )
    description_es = forms.CharField(
        label=_("description (Spanish)"), widget=forms.Textarea, required=False
    )
    position = forms.IntegerField(label=_("position"), initial=0, min_value=0)

    class Meta(ServiceForm.Meta):
        model = Right

    def perform(self, data):
        return services.right_create(actor=self.user, **data)


@admin.register(Right)
class RightAdmin(ServiceAdmin):
    add_form = RightAddForm
    list_display = ["code", "name_en", "name_es", "position"]


# --------------------------------------------------------------------------- criteria


class VersionInline(admin.TabularInline):
    model = CriterionVersion
    fk_name = "criterion"
    fields = ["identifier", "effective_from", "effective_until", "threshold", "unit", "provenance"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "title_en", "right", "kind", "governs"]
    list_filter = ["right", "kind"]
    search_fields = ["code", "title_en", "title_es", "governs"]
    list_select_related = ["right"]
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SourceInline(admin.StackedInline):
    model = Source
    extra = 0
    can_delete = False
    fields = [f.name for f in Source._meta.fields if f.name not in ("id", "version")]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CriterionVersion)
class CriterionVersionAdmin(admin.ModelAdmin):
    list_display = ["identifier", "effective_from", "effective_until", "threshold", "unit"]
    list_filter = ["provenance", "criterion__right", "is_retirement"]
    search_fields = ["identifier", "text_en", "text_es"]
    list_select_related = ["criterion"]
    date_hierarchy = "effective_from"
    inlines = [SourceInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --------------------------------------------------------------------------- rounds


class RoundAddForm(ServiceForm):
    code = forms.CharField(label=_("code"), max_length=20)
    title_en = forms.CharField(label=_("title (English)"), max_length=200)
    title_es = forms.CharField(label=_("title (Spanish)"), max_length=200, required=False)
    notice_en = forms.CharField(label=_("public notice (English)"), widget=forms.Textarea)
    notice_es = forms.CharField(
        label=_("public notice (Spanish)"), widget=forms.Textarea, required=False
    )
    submissions_open_on = forms.DateField(label=_("reports and proposals open on"))
    submissions_close_on = forms.DateField(label=_("reports and proposals close on"))
    meeting_on = forms.DateField(label=_("deliberation meeting on"), required=False)
    location = forms.CharField(label=_("place"), required=False)
    quorum_percent = forms.IntegerField(
        label=_("quorum (percent of sitting members voting)"),
        initial=50,
        min_value=1,
        max_value=100,
    )
    majority = forms.ChoiceField(
        label=_("required majority"),
        choices=DeliberationRound.Majority.choices,
        initial=DeliberationRound.Majority.SIMPLE,
    )

    class Meta(ServiceForm.Meta):
        model = DeliberationRound

    def perform(self, data):
        return services.round_convene(actor=self.user, **data)


@admin.register(DeliberationRound)
class DeliberationRoundAdmin(ServiceAdmin):
    add_form = RoundAddForm
    list_display = ["code", "title_en", "convened_on", "submissions_close_on", "status"]
    list_filter = ["status"]
    actions = ["open_voting", "close_round"]

    @admin.action(description=_("Close submissions and open the members' vote"))
    def open_voting(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda r: services.round_open_voting(round=r, actor=request.user),
            _("voting is open."),
        )

    @admin.action(description=_("Close the round (undecided proposals lapse)"))
    def close_round(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda r: services.round_close(round=r, actor=request.user),
            _("closed."),
        )


class ProposalAddForm(ServiceForm, ProposalForm):
    round = forms.ModelChoiceField(
        label=_("round"),
        queryset=DeliberationRound.objects.filter(status=DeliberationRound.Status.CONVENED),
    )

    class Meta(ServiceForm.Meta):
        model = Proposal

    def perform(self, data):
        return services.proposal_submit(
            round=data["round"],
            actor=self.user,
            kind=data["kind"],
            draft=self.draft(),
            rationale=data["rationale"],
            participant_role=data["participant_role"],
            criterion=data.get("criterion"),
            right=data.get("right"),
            criterion_kind=data.get("criterion_kind", ""),
            governs=data.get("governs", ""),
            title_en=data.get("title_en", ""),
            title_es=data.get("title_es", ""),
        )


class VoteInline(admin.TabularInline):
    model = Vote
    extra = 0
    can_delete = False
    readonly_fields = ["member", "choice", "cast_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(ServiceAdmin):
    add_form = ProposalAddForm
    list_display = ["__str__", "kind", "criterion", "title_en", "status", "filed_at"]
    list_filter = ["status", "kind", "round"]
    list_select_related = ["round", "criterion"]
    inlines = [VoteInline]
    actions = ["vote_yes", "vote_no", "vote_abstain", "decide"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def _vote(self, request, queryset, choice):
        _run(
            self,
            request,
            queryset,
            lambda p: services.proposal_vote(proposal=p, actor=request.user, choice=choice),
            _("vote recorded."),
        )

    @admin.action(description=_("Vote for (as the signed-in member)"))
    def vote_yes(self, request, queryset):
        self._vote(request, queryset, Vote.Choice.YES)

    @admin.action(description=_("Vote against (as the signed-in member)"))
    def vote_no(self, request, queryset):
        self._vote(request, queryset, Vote.Choice.NO)

    @admin.action(description=_("Abstain (as the signed-in member)"))
    def vote_abstain(self, request, queryset):
        self._vote(request, queryset, Vote.Choice.ABSTAIN)

    @admin.action(description=_("Count the vote: adopt (publish the version) or reject"))
    def decide(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda p: services.proposal_decide(proposal=p, actor=request.user),
            _("decided."),
        )


class ReportAddForm(ServiceForm):
    round = forms.ModelChoiceField(
        label=_("round"),
        queryset=DeliberationRound.objects.filter(status=DeliberationRound.Status.CONVENED),
    )
    participant_role = forms.ChoiceField(
        label=_("participating as"), choices=ParticipantRole.choices
    )
    criterion = forms.ModelChoiceField(
        label=_("about criterion"), queryset=Criterion.objects.all(), required=False
    )
    title = forms.CharField(label=_("title"), max_length=200)
    body = forms.CharField(label=_("report"), widget=forms.Textarea)
    is_public = forms.BooleanField(label=_("public"), required=False, initial=True)

    class Meta(ServiceForm.Meta):
        model = RoundReport

    def perform(self, data):
        return services.report_file(actor=self.user, **data)


@admin.register(RoundReport)
class RoundReportAdmin(ServiceAdmin):
    add_form = ReportAddForm
    list_display = ["title", "round", "participant_role", "is_public", "filed_at"]
    list_filter = ["round", "participant_role", "is_public"]


class ResolutionAddForm(ServiceForm):
    governs = forms.SlugField(label=_("governs"))
    binding_criterion = forms.ModelChoiceField(
        label=_("binding criterion"), queryset=Criterion.objects.filter(kind=Criterion.Kind.RULE)
    )
    country = forms.ModelChoiceField(
        label=_("country (empty: all)"), queryset=TradingPartner.objects.all(), required=False
    )
    sector = forms.ModelChoiceField(
        label=_("sector (empty: all)"), queryset=Sector.objects.all(), required=False
    )
    effective_from = forms.DateField(label=_("in force from"))
    reason_en = forms.CharField(label=_("why it binds (English)"), widget=forms.Textarea)
    reason_es = forms.CharField(
        label=_("why it binds (Spanish)"), widget=forms.Textarea, required=False
    )

    class Meta(ServiceForm.Meta):
        model = RuleResolution

    def perform(self, data):
        return services.rule_resolution_record(actor=self.user, **data)


@admin.register(RuleResolution)
class RuleResolutionAdmin(ServiceAdmin):
    add_form = ResolutionAddForm
    list_display = ["governs", "binding_criterion", "country", "sector", "effective_from"]
    list_select_related = ["binding_criterion", "country", "sector"]
