"""The staff workspace's steps for the investigation findings a decision cites: cite one
while the decision is a draft, withdraw one, and the cited findings on the case page and the
decision's record — each form calls one function of `hearings.citations`."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from complaints.admin import CaseStep, StepForm, case_section_register, case_step_register
from complaints.models import Case
from investigations.models import Finding

from . import citations
from .admin_steps import _draft, _sits_or
from .models import Decision, FindingCitation
from .services import PERM_DRAFT


def citations_table(decision: Decision) -> str:
    """The findings the decision cites (never an interview): what the opinion will show."""
    rows = [
        (
            f"C{c.position}",
            c.investigation,
            f"{c.criterion} — {c.criterion_title}",
            f"{c.result}: {c.summary}",
            c.measured or "—",
            c.reliance,
        )
        for c in citations.citation_rows(decision)
    ]
    if not rows:
        return format_html("<p>{}</p>", _("The decision cites no investigation finding yet."))
    return format_html(
        '<table class="cited-findings"><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th>'
        "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        _("Investigation"),
        _("Criterion version"),
        _("Result"),
        _("Measured"),
        _("Relied on for"),
        format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            rows,
        ),
    )


class FindingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Finding) -> str:
        measured = ""
        if obj.measured_value is not None:
            measured = f" ({format(obj.measured_value.normalize(), 'f')} {obj.measured_unit})"
        return (
            f"{obj.investigation.number} · {obj.criterion_version.identifier} · "
            f"{obj.get_result_display()}{measured} — {obj.summary}"
        )


class CiteForm(StepForm):
    finding = FindingChoiceField(
        label=_("Investigation finding (determined by the team)"),
        queryset=Finding.objects.none(),
    )
    reliance = forms.CharField(
        label=_("What the panel relies on it for"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decision = self.state.get("decision")
        if decision is not None:
            self.fields["finding"].queryset = citations.citable_findings(decision=decision)
            self.intro = citations_table(decision)


def _run_cite(form: StepForm) -> str:
    citation = citations.decision_finding_cite(
        decision=form.state["decision"],
        finding=form.cleaned_data["finding"],
        reliance=form.cleaned_data["reliance"],
        actor=form.user,
    )
    return str(_("Investigation finding cited as C%(n)s.") % {"n": citation.position})


class CitationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FindingCitation) -> str:
        return f"C{obj.position} · {obj.finding.criterion_version.identifier}"


class WithdrawForm(StepForm):
    citation = CitationChoiceField(
        label=_("Citation to withdraw"), queryset=FindingCitation.objects.none()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decision = self.state.get("decision")
        if decision is not None:
            self.fields["citation"].queryset = FindingCitation.objects.filter(
                decision=decision
            ).select_related("finding__criterion_version__criterion")
            self.intro = citations_table(decision)


def _run_withdraw(form: StepForm) -> str:
    citations.decision_citation_withdraw(citation=form.cleaned_data["citation"], actor=form.user)
    return str(_("Citation withdrawn."))


def _has_citations(case: Case, state: dict) -> bool:
    return _draft(case, state) and state["decision"].citations.exists()


STEPS = [
    CaseStep(
        "finding-cite",
        _("Cite an investigation finding the panel relies on"),
        CiteForm,
        _run_cite,
        _sits_or(PERM_DRAFT),
        _draft,
        stage=_("Decision"),
    ),
    CaseStep(
        "citation-withdraw",
        _("Withdraw a cited investigation finding"),
        WithdrawForm,
        _run_withdraw,
        _sits_or(PERM_DRAFT),
        _has_citations,
        stage=_("Decision"),
    ),
]

for _step in STEPS:
    case_step_register(_step)


@case_section_register
def cited_findings(case: Case, state: dict) -> str:
    decision = state.get("decision")
    if decision is None:
        return ""
    if decision.status != Decision.Status.DRAFT and not decision.citations.exists():
        return ""
    return format_html(
        '<section class="module case-citations"><h2>{}</h2>{}</section>',
        _("Investigation findings the decision cites"),
        citations_table(decision),
    )
