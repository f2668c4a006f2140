"""Forms of the register's doors (portal and admin). They only collect input; every rule is
in `criteria.services`, whose ValidationError they display."""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from commission.models import Organization, Sector, TradingPartner

from .drafts import VersionDraft
from .models import AveragingPeriod, Criterion, Direction, ParticipantRole, Proposal, Right, Vote

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegisterFilterForm(forms.Form):
    on = forms.DateField(
        label=_("In force on"),
        required=False,
        widget=DATE,
    )
    right = forms.ModelChoiceField(
        label=_("Right"),
        queryset=Right.objects.all(),
        required=False,
        to_field_name="code",
    )
    country = forms.ModelChoiceField(
        label=_("Trading partner"),
        queryset=TradingPartner.objects.all(),
        required=False,
        to_field_name="code",
    )
    sector = forms.ModelChoiceField(
        label=_("Sector (ISIC Rev. 4)"),
        queryset=Sector.objects.all(),
        required=False,
        to_field_name="isic_code",
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All"))] + list(Criterion.Kind.choices),
        required=False,
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class BindingForm(forms.Form):
    country = forms.ModelChoiceField(
        label=_("Trading partner"),
        queryset=TradingPartner.objects.all(),
        to_field_name="code",
    )
    sector = forms.ModelChoiceField(
        label=_("Sector (ISIC Rev. 4)"),
        queryset=Sector.objects.all(),
        to_field_name="isic_code",
    )
    on = forms.DateField(label=_("On"), widget=DATE)


class ReportForm(forms.Form):
    participant_role = forms.ChoiceField(
        label=_("Participating as"), choices=ParticipantRole.choices
    )
    organization = forms.ModelChoiceField(
        label=_("On behalf of (organization)"),
        queryset=Organization.objects.all(),
        required=False,
    )
    criterion = forms.ModelChoiceField(
        label=_("About criterion"),
        queryset=Criterion.objects.all(),
        required=False,
        to_field_name="code",
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Report"), widget=forms.Textarea)
    is_public = forms.BooleanField(label=_("Publish this report"), required=False, initial=True)


class ProposalForm(forms.Form):
    """A proposal: a new criterion, a revision or a retirement, with the proposed version.

    Sources are entered as JSON (a list of objects with the fields of a source), which the
    services validate; the API accepts the same structure."""

    kind = forms.ChoiceField(label=_("Proposal"), choices=Proposal.Kind.choices)
    criterion = forms.ModelChoiceField(
        label=_("Criterion to revise or retire"),
        queryset=Criterion.objects.all(),
        required=False,
        to_field_name="code",
    )
    right = forms.ModelChoiceField(
        label=_("Right (new criterion)"),
        queryset=Right.objects.all(),
        required=False,
        to_field_name="code",
    )
    criterion_kind = forms.ChoiceField(
        label=_("Kind (new criterion)"),
        choices=[("", "—")] + list(Criterion.Kind.choices),
        required=False,
    )
    governs = forms.SlugField(label=_("Governs (new criterion)"), required=False)
    title_en = forms.CharField(label=_("Title, English (new criterion)"), required=False)
    title_es = forms.CharField(label=_("Title, Spanish (new criterion)"), required=False)
    participant_role = forms.ChoiceField(
        label=_("Participating as"), choices=ParticipantRole.choices
    )
    text_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea)
    text_es = forms.CharField(label=_("Text (Spanish)"), widget=forms.Textarea, required=False)
    effective_from = forms.DateField(label=_("In force from"), widget=DATE)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("", "—")] + list(Direction.choices), required=False
    )
    threshold = forms.DecimalField(label=_("Threshold"), required=False, max_digits=24)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=64)
    averaging_period = forms.ChoiceField(
        label=_("Averaging period"), choices=AveragingPeriod.choices, required=False
    )
    measuring_method_en = forms.CharField(
        label=_("Measuring method (English)"), widget=forms.Textarea, required=False
    )
    measuring_method_es = forms.CharField(
        label=_("Measuring method (Spanish)"), widget=forms.Textarea, required=False
    )
    all_countries = forms.BooleanField(label=_("All trading partners"), required=False)
    countries = forms.CharField(
        label=_("Trading partners (ISO codes, space-separated)"), required=False
    )
    all_sectors = forms.BooleanField(label=_("All sectors"), required=False)
    sectors = forms.CharField(label=_("Sectors (ISIC codes, space-separated)"), required=False)
    sources = forms.CharField(
        label=_("Sources (JSON list)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_(
            'E.g. [{"kind": "domestic_law", "country": "PE", "instrument": "Ley 28048", '
            '"article": "1"}]. Kinds: international_law, domestic_law, best_practice.'
        ),
    )
    successor = forms.CharField(label=_("Successor (retirement)"), required=False)
    rationale = forms.CharField(
        label=_("Rationale: why it is needed and at least as protective"), widget=forms.Textarea
    )

    def clean_sources(self):
        raw = self.cleaned_data.get("sources") or "[]"
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValidationError(_("The sources are not valid JSON.")) from exc
        if not isinstance(value, list):
            raise ValidationError(_("Sources must be a list."))
        return value

    def draft(self) -> dict:
        """The proposed version, as `VersionDraft.from_dict` reads it."""
        return {name: self.cleaned_data.get(name) for name in VersionDraft.FIELDS}

    def submission(self) -> dict:
        """The inputs of `proposal_submit` (but the round and the actor)."""
        names = ["kind", "rationale", "participant_role", "criterion", "right", "criterion_kind"]
        names += ["governs", "title_en", "title_es"]
        return {"draft": self.draft(), **{name: self.cleaned_data[name] for name in names}}


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label=_("Vote"), choices=Vote.Choice.choices)
