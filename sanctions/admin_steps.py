"""The sanctions' steps on the case page of the staff workspace: specifying a decision's
sanction while it is drafted, and — once the decision issues — verification, notice of a
lift hearing, the hearing held, the determination that lifts a step (or all of it), and a
waiver. Each form calls exactly one function of `sanctions.services`; a refusal is shown as
the service words it. The mechanism is the complaints app's (`complaints.admin`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from commission.models import (
    InvestigativeTeam,
    Organization,
    Sector,
    SupplyRelationship,
    TradingPartner,
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
from criteria.models import CriterionVersion
from hearings.admin_steps import (
    DATE,
    DATETIME,
    D,
    FindingChoiceField,
    _DecisionStepForm,
    _draft,
    _findings,
    _sits_or,
)
from hearings.models import AllegationFinding, Decision

from . import selectors, services
from .models import LiftNotice, SanctionBenchmark, SanctionOrder, SanctionSpecification

S = _("Sanctions")


@case_state_loader_register
def sanctions_state(case: Case, user: Any) -> dict[str, Any]:
    """The case's sanctions in force, their benchmarks and open lift notices."""
    orders = list(
        SanctionOrder.objects.filter(specification__decision__case=case)
        .select_related("specification__target_organization", "specification__target_country")
        .order_by("specification__number")
    )
    notices = list(
        LiftNotice.objects.filter(order__in=orders, hearing__isnull=True)
        .select_related("order__specification", "benchmark")
        .order_by("hearing_at")
    )
    return {"sanction_orders": orders, "lift_notices_open": notices}


def _has_orders(case: Case, state: dict[str, Any]) -> bool:
    return bool(state.get("sanction_orders"))


class OrderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SanctionOrder) -> str:
        spec = obj.specification
        return f"S{spec.number}. {spec.get_instrument_display()} — {spec.target_label}"


class BenchmarkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SanctionBenchmark) -> str:
        return f"S{obj.sanction.number}/{obj.position}. {obj.metric} ({obj.target_display})"


def _benchmarks(case: Case | None) -> Any:
    return (
        SanctionBenchmark.objects.filter(
            sanction__decision__case=case, sanction__order__isnull=False
        )
        .select_related("sanction")
        .order_by("sanction__number", "position")
    )


class _OrderForm(StepForm):
    order = OrderChoiceField(label=_("Sanction"), queryset=SanctionOrder.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The fields are typed as plain fields; these are the model choice fields declared above.
        cast(forms.ModelChoiceField, self.fields["order"]).queryset = SanctionOrder.objects.filter(
            specification__decision__case=self.case
        ).select_related("specification__target_organization", "specification__target_country")
        if "benchmark" in self.fields:
            cast(forms.ModelChoiceField, self.fields["benchmark"]).queryset = _benchmarks(self.case)


class BenchmarkForm(forms.Form):
    description = forms.CharField(label=_("Benchmark"), max_length=500)
    metric = forms.CharField(label=_("Measured outcome"), max_length=200)
    direction = forms.ChoiceField(label=_("Direction"), choices=SanctionBenchmark.Direction.choices)
    target_value = forms.DecimalField(label=_("Target value"), required=False)
    unit = forms.CharField(label=_("Unit"), max_length=64, required=False)
    verification_method = forms.CharField(label=_("How it is verified"), max_length=500)
    lift_share_percent = forms.DecimalField(label=_("Share lifted when met (%)"))
    criterion_version = forms.ModelChoiceField(
        label=_("Criterion version measured"),
        queryset=CriterionVersion.objects.select_related("criterion").order_by(
            "criterion__code", "number"
        ),
        required=False,
    )


BenchmarkFormSet = forms.formset_factory(BenchmarkForm, extra=3, max_num=10)


class SanctionForm(_DecisionStepForm):
    api_formsets = {"benchmarks": BenchmarkForm}  # the API's body: a list of benchmarks
    target = forms.ChoiceField(label=_("Target"), choices=SanctionSpecification.Target.choices)
    target_country = forms.ModelChoiceField(
        label=_("Country"), queryset=TradingPartner.objects.order_by("name"), required=False
    )
    target_sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), required=False
    )
    target_organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.order_by("name"), required=False
    )
    supply_relationship = forms.ModelChoiceField(
        label=_("Supply relationship (global corporation)"),
        queryset=SupplyRelationship.objects.select_related("supplier", "corporation"),
        required=False,
    )
    instrument = forms.ChoiceField(
        label=_("Instrument"), choices=SanctionSpecification.Instrument.choices
    )
    magnitude = forms.DecimalField(label=_("Magnitude"), min_value=Decimal("0"))
    unit = forms.ChoiceField(label=_("Unit"), choices=SanctionSpecification.Unit.choices)
    currency = forms.CharField(label=_("Currency (ISO 4217)"), max_length=3, required=False)
    description = forms.CharField(label=_("Terms"), widget=forms.Textarea(attrs={"rows": 3}))
    penalty_period = forms.ChoiceField(
        label=_("Period of the penalty"),
        choices=[("", "—"), *SanctionSpecification.PenaltyPeriod.choices],
        required=False,
    )
    deterrence_reasoning = forms.CharField(
        label=_("Why this level deters"), widget=forms.Textarea(attrs={"rows": 3})
    )
    estimated_benefit = forms.DecimalField(
        label=_("Estimated benefit of non-compliance (in the sanction's unit)"),
        min_value=Decimal("0"),
    )
    benefit_method = forms.CharField(
        label=_("How the benefit was estimated"), widget=forms.Textarea(attrs={"rows": 2})
    )
    findings = forms.ModelMultipleChoiceField(
        label=_("Findings of violation it answers"),
        queryset=AllegationFinding.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = _findings(self.state.get("decision"))
        self.fields[
            "findings"
        ].label_from_instance = FindingChoiceField.label_from_instance.__get__(
            self.fields["findings"]
        )
        self.benchmarks = BenchmarkFormSet(
            self.data if self.is_bound else None, prefix="benchmarks"
        )
        proposals = selectors.global_corporations_proposed(decision=self.state["decision"])
        repeat = selectors.repeat_violators(case_id=self.case.pk) if self.case else []
        self.intro = format_html(
            "{}{}{}",
            self.intro,
            format_html(
                "<p>{} {}</p>",
                _("Buying corporations supplied by the respondent workplaces:"),
                ", ".join(f"{s.corporation.name} ← {s.supplier.name}" for s in proposals)
                or _("none recorded"),
            ),
            format_html_join(
                "",
                "<p><strong>{}</strong></p>",
                (
                    (
                        _(
                            "%(org)s is a repeat violator (%(n)s earlier sanction(s)): a "
                            "magnitude %(factor)s times higher is proposed."
                        )
                        % {"org": r.organization.name, "n": r.prior, "factor": r.factor},
                    )
                    for r in repeat
                ),
            ),
        )
        self.formsets = [
            (_("Benchmarks of actual compliance (shares add up to 100 %)"), self.benchmarks)
        ]

    def is_valid(self):
        return all([super().is_valid(), self.benchmarks.is_valid()])

    def benchmark_inputs(self) -> list[services.BenchmarkInput]:
        return [
            services.BenchmarkInput(
                description=b["description"],
                metric=b["metric"],
                direction=b["direction"],
                verification_method=b["verification_method"],
                lift_share_percent=b["lift_share_percent"],
                target_value=b.get("target_value"),
                unit=b.get("unit") or "",
                criterion_version=b.get("criterion_version"),
            )
            for b in self.benchmarks.cleaned_data
            if b
        ]


def _run_sanction(form):
    data = form.cleaned_data
    spec = services.sanction_specify(
        decision=form.state["decision"],
        target=data["target"],
        instrument=data["instrument"],
        magnitude=data["magnitude"],
        unit=data["unit"],
        currency=data["currency"],
        description=data["description"],
        deterrence_reasoning=data["deterrence_reasoning"],
        estimated_benefit=data["estimated_benefit"],
        benefit_method=data["benefit_method"],
        penalty_period=data["penalty_period"],
        findings=list(data["findings"]),
        benchmarks=form.benchmark_inputs(),
        target_country=data["target_country"],
        target_sector=data["target_sector"],
        target_organization=data["target_organization"],
        supply_relationship=data["supply_relationship"],
        actor=form.user,
    )
    return _("Sanction %(n)s specified with %(b)s benchmark(s).") % {
        "n": spec.number,
        "b": spec.benchmarks.count(),
    }


class VerifyForm(StepForm):
    benchmark = BenchmarkChoiceField(
        label=_("Benchmark"), queryset=SanctionBenchmark.objects.none()
    )
    team = forms.ModelChoiceField(
        label=_("Investigative team"), queryset=InvestigativeTeam.objects.none()
    )
    measured_value = forms.DecimalField(label=_("Measured value"), required=False)
    achieved = forms.NullBooleanField(
        label=_("Outcome observed achieved (yes/no benchmarks)"), required=False
    )
    measured_on = forms.DateField(label=_("Measured on"), widget=DATE)
    method_applied = forms.CharField(
        label=_("How it was measured"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The fields are typed as plain fields; these are the model choice fields declared above.
        cast(forms.ModelChoiceField, self.fields["benchmark"]).queryset = _benchmarks(self.case)
        cast(
            forms.ModelChoiceField, self.fields["team"]
        ).queryset = InvestigativeTeam.objects.filter(
            memberships__person__user=self.user
        ).distinct()


def _run_verify(form: StepForm) -> str:
    data = form.cleaned_data
    v = services.benchmark_verify(
        benchmark=data["benchmark"],
        team=data["team"],
        measured_value=data["measured_value"],
        achieved=data["achieved"],
        measured_on=data["measured_on"],
        method_applied=data["method_applied"],
        actor=form.user,
    )
    return str(
        _("Verification recorded: the benchmark is met.")
        if v.met
        else _("Verification recorded: the benchmark is not met.")
    )


class NoticeForm(_OrderForm):
    benchmark = BenchmarkChoiceField(
        label=_("Step (benchmark); empty for the full lifting"),
        queryset=SanctionBenchmark.objects.none(),
        required=False,
    )
    hearing_at = forms.DateTimeField(label=_("Hearing at"), widget=DATETIME)
    location = forms.CharField(label=_("Place"), max_length=300)
    text = forms.CharField(label=_("Notice"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_hearing_at(self) -> Any:
        return aware(self.cleaned_data["hearing_at"])


def _run_notice(form: StepForm) -> str:
    data = form.cleaned_data
    services.lift_notice_publish(
        order=data["order"],
        benchmark=data["benchmark"],
        hearing_at=data["hearing_at"],
        location=data["location"],
        text=data["text"],
        actor=form.user,
    )
    return str(_("Notice of the lift hearing published."))


class NoticeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LiftNotice) -> str:
        step = f"/{obj.benchmark.position}" if obj.benchmark is not None else ""
        return f"S{obj.order.specification.number}{step} — {obj.hearing_at:%Y-%m-%d %H:%M}"


class HearingForm(StepForm):
    notice = NoticeChoiceField(label=_("Lift hearing"), queryset=LiftNotice.objects.none())
    presenters = forms.CharField(
        label=_("Organizations that presented evidence"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    record = forms.CharField(label=_("Record of the hearing"), widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The field is typed as a plain field; it is the model choice field declared above.
        cast(forms.ModelChoiceField, self.fields["notice"]).queryset = LiftNotice.objects.filter(
            order__specification__decision__case=self.case, hearing__isnull=True
        ).select_related("order__specification", "benchmark")


def _run_hearing(form: StepForm) -> str:
    data = form.cleaned_data
    services.lift_hearing_record(
        notice=data["notice"], presenters=data["presenters"], record=data["record"], actor=form.user
    )
    return str(_("Lift hearing recorded as held."))


class LiftForm(_OrderForm):
    benchmark = BenchmarkChoiceField(
        label=_("Step (benchmark); empty to lift the sanction fully"),
        queryset=SanctionBenchmark.objects.none(),
        required=False,
    )
    reasoning = forms.CharField(label=_("Reasons for the determination"), widget=forms.Textarea)


def _run_lift(form: StepForm) -> str:
    data = form.cleaned_data
    services.sanction_lift_step(
        order=data["order"],
        benchmark=data["benchmark"],
        reasoning=data["reasoning"],
        actor=form.user,
    )
    return str(
        _(
            "Determination made: it is issued with its opinion PDF as soon as the PDF is "
            "rendered, and the magnitude in force falls then."
        )
    )


class WaiverForm(_OrderForm):
    national_security_grounds = forms.CharField(
        label=_("National-security grounds"), widget=forms.Textarea, required=False
    )
    house_vote = forms.CharField(
        label=_("Vote of the House of Representatives (reference)"), max_length=300, required=False
    )
    senate_vote = forms.CharField(
        label=_("Vote of the Senate (reference)"), max_length=300, required=False
    )
    president_signature = forms.CharField(
        label=_("President's signature (reference)"), max_length=300, required=False
    )


def _run_waiver(form: StepForm) -> str:
    data = form.cleaned_data
    services.sanction_waive(
        order=data["order"],
        national_security_grounds=data["national_security_grounds"],
        house_vote=data["house_vote"],
        senate_vote=data["senate_vote"],
        president_signature=data["president_signature"],
        actor=form.user,
    )
    return str(_("Waiver recorded."))


def _team_member(user: Any, case: Case, state: dict[str, Any]) -> bool:
    return InvestigativeTeam.objects.filter(memberships__person__user=user).exists()


STEPS = [
    CaseStep(
        "sanction-specify",
        _("Specify a sanction with its benchmarks"),
        SanctionForm,
        _run_sanction,
        _sits_or(services.PERM_DRAFT),
        lambda case, state: (
            _draft(case, state) and state["decision"].kind == Decision.Kind.COMPLAINT
        ),
        stage=D,
    ),
    CaseStep(
        "sanction-verify",
        _("Record a team's verification of a benchmark"),
        VerifyForm,
        _run_verify,
        _team_member,
        _has_orders,
        stage=S,
    ),
    CaseStep(
        "sanction-lift-notice",
        _("Give notice of a lift hearing"),
        NoticeForm,
        _run_notice,
        has_perm(services.PERM_NOTICE),
        _has_orders,
        stage=S,
    ),
    CaseStep(
        "sanction-lift-hearing",
        _("Record a lift hearing as held"),
        HearingForm,
        _run_hearing,
        has_perm(services.PERM_HEARING),
        lambda case, state: bool(state.get("lift_notices_open")),
        stage=S,
    ),
    CaseStep(
        "sanction-lift",
        _("Issue the determination lifting a step (or the sanction)"),
        LiftForm,
        _run_lift,
        has_perm(services.PERM_DETERMINE),
        _has_orders,
        stage=S,
    ),
    CaseStep(
        "sanction-waive",
        _("Record a waiver"),
        WaiverForm,
        _run_waiver,
        has_perm(services.PERM_WAIVE),
        _has_orders,
        stage=S,
    ),
]

for _step in STEPS:
    case_step_register(_step)


@case_section_register
def sanctions_section(case: Case, state: dict[str, Any]) -> str:
    """The case's sanctions in force: magnitude now, steps lifted, repeat violators."""
    orders = state.get("sanction_orders") or []
    repeat = selectors.repeat_violators(case_id=case.pk)
    if not orders and not repeat:
        return ""
    rows = [selectors.register_row(public_id=o.public_id) for o in orders]
    return format_html(
        "<h2>{}</h2>{}<ul>{}</ul>",
        _("Sanctions"),
        format_html_join(
            "",
            "<p><strong>{}</strong></p>",
            (
                (
                    _("Repeat violator: %(org)s (%(n)s earlier sanction(s)).")
                    % {"org": r.organization.name, "n": r.prior},
                )
                for r in repeat
            ),
        ),
        format_html_join(
            "",
            "<li>S{} — {}: {} / {} ({} %)</li>",
            (
                (
                    r.order.specification.number,
                    r.order.specification.target_label,
                    r.in_force,
                    r.order.magnitude,
                    r.lifted_percent,
                )
                for r in rows
                if r is not None
            ),
        ),
    )
