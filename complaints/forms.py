"""The portal's filing forms, one per step, and the conversion of a draft's saved answers into
the service's `FilingInput`.

A draft stores each step's submitted values as they were typed (even when incomplete), so a
filer can save and return at any point; the answers are validated again, all together, on the
check-your-answers step and on submission.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from commission.forms import INT32_MAX, BoundedModelMultipleChoiceField
from commission.models import Organization, Sector, TradingPartner
from commission.paging import bounded_int
from criteria.models import Criterion, CriterionVersion
from criteria.selectors import in_force_q

from .models import Case, Complainant, Respondent
from .services import (
    MAX_ALLEGATIONS,
    AllegationInput,
    ComplainantInput,
    FilingInput,
    RespondentInput,
)

FILER_ORGANIZATION_KINDS = (
    Organization.Kind.LABOR_ORGANIZATION,
    Organization.Kind.HUMAN_RIGHTS_ORGANIZATION,
    Organization.Kind.GOVERNMENT,
    Organization.Kind.OTHER,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def user_delegations(user):
    if not (user is not None and user.is_authenticated):
        return Organization.objects.none()
    return Organization.objects.filter(delegates__person__user=user).order_by("name")


def can_record_paper(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("complaints.record_paper_filing"))


def criteria_in_force():
    today = timezone.localdate()
    in_force = CriterionVersion.objects.filter(
        criterion=OuterRef("pk"), is_retirement=False
    ).filter(in_force_q(today))
    return Criterion.objects.filter(Exists(in_force)).select_related("right").order_by("code")


class CriterionChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.title}"


class FilingKindForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What are you filing?"),
        choices=[
            (
                Case.Kind.COMPLAINT,
                _("A complaint to the commission — it starts arbitral proceedings automatically"),
            ),
            (
                Case.Kind.PETITION,
                _(
                    "A petition to the domestic commission — asking it to file a complaint or "
                    "impose sanctions"
                ),
            ),
        ],
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Language of your filing"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        help_text=_("The commission answers you in this language."),
    )


class ComplainantsForm(forms.Form):
    filer_type = forms.ChoiceField(
        label=_("Who is filing?"),
        choices=[],
        widget=forms.RadioSelect,
    )
    organizations = BoundedModelMultipleChoiceField(
        label=_("Organizations filing"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The organizations you file for as their delegate."),
    )
    worker_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        required=False,
        help_text=_(
            "Confidential: only entitled commission staff see it. Everyone else — the public, "
            "the respondents, the panel — sees a pseudonym."
        ),
    )
    worker_contact = forms.CharField(
        label=_("How we can reach you (phone or address)"),
        max_length=300,
        required=False,
        help_text=_("Confidential, like your name. Optional."),
    )
    contact_email = forms.EmailField(
        label=_("Email for the acknowledgment and receipt"),
        required=False,
        help_text=_("Optional. Confidential."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if can_record_paper(user):
            queryset = Organization.objects.filter(kind__in=FILER_ORGANIZATION_KINDS)
            org_label = _("For one or more organizations")
            self.fields["organizations"].help_text = _("The organizations that filed.")
        else:
            queryset = user_delegations(user)
            org_label = _("For an organization I represent")
        self.fields["organizations"].queryset = queryset.order_by("name")
        choices = []
        if queryset.exists():
            choices.append(("organization", org_label))
        choices.append(("worker", _("As a worker (your identity stays confidential)")))
        self.fields["filer_type"].choices = choices
        if user is not None and user.is_authenticated and not self.is_bound:
            self.initial.setdefault("contact_email", user.email)

    def clean(self):
        data = super().clean()
        filer_type = data.get("filer_type")
        if filer_type == "organization" and not data.get("organizations"):
            self.add_error("organizations", _("Choose at least one organization."))
        if filer_type == "worker" and not (data.get("worker_name") or "").strip():
            self.add_error("worker_name", _("Give your name. It stays confidential."))
        return data

    def complainants(self) -> list[ComplainantInput]:
        data = self.cleaned_data
        if data["filer_type"] == "organization":
            return [
                ComplainantInput(kind=Complainant.Kind.ORGANIZATION, organization=org)
                for org in data["organizations"]
            ]
        account = self.user if (self.user and self.user.is_authenticated) else None
        if can_record_paper(self.user):
            account = None  # staff entering a paper filing do not become the worker
        return [
            ComplainantInput(
                kind=Complainant.Kind.WORKER,
                name=data["worker_name"],
                contact=data.get("worker_contact", ""),
                user=account,
            )
        ]


RESPONDENT_GROUPS = (
    ("governments", Respondent.Kind.GOVERNMENT, Organization.Kind.GOVERNMENT),
    ("agencies", Respondent.Kind.GOVERNMENT_AGENCY, Organization.Kind.GOVERNMENT_AGENCY),
    ("employers", Respondent.Kind.EMPLOYER, Organization.Kind.EMPLOYER),
    ("corporations", Respondent.Kind.GLOBAL_CORPORATION, Organization.Kind.GLOBAL_CORPORATION),
)
NEW_RESPONDENT_ROWS = 2


class OrganizationChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.country.name})" if obj.country_id else obj.name


class RespondentsForm(forms.Form):
    governments = OrganizationChoiceField(
        label=_("Governments"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agencies = OrganizationChoiceField(
        label=_("Government agencies"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("E.g. a ministry or the prison system."),
    )
    employers = OrganizationChoiceField(
        label=_("Employers and workplaces"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    corporations = OrganizationChoiceField(
        label=_("Buying (global) corporations"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Corporations supplied by the workplaces complained of."),
    )
    sectors = BoundedModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, _kind, org_kind in RESPONDENT_GROUPS:
            self.fields[name].queryset = Organization.objects.filter(kind=org_kind).select_related(
                "country"
            )
        self.fields["sectors"].queryset = Sector.objects.all()
        countries = [("", _("— country —")), *TradingPartner.objects.values_list("pk", "name")]
        for i in range(1, NEW_RESPONDENT_ROWS + 1):
            self.fields[f"new_{i}_kind"] = forms.ChoiceField(
                label=_("Kind of respondent not listed (%(n)s)") % {"n": i},
                choices=[("", _("— kind —"))]
                + [(k, label) for k, label in Respondent.Kind.choices if k != "sector"],
                required=False,
            )
            self.fields[f"new_{i}_name"] = forms.CharField(
                label=_("Name (%(n)s)") % {"n": i}, max_length=200, required=False
            )
            self.fields[f"new_{i}_country"] = forms.TypedChoiceField(
                label=_("Country (%(n)s)") % {"n": i},
                choices=countries,
                coerce=int,
                empty_value=None,
                required=False,
            )

    def new_rows(self):
        for i in range(1, NEW_RESPONDENT_ROWS + 1):
            yield [self[f"new_{i}_kind"], self[f"new_{i}_name"], self[f"new_{i}_country"]]

    def clean(self):
        data = super().clean()
        for i in range(1, NEW_RESPONDENT_ROWS + 1):
            kind, name = data.get(f"new_{i}_kind"), (data.get(f"new_{i}_name") or "").strip()
            if kind and not name:
                self.add_error(f"new_{i}_name", _("Give the respondent's name."))
            if name and not kind:
                self.add_error(f"new_{i}_kind", _("Say what kind of respondent it is."))
        if not self.errors and not self.respondents():
            raise forms.ValidationError(_("Name at least one respondent."))
        return data

    def respondents(self) -> list[RespondentInput]:
        data = self.cleaned_data
        result = []
        for name, kind, _org_kind in RESPONDENT_GROUPS:
            for org in data.get(name) or []:
                result.append(RespondentInput(kind=kind, organization=org, country=org.country_id))
        for sector in data.get("sectors") or []:
            result.append(RespondentInput(kind=Respondent.Kind.SECTOR, sector=sector))
        countries = {}
        for i in range(1, NEW_RESPONDENT_ROWS + 1):
            kind, name = data.get(f"new_{i}_kind"), (data.get(f"new_{i}_name") or "").strip()
            if kind and name:
                country_id = data.get(f"new_{i}_country")
                if country_id and country_id not in countries:
                    countries[country_id] = TradingPartner.objects.filter(pk=country_id).first()
                result.append(
                    RespondentInput(kind=kind, name_given=name, country=countries.get(country_id))
                )
        return result


class AllegationForm(forms.Form):
    summary = forms.CharField(
        label=_("In one line, what happened?"),
        max_length=200,
        help_text=_("Public: shown on the docket. Do not name workers here."),
    )
    facts = forms.CharField(
        label=_("The facts"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, to whom (without names if you prefer), who did it."),
    )
    period_start = forms.DateField(label=_("From (date)"), widget=DateInput)
    period_end = forms.DateField(
        label=_("Until (date)"),
        widget=DateInput,
        required=False,
        help_text=_("Leave empty if it is still going on."),
    )
    place = forms.CharField(label=_("Where"), max_length=200)
    workers_affected = forms.IntegerField(
        label=_("How many workers are affected?"),
        min_value=1,
        max_value=INT32_MAX,
        required=False,
        help_text=_("An estimate is fine. Leave empty if unknown."),
    )
    criteria = CriterionChoiceField(
        label=_("Criteria of the register that were breached"),
        queryset=Criterion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    proposed_standard = forms.CharField(
        label=_("No criterion fits? Describe the standard that was breached"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "It is flagged for the commission's next deliberation round, where criteria are "
            "strengthened."
        ),
    )

    def __init__(self, *args, criteria_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].queryset = (
            criteria_queryset if criteria_queryset is not None else criteria_in_force()
        )
        limit_length(self.fields["facts"], settings.FILING_FACTS_MAX_LENGTH)
        limit_length(self.fields["proposed_standard"], settings.FILING_TEXT_MAX_LENGTH)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        today, earliest = timezone.localdate(), earliest_date()
        for name, day in (("period_start", start), ("period_end", end)):
            if day and day < earliest:
                self.add_error(
                    name,
                    _("The commission hears what happened from %(day)s on.")
                    % {"day": earliest.isoformat()},
                )
        if start and start > today:
            self.add_error("period_start", _("The period cannot start in the future."))
        if end and end > today:
            self.add_error(
                "period_end", _("The period cannot end in the future: leave it empty instead.")
            )
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        if (
            "criteria" in data
            and not data.get("criteria")
            and not (data.get("proposed_standard") or "").strip()
        ):
            self.add_error(
                "proposed_standard",
                _("Cite at least one criterion, or describe the standard that was breached."),
            )
        return data

    def allegation(self) -> AllegationInput:
        d = self.cleaned_data
        return AllegationInput(
            summary=d["summary"],
            facts=d["facts"],
            period_start=d["period_start"],
            period_end=d.get("period_end"),
            place=d["place"],
            workers_affected=d.get("workers_affected"),
            criteria=list(d.get("criteria") or []),
            proposed_standard=d.get("proposed_standard") or "",
        )


def limit_length(field: forms.CharField, limit: int) -> None:
    """Give a free-text field its maximum length (from settings, read when the form is made)."""
    field.max_length = limit
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)


def earliest_date() -> dt.date:
    return dt.date.fromisoformat(settings.FILING_EARLIEST_DATE)


class BaseAllegationFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        self._criteria = criteria_in_force()
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"criteria_queryset": self._criteria}

    def clean(self):
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]
        if not kept:
            raise forms.ValidationError(_("Make at least one allegation."))

    def allegations(self) -> list[AllegationInput]:
        return [
            form.allegation()
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form)
        ]


AllegationFormSet = forms.formset_factory(
    AllegationForm,
    formset=BaseAllegationFormSet,
    extra=0,
    min_num=1,
    max_num=MAX_ALLEGATIONS,
    absolute_max=MAX_ALLEGATIONS,
    can_delete=True,
    validate_max=True,
)


class RemediesForm(forms.Form):
    remedies_sought = forms.CharField(
        label=_("What remedies do you seek?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "E.g. reinstatement with back pay, recognition of the union, an end to prison "
            "labor in the supply chain, sanctions against the respondents."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_length(self.fields["remedies_sought"], settings.FILING_TEXT_MAX_LENGTH)


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, images, text, Word, Excel, OpenDocument, audio or video; up to %(mb)s MB."
        ),
    )
    description = forms.CharField(label=_("What it shows"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {
            "mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        }


class ConfidentialityForm(forms.Form):
    withhold_organization_names = forms.BooleanField(
        label=_("Show the filing organizations by pseudonym on the public docket"),
        required=False,
    )
    confidentiality_request = forms.CharField(
        label=_("Anything else that must stay confidential, and why"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("E.g. the risk of reprisals against workers who give evidence."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_length(self.fields["confidentiality_request"], settings.FILING_TEXT_MAX_LENGTH)


class ReviewForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("The information in this filing is true to the best of my knowledge."),
    )
    # Honeypot: hidden from people by CSS; a bot that fills every field gives itself away.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff_intake = can_record_paper(user)
        if self.staff_intake:
            self.fields["received_via"] = forms.ChoiceField(
                label=_("How was this filing received?"),
                choices=[
                    (Case.Channel.PORTAL, _("Through the portal, now")),
                    (Case.Channel.PAPER, _("On paper")),
                    (Case.Channel.EMAIL, _("By email")),
                ],
                initial=Case.Channel.PORTAL,
                widget=forms.RadioSelect,
            )
            self.fields["received_at"] = forms.DateTimeField(
                label=_("Received at (%(tz)s time)") % {"tz": settings.TIME_ZONE},
                required=False,
                widget=DateTimeLocalInput,
                help_text=_("For paper and email: when the commission received it."),
            )
            self.fields["intake_reference"] = forms.CharField(
                label=_("Registry or message reference"), max_length=120, required=False
            )

    def clean(self):
        data = super().clean()
        if self.staff_intake and data.get("received_via") in {"paper", "email"}:
            received_at = data.get("received_at")
            if received_at is None:
                self.add_error("received_at", _("Record when it was received."))
            elif received_at > timezone.now():
                self.add_error("received_at", _("The receipt time cannot be in the future."))
        return data

    def receipt(self) -> dict:
        if not self.staff_intake or self.cleaned_data.get("received_via") == "portal":
            return {"received_via": Case.Channel.PORTAL}
        received_at = self.cleaned_data["received_at"]
        if timezone.is_naive(received_at):
            received_at = received_at.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
        return {
            "received_via": self.cleaned_data["received_via"],
            "received_at": received_at,
            "intake_reference": self.cleaned_data.get("intake_reference", ""),
        }


# --- the steps -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type | None


STEPS = (
    Step("filing", _("Complaint or petition"), FilingKindForm),
    Step("complainants", _("Who is filing"), ComplainantsForm),
    Step("respondents", _("Respondents"), RespondentsForm),
    Step("allegations", _("Allegations"), AllegationFormSet),
    Step("remedies", _("Remedies sought"), RemediesForm),
    Step("evidence", _("Evidence"), None),
    Step("confidentiality", _("Confidentiality"), ConfidentialityForm),
    Step("review", _("Check your answers"), None),
)
STEP_SLUGS = tuple(s.slug for s in STEPS)
FORM_STEPS = tuple(s for s in STEPS if s.form_class is not None)


def step_by_slug(slug: str) -> Step | None:
    return next((s for s in STEPS if s.slug == slug), None)


def next_step(slug: str) -> str:
    index = STEP_SLUGS.index(slug)
    return STEP_SLUGS[min(index + 1, len(STEP_SLUGS) - 1)]


def previous_step(slug: str) -> str | None:
    index = STEP_SLUGS.index(slug)
    return STEP_SLUGS[index - 1] if index else None


# What a draft keeps of a step's POST: only the step's own fields, at most this many values
# per field and characters per value (beyond every field's own maximum, so an over-long answer
# is kept to be shown with its error, but never without bound).
MAX_VALUES_PER_FIELD = 200
MAX_STORED_CHARS = 100_000
MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")


def _allegation_keys() -> set[str]:
    names = [*AllegationForm.base_fields, "DELETE"]
    keys = {f"allegations-{i}-{name}" for i in range(MAX_ALLEGATIONS) for name in names}
    return keys | {f"allegations-{name}" for name in MANAGEMENT}


def allegations_total(answers: dict) -> int:
    """The number of allegation forms saved answers ask for, within 1..MAX_ALLEGATIONS."""
    raw = (answers.get("allegations-TOTAL_FORMS") or ["1"])[0]
    return bounded_int(raw, default=1, minimum=1, maximum=MAX_ALLEGATIONS)


def stored_answers(post, step: Step | None = None, *, user=None) -> dict[str, list[str]]:
    """The values of a POST as JSON (every key a list), without the CSRF token and buttons;
    with `step`, only that step's fields, bounded, so a saved draft always renders."""
    skip = {"csrfmiddlewaretoken", "action"}
    answers = {key: values for key, values in post.lists() if key not in skip}
    if step is None or step.form_class is None:
        return answers if step is None else {}
    if step.slug == "allegations":
        allowed = _allegation_keys()
    else:
        kwargs = {"user": user} if step.slug == "complainants" else {}
        allowed = set(step.form_class(**kwargs).fields)
    kept = {
        key: [str(v)[:MAX_STORED_CHARS] for v in values[:MAX_VALUES_PER_FIELD]]
        for key, values in answers.items()
        if key in allowed
    }
    if step.slug == "allegations":
        kept["allegations-TOTAL_FORMS"] = [str(allegations_total(kept))]
        kept["allegations-INITIAL_FORMS"] = ["0"]
        kept["allegations-MIN_NUM_FORMS"] = ["1"]
        kept["allegations-MAX_NUM_FORMS"] = [str(MAX_ALLEGATIONS)]
    return kept


def bind_step(step: Step, answers: dict | None, *, user=None, initial=None):
    """The step's form bound to saved answers (unbound when nothing was saved)."""
    kwargs = {}
    if step.slug == "complainants":
        kwargs["user"] = user
    if step.slug == "allegations":
        kwargs["prefix"] = "allegations"
    if answers is None:
        return step.form_class(initial=initial, **kwargs) if initial else step.form_class(**kwargs)
    return step.form_class(data=MultiValueDict(answers), **kwargs)


def allegations_unbound(answers: dict[str, list[str]], *, add: bool = True):
    """The allegations typed so far (plus one empty form for "add another allegation"), unbound
    so that nothing is shown as an error before the filer asks to continue."""
    prefix = "allegations"
    total = allegations_total(answers)
    multi = {"criteria"}
    initial = []
    for index in range(max(total - 1, 0) if add else total):
        row = {}
        for name in AllegationForm.base_fields:
            values = answers.get(f"{prefix}-{index}-{name}", [])
            row[name] = values if name in multi else (values[0] if values else None)
        initial.append(row)
    formset = AllegationFormSet(prefix=prefix, initial=initial)
    if add:
        formset.extra = 1  # one empty, optional form after the saved ones
    return formset


def prefilled_step(step: Step, answers: dict | None, *, user=None, initial=None):
    """The step's form showing saved answers, unbound (no errors until the filer submits)."""
    if answers is None:
        return bind_step(step, None, user=user, initial=initial)
    if step.slug == "allegations":
        return allegations_unbound(answers, add=False)
    values = {key: (v if len(v) != 1 else v[0]) for key, v in answers.items()}
    kwargs = {"user": user} if step.slug == "complainants" else {}
    return step.form_class(initial=values, **kwargs)


def draft_forms(draft, *, user=None) -> dict[str, object]:
    return {step.slug: bind_step(step, draft.data.get(step.slug), user=user) for step in FORM_STEPS}


def steps_needing_attention(forms_by_step: dict[str, object]) -> list[Step]:
    return [
        step
        for step in FORM_STEPS
        if forms_by_step[step.slug] is None
        or not forms_by_step[step.slug].is_bound
        or not forms_by_step[step.slug].is_valid()
    ]


def filing_input(forms_by_step: dict[str, object]) -> FilingInput:
    """The draft's answers as the service's input (every step must be valid)."""
    kind = forms_by_step["filing"].cleaned_data
    complainants = forms_by_step["complainants"]
    confidentiality = forms_by_step["confidentiality"].cleaned_data
    return FilingInput(
        kind=kind["kind"],
        language=kind["language"],
        complainants=complainants.complainants(),
        respondents=forms_by_step["respondents"].respondents(),
        allegations=forms_by_step["allegations"].allegations(),
        remedies_sought=forms_by_step["remedies"].cleaned_data["remedies_sought"],
        withhold_organization_names=confidentiality.get("withhold_organization_names", False),
        confidentiality_request=confidentiality.get("confidentiality_request", ""),
        contact_email=complainants.cleaned_data.get("contact_email", ""),
    )


class TrackForm(forms.Form):
    docket_number = forms.CharField(label=_("Docket number"), max_length=20)
    access_code = forms.CharField(
        label=_("Access code"),
        max_length=40,
        help_text=_("The code shown when you filed, e.g. ABCD-EFGH-JKLM-NPQR."),
    )


class ResumeForm(forms.Form):
    code = forms.CharField(
        label=_("Resume code"),
        max_length=40,
        help_text=_("The code shown when you saved your filing, e.g. ABCD-EFGH-JKLM-NPQR."),
    )


# --- check your answers ----------------------------------------------------------------------


def _display(bound_field, value) -> str:
    from django.utils.formats import date_format

    field = bound_field.field
    if value in (None, "", [], ()):
        return ""
    if isinstance(field, forms.BooleanField):
        return str(_("Yes")) if value else ""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return "\n".join(field.label_from_instance(obj) for obj in value)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    if isinstance(field, forms.DateTimeField):
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(field, forms.DateField):
        return date_format(value, "DATE_FORMAT")
    return str(value)


def _rows(form, *, prefix: str = "") -> list[tuple[str, str]]:
    rows = []
    for bound in form:
        if bound.name == "DELETE":
            continue
        text = _display(bound, form.cleaned_data.get(bound.name))
        if text:
            rows.append((f"{prefix}{bound.label}", text))
    return rows


@dataclass(frozen=True)
class ReviewSection:
    slug: str
    title: str
    rows: list


def review_sections(forms_by_step: dict, *, evidence) -> list[ReviewSection]:
    sections = []
    for step in STEPS:
        if step.slug == "review":
            continue
        rows: list[tuple[str, str]] = []
        if step.slug == "evidence":
            rows = [(e.original_name, e.description or "") for e in evidence]
        else:
            form = forms_by_step.get(step.slug)
            if form is not None and form.is_bound and form.is_valid():
                if step.slug == "allegations":
                    kept = [
                        f for f in form.forms if f.has_changed() and not form._should_delete_form(f)
                    ]
                    for number, f in enumerate(kept, start=1):
                        label = _("Allegation %(n)s") % {"n": number}
                        rows.extend(_rows(f, prefix=f"{label} — "))
                else:
                    rows = _rows(form)
        sections.append(ReviewSection(step.slug, step.title, rows))
    return sections


# --- validated answers, kept with the draft ------------------------------------------------------
# When a step validates, its answers are also kept in a normalised form (record keys, ISO dates)
# under draft.data["_clean"]; submitting a draft whose steps all validated builds the filing from
# them without binding every form again. Saving a step without validating it drops its entry.

CLEAN_KEY = "_clean"


def _key(value):
    return getattr(value, "pk", value)


def clean_answers(step_slug: str, form) -> object:
    """The validated answers of a step as JSON."""
    if step_slug == "filing":
        return {k: form.cleaned_data[k] for k in ("kind", "language")}
    if step_slug == "complainants":
        d = form.cleaned_data
        return {
            "filer_type": d["filer_type"],
            "organizations": [o.pk for o in d.get("organizations") or []],
            "worker_name": d.get("worker_name", ""),
            "worker_contact": d.get("worker_contact", ""),
            "contact_email": d.get("contact_email", ""),
        }
    if step_slug == "respondents":
        return [
            {
                "kind": r.kind,
                "organization": _key(r.organization),
                "sector": _key(r.sector),
                "name_given": r.name_given,
                "country": _key(r.country),
            }
            for r in form.respondents()
        ]
    if step_slug == "allegations":
        return [
            {
                "summary": a.summary,
                "facts": a.facts,
                "period_start": a.period_start.isoformat(),
                "period_end": a.period_end.isoformat() if a.period_end else None,
                "place": a.place,
                "workers_affected": a.workers_affected,
                "criteria": [_key(c) for c in a.criteria],
                "proposed_standard": a.proposed_standard,
            }
            for a in form.allegations()
        ]
    if step_slug == "remedies":
        return {"remedies_sought": form.cleaned_data["remedies_sought"]}
    if step_slug == "confidentiality":
        d = form.cleaned_data
        return {
            "withhold_organization_names": bool(d.get("withhold_organization_names")),
            "confidentiality_request": d.get("confidentiality_request", ""),
        }
    raise ValueError(step_slug)


def filing_input_from_clean(draft, *, user=None) -> FilingInput | None:
    """The filing built from the validated answers, or None when a step has not validated."""
    import datetime as dt

    clean = (draft.data or {}).get(CLEAN_KEY) or {}
    if any(step.slug not in clean for step in FORM_STEPS):
        return None
    who = clean["complainants"]
    if who["filer_type"] == "organization":
        complainants = [
            ComplainantInput(kind=Complainant.Kind.ORGANIZATION, organization=pk)
            for pk in who["organizations"]
        ]
    else:
        account = user if (user is not None and user.is_authenticated) else None
        if can_record_paper(user):
            account = None
        complainants = [
            ComplainantInput(
                kind=Complainant.Kind.WORKER,
                name=who["worker_name"],
                contact=who["worker_contact"],
                user=account,
            )
        ]
    return FilingInput(
        kind=clean["filing"]["kind"],
        language=clean["filing"]["language"],
        complainants=complainants,
        respondents=[RespondentInput(**r) for r in clean["respondents"]],
        allegations=[
            AllegationInput(
                summary=a["summary"],
                facts=a["facts"],
                period_start=dt.date.fromisoformat(a["period_start"]),
                period_end=dt.date.fromisoformat(a["period_end"]) if a["period_end"] else None,
                place=a["place"],
                workers_affected=a["workers_affected"],
                criteria=a["criteria"],
                proposed_standard=a["proposed_standard"],
            )
            for a in clean["allegations"]
        ],
        remedies_sought=clean["remedies"]["remedies_sought"],
        withhold_organization_names=clean["confidentiality"]["withhold_organization_names"],
        confidentiality_request=clean["confidentiality"]["confidentiality_request"],
        contact_email=who["contact_email"],
    )


class DocketSearchForm(forms.Form):
    """The docket's search (a GET form: every answer is a link one can share)."""

    q = forms.CharField(
        label=_("Search the docket"),
        help_text=_(
            "A docket number, a party's organization, a country, a sector, a right or words "
            "of an allegation's summary or place."
        ),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Case.Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Case.Status.choices]
    )
    # Any year may be asked for (a shared link stays valid); the list offers those with cases.
    year = forms.IntegerField(
        label=_("Year filed"), required=False, min_value=1900, max_value=9999, widget=forms.Select
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.choices = [("", _("Any year")), *((y, str(y)) for y in years)]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "usa-input" if name == "q" else "usa-select"
