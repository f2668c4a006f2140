"""Admin for members and staff. Nothing here writes a row itself: adding a round, a proposal,
a report, a rule resolution or a right calls the service, whose ValidationError becomes the
form's error; votes and decisions are admin actions calling the services. Versions and
criteria are read-only — they change only by adoption in a round."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .forms import ProposalForm
from .models import (
    Criterion,
    CriterionVersion,
    DeliberationRound,
    Proposal,
    Right,
    RoundReport,
    RuleResolution,
    Source,
    Vote,
)


class ServiceForm(forms.ModelForm):
    """A model form whose only effect is one service call (`perform`, made during validation,
    so a refusal is shown on the form and nothing is saved)."""

    user = None

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.instance = self.perform(cleaned)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return cleaned

    def _post_clean(self):
        """No model validation of its own: the service validated (and saved) the row."""


class ReadOnly:
    """Shown, never added, changed or deleted here (versions change only by adoption)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceAdmin(ReadOnly, admin.ModelAdmin):
    """Adding goes through `add_form`'s service call; rows are never edited or deleted here."""

    add_form: type[ServiceForm]

    def has_add_permission(self, request, obj=None):
        return admin.ModelAdmin.has_add_permission(self, request)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            form = type(self.add_form.__name__, (self.add_form,), {"user": request.user})
            kwargs.update(form=form, fields=list(form.base_fields))
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        """The service already saved it."""

    def save_related(self, request, form, formsets, change):
        """Nothing related is saved outside the service."""


def _action(name: str, description, call, done):
    """An admin action calling `call(obj, user)` on each selected row, reporting each."""

    def action(modeladmin, request, queryset):
        for obj in queryset:
            try:
                call(obj, request.user)
            except ValidationError as exc:
                modeladmin.message_user(request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{obj}: {done}", messages.SUCCESS)

    action.__name__ = name
    return admin.action(description=description)(action)


# --------------------------------------------------------------------------- rights


class RightAddForm(ServiceForm):
    class Meta:
        model = Right
        fields = ["code", "name_en", "name_es", "description_en", "description_es", "position"]

    def perform(self, data):
        return services.right_create(actor=self.user, **data)


@admin.register(Right)
class RightAdmin(ServiceAdmin):
    add_form = RightAddForm
    list_display = ["code", "name_en", "name_es", "position"]


# --------------------------------------------------------------------------- criteria


class VersionInline(ReadOnly, admin.TabularInline):
    model = CriterionVersion
    fk_name = "criterion"
    fields = ["identifier", "effective_from", "effective_until", "threshold", "unit", "provenance"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


@admin.register(Criterion)
class CriterionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "title_en", "right", "kind", "governs"]
    list_filter = ["right", "kind"]
    search_fields = ["code", "title_en", "title_es", "governs"]
    list_select_related = ["right"]
    inlines = [VersionInline]


class SourceInline(ReadOnly, admin.StackedInline):
    model = Source
    extra = 0
    fields = [f.name for f in Source._meta.fields if f.name not in ("id", "version")]
    readonly_fields = fields


@admin.register(CriterionVersion)
class CriterionVersionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["identifier", "effective_from", "effective_until", "threshold", "unit"]
    list_filter = ["provenance", "criterion__right", "is_retirement"]
    search_fields = ["identifier", "text_en", "text_es"]
    list_select_related = ["criterion"]
    date_hierarchy = "effective_from"
    inlines = [SourceInline]


# --------------------------------------------------------------------------- rounds


class RoundAddForm(ServiceForm):
    quorum_percent = forms.IntegerField(
        label=_("quorum (percent of sitting members voting)"),
        initial=50,
        min_value=1,
        max_value=100,
    )

    class Meta:
        model = DeliberationRound
        fields = [
            "code",
            "title_en",
            "title_es",
            "notice_en",
            "notice_es",
            "submissions_open_on",
            "submissions_close_on",
            "meeting_on",
            "location",
            "quorum_percent",
            "majority",
        ]

    def perform(self, data):
        return services.round_convene(actor=self.user, **data)


@admin.register(DeliberationRound)
class DeliberationRoundAdmin(ServiceAdmin):
    add_form = RoundAddForm
    list_display = ["code", "title_en", "convened_on", "submissions_close_on", "status"]
    list_filter = ["status"]
    actions = [
        _action(
            "open_voting",
            _("Close submissions and open the members' vote"),
            lambda r, user: services.round_open_voting(round=r, actor=user),
            _("voting is open."),
        ),
        _action(
            "close_round",
            _("Close the round (undecided proposals lapse)"),
            lambda r, user: services.round_close(round=r, actor=user),
            _("closed."),
        ),
    ]


class ConvenedRoundForm(ServiceForm):
    round = forms.ModelChoiceField(
        label=_("round"),
        queryset=DeliberationRound.objects.filter(status=DeliberationRound.Status.CONVENED),
    )


class ProposalAddForm(ConvenedRoundForm, ProposalForm):
    class Meta:
        model = Proposal
        fields: list[str] = []

    def perform(self, data):
        return services.proposal_submit(round=data["round"], actor=self.user, **self.submission())


class VoteInline(ReadOnly, admin.TabularInline):
    model = Vote
    extra = 0
    readonly_fields = ["member", "choice", "cast_at"]


def _vote(choice: str, description):
    return _action(
        f"vote_{choice}",
        description,
        lambda p, user: services.proposal_vote(proposal=p, actor=user, choice=choice),
        _("vote recorded."),
    )


@admin.register(Proposal)
class ProposalAdmin(ServiceAdmin):
    add_form = ProposalAddForm
    list_display = ["__str__", "kind", "criterion", "title_en", "status", "filed_at"]
    list_filter = ["status", "kind", "round"]
    list_select_related = ["round", "criterion"]
    inlines = [VoteInline]
    actions = [
        _vote(Vote.Choice.YES, _("Vote for (as the signed-in member)")),
        _vote(Vote.Choice.NO, _("Vote against (as the signed-in member)")),
        _vote(Vote.Choice.ABSTAIN, _("Abstain (as the signed-in member)")),
        _action(
            "decide",
            _("Count the vote: adopt (publish the version) or reject"),
            lambda p, user: services.proposal_decide(proposal=p, actor=user),
            _("decided."),
        ),
    ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []


class ReportAddForm(ConvenedRoundForm):
    class Meta:
        model = RoundReport
        fields = ["round", "participant_role", "criterion", "title", "body", "is_public"]

    def perform(self, data):
        return services.report_file(actor=self.user, **data)


@admin.register(RoundReport)
class RoundReportAdmin(ServiceAdmin):
    add_form = ReportAddForm
    list_display = ["title", "round", "participant_role", "is_public", "filed_at"]
    list_filter = ["round", "participant_role", "is_public"]


class ResolutionAddForm(ServiceForm):
    binding_criterion = forms.ModelChoiceField(
        label=_("binding criterion"), queryset=Criterion.objects.filter(kind=Criterion.Kind.RULE)
    )

    class Meta:
        model = RuleResolution
        fields = [
            "governs",
            "binding_criterion",
            "country",
            "sector",
            "effective_from",
            "reason_en",
            "reason_es",
        ]

    def perform(self, data):
        return services.rule_resolution_record(actor=self.user, **data)


@admin.register(RuleResolution)
class RuleResolutionAdmin(ServiceAdmin):
    add_form = ResolutionAddForm
    list_display = ["governs", "binding_criterion", "country", "sector", "effective_from"]
    list_select_related = ["binding_criterion", "country", "sector"]
