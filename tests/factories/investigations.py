"""Builders for investigations: a world with two teams, each with a staff member and a worker
representative, and investigations opened through `investigations.services`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from commission import roles
from commission.actors import SYSTEM
from commission.models import InvestigativeTeam, TeamMembership
from investigations import services
from investigations.models import Investigation
from tests.factories.commission import PersonFactory, UserFactory
from tests.factories.complaints import World, build_world
from tests.factories.criteria import CriterionVersionFactory, MeasureVersionFactory

INTERVIEWEE = "Rosa Elvira Condori Huamán"
STATEMENT = "I was dismissed the day after I told the supervisor I was pregnant."


@dataclass
class TeamWorld:
    base: World
    team: InvestigativeTeam
    other_team: InvestigativeTeam
    lead: object  # commission staff on the team (decides)
    rep: object  # worker-organization representative on the team
    rep_membership: TeamMembership
    lead_membership: TeamMembership
    other_lead: object  # staff member of another team
    rule: object  # a rule criterion version
    measure: object  # a performance-measure criterion version


def _user(username: str, groups=(), is_staff=False):
    user = UserFactory(username=username, is_staff=is_staff)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def build_team_world() -> TeamWorld:
    base = build_world()
    lead = _user("team.lead", [roles.TEAM], is_staff=True)
    rep = _user("team.rep", [roles.TEAM])
    other_lead = _user("other.lead", [roles.TEAM], is_staff=True)
    lead_person = PersonFactory(user=lead, full_name="Martín Salazar")
    rep_person = PersonFactory(user=rep, full_name="Ana Torres")
    other_person = PersonFactory(user=other_lead, full_name="Other Lead")
    team = services.team_create(
        name="Lima Garment Sector Team",
        country=base.peru,
        staff=lead_person,
        sectors=[base.sector],
        actor=SYSTEM,
    )
    rep_membership = services.team_member_add(
        team=team,
        person=rep_person,
        role=TeamMembership.Role.WORKER_ORGANIZATION,
        organization=base.union,
        actor=SYSTEM,
    )
    other_team = services.team_create(
        name="Arequipa Mining Team", country=base.peru, staff=other_person, actor=SYSTEM
    )
    return TeamWorld(
        base=base,
        team=team,
        other_team=other_team,
        lead=lead,
        rep=rep,
        rep_membership=rep_membership,
        lead_membership=TeamMembership.objects.get(team=team, person=lead_person),
        other_lead=other_lead,
        rule=CriterionVersionFactory(effective_from=dt.date(2020, 1, 1)),
        measure=MeasureVersionFactory(effective_from=dt.date(2020, 1, 1)),
    )


def open_agency_monitoring(w: TeamWorld, *, team=None) -> Investigation:
    return services.investigation_open(
        kind=Investigation.Kind.AGENCY_MONITORING,
        team=team or w.team,
        title="Monitoring of the labour inspectorate",
        subjects=[w.base.agency, w.base.employer],
        actor=w.base.staff,
    )


def determined_violation(w: TeamWorld, investigation: Investigation, *, measure=False):
    kwargs = {}
    version = w.rule
    if measure:
        version = w.measure
        kwargs = {
            "measured_value": Decimal("340"),
            "measured_unit": "µg/m³",
            "measuring_method": "Gravimetric sampling, 8-hour TWA",
        }
    finding = services.finding_draft(
        investigation=investigation,
        criterion_version=version,
        result="violation",
        summary="Pregnant workers dismissed",
        facts="Fourteen seamstresses were dismissed after announcing their pregnancy.",
        observed_on=timezone.localdate() - dt.timedelta(days=60),
        organization=w.base.employer,
        workers_affected=14,
        actor=w.rep,
        **kwargs,
    )
    return services.finding_determine(
        finding=finding,
        positions=[
            services.PositionInput(w.lead_membership, "violation", "Dismissal records."),
            services.PositionInput(w.rep_membership, "violation", "Interviews."),
        ],
        actor=w.lead,
    )
