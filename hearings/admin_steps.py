"""The hearings app's steps on the case page of the admin: from the panel's selection to the
issued opinion and its corrigenda. Each step is a form that calls exactly one function of
`hearings.services`; a refusal is shown as the service words it (with the clock's arithmetic
where a statutory clock is involved). The mechanism — `CaseStep`, the case page, the act
view — is the complaints app's (`complaints.admin`); this module registers into it."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from commission.models import (
    Clock,
    CommissionMember,
    Organization,
)
from complaints.admin import (
    CaseStep,
    StepForm,
    aware,
    case_section_register,
    case_state_loader_register,
    case_step_register,
    has_perm,
)
from complaints.models import Case
from criteria.models import Criterion

from . import panels, selectors, services
from .models import (
    AllegationFinding,
    Decision,
    GovernmentConsultation,
    Hearing,
    HearingParticipant,
    HearingRecordItem,
    Opinion,
    OpinionRender,
    Panel,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- what the steps know about a case ---------------------------------------------------


@case_state_loader_register
def hearings_state(case: Case, user) -> dict:
    """The case's panel, hearing, decision, opinion and failed renders, and whether the user
    is a member of the commission and sits on the panel: a fixed number of queries."""
    panel = (
        Panel.objects.filter(case=case)
        .prefetch_related("seats__member__person", "seats__member__country")
        .first()
    )
    hearing = Hearing.objects.filter(case=case).first()
    decision = Decision.objects.filter(case=case).first()
    opinion = Opinion.objects.filter(decision__case=case, kind=Opinion.Kind.OPINION).first()
    failed = list(
        OpinionRender.objects.filter(
            Q(decision__case=case) | Q(corrigendum__opinion__decision__case=case),
            status=OpinionRender.Status.FAILED,
        )
    )
    clocks = {
        c.kind: c
        for c in Clock.objects.filter(
            subject_type=ContentType.objects.get_for_model(Case), subject_id=str(case.pk)
        )
    }
    member = None
    if getattr(user, "is_authenticated", False):
        member = (
            CommissionMember.objects.filter(person__user=user)
            .select_related("person")
            .order_by("-seated_on")
            .first()
        )
    sits = bool(
        panel
        and member
        and any(s.member_id == member.pk and s.vacated_at is None for s in panel.seats.all())
    )
    return {
        "panel": panel,
        "hearing": hearing,
        "decision": decision,
        "opinion": opinion,
        "failed_renders": failed,
        "clocks": clocks,
        "member": member,
        "sits": sits,
    }


def _sits_or(perm: str):
    def check(user, case, state) -> bool:
        return bool(state.get("sits")) or user.has_perm(perm)

    return check


def _is_member(user, case, state) -> bool:
    return state.get("member") is not None


def _draft(case, state) -> bool:
    decision = state.get("decision")
    return decision is not None and decision.status == Decision.Status.DRAFT


def _hearing_in(status):
    def check(case, state) -> bool:
        hearing = state.get("hearing")
        return hearing is not None and hearing.status == status

    return check


# --- panels -------------------------------------------------------------------------------


def _member_label(member: CommissionMember) -> str:
    return f"{member.person.full_name} — {member.get_kind_display()}, {member.country}"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _member_label(obj)


def _members():
    return CommissionMember.objects.select_related("person", "country").order_by(
        "person__full_name"
    )


def candidates_table(case: Case, members) -> str:
    """Each member with what stands in the way of their sitting on this case's panel: the
    declared conflicts and interests the service checks."""
    rows = []
    for member in members:
        problems = selectors.member_conflicts(member=member, case=case)
        rows.append(
            (
                _member_label(member),
                "; ".join(problems) if problems else _("no conflict declared; may sit"),
            )
        )
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        _("Member"),
        _("Declared conflicts and interests"),
        format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows),
    )


class PanelSelectForm(StepForm):
    """One field per seat of the configured composition; all empty: the commission's
    rotation fills every seat."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = panels.configured_composition()
        country = panels.respondent_country(self.case)
        for position, seat in enumerate(self.seats, start=1):
            self.fields[f"seat_{position}"] = MemberChoiceField(
                label=_("Seat %(n)s: %(seat)s") % {"n": position, "seat": seat.describe(country)},
                queryset=_members().filter(kind=seat.kind),
                required=False,
            )
        members = list(_members())
        self.intro = format_html(
            "<p>{}</p>{}",
            _(
                "The commission selects the panel; no party nominates or vetoes a panelist. "
                "Choose a member for every seat, or leave every seat empty to let the "
                "commission's rotation fill them."
            ),
            candidates_table(self.case, members),
        )

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"seat_{i}") for i in range(1, len(self.seats) + 1)]
        if any(chosen) and not all(chosen):
            raise forms.ValidationError(
                _("Choose a member for every seat, or for none (the rotation).")
            )
        data["members"] = chosen if all(chosen) else None
        return data


def _run_panel_select(form):
    panel = services.panel_select(
        case=form.case, members=form.cleaned_data["members"], actor=form.user
    )
    names = ", ".join(s.member.person.full_name for s in panel.seats.order_by("position"))
    return _("Panel selected: %(names)s.") % {"names": names}


class SeatFillForm(StepForm):
    position = forms.TypedChoiceField(label=_("Vacant seat"), coerce=int)
    member = MemberChoiceField(
        label=_("Member (empty: the commission's rotation)"),
        queryset=CommissionMember.objects.none(),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        panel = self.state.get("panel")
        choices = []
        if panel is not None:
            specs = [panels.SeatSpec.from_json(s) for s in panel.composition]
            taken = {s.position for s in panel.seats.all() if s.vacated_at is None}
            country = panels.respondent_country(self.case)
            choices = [
                (i, f"{i}: {spec.describe(country)}")
                for i, spec in enumerate(specs, start=1)
                if i not in taken
            ]
        self.fields["position"].choices = choices
        members = list(_members())
        self.fields["member"].queryset = _members()
        self.intro = candidates_table(self.case, members)


def _run_seat_fill(form):
    seat = services.panel_seat_fill(
        panel=form.state["panel"],
        position=form.cleaned_data["position"],
        member=form.cleaned_data["member"],
        actor=form.user,
    )
    return _("Seat %(n)s filled by %(name)s.") % {
        "n": seat.position,
        "name": seat.member.person.full_name,
    }


class ConflictForm(StepForm):
    has_conflict = forms.BooleanField(
        label=_("I have a conflict of interest in this case"), required=False
    )
    statement = forms.CharField(
        label=_("Statement (required when declaring a conflict)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        member = self.state.get("member")
        if member is not None:
            self.intro = format_html(
                "<p>{}</p>",
                _("You declare for yourself (%(member)s). A conflict vacates your seat.")
                % {"member": _member_label(member)},
            )


def _run_conflict(form):
    data = form.cleaned_data
    services.conflict_declare(
        member=form.state["member"],
        case=form.case,
        has_conflict=data["has_conflict"],
        statement=data["statement"],
        actor=form.user,
    )
    if data["has_conflict"]:
        return _("Conflict of interest declared.")
    return _("Declared: no conflict of interest in this case.")


# --- hearings -----------------------------------------------------------------------------


def _clock_intro(state, kind) -> str:
    clock = state.get("clocks", {}).get(kind)
    if clock is None:
        return ""
    return format_html(
        "<p><strong>{}</strong>: {}</p><p><small>{}</small></p>",
        clock.get_kind_display(),
        timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M"),
        clock.explain(),
    )


class ScheduleForm(StepForm):
    scheduled_for = forms.DateTimeField(label=_("Date and time"), widget=DATETIME)
    location = forms.CharField(label=_("Place"), max_length=300)
    virtual_url = forms.URLField(
        label=_("Virtual hearing link"), required=False, assume_scheme="https"
    )
    duration_minutes = forms.IntegerField(
        label=_("Expected duration (minutes)"), min_value=15, initial=180
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.intro = format_html(
            "{}<p>{}</p>",
            _clock_intro(self.state, Clock.Kind.HEARING_BY),
            _("Public notice is published now; at least %(days)s days of notice are required.")
            % {"days": settings.HEARINGS_NOTICE_DAYS},
        )


def _run_schedule(form):
    data = form.cleaned_data
    hearing = services.hearing_schedule(
        case=form.case,
        scheduled_for=aware(data["scheduled_for"]),
        location=data["location"],
        virtual_url=data["virtual_url"] or "",
        duration_minutes=data["duration_minutes"],
        actor=form.user,
    )
    return _("Hearing scheduled for %(when)s; its public notice is published.") % {
        "when": timezone.localtime(hearing.scheduled_for).strftime("%Y-%m-%d %H:%M")
    }


class RescheduleForm(ScheduleForm):
    reason = forms.CharField(label=_("Why the hearing moves"), widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].required = False
        self.fields["location"].help_text = _("Empty: the same place.")
        del self.fields["duration_minutes"]


def _run_reschedule(form):
    data = form.cleaned_data
    hearing = services.hearing_reschedule(
        hearing=form.state["hearing"],
        scheduled_for=aware(data["scheduled_for"]),
        reason=data["reason"],
        location=data["location"] or "",
        virtual_url=data["virtual_url"] or None,
        actor=form.user,
    )
    return _("Hearing moved to %(when)s; new public notice given.") % {
        "when": timezone.localtime(hearing.scheduled_for).strftime("%Y-%m-%d %H:%M")
    }


class ParticipantForm(StepForm):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.order_by("name")
    )
    role = forms.ChoiceField(
        label=_("Role (empty: the organization's natural role)"),
        choices=[("", "—"), *HearingParticipant.Role.choices],
        required=False,
    )
    presents_evidence = forms.BooleanField(
        label=_("Presents evidence and arguments"), required=False, initial=True
    )


def _run_participant(form):
    data = form.cleaned_data
    participant = services.participant_register(
        hearing=form.state["hearing"],
        organization=data["organization"],
        role=data["role"] or None,
        presents_evidence=data["presents_evidence"],
        actor=form.user,
    )
    return _("%(label)s registered as %(role)s.") % {
        "label": participant.public_label,
        "role": participant.get_role_display(),
    }


class HeldForm(StepForm):
    held_at = forms.DateTimeField(label=_("Held at"), widget=DATETIME)
    written_arguments_days = forms.IntegerField(
        label=_("Window for written arguments (days; 0 opens none)"),
        min_value=0,
        required=False,
        help_text=_("Empty: the commission's default."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["written_arguments_days"].initial = settings.HEARINGS_WRITTEN_ARGUMENTS_DAYS
        self.intro = _clock_intro(self.state, Clock.Kind.DECISION_BY)


def _run_held(form):
    data = form.cleaned_data
    services.hearing_record_held(
        hearing=form.state["hearing"],
        held_at=aware(data["held_at"]),
        written_arguments_days=data["written_arguments_days"],
        actor=form.user,
    )
    return _("The hearing is recorded as held.")


class RecordUploadForm(StepForm):
    kind = forms.ChoiceField(label=_("What the file is"), choices=HearingRecordItem.Kind.choices)
    description = forms.CharField(label=_("Description"), max_length=300)
    upload = forms.FileField(label=_("File"))
    is_public = forms.BooleanField(label=_("Public"), required=False, initial=True)


def _run_record_upload(form):
    data = form.cleaned_data
    item = services.record_item_upload(
        hearing=form.state["hearing"],
        kind=data["kind"],
        description=data["description"],
        upload=data["upload"],
        is_public=data["is_public"],
        actor=form.user,
    )
    return _("%(name)s added to the record (SHA-256 %(sha)s).") % {
        "name": item.original_name,
        "sha": item.sha256[:12],
    }


class WindowForm(StepForm):
    days = forms.IntegerField(label=_("Days after the hearing"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.HEARINGS_WRITTEN_ARGUMENTS_DAYS
        self.intro = _clock_intro(self.state, Clock.Kind.DECISION_BY)


def _run_window(form):
    clock = services.written_arguments_window_open(
        hearing=form.state["hearing"], days=form.cleaned_data["days"], actor=form.user
    )
    return _("The window for written arguments closes at the end of %(day)s.") % {
        "day": clock.last_day.isoformat()
    }


def _governments():
    return Organization.objects.filter(kind=Organization.Kind.GOVERNMENT).order_by("name")


class ConsultationForm(StepForm):
    requesting_government = forms.ModelChoiceField(
        label=_("Requesting government"), queryset=_governments()
    )
    responding_government = forms.ModelChoiceField(
        label=_("Responding government"), queryset=_governments()
    )
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=GovernmentConsultation.Outcome.choices)
    compliance_statement_text = forms.CharField(
        label=_("Text of the declaration of compliance (when declared)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.intro = _clock_intro(self.state, Clock.Kind.HEARING_BY)


def _run_consultation(form):
    data = form.cleaned_data
    services.consultation_record(
        case=form.case,
        requesting_government=data["requesting_government"],
        responding_government=data["responding_government"],
        held_on=data["held_on"],
        summary=data["summary"],
        outcome=data["outcome"],
        compliance_statement_text=data["compliance_statement_text"],
        actor=form.user,
    )
    return _("Consultation recorded. The hearing still takes place and the panel rules.")


# --- decisions ----------------------------------------------------------------------------


class OpenDecisionForm(StepForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        adoption = Decision.Adoption(settings.HEARINGS_DECISION_ADOPTION).label
        self.intro = format_html(
            "<p>{}</p>{}",
            _("The draft has one finding per allegation. Adoption: %(adoption)s.")
            % {"adoption": adoption},
            _clock_intro(self.state, Clock.Kind.DECISION_BY),
        )


def _run_open_decision(form):
    services.decision_open(case=form.case, actor=form.user)
    return _("Draft decision opened: one finding per allegation.")


class FindingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("Allegation %(n)s: %(summary)s") % {
            "n": obj.allegation.number,
            "summary": obj.allegation.summary,
        }


def _findings(decision):
    return (
        AllegationFinding.objects.filter(decision=decision)
        .select_related("allegation")
        .order_by("allegation__number")
    )


def findings_table(decision) -> str:
    """The draft at a glance: per allegation its relevant date, determination and the criterion
    versions applied (those in force on the relevant date)."""
    rows = []
    for finding in _findings(decision).prefetch_related(
        "applications__version__criterion", "facts"
    ):
        versions = ", ".join(
            f"{a.version.criterion.code} v{a.version.number}" for a in finding.applications.all()
        )
        rows.append(
            (
                finding.allegation.number,
                finding.allegation.summary,
                finding.relevant_date.isoformat() if finding.relevant_date else "—",
                finding.get_determination_display() or "—",
                len(finding.facts.all()),
                versions or "—",
            )
        )
    return format_html(
        "<table><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
        "</tr></thead><tbody>{}</tbody></table>",
        _("Allegation"),
        _("Relevant date"),
        _("Determination"),
        _("Facts"),
        _("Criterion versions applied"),
        format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            rows,
        ),
    )


class _DecisionStepForm(StepForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decision = self.state.get("decision")
        if "finding" in self.fields:
            self.fields["finding"].queryset = _findings(decision)
        if decision is not None:
            self.intro = findings_table(decision)


class FindingForm(_DecisionStepForm):
    finding = FindingChoiceField(label=_("Finding"), queryset=AllegationFinding.objects.none())
    determination = forms.ChoiceField(
        label=_("Determination"),
        choices=[("", "—"), *AllegationFinding.Determination.choices],
        required=False,
    )
    reasoning = forms.CharField(
        label=_("Reasoning"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    relevant_date = forms.DateField(
        label=_("Relevant date (the criteria in force on it apply)"), widget=DATE, required=False
    )


def _run_finding(form):
    data = form.cleaned_data
    finding = services.finding_record(
        finding=data["finding"],
        determination=data["determination"] or None,
        reasoning=data["reasoning"] or None,
        relevant_date=data["relevant_date"],
        actor=form.user,
    )
    return _("Finding on allegation %(n)s recorded.") % {"n": finding.allegation.number}


class FactForm(_DecisionStepForm):
    finding = FindingChoiceField(label=_("Finding"), queryset=AllegationFinding.objects.none())
    text = forms.CharField(label=_("Finding of fact"), widget=forms.Textarea(attrs={"rows": 4}))
    source_label = forms.CharField(
        label=_("Where in the record (e.g. transcript, page)"), max_length=300
    )


def _run_fact(form):
    data = form.cleaned_data
    services.fact_finding_add(
        finding=data["finding"],
        text=data["text"],
        source_label=data["source_label"],
        actor=form.user,
    )
    return _("Finding of fact added.")


class CriterionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.title_en}"


class CriterionApplyForm(_DecisionStepForm):
    finding = FindingChoiceField(label=_("Finding"), queryset=AllegationFinding.objects.none())
    criterion = CriterionChoiceField(
        label=_("Criterion (the version in force on the relevant date applies)"),
        queryset=Criterion.objects.order_by("code"),
    )
    analysis = forms.CharField(
        label=_("Analysis"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


def _run_criterion(form):
    data = form.cleaned_data
    application = services.criterion_apply(
        finding=data["finding"],
        criterion=data["criterion"],
        analysis=data["analysis"],
        actor=form.user,
    )
    return _("%(code)s version %(n)s applied (in force on %(date)s).") % {
        "code": application.version.criterion.code,
        "n": application.version.number,
        "date": data["finding"].relevant_date,
    }


class ConfirmForm(_DecisionStepForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decision = self.state.get("decision")
        if decision is not None:
            problems = services.decision_problems(decision=decision)
            if problems:
                self.intro = format_html(
                    "{}<p><strong>{}</strong></p><ul>{}</ul>",
                    self.intro,
                    _("Not ready yet:"),
                    format_html_join("", "<li>{}</li>", ((p,) for p in problems)),
                )


def _run_recommend(form):
    services.decision_recommend(decision=form.state["decision"], actor=form.user)
    return _("Decision recommended to the commission.")


class ReturnForm(ConfirmForm):
    reason = forms.CharField(label=_("Why it goes back to the panel"), widget=forms.Textarea)


def _run_return(form):
    services.decision_return(
        decision=form.state["decision"], reason=form.cleaned_data["reason"], actor=form.user
    )
    return _("Decision returned to the panel.")


class IssueForm(ConfirmForm):
    adoption_record = forms.CharField(
        label=_("Adoption record (the commission's minutes; required when it adopts)"),
        max_length=300,
        required=False,
    )


def _run_issue(form):
    render = services.decision_issue(
        decision=form.state["decision"],
        adoption_record=form.cleaned_data["adoption_record"],
        actor=form.user,
    )
    return _(
        "Decision adopted; its reasoned opinion is being rendered (render #%(n)s). It is "
        "issued and takes effect when the opinion is registered."
    ) % {"n": render.pk}


def _issuable(case, state) -> bool:
    decision = state.get("decision")
    if decision is None:
        return False
    if decision.adoption == Decision.Adoption.PANEL:
        return decision.status == Decision.Status.DRAFT
    return decision.status == Decision.Status.RECOMMENDED


def _may_issue(user, case, state) -> bool:
    decision = state.get("decision")
    if decision is not None and decision.adoption == Decision.Adoption.PANEL:
        return bool(state.get("sits")) or user.has_perm(services.PERM_ADOPT)
    return user.has_perm(services.PERM_ADOPT)


# --- opinions -----------------------------------------------------------------------------


class RenderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("Render #%(n)s (%(attempts)s attempts): %(error)s") % {
            "n": obj.pk,
            "attempts": obj.attempts,
            "error": obj.error[:200],
        }


class RetryForm(StepForm):
    render = RenderChoiceField(label=_("Failed render"), queryset=OpinionRender.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["render"].queryset = OpinionRender.objects.filter(
            pk__in=[r.pk for r in self.state.get("failed_renders", [])]
        )


def _run_retry(form):
    render = services.opinion_render_retry(render=form.cleaned_data["render"], actor=form.user)
    return _("Render #%(n)s queued again.") % {"n": render.pk}


class CorrectionForm(forms.Form):
    where = forms.CharField(label=_("Where"), max_length=200)
    reads = forms.CharField(label=_("Reads"), max_length=2000, required=False)
    should_read = forms.CharField(label=_("Should read"), max_length=2000)


CorrectionFormSet = forms.formset_factory(CorrectionForm, extra=3, max_num=20)


class CorrigendumForm(StepForm):
    reason = forms.CharField(label=_("Why the opinion is corrected"), widget=forms.Textarea)
    api_formsets = {"corrections": CorrectionForm}  # the API's body: a list of corrections

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.corrections = CorrectionFormSet(
            self.data if self.is_bound else None, prefix="corrections"
        )
        self.formsets = [(_("Corrections"), self.corrections)]
        opinion = self.state.get("opinion")
        if opinion is not None:
            self.intro = format_html(
                "<p>{}</p>",
                _("The opinion %(ref)s never changes: a corrigendum is issued next to it.")
                % {"ref": opinion.reference},
            )

    def is_valid(self):
        return all([super().is_valid(), self.corrections.is_valid()])


def _run_corrigendum(form):
    render = services.corrigendum_issue(
        opinion=form.state["opinion"],
        corrections=[c for c in form.corrections.cleaned_data if c],
        reason=form.cleaned_data["reason"],
        actor=form.user,
    )
    return _("Corrigendum ordered; it is being rendered (render #%(n)s).") % {"n": render.pk}


# --- the steps, in the order of a case ----------------------------------------------------

P, H, D, OPN = _("Panel"), _("Hearing"), _("Decision"), _("Opinion")
HEARING_BY, DECISION_BY = Clock.Kind.HEARING_BY, Clock.Kind.DECISION_BY

STEPS = [
    CaseStep(
        "panel-select",
        _("Select the panel"),
        PanelSelectForm,
        _run_panel_select,
        has_perm(services.PERM_SELECT_PANEL),
        lambda case, state: state.get("panel") is None and not case.has_outcome,
        clock=HEARING_BY,
        stage=P,
    ),
    CaseStep(
        "seat-fill",
        _("Fill a vacated seat"),
        SeatFillForm,
        _run_seat_fill,
        has_perm(services.PERM_SELECT_PANEL),
        lambda case, state: (
            state.get("panel") is not None and state["panel"].status == Panel.Status.INCOMPLETE
        ),
        stage=P,
    ),
    CaseStep(
        "conflict-declare",
        _("Declare my conflict of interest, or none"),
        ConflictForm,
        _run_conflict,
        _is_member,
        lambda case, state: (
            not case.has_outcome and not (state.get("decision") and state["decision"].is_frozen)
        ),
        stage=P,
    ),
    CaseStep(
        "hearing-schedule",
        _("Schedule the hearing and give public notice"),
        ScheduleForm,
        _run_schedule,
        has_perm(services.PERM_SCHEDULE),
        lambda case, state: (
            state.get("hearing") is None
            and state.get("panel") is not None
            and state["panel"].status == Panel.Status.SEATED
            and case.status == Case.Status.FILED
        ),
        clock=HEARING_BY,
        stage=H,
    ),
    CaseStep(
        "hearing-reschedule",
        _("Move the hearing (new public notice)"),
        RescheduleForm,
        _run_reschedule,
        has_perm(services.PERM_SCHEDULE),
        _hearing_in(Hearing.Status.SCHEDULED),
        clock=HEARING_BY,
        stage=H,
    ),
    CaseStep(
        "participant-register",
        _("Register a participant"),
        ParticipantForm,
        _run_participant,
        has_perm(services.PERM_RECORD),
        _hearing_in(Hearing.Status.SCHEDULED),
        stage=H,
    ),
    CaseStep(
        "consultation",
        _("Record a consultation between the governments"),
        ConsultationForm,
        _run_consultation,
        has_perm(services.PERM_RECORD),
        lambda case, state: case.status in (Case.Status.FILED, Case.Status.HEARING_SCHEDULED),
        clock=HEARING_BY,
        stage=H,
    ),
    CaseStep(
        "hearing-held",
        _("Record the hearing as held"),
        HeldForm,
        _run_held,
        has_perm(services.PERM_RECORD),
        _hearing_in(Hearing.Status.SCHEDULED),
        clock=HEARING_BY,
        stage=H,
    ),
    CaseStep(
        "record-upload",
        _("Upload the hearing's record"),
        RecordUploadForm,
        _run_record_upload,
        has_perm(services.PERM_RECORD),
        _hearing_in(Hearing.Status.HELD),
        stage=H,
    ),
    CaseStep(
        "window-open",
        _("Open the window for written arguments"),
        WindowForm,
        _run_window,
        has_perm(services.PERM_RECORD),
        lambda case, state: (
            _hearing_in(Hearing.Status.HELD)(case, state)
            and Clock.Kind.WRITTEN_ARGUMENTS_CLOSE not in state.get("clocks", {})
        ),
        clock=DECISION_BY,
        stage=H,
    ),
    CaseStep(
        "decision-open",
        _("Open the draft decision"),
        OpenDecisionForm,
        _run_open_decision,
        _sits_or(services.PERM_DRAFT),
        lambda case, state: (
            state.get("panel") is not None
            and state.get("decision") is None
            and not case.has_outcome
        ),
        clock=DECISION_BY,
        stage=D,
    ),
    CaseStep(
        "finding-record",
        _("Record a finding on an allegation"),
        FindingForm,
        _run_finding,
        _sits_or(services.PERM_DRAFT),
        _draft,
        stage=D,
    ),
    CaseStep(
        "fact-add",
        _("Add a finding of fact from the record"),
        FactForm,
        _run_fact,
        _sits_or(services.PERM_DRAFT),
        _draft,
        stage=D,
    ),
    CaseStep(
        "criterion-apply",
        _("Apply a criterion to a finding"),
        CriterionApplyForm,
        _run_criterion,
        _sits_or(services.PERM_DRAFT),
        _draft,
        stage=D,
    ),
    CaseStep(
        "decision-recommend",
        _("Recommend the decision to the commission"),
        ConfirmForm,
        _run_recommend,
        _sits_or(services.PERM_DRAFT),
        lambda case, state: (
            _draft(case, state) and state["decision"].adoption == Decision.Adoption.COMMISSION
        ),
        clock=DECISION_BY,
        stage=D,
    ),
    CaseStep(
        "decision-return",
        _("Return the decision to the panel"),
        ReturnForm,
        _run_return,
        has_perm(services.PERM_ADOPT),
        lambda case, state: (
            state.get("decision") is not None
            and state["decision"].status == Decision.Status.RECOMMENDED
        ),
        stage=D,
    ),
    CaseStep(
        "decision-issue",
        _("Adopt and issue the decision"),
        IssueForm,
        _run_issue,
        _may_issue,
        _issuable,
        clock=DECISION_BY,
        stage=D,
    ),
    CaseStep(
        "render-retry",
        _("Retry the opinion's failed render"),
        RetryForm,
        _run_retry,
        has_perm(services.PERM_RETRY),
        lambda case, state: bool(state.get("failed_renders")),
        stage=OPN,
    ),
    CaseStep(
        "corrigendum",
        _("Issue a corrigendum to the opinion"),
        CorrigendumForm,
        _run_corrigendum,
        has_perm(services.PERM_CORRECT),
        lambda case, state: state.get("opinion") is not None,
        stage=OPN,
    ),
]

for _step in STEPS:
    case_step_register(_step)


# --- the proceedings on the case page -----------------------------------------------------


@case_section_register
def proceedings(case: Case, state: dict) -> str:
    """The panel, the hearing, the decision, the renders and the opinions of the case, with
    links to their pages and to the issued opinion."""
    parts = []
    panel = state.get("panel")
    if panel is not None:
        seats = [
            (
                s.position,
                s.member.person.full_name,
                s.member.get_kind_display(),
                str(s.member.country),
                _("presides") if s.presides else "",
                _("vacated: %(why)s") % {"why": s.vacated_reason} if s.vacated_at else _("sits"),
            )
            for s in sorted(panel.seats.all(), key=lambda s: (s.position, s.pk))
        ]
        parts.append(
            format_html(
                "<h3>{} — {}</h3><table><tbody>{}</tbody></table>",
                _("Panel"),
                panel.get_status_display(),
                format_html_join(
                    "",
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    seats,
                ),
            )
        )
    hearing = state.get("hearing")
    if hearing is not None:
        parts.append(
            format_html(
                '<h3>{} — {}</h3><p>{} · {} · <a href="{}">{}</a></p>',
                _("Hearing"),
                hearing.get_status_display(),
                timezone.localtime(hearing.held_at or hearing.scheduled_for).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                hearing.location,
                reverse("hearings:hearing", args=[hearing.pk]),
                _("public notice"),
            )
        )
    decision = state.get("decision")
    if decision is not None:
        parts.append(
            format_html(
                '<h3>{} — {}</h3><p>{}</p>{}<p><a href="{}">{}</a></p>',
                _("Decision"),
                decision.get_status_display(),
                decision.get_adoption_display(),
                findings_table(decision),
                reverse("admin:hearings_decision_change", args=[decision.pk]),
                _("the decision's record"),
            )
        )
        renders = OpinionRender.objects.filter(
            Q(decision=decision) | Q(corrigendum__opinion__decision=decision)
        ).order_by("queued_at", "pk")
        rows = [(r.pk, r.get_status_display(), r.attempts, r.error[:300] or "—") for r in renders]
        if rows:
            parts.append(
                format_html(
                    "<h3>{}</h3><table><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th>"
                    "</tr></thead><tbody>{}</tbody></table>",
                    _("Opinion renders"),
                    _("Status"),
                    _("Attempts"),
                    _("Reason of the failure"),
                    format_html_join(
                        "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
                    ),
                )
            )
        opinions = Opinion.objects.filter(decision=decision).order_by("issued_at", "pk")
        links = [
            (
                reverse("hearings:opinion-pdf", args=[o.sha256]),
                o.reference,
                o.get_kind_display(),
            )
            for o in opinions
        ]
        if links:
            parts.append(
                format_html(
                    '<h3>{}</h3><ul>{}</ul><p><a href="{}">{}</a></p>',
                    _("Issued"),
                    format_html_join(
                        "", '<li><a class="opinion-link" href="{}">{}</a> ({})</li>', links
                    ),
                    reverse("hearings:decision", args=[decision.pk]),
                    _("The decision on the public portal"),
                )
            )
    if not parts:
        return ""
    return format_html(
        '<section class="module case-proceedings"><h2>{}</h2>{}</section>',
        _("Panel, hearing and decision"),
        format_html_join("", "{}", ((p,) for p in parts)),
    )
