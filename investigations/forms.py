"""Forms of the team workspace. They only collect and check the shape of the input; every rule
is applied by `investigations.services`, whose refusals are shown on the same form."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.models import Organization
from criteria.models import CriterionVersion

from .models import DisclosureDemand, Finding, InterviewFile, VerificationVisit


class DateInput(forms.DateInput):
    input_type = "date"


class SiteVisitForm(forms.Form):
    place = forms.CharField(label=_("Place"), max_length=200)
    organization = forms.ModelChoiceField(
        label=_("Workplace or agency"), queryset=Organization.objects.none(), required=False
    )
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput)
    announced = forms.BooleanField(label=_("Announced in advance"), required=False)
    access_refused = forms.BooleanField(label=_("Access was refused"), required=False)
    observations = forms.CharField(label=_("Observations"), widget=forms.Textarea)

    def __init__(self, *args, investigation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            country=investigation.country
        )


class InterviewForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput)
    place_description = forms.CharField(
        label=_("Where (off company premises)"),
        max_length=200,
        help_text=_("E.g. the union hall, a parish hall, the worker's home."),
    )
    off_premises = forms.BooleanField(
        label=_("The interview was held off company premises"), required=False
    )
    interviewee_name = forms.CharField(
        label=_("Interviewee's name (confidential, encrypted)"), max_length=200
    )
    interviewee_contact = forms.CharField(
        label=_("Contact (confidential, encrypted)"), max_length=200, required=False
    )
    statement = forms.CharField(
        label=_("Statement (confidential, encrypted)"), widget=forms.Textarea
    )
    language = forms.ChoiceField(
        label=_("Language of the interview"), choices=[("es", "Español"), ("en", "English")]
    )


class ExcerptForm(forms.Form):
    text = forms.CharField(
        label=_("Excerpt (pseudonymised)"),
        widget=forms.Textarea,
        help_text=_("Never the interviewee's name: use the pseudonym."),
    )


class InterviewFileForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file is"), choices=InterviewFile.Kind.choices)
    upload = forms.FileField(
        label=_("File (audio, scan)"),
        help_text=_("Encrypted at rest; only those who may read this interview can open it."),
    )


class DemandForm(forms.Form):
    addressee = forms.ModelChoiceField(
        label=_("Addressed to"), queryset=Organization.objects.none()
    )
    instrument = forms.ChoiceField(
        label=_("Instrument"), choices=DisclosureDemand.Instrument.choices
    )
    scope = forms.ChoiceField(label=_("What is demanded"), choices=DisclosureDemand.Scope.choices)
    description = forms.CharField(
        label=_("Documents and information demanded"), widget=forms.Textarea
    )
    days = forms.IntegerField(label=_("Days to comply"), min_value=1, max_value=365)

    def __init__(self, *args, investigation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["addressee"].queryset = Organization.objects.filter(
            kind__in=[
                Organization.Kind.EMPLOYER,
                Organization.Kind.GLOBAL_CORPORATION,
                Organization.Kind.GOVERNMENT_AGENCY,
                Organization.Kind.GOVERNMENT,
            ]
        )


class DisclosureForm(forms.Form):
    summary = forms.CharField(label=_("What was disclosed"), widget=forms.Textarea)
    disclosed_on = forms.DateField(label=_("Disclosed on"), widget=DateInput)


class PenaltyForm(forms.Form):
    penalty = forms.CharField(label=_("Penalty for non-disclosure"), widget=forms.Textarea)
    amount = forms.DecimalField(label=_("Amount"), required=False, max_digits=14, decimal_places=2)
    currency = forms.CharField(label=_("Currency (ISO code)"), max_length=3, required=False)


class FindingForm(forms.Form):
    criterion_version = forms.ModelChoiceField(
        label=_("Criterion version"),
        queryset=CriterionVersion.objects.order_by("identifier"),
        to_field_name="identifier",
    )
    result = forms.ChoiceField(label=_("Result"), choices=Finding.Result.choices)
    summary = forms.CharField(label=_("Summary"), max_length=200)
    facts = forms.CharField(label=_("Facts found"), widget=forms.Textarea)
    observed_on = forms.DateField(label=_("Observed on"), widget=DateInput)
    organization = forms.ModelChoiceField(
        label=_("About"), queryset=Organization.objects.none(), required=False
    )
    measured_value = forms.DecimalField(
        label=_("Measured value"), required=False, max_digits=14, decimal_places=4
    )
    measured_unit = forms.CharField(label=_("Unit"), max_length=64, required=False)
    measuring_method = forms.CharField(label=_("Measuring method"), required=False)
    workers_affected = forms.IntegerField(label=_("Workers affected"), min_value=0, required=False)
    excerpts = forms.MultipleChoiceField(
        label=_("Interview excerpts relied on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    site_visits = forms.MultipleChoiceField(
        label=_("Site visits relied on"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, investigation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            country=investigation.country
        )
        self.fields["excerpts"].choices = [
            (str(e.pk), f"{e.interview.pseudonym}: {e.text[:80]}")
            for i in investigation.interviews.prefetch_related("excerpts")
            for e in i.excerpts.all()
        ]
        self.fields["site_visits"].choices = [
            (str(v.pk), str(v)) for v in investigation.site_visits.all()
        ]


class DetermineForm(forms.Form):
    """One position per member of the team (the staff member's prevails)."""

    def __init__(self, *args, memberships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = list(memberships)
        for m in self.memberships:
            self.fields[f"position_{m.pk}"] = forms.ChoiceField(
                label=_("Position of %(name)s (%(role)s)")
                % {"name": m.person.full_name, "role": m.get_role_display()},
                choices=[("", _("— no position —")), *Finding.Result.choices],
                required=False,
            )
            self.fields[f"reasoning_{m.pk}"] = forms.CharField(
                label=_("Reasoning of %(name)s") % {"name": m.person.full_name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )


class OrderForm(forms.Form):
    addressee = forms.ModelChoiceField(label=_("Ordered to"), queryset=Organization.objects.none())
    findings = forms.MultipleChoiceField(
        label=_("Violations remedied"), widget=forms.CheckboxSelectMultiple
    )
    text = forms.CharField(label=_("Order"), widget=forms.Textarea)
    issued_on = forms.DateField(
        label=_("Issued on"),
        widget=DateInput,
        help_text=_("Today, or the day the order was served in the field."),
    )
    step_1 = forms.CharField(label=_("Step 1"))
    step_1_days = forms.IntegerField(label=_("Step 1: days to complete"), min_value=1)
    step_2 = forms.CharField(label=_("Step 2 (optional)"), required=False)
    step_2_days = forms.IntegerField(
        label=_("Step 2: days to complete"), min_value=1, required=False
    )
    capacity_recipient = forms.ChoiceField(
        label=_("Technical assistance to"),
        choices=[("", _("— none —")), ("employer", _("Employer")), ("agency", _("Agency"))],
        required=False,
    )
    capacity_description = forms.CharField(
        label=_("Capacity-building measure"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, investigation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["addressee"].queryset = Organization.objects.filter(
            kind__in=[
                Organization.Kind.EMPLOYER,
                Organization.Kind.GLOBAL_CORPORATION,
                Organization.Kind.GOVERNMENT_AGENCY,
                Organization.Kind.GOVERNMENT,
            ]
        )
        self.fields["findings"].choices = [
            (str(f.pk), f"{f.criterion_version.identifier}: {f.summary}")
            for f in investigation.findings.filter(
                status=Finding.Status.DETERMINED, result=Finding.Result.VIOLATION
            ).select_related("criterion_version")
        ]
        self.fields["issued_on"].initial = timezone.localdate()


class VerificationForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput)
    basis = forms.ChoiceField(label=_("Basis"), choices=VerificationVisit.Basis.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=VerificationVisit.Outcome.choices)
    measured_value = forms.DecimalField(
        label=_("Measured value"), required=False, max_digits=14, decimal_places=4
    )
    measured_unit = forms.CharField(label=_("Unit"), max_length=64, required=False)
    measuring_method = forms.CharField(label=_("Measuring method"), required=False)
    observations = forms.CharField(label=_("Observations"), widget=forms.Textarea)


class MandateForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None)
    change = forms.CharField(label=_("Protocol change"), widget=forms.Textarea)
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea)
    effective_on = forms.DateField(label=_("Effective on"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        from commission.models import InvestigativeTeam

        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = InvestigativeTeam.objects.order_by("name")


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), widget=DateInput)
    until = forms.DateField(label=_("Until"), widget=DateInput)


class OpenForm(forms.Form):
    """Staff open an investigation: any kind; a sample of employers is drawn from the frame."""

    kind = forms.ChoiceField(label=_("Kind"), choices=())
    team = forms.ModelChoiceField(label=_("Team"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    complaint = forms.CharField(
        label=_("Docket number of the complaint"),
        max_length=20,
        required=False,
        help_text=_("For a targeted investigation or expedited fact-gathering."),
    )
    subjects = forms.ModelMultipleChoiceField(
        label=_("Agencies or employers monitored"),
        queryset=Organization.objects.none(),
        required=False,
    )
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=None, required=False)
    sample_size = forms.IntegerField(
        label=_("Sample size (sample of employers)"), min_value=1, required=False
    )
    seed = forms.CharField(
        label=_("Seed (empty: a new random seed is recorded)"), max_length=64, required=False
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        from commission.models import InvestigativeTeam, Sector

        from .models import Investigation

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Investigation.Kind.choices
        self.fields["team"].queryset = InvestigativeTeam.objects.order_by("name")
        self.fields["sector"].queryset = Sector.objects.all()
        self.fields["subjects"].queryset = Organization.objects.filter(
            kind__in=[Organization.Kind.GOVERNMENT_AGENCY, Organization.Kind.EMPLOYER]
        )
