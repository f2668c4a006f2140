"""The hearings app's part of the admin home and of the case list: panels to select,
hearings to schedule and this week's, decisions to draft, to adopt and being issued, failed
renders. Each count is one query and links to the list it counts."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.dashboard import Row, Section, clock_milestone_register, dashboard_section_register
from commission.models import Clock, CommissionMember
from complaints.admin import CaseAdmin, case_stage_register, case_stage_url
from complaints.models import Case

from .models import Decision, Hearing, OpinionRender, Panel, PanelSeat


def _week(qs):
    now = timezone.now()
    return qs.filter(
        hearing__status=Hearing.Status.SCHEDULED,
        hearing__scheduled_for__gte=now,
        hearing__scheduled_for__lt=now + dt.timedelta(days=7),
    )


STAGES = {
    "panel": (
        _("Panel to select"),
        lambda qs: qs.filter(status=Case.Status.FILED, panel__isnull=True),
        _("Members declare their conflicts; then select the panel from the case page."),
    ),
    "seat": (
        _("Vacant panel seat"),
        lambda qs: qs.filter(panel__status=Panel.Status.INCOMPLETE),
        _("Fill the vacated seat from the case page."),
    ),
    "to_schedule": (
        _("Hearing to schedule"),
        lambda qs: qs.filter(
            status=Case.Status.FILED, panel__status=Panel.Status.SEATED, hearing__isnull=True
        ),
        _("Schedule the hearing before day 60, with the notice period."),
    ),
    "hearing_week": (
        _("Hearings within 7 days"),
        _week,
        _("Register participants; record the hearing as held and upload its record."),
    ),
    "to_draft": (
        _("Decision to draft"),
        lambda qs: qs.filter(status=Case.Status.HEARD, decision__isnull=True),
        _("The panel opens its draft decision."),
    ),
    "drafting": (
        _("Draft decision in progress"),
        lambda qs: qs.filter(decision__status=Decision.Status.DRAFT),
        _("Record findings, facts, criteria and sanctions; then adopt and issue (or recommend)."),
    ),
    "to_adopt": (
        _("Decision recommended, to adopt"),
        lambda qs: qs.filter(decision__status=Decision.Status.RECOMMENDED),
        _("The commission adopts and issues it, or returns it to the panel."),
    ),
    "issuing": (
        _("Decision adopted, opinion rendering"),
        lambda qs: qs.filter(decision__status=Decision.Status.ISSUING),
        _("Follow the render; retry it if it failed."),
    ),
}

for _slug, (_label, _narrow, _next) in STAGES.items():
    case_stage_register(_slug, _label, _narrow)


def _decision_drafted() -> Q:
    drafted = Decision.objects.annotate(sid=Cast("case_id", CharField())).values("sid")
    return Q(subject_type=ContentType.objects.get_for_model(Case), subject_id__in=drafted)


clock_milestone_register(Clock.Kind.DECISION_BY, _decision_drafted)


def _rows(slugs) -> list[Row]:
    rows = []
    for slug in slugs:
        label, narrow, next_step = STAGES[slug]
        rows.append(
            Row(
                str(label), narrow(Case.objects.all()).count(), case_stage_url(slug), str(next_step)
            )
        )
    return rows


@dashboard_section_register
def hearings_section(request) -> Section | None:
    if not request.user.has_perm("hearings.view_hearing"):
        return None
    return Section(
        str(_("Panels and hearings")), _rows(["panel", "seat", "to_schedule", "hearing_week"])
    )


@dashboard_section_register
def decisions_section(request) -> Section | None:
    if not request.user.has_perm("hearings.view_decision"):
        return None
    rows = _rows(["to_draft", "drafting", "to_adopt", "issuing"])
    if request.user.has_perm("hearings.view_opinionrender"):
        rows.append(
            Row(
                str(_("Opinion renders failed")),
                OpinionRender.objects.filter(status=OpinionRender.Status.FAILED).count(),
                f"{reverse('admin:hearings_opinionrender_changelist')}?status__exact=failed",
                str(_("Fix the cause, then retry the render from the case page.")),
            )
        )
    return Section(str(_("Decisions and opinions")), rows)


class PanelMemberFilter(admin.SimpleListFilter):
    """Cases on whose panel a member sits (or sat: a recused seat counts too)."""

    title = _("panel member")
    parameter_name = "panelist"

    def lookups(self, request, model_admin):
        members = CommissionMember.objects.select_related("person").order_by("person__full_name")
        return [(m.pk, m.person.full_name) for m in members]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        cases = PanelSeat.objects.filter(member=self.value()).values("panel__case_id")
        return queryset.filter(pk__in=cases)


CaseAdmin.list_filter = [*CaseAdmin.list_filter, PanelMemberFilter]
