"""Opening investigations: numbering, granting the team its permissions, opening one (alone, on
a sample of workplaces, or for a complaint), reassigning the team and concluding it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from commission.actors import SYSTEM, Actor
from commission.models import (
    InvestigativeTeam,
    Organization,
    Sector,
    TeamMembership,
    TradingPartner,
)
from commission.services import case_event_record
from complaints.models import Case

from .. import sampling
from ..models import (
    Interview,
    Investigation,
    InvestigationCounter,
)
from ._common import (
    PERM_ASSIGN,
    _event,
    _lock,
    _require_perm,
    _require_team_staff,
    _text,
    _transition,
    _user,
    logger,
)
from .teams import _team_has_staff, team_group, team_group_sync

# --- opening investigations --------------------------------------------------------------


def _number_allocate(at: dt.datetime) -> str:
    year = timezone.localtime(at).year
    InvestigationCounter.objects.bulk_create(
        [InvestigationCounter(year=year, last_number=0)], ignore_conflicts=True
    )
    counters = InvestigationCounter.objects.select_for_update().filter(year=year)
    counters.update(last_number=F("last_number") + 1)
    number = counters.values_list("last_number", flat=True).get()
    return f"I-{year}-{number:05d}"


def _grant_team(investigation: Investigation, team: InvestigativeTeam) -> None:
    group = team_group_sync(team)
    assign_perm("view_investigation", group, investigation)
    assign_perm("change_investigation", group, investigation)


def _revoke_team(investigation: Investigation, team: InvestigativeTeam) -> None:
    group = team_group(team)
    remove_perm("view_investigation", group, investigation)
    remove_perm("change_investigation", group, investigation)


def investigation_open(
    *,
    kind: str,
    team: InvestigativeTeam,
    title: str,
    country: TradingPartner | None = None,
    sector: Sector | None = None,
    subjects: Sequence[Organization] = (),
    complaint: Case | None = None,
    trigger: str = Investigation.Trigger.STAFF_DECISION,
    reason: str = "",
    actor: Actor,
) -> Investigation:
    """Open an investigation and give its team (and only its team) access to it."""
    _require_perm(actor, PERM_ASSIGN)
    if kind not in Investigation.Kind.values:
        raise ValidationError(_("Unknown kind of investigation."))
    if kind in {Investigation.Kind.TARGETED, Investigation.Kind.EXPEDITED}:
        if complaint is None or not complaint.is_complaint:
            raise ValidationError(
                _("A targeted investigation or fact-gathering names a complaint.")
            )
        if kind == Investigation.Kind.EXPEDITED and complaint.has_outcome:
            raise ValidationError(_("Fact-gathering comes before the panel's decision."))
    if kind == Investigation.Kind.EMPLOYER_SAMPLE:
        raise ValidationError(_("Open a sample of employers with investigation_open_sample."))
    if kind == Investigation.Kind.AGENCY_MONITORING and not any(
        s.kind == Organization.Kind.GOVERNMENT_AGENCY for s in subjects
    ):
        raise ValidationError(_("Name the government enforcement agency monitored."))
    if not _team_has_staff(team):
        raise ValidationError(_("A team has at least one commission staff member."))
    title = _text(title, _("Give the investigation a title."))
    now = timezone.now()
    with transaction.atomic():
        investigation = Investigation.objects.create(
            number=_number_allocate(now),
            kind=kind,
            title=title[:200],
            team=team,
            country=country or team.country,
            sector=sector,
            complaint=complaint,
            trigger=trigger,
            opened_at=now,
            opened_by=_user(actor),
            reason=reason.strip(),
        )
        investigation.subjects.set(list(subjects))
        _grant_team(investigation, team)
        _event(
            investigation,
            "investigation_opened",
            actor,
            to_status=Investigation.Status.OPEN,
            reason=reason.strip()[:1000],
            data={
                "kind": kind,
                "team": team.pk,
                "complaint": complaint.docket_number if complaint else "",
                "trigger": trigger,
            },
        )
        if complaint is not None:
            case_event_record(
                subject=complaint,
                verb="investigation_opened",
                actor=actor,
                data={"investigation": investigation.number, "kind": kind},
                is_public=True,
            )
    return investigation


def investigation_open_sample(
    *,
    team: InvestigativeTeam,
    title: str,
    country: TradingPartner,
    size: int,
    sector: Sector | None = None,
    seed: str | None = None,
    actor: Actor,
) -> Investigation:
    """Monitor a representative sample of employers, drawn from the country/sector frame with
    the method and seed recorded, so anyone can redraw it (`sampling.sample_draw`)."""
    _require_perm(actor, PERM_ASSIGN)
    title = _text(title, _("Give the investigation a title."))
    if not _team_has_staff(team):
        raise ValidationError(_("A team has at least one commission staff member."))
    seed = (seed or sampling.new_seed()).strip()
    now = timezone.now()
    with transaction.atomic():
        frame = sampling.sample_frame(country=country, sector=sector)
        try:
            drawn = sampling.sample_draw(frame=frame, size=size, seed=seed)
        except ValueError as exc:
            raise ValidationError(
                _("The sample size must be between 1 and the %(n)s employers of the frame.")
                % {"n": len(frame)}
            ) from exc
        investigation = Investigation.objects.create(
            number=_number_allocate(now),
            kind=Investigation.Kind.EMPLOYER_SAMPLE,
            title=title[:200],
            team=team,
            country=country,
            sector=sector,
            trigger=Investigation.Trigger.MONITORING_PLAN,
            opened_at=now,
            opened_by=_user(actor),
            sample_frame=frame,
            sample_method=sampling.METHOD,
            sample_seed=seed,
            sample_size=size,
            sample=drawn,
        )
        investigation.subjects.set(drawn)
        _grant_team(investigation, team)
        _event(
            investigation,
            "investigation_opened",
            actor,
            to_status=Investigation.Status.OPEN,
            data={
                "kind": investigation.kind,
                "team": team.pk,
                "frame": len(frame),
                "method": sampling.METHOD,
                "seed": seed,
                "sample": drawn,
            },
        )
    return investigation


def team_for_complaint(case: Case) -> InvestigativeTeam | None:
    """The team that investigates a complaint: a team of a respondent's country, one that
    covers a respondent's sector first (by name, for a stable choice)."""
    countries: set[int] = set()
    sectors: set[int] = set()
    for respondent in case.respondents.select_related("organization"):
        if respondent.country_id:
            countries.add(respondent.country_id)
        organization = respondent.organization
        if organization is not None:
            if organization.country_id:
                countries.add(organization.country_id)
            if organization.sector_id:
                sectors.add(organization.sector_id)
        if respondent.sector_id:
            sectors.add(respondent.sector_id)
    teams = list(
        InvestigativeTeam.objects.filter(country_id__in=countries)
        .prefetch_related("sectors")
        .order_by("name", "pk")
    )
    teams = [t for t in teams if _team_has_staff(t)]
    for team in teams:
        if {s.pk for s in team.sectors.all()} & sectors:
            return team
    return teams[0] if teams else None


def investigation_open_for_complaint(*, case_id: int) -> Investigation | None:
    """Open the targeted investigation of a complaint when it is filed (the system acts).
    Safe to run twice: a complaint has one targeted investigation. Complaints filed by a team
    (after a failed order) already come from an investigation and open none."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not case.is_complaint or case.received_via == Case.Channel.INVESTIGATION:
        return None
    existing = Investigation.objects.filter(
        complaint=case, kind=Investigation.Kind.TARGETED
    ).first()
    if existing is not None:
        return existing
    team = team_for_complaint(case)
    if team is None:
        logger.info("no investigative team covers %s", case.docket_number)
        return None
    subjects = [
        r.organization
        for r in case.respondents.select_related("organization")
        if r.organization is not None
    ]
    try:
        return investigation_open(
            kind=Investigation.Kind.TARGETED,
            team=team,
            title=_("Targeted investigation of %(docket)s") % {"docket": case.docket_number},
            country=team.country,
            subjects=subjects,
            complaint=case,
            trigger=Investigation.Trigger.COMPLAINT_FILED,
            actor=SYSTEM,
        )
    except IntegrityError:
        # Opened at the same moment by another run (the task and the demo loader, say).
        return Investigation.objects.get(complaint=case, kind=Investigation.Kind.TARGETED)


def investigation_assign_team(
    *, investigation: Investigation, team: InvestigativeTeam, reason: str, actor: Actor
) -> Investigation:
    """Staff reassign an investigation: the old team's access ends, the new team's starts;
    explicit grants to interview records of people outside the new team end too."""
    _require_perm(actor, PERM_ASSIGN)
    reason = _text(reason, _("Say why the investigation is reassigned."))
    if not _team_has_staff(team):
        raise ValidationError(_("A team has at least one commission staff member."))
    with transaction.atomic():
        locked = _lock(Investigation, investigation.pk)
        if locked.team_id == team.pk:
            return locked
        old = locked.team
        _revoke_team(locked, old)
        locked.team = team
        locked.save(update_fields=["team"])
        _grant_team(locked, team)
        members = set(
            TeamMembership.objects.filter(team=team).values_list("person__user", flat=True)
        )
        for interview in Interview.objects.filter(investigation=locked):
            # Without `attach_perms`, guardian returns the users (its stub allows a dict too).
            holders = cast(
                "Iterable[User]",
                get_users_with_perms(
                    interview,
                    only_with_perms_in=["view_interview_confidential"],
                    with_group_users=False,
                ),
            )
            for holder in holders:
                if holder.pk not in members:
                    remove_perm("view_interview_confidential", holder, interview)
        _event(
            locked,
            "team_assigned",
            actor,
            reason=reason,
            data={"from_team": old.pk, "to_team": team.pk},
        )
    investigation.team = team
    return investigation


def investigation_conclude(
    *, investigation: Investigation, reason: str, actor: Actor
) -> Investigation:
    """Conclude an investigation (a team staff member); open orders keep running."""
    _require_team_staff(actor, investigation)
    reason = _text(reason, _("Say why the investigation is concluded."))
    with transaction.atomic():
        locked = _lock(Investigation, investigation.pk)
        previous = _transition(locked, Investigation.Status.CONCLUDED)
        locked.concluded_at = timezone.now()
        locked.save(update_fields=["status", "concluded_at"])
        _event(
            locked,
            "investigation_concluded",
            actor,
            from_status=previous,
            to_status=locked.status,
            reason=reason,
        )
    investigation.status, investigation.concluded_at = locked.status, locked.concluded_at
    return investigation


def _require_open(investigation: Investigation) -> None:
    if investigation.status != Investigation.Status.OPEN:
        raise ValidationError(_("This investigation is concluded."))
