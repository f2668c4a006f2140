"""The investigations step on a complaint's page in the staff workspace: assign (or reassign)
the investigative team of its targeted investigation. The step calls the one service
(`investigation_open` for the first team, `investigation_assign_team` afterwards)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from commission.models import InvestigativeTeam
from complaints.admin import CaseAdmin, CaseStep, StepForm, case_step_register, has_perm
from complaints.models import Case

from . import services
from .models import Investigation


def _targeted(case: Case) -> Investigation | None:
    return Investigation.objects.filter(complaint=case, kind=Investigation.Kind.TARGETED).first()


class TeamAssignForm(StepForm):
    team = forms.ModelChoiceField(
        label=_("Investigative team"), queryset=InvestigativeTeam.objects.order_by("name")
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = _targeted(self.case) if self.case is not None else None
        if current is not None:
            self.intro = _("The targeted investigation %(number)s is with %(team)s.") % {
                "number": current.number,
                "team": current.team,
            }
            self.fields["team"].initial = current.team_id


def _run(form: TeamAssignForm) -> str:
    case, data = form.case, form.cleaned_data
    current = _targeted(case)
    if current is None:
        investigation = services.investigation_open(
            kind=Investigation.Kind.TARGETED,
            team=data["team"],
            title=_("Targeted investigation of %(docket)s") % {"docket": case.docket_number},
            country=data["team"].country,
            subjects=[
                r.organization
                for r in case.respondents.select_related("organization")
                if r.organization_id
            ],
            complaint=case,
            reason=data["reason"],
            actor=form.user,
        )
    else:
        investigation = services.investigation_assign_team(
            investigation=current, team=data["team"], reason=data["reason"], actor=form.user
        )
    return _("%(number)s is assigned to %(team)s.") % {
        "number": investigation.number,
        "team": investigation.team,
    }


case_step_register(
    CaseStep(
        "team-assign",
        _("Assign the investigative team"),
        TeamAssignForm,
        _run,
        has_perm(services.PERM_ASSIGN),
        lambda case, state: not case.has_outcome,
        stage=_("Investigation"),
        kind=Case.Kind.COMPLAINT,
    )
)


class InvestigativeTeamFilter(admin.SimpleListFilter):
    """Complaints whose targeted investigation (or fact-gathering) a team holds."""

    title = _("investigative team")
    parameter_name = "team"

    def lookups(self, request, model_admin):
        return [(t.pk, t.name) for t in InvestigativeTeam.objects.order_by("name")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        cases = Investigation.objects.filter(team=self.value(), complaint__isnull=False).values(
            "complaint_id"
        )
        return queryset.filter(pk__in=cases)


CaseAdmin.list_filter = [*CaseAdmin.list_filter, InvestigativeTeamFilter]
