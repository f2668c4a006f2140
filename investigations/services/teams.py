"""Investigative teams: the team's group (which carries its object permissions), creating a
team, adding and removing members (a team always keeps a staff member).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import remove_perm

from commission.actors import Actor
from commission.models import (
    InvestigativeTeam,
    Organization,
    Person,
    Sector,
    TeamMembership,
    TradingPartner,
)
from commission.services import case_event_record

from ..models import (
    Interview,
)
from ._common import PERM_TEAMS, _require_perm, _text

# --- teams -------------------------------------------------------------------------------


def team_group(team: InvestigativeTeam) -> Group:
    """The django-guardian group through which a team's members hold their object
    permissions (kept equal to the team's memberships by `team_group_sync`)."""
    group, _created = Group.objects.get_or_create(name=f"Investigative team #{team.pk}")
    return group


def team_group_sync(team: InvestigativeTeam) -> Group:
    from django.contrib.auth import get_user_model

    group = team_group(team)
    users = get_user_model().objects.filter(person__team_memberships__team=team).distinct()
    group.user_set.set(list(users))
    return group


def _team_has_staff(team: InvestigativeTeam, *, excluding: int | None = None) -> bool:
    qs = TeamMembership.objects.filter(team=team, role=TeamMembership.Role.STAFF)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.exists()


def team_create(
    *,
    name: str,
    country: TradingPartner,
    staff: Person,
    sectors: Iterable[Sector] = (),
    actor: Actor,
) -> InvestigativeTeam:
    """A team is created with its first commission staff member: no team is ever without
    one (staff decide when members disagree)."""
    _require_perm(actor, PERM_TEAMS)
    name = _text(name, _("Name the team."))
    with transaction.atomic():
        team = InvestigativeTeam.objects.create(name=name, country=country)
        team.sectors.set(list(sectors))
        membership = TeamMembership.objects.create(
            team=team, person=staff, role=TeamMembership.Role.STAFF
        )
        team_group_sync(team)
        case_event_record(
            subject=team,
            verb="team_created",
            actor=actor,
            data={"membership": membership.pk},
        )
    return team


def team_member_add(
    *,
    team: InvestigativeTeam,
    person: Person,
    role: str,
    organization: Organization | None = None,
    note: str = "",
    actor: Actor,
) -> TeamMembership:
    """Add a member in a role. An enforcement official's legitimacy is noted on the record
    (`note`), as the paper asks (l. 2689–2700)."""
    _require_perm(actor, PERM_TEAMS)
    if role not in TeamMembership.Role.values:
        raise ValidationError(_("Unknown role."))
    if role != TeamMembership.Role.STAFF and not _team_has_staff(team):
        raise ValidationError(_("A team has at least one commission staff member."))
    if role == TeamMembership.Role.ENFORCEMENT_OFFICIAL and not note.strip():
        raise ValidationError(
            _("Note why this enforcement official is legitimate (independence, record).")
        )
    with transaction.atomic():
        if TeamMembership.objects.filter(team=team, person=person).exists():
            raise ValidationError(_("This person is already a member of the team."))
        membership = TeamMembership.objects.create(
            team=team, person=person, role=role, organization=organization
        )
        team_group_sync(team)
        case_event_record(
            subject=team,
            verb="team_member_added",
            actor=actor,
            reason=note.strip()[:1000],
            data={"membership": membership.pk, "role": role},
        )
    return membership


def team_member_remove(*, membership: TeamMembership, actor: Actor) -> None:
    """Remove a member; refused for the team's last staff member."""
    _require_perm(actor, PERM_TEAMS)
    with transaction.atomic():
        team = InvestigativeTeam.objects.select_for_update().get(pk=membership.team_id)
        if membership.role == TeamMembership.Role.STAFF and not _team_has_staff(
            team, excluding=membership.pk
        ):
            raise ValidationError(
                _("A team keeps at least one commission staff member: add another first.")
            )
        user = membership.person.user
        data = {"person": membership.person_id, "role": membership.role}
        membership.delete()
        team_group_sync(team)
        if user is not None:
            # Explicit grants to confidential records of the team's interviews end with the
            # membership.
            for interview in Interview.objects.filter(investigation__team=team):
                remove_perm("view_interview_confidential", user, interview)
        case_event_record(subject=team, verb="team_member_removed", actor=actor, data=data)
