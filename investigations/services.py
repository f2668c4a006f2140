"""Writes of investigations. Every rule of the commission's investigative teams lives here;
the portal workspace, the REST API, the admin, the demo and the tasks all call these functions.

* Actors: every function takes `actor` — the user acting — or `None` for the system itself
  (a task, the demo loader). Team work needs the object permission `change_investigation` on
  the investigation, which `investigation_open` grants to the team's group (django-guardian);
  team determinations need a staff member of the team (staff prevail).
* Confidential records: an interview's identity and statement are read only through
  `interview_confidential_read`, which needs the explicit object grant
  `view_interview_confidential` and logs every read (`ConfidentialAccess`).
* Clocks: disclosure demands (`disclosure_due`) and remedial steps (`remedial_order_due`) run
  on the commission's clocks, swept exactly once with reminders and misses like the statutory
  ones. A missed step of an order not verified as complied fails the order and files a
  complaint through `complaints.services.case_file`, exactly once (`remedial_order_escalate`).
* Every state change writes a case event on the investigation in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from guardian.shortcuts import assign_perm, get_user_perms, get_users_with_perms, remove_perm

from commission.actors import SYSTEM
from commission.models import (
    CaseEvent,
    Clock,
    InvestigativeTeam,
    Organization,
    Person,
    Sector,
    TeamMembership,
    TradingPartner,
)
from commission.services import case_event_record, clock_meet, clock_start
from complaints import uploads
from complaints.fields import field_fernet
from complaints.models import Case, Respondent
from complaints.services import (
    AllegationInput,
    ComplainantInput,
    FilingInput,
    RespondentInput,
    case_file,
    evidence_add,
)
from criteria.models import CriterionVersion

from . import sampling
from .models import (
    CapacityMeasure,
    CommissionReview,
    ConfidentialAccess,
    DisclosureDemand,
    Finding,
    Interview,
    InterviewExcerpt,
    InterviewFile,
    Investigation,
    InvestigationCounter,
    MemberPosition,
    ProtocolMandate,
    RemedialOrder,
    RemedialStep,
    SiteVisit,
    TeamDetermination,
    VerificationVisit,
)

logger = logging.getLogger(__name__)

PERM_VIEW = "investigations.view_investigation"
PERM_CHANGE = "investigations.change_investigation"
PERM_ASSIGN = "investigations.assign_team"
PERM_REVIEW = "investigations.review_investigation"
PERM_MANDATE = "investigations.mandate_protocol"
PERM_CONFIDENTIAL = "investigations.view_interview_confidential"
PERM_TEAMS = "commission.change_investigativeteam"

DISCLOSURE_LEGAL_BASIS = gettext_noop(
    "Employers, global corporations (for their affiliates and suppliers) and government "
    "agencies must disclose what an investigative team demands by the due date; "
    "non-disclosure is penalized."
)
DISCLOSURE_LEGAL_SOURCE = gettext_noop(
    "Model labor-rights chapter, mandatory disclosure (policy paper, l. 2846–2858)"
)
REMEDIAL_LEGAL_BASIS = gettext_noop(
    "A violation found by an investigative team must be remedied by the due date of the "
    "remedial order; otherwise the team files a complaint."
)
REMEDIAL_LEGAL_SOURCE = gettext_noop(
    "Model labor-rights chapter, investigative teams (policy paper, l. 2518–2521)"
)


# --- helpers -----------------------------------------------------------------------------


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _require_perm(actor, perm: str, obj=None) -> None:
    """`actor=None` is the system itself (a task, the demo loader)."""
    if actor is None:
        return
    if not (_authenticated(actor) and actor.is_active and actor.has_perm(perm, obj)):
        raise PermissionDenied(_("You are not allowed to do this."))


def _require_member(actor, investigation: Investigation) -> None:
    """Team work: the team's object permission on this investigation."""
    _require_perm(actor, PERM_CHANGE, investigation)


def membership_of(user, team_id: int) -> TeamMembership | None:
    if not _authenticated(user):
        return None
    return (
        TeamMembership.objects.select_related("person")
        .filter(team_id=team_id, person__user=user)
        .first()
    )


def _require_team_staff(actor, investigation: Investigation) -> TeamMembership | None:
    if actor is None:
        return None
    _require_member(actor, investigation)
    membership = membership_of(actor, investigation.team_id)
    if membership is None or membership.role != TeamMembership.Role.STAFF:
        raise PermissionDenied(
            _("Only a commission staff member of the team records its determinations.")
        )
    return membership


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


def _not_future(day: dt.date, message: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(message)


def _event(
    investigation: Investigation,
    verb: str,
    actor,
    *,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return case_event_record(
        subject=investigation,
        verb=verb,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
        is_public=False,
    )


def _transition(obj, to_status: str) -> str:
    if to_status not in type(obj).TRANSITIONS[obj.status]:
        raise ValidationError(
            _("A record that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": type(obj).Status(obj.status).label,
                "to": type(obj).Status(to_status).label,
            },
            code="transition_refused",
        )
    previous = obj.status
    obj.status = to_status
    return previous


def _lock(model, pk):
    return model.objects.select_for_update().get(pk=pk)


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
    actor=None,
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
    actor=None,
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


def team_member_remove(*, membership: TeamMembership, actor=None) -> None:
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
    actor=None,
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
            opened_by=actor if _authenticated(actor) else None,
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
    actor=None,
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
            opened_by=actor if _authenticated(actor) else None,
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
        if respondent.organization_id:
            if respondent.organization.country_id:
                countries.add(respondent.organization.country_id)
            if respondent.organization.sector_id:
                sectors.add(respondent.organization.sector_id)
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
        r.organization for r in case.respondents.select_related("organization") if r.organization_id
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
            actor=None,
        )
    except IntegrityError:
        # Opened at the same moment by another run (the task and the demo loader, say).
        return Investigation.objects.get(complaint=case, kind=Investigation.Kind.TARGETED)


def investigation_assign_team(
    *, investigation: Investigation, team: InvestigativeTeam, reason: str, actor=None
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
            for user in get_users_with_perms(
                interview,
                only_with_perms_in=["view_interview_confidential"],
                with_group_users=False,
            ):
                if user.pk not in members:
                    remove_perm("view_interview_confidential", user, interview)
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
    *, investigation: Investigation, reason: str, actor=None
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


# --- activities --------------------------------------------------------------------------


def site_visit_record(
    *,
    investigation: Investigation,
    place: str,
    visited_on: dt.date,
    announced: bool,
    observations: str,
    organization: Organization | None = None,
    access_refused: bool = False,
    actor=None,
) -> SiteVisit:
    _require_member(actor, investigation)
    _require_open(investigation)
    _not_future(visited_on, _("A visit cannot be recorded in the future."))
    with transaction.atomic():
        visit = SiteVisit.objects.create(
            investigation=investigation,
            organization=organization,
            place=_text(place, _("Say where the visit took place.")),
            visited_on=visited_on,
            announced=announced,
            access_refused=access_refused,
            observations=_text(observations, _("Record what was observed.")),
            recorded_by=actor,
        )
        _event(
            investigation,
            "site_visit_recorded",
            actor,
            data={"visit": visit.pk, "announced": announced, "access_refused": access_refused},
        )
    return visit


def interview_record(
    *,
    investigation: Investigation,
    held_on: dt.date,
    place_description: str,
    off_premises: bool,
    interviewee_name: str,
    statement: str,
    interviewee_contact: str = "",
    language: str = "es",
    actor=None,
) -> Interview:
    """Record a worker interview held off company premises. The identity and statement are
    encrypted; the interviewer alone receives the explicit grant to read them back, others
    receive it only from a staff member of the team (`interview_access_grant`)."""
    _require_member(actor, investigation)
    _require_open(investigation)
    if not off_premises:
        raise ValidationError(
            _("Workers are interviewed off company premises only, where they can speak freely.")
        )
    _not_future(held_on, _("An interview cannot be recorded in the future."))
    with transaction.atomic():
        locked = _lock(Investigation, investigation.pk)
        count = Interview.objects.filter(investigation=locked).count()
        interview = Interview.objects.create(
            investigation=locked,
            pseudonym=_("Worker %(n)s") % {"n": count + 1},
            held_on=held_on,
            place_description=_text(place_description, _("Say where the interview was held.")),
            off_premises=True,
            interviewee_name=_text(interviewee_name, _("Record the interviewee's name.")),
            interviewee_contact=(interviewee_contact or "").strip(),
            statement=_text(statement, _("Record the statement.")),
            language=language[:8],
            recorded_by=actor,
        )
        if _authenticated(actor):
            assign_perm("view_interview_confidential", actor, interview)
        assign_perm("view_interview", team_group(locked.team), interview)
        # Logs and events name the pseudonym only.
        _event(locked, "interview_recorded", actor, data={"interview": interview.pk})
    return interview


def interview_access_grant(*, interview: Interview, user, reason: str, actor=None) -> None:
    """A staff member of the team grants a team member or commission staff the right to read
    an interview's identity and statement."""
    investigation = interview.investigation
    _require_team_staff(actor, investigation)
    reason = _text(reason, _("Say why access is needed."))
    in_team = membership_of(user, investigation.team_id) is not None
    is_staff = user.is_active and user.groups.filter(name="Commission staff").exists()
    if not (in_team or is_staff):
        raise ValidationError(
            _("Only the team and entitled commission staff may read interview records.")
        )
    with transaction.atomic():
        assign_perm("view_interview_confidential", user, interview)
        _event(
            investigation,
            "interview_access_granted",
            actor,
            reason=reason,
            data={"interview": interview.pk, "user": user.pk},
        )


def interview_access_revoke(*, interview: Interview, user, actor=None) -> None:
    investigation = interview.investigation
    _require_team_staff(actor, investigation)
    with transaction.atomic():
        remove_perm("view_interview_confidential", user, interview)
        _event(
            investigation,
            "interview_access_revoked",
            actor,
            data={"interview": interview.pk, "user": user.pk},
        )


def can_view(user, investigation: Investigation) -> bool:
    """The team (object permission) and the commission's staff and members (model
    permission) read an investigation's record."""
    return bool(
        _authenticated(user)
        and user.is_active
        and (user.has_perm(PERM_VIEW) or user.has_perm(PERM_VIEW, investigation))
    )


def can_write(user, investigation: Investigation) -> bool:
    return bool(
        _authenticated(user) and user.is_active and user.has_perm(PERM_CHANGE, investigation)
    )


def can_read_confidential(user, interview: Interview) -> bool:
    """Only an explicit grant on this interview opens its identity and statement."""
    return bool(
        can_view(user, interview.investigation)
        and "view_interview_confidential" in get_user_perms(user, interview)
    )


@dataclass(frozen=True)
class ConfidentialInterview:
    name: str
    contact: str
    statement: str


def interview_confidential_read(*, interview: Interview, user, door: str) -> ConfidentialInterview:
    """The identity and statement of an interview, for a holder of the explicit grant; the
    read is logged (who, what, when, through which door) before anything is returned."""
    if not can_read_confidential(user, interview):
        raise PermissionDenied(_("This interview record is confidential."))
    ConfidentialAccess.objects.create(
        user=user, interview=interview, what="identity_and_statement", door=door[:16]
    )
    return ConfidentialInterview(
        name=interview.interviewee_name,
        contact=interview.interviewee_contact,
        statement=interview.statement,
    )


def interview_excerpt_add(*, interview: Interview, text: str, actor=None) -> InterviewExcerpt:
    """A pseudonymised excerpt of a statement, usable as evidence. Written by someone who may
    read the statement."""
    investigation = interview.investigation
    _require_member(actor, investigation)
    if actor is not None and not can_read_confidential(actor, interview):
        raise PermissionDenied(_("Only those who may read the statement write its excerpts."))
    text = _text(text, _("Write the excerpt."))
    if interview.interviewee_name and interview.interviewee_name.lower() in text.lower():
        raise ValidationError(_("An excerpt never names the interviewee: use the pseudonym."))
    with transaction.atomic():
        excerpt = InterviewExcerpt.objects.create(interview=interview, text=text, created_by=actor)
        _event(
            investigation,
            "excerpt_added",
            actor,
            data={"interview": interview.pk, "excerpt": excerpt.pk},
        )
    return excerpt


# --- interview files ---------------------------------------------------------------------

INTERVIEW_FILES = "investigations/interviews"


def _sealed_address(sealed: bytes) -> str:
    digest = hashlib.sha256(sealed).hexdigest()
    return f"{INTERVIEW_FILES}/{digest[:2]}/{digest}.bin"


def _sealed_store(sealed: bytes) -> str:
    """Store encrypted bytes under the SHA-256 of what is stored (the content address): the
    same bytes twice are stored once; different bytes at an address are refused."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = _sealed_address(sealed)
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as existing:
            if hashlib.sha256(existing.read()).hexdigest() != name.rsplit("/", 1)[1][:64]:
                raise ValidationError(_("A stored file does not match its address."))
        return name
    stored = default_storage.save(name, ContentFile(sealed))
    if stored != name:
        raise ValidationError(_("A stored file does not match its address."))
    return name


def interview_file_add(
    *, interview: Interview, upload: Any, kind: str, actor: Any = None
) -> InterviewFile:
    """Attach a file to an interview (an audio recording, a scanned note). It passes the one
    upload door (size cap, type by content, virus scan when configured), is encrypted with the
    field keys (ADR 0032) and stored under the hash of the encrypted bytes; its name is
    encrypted too. Only someone who may read the interview's statement adds its files."""
    investigation = interview.investigation
    _require_member(actor, investigation)
    _require_open(investigation)
    if actor is not None and not can_read_confidential(actor, interview):
        raise PermissionDenied(_("Only those who may read the interview add its files."))
    if kind not in InterviewFile.Kind.values:
        raise ValidationError(_("Say what the file is."))
    try:
        checked = uploads.upload_accept(upload, scan=True)
    except uploads.UploadRejected as exc:
        raise ValidationError(exc.message, code="upload_rejected") from exc
    upload.seek(0)
    sealed = field_fernet().encrypt(upload.read())
    upload.seek(0)
    with transaction.atomic():
        stored_as = _sealed_store(sealed)
        row = InterviewFile.objects.create(
            interview=interview,
            kind=kind,
            original_name=checked.name,
            mime_type=checked.type.mime,
            size=checked.size,
            sha256=checked.sha256,
            stored_as=stored_as,
            uploaded_by=actor,
        )
        # Events and logs name the file's number and kind, never its name.
        _event(
            investigation,
            "interview_file_added",
            actor,
            data={"interview": interview.pk, "file": row.pk, "kind": kind, "size": checked.size},
        )
    return row


@dataclass(frozen=True)
class InterviewFileContent:
    name: str
    mime_type: str
    data: bytes


def interview_file_read(*, file: InterviewFile, user: Any, door: str) -> InterviewFileContent:
    """The decrypted file, for a holder of the interview's explicit grant; the read is logged
    (who, which file, when, through which door) before anything is returned, and the bytes are
    checked against both hashes (of what is stored, and of the file as uploaded)."""
    from django.core.files.storage import default_storage

    interview = file.interview
    if not can_read_confidential(user, interview):
        raise PermissionDenied(_("This interview record is confidential."))
    ConfidentialAccess.objects.create(
        user=user, interview=interview, what=f"file {file.pk}"[:40], door=door[:16]
    )
    with default_storage.open(file.stored_as, "rb") as handle:
        sealed = handle.read()
    if _sealed_address(sealed) != file.stored_as:
        raise ValidationError(_("A stored file does not match its address."))
    data = field_fernet().decrypt(sealed)
    if hashlib.sha256(data).hexdigest() != file.sha256:
        raise ValidationError(_("A stored file does not match its hash."))
    return InterviewFileContent(name=file.original_name, mime_type=file.mime_type, data=data)


# --- disclosure demands ------------------------------------------------------------------

EMPLOYER_SCOPES = {
    DisclosureDemand.Scope.WAGES,
    DisclosureDemand.Scope.CONDITIONS,
    DisclosureDemand.Scope.COMPLIANCE_SYSTEMS,
    DisclosureDemand.Scope.AFFILIATES_SUPPLIERS,
}
AGENCY_SCOPES = {
    DisclosureDemand.Scope.BUDGETS,
    DisclosureDemand.Scope.STAFF,
    DisclosureDemand.Scope.PROCEDURES,
    DisclosureDemand.Scope.ACTIONS,
}


def demand_issue(
    *,
    investigation: Investigation,
    addressee: Organization,
    instrument: str,
    scope: str,
    description: str,
    days: int,
    issued_at: dt.datetime | None = None,
    actor=None,
) -> DisclosureDemand:
    """Issue a document request, subpoena or disclosure demand; its due date is a clock."""
    _require_member(actor, investigation)
    _require_open(investigation)
    if instrument not in DisclosureDemand.Instrument.values:
        raise ValidationError(_("Unknown instrument."))
    K = Organization.Kind
    if scope in AGENCY_SCOPES:
        if addressee.kind not in {K.GOVERNMENT_AGENCY, K.GOVERNMENT}:
            raise ValidationError(
                _("Budgets, staff, procedures and actions are asked of agencies.")
            )
    elif scope in EMPLOYER_SCOPES:
        if addressee.kind not in {K.EMPLOYER, K.GLOBAL_CORPORATION}:
            raise ValidationError(_("This disclosure is demanded of employers and corporations."))
        if scope == DisclosureDemand.Scope.AFFILIATES_SUPPLIERS and addressee.kind != (
            K.GLOBAL_CORPORATION
        ):
            raise ValidationError(
                _("Affiliates and suppliers are disclosed by the global corporation.")
            )
    else:
        raise ValidationError(_("Say what is demanded."))
    if days < 1:
        raise ValidationError(_("Give at least one day to comply."))
    issued_at = issued_at or timezone.now()
    if issued_at > timezone.now():
        raise ValidationError(_("A demand cannot be issued in the future."))
    with transaction.atomic():
        demand = DisclosureDemand.objects.create(
            investigation=investigation,
            addressee=addressee,
            instrument=instrument,
            scope=scope,
            description=_text(description, _("Say which documents and information are due.")),
            days=days,
            issued_at=issued_at,
            recorded_by=actor,
        )
        clock_start(
            subject=demand,
            kind=Clock.Kind.DISCLOSURE_DUE,
            trigger_at=issued_at,
            days=days,
            legal_basis=DISCLOSURE_LEGAL_BASIS,
            legal_source=DISCLOSURE_LEGAL_SOURCE,
            trigger_event="disclosure_demanded",
            actor=actor,
        )
        _event(
            investigation,
            "demand_issued",
            actor,
            to_status=demand.status,
            data={"demand": demand.pk, "instrument": instrument, "scope": scope, "days": days},
        )
    return demand


def demand_record_disclosure(
    *, demand: DisclosureDemand, summary: str, disclosed_at: dt.datetime, actor=None
) -> DisclosureDemand:
    """Record what was disclosed, and when; meets the clock (or completes it late)."""
    _require_member(actor, demand.investigation)
    if disclosed_at > timezone.now():
        raise ValidationError(_("A disclosure cannot be recorded in the future."))
    with transaction.atomic():
        locked = _lock(DisclosureDemand, demand.pk)
        if disclosed_at < locked.issued_at:
            raise ValidationError(_("A disclosure cannot precede the demand."))
        previous = _transition(locked, DisclosureDemand.Status.DISCLOSED)
        locked.disclosed_at = disclosed_at
        locked.response_summary = _text(summary, _("Summarise what was disclosed."))
        locked.save(update_fields=["status", "disclosed_at", "response_summary"])
        event = _event(
            locked.investigation,
            "demand_disclosed",
            actor,
            from_status=previous,
            to_status=locked.status,
            data={"demand": locked.pk},
        )
        clock_meet(
            subject=locked,
            kind=Clock.Kind.DISCLOSURE_DUE,
            at=disclosed_at,
            event=event,
            actor=actor,
        )
    return locked


def demand_record_penalty(
    *,
    demand: DisclosureDemand,
    penalty: str,
    amount: Decimal | None = None,
    currency: str = "",
    actor=None,
) -> DisclosureDemand:
    """Record non-disclosure and its penalty: only once the due date has passed."""
    _require_team_staff(actor, demand.investigation)
    with transaction.atomic():
        locked = _lock(DisclosureDemand, demand.pk)
        clock = Clock.objects.get(
            subject_type__model="disclosuredemand",
            subject_type__app_label="investigations",
            subject_id=str(locked.pk),
            kind=Clock.Kind.DISCLOSURE_DUE,
        )
        if clock.due_at > timezone.now():
            raise ValidationError(
                _("Non-disclosure is recorded after the due date (%(day)s).")
                % {"day": clock.last_day.isoformat()}
            )
        previous = _transition(locked, DisclosureDemand.Status.NOT_DISCLOSED)
        locked.penalty = _text(penalty, _("Record the penalty for non-disclosure."))
        locked.penalty_amount = amount
        locked.penalty_currency = currency.strip().upper()[:3]
        locked.save(update_fields=["status", "penalty", "penalty_amount", "penalty_currency"])
        _event(
            locked.investigation,
            "demand_penalized",
            actor,
            from_status=previous,
            to_status=locked.status,
            reason=locked.penalty,
            data={"demand": locked.pk, "amount": str(amount) if amount is not None else ""},
        )
    return locked


# --- findings and determinations ---------------------------------------------------------


@dataclass
class PositionInput:
    membership: TeamMembership
    position: str
    reasoning: str = ""


def finding_draft(
    *,
    investigation: Investigation,
    criterion_version: CriterionVersion,
    result: str,
    summary: str,
    facts: str,
    observed_on: dt.date,
    organization: Organization | None = None,
    measured_value: Decimal | None = None,
    measured_unit: str = "",
    measuring_method: str = "",
    workers_affected: int | None = None,
    site_visits: Sequence[SiteVisit] = (),
    excerpts: Sequence[InterviewExcerpt] = (),
    demands: Sequence[DisclosureDemand] = (),
    relapse_of: Finding | None = None,
    actor=None,
) -> Finding:
    """Draft a finding against the criterion version in force on the day observed. A
    performance measure needs the measured value, its unit and the measuring method."""
    _require_member(actor, investigation)
    _require_open(investigation)
    if result not in Finding.Result.values:
        raise ValidationError(_("Choose compliant, violation or insufficient evidence."))
    _not_future(observed_on, _("A finding cannot be observed in the future."))
    version_ok = criterion_version.effective_from <= observed_on and (
        criterion_version.effective_until is None or observed_on < criterion_version.effective_until
    )
    if not version_ok:
        raise ValidationError(
            _("%(version)s was not in force on %(day)s: apply the version in force that day.")
            % {"version": criterion_version.identifier, "day": observed_on.isoformat()}
        )
    if criterion_version.is_measure and result != Finding.Result.INSUFFICIENT_EVIDENCE:
        if measured_value is None or not measured_unit.strip() or not measuring_method.strip():
            raise ValidationError(
                _(
                    "%(version)s is a performance measure: record the measured value, its "
                    "unit and the measuring method."
                )
                % {"version": criterion_version.identifier}
            )
    if measured_value is not None and not measured_unit.strip():
        raise ValidationError(_("A measured value carries its unit."))
    if workers_affected is not None and workers_affected < 0:
        raise ValidationError(_("The number of workers affected cannot be negative."))
    for linked in (*site_visits, *demands):
        if linked.investigation_id != investigation.pk:
            raise ValidationError(_("Evidence links point to this investigation's records."))
    for excerpt in excerpts:
        if excerpt.interview.investigation_id != investigation.pk:
            raise ValidationError(_("Evidence links point to this investigation's records."))
    with transaction.atomic():
        finding = Finding.objects.create(
            investigation=investigation,
            criterion_version=criterion_version,
            organization=organization,
            result=result,
            summary=_text(summary, _("Summarise the finding."))[:200],
            facts=_text(facts, _("Record the facts found.")),
            measured_value=measured_value,
            measured_unit=measured_unit.strip(),
            measuring_method=measuring_method.strip(),
            workers_affected=workers_affected,
            observed_on=observed_on,
            drafted_by=actor,
            relapse_of=relapse_of,
        )
        finding.site_visits.set(list(site_visits))
        finding.excerpts.set(list(excerpts))
        finding.demands.set(list(demands))
        _event(
            investigation,
            "finding_drafted",
            actor,
            to_status=finding.status,
            data={"finding": finding.pk, "criterion_version": criterion_version.identifier},
        )
    return finding


def determination_record(
    *,
    investigation: Investigation,
    question: str,
    options: Iterable[str],
    positions: Sequence[PositionInput],
    actor=None,
    deciding: TeamMembership | None = None,
) -> TeamDetermination:
    """Record a team determination: every member's position; the position of the deciding
    staff member (the actor, or `deciding` when the system records) is the determination;
    every other position that differs is kept as a dissent."""
    membership = _require_team_staff(actor, investigation) or deciding
    if membership is None or membership.role != TeamMembership.Role.STAFF:
        raise ValidationError(_("A staff member of the team decides."))
    if membership.team_id != investigation.team_id:
        raise ValidationError(_("A staff member of the team decides."))
    options = set(options)
    seen: set[int] = set()
    for p in positions:
        if p.membership.team_id != investigation.team_id:
            raise ValidationError(_("Only the team's members take positions."))
        if p.position not in options:
            raise ValidationError(_("Unknown position: %(p)s") % {"p": p.position})
        if p.membership.pk in seen:
            raise ValidationError(_("Each member takes one position."))
        seen.add(p.membership.pk)
    staff_position = next((p for p in positions if p.membership.pk == membership.pk), None)
    if staff_position is None:
        raise ValidationError(_("Record the deciding staff member's position."))
    outcome = staff_position.position
    determination = TeamDetermination.objects.create(
        investigation=investigation,
        question=_text(question, _("State the question determined."))[:300],
        outcome=outcome,
        decided_by=membership,
    )
    MemberPosition.objects.bulk_create(
        [
            MemberPosition(
                determination=determination,
                membership=p.membership,
                role=p.membership.role,
                position=p.position,
                reasoning=(p.reasoning or "").strip(),
                is_dissent=p.position != outcome,
            )
            for p in positions
        ]
    )
    return determination


def finding_determine(
    *,
    finding: Finding,
    positions: Sequence[PositionInput],
    actor=None,
    deciding: TeamMembership | None = None,
) -> Finding:
    """The team determines a drafted finding: the staff position is the result; dissents are
    kept and shown with the finding."""
    investigation = finding.investigation
    with transaction.atomic():
        locked = _lock(Finding, finding.pk)
        if locked.status != Finding.Status.DRAFT:
            raise ValidationError(_("This finding has already been determined."))
        determination = determination_record(
            investigation=investigation,
            question=_("%(version)s — %(summary)s")
            % {"version": locked.criterion_version.identifier, "summary": locked.summary},
            options=Finding.Result.values,
            positions=positions,
            actor=actor,
            deciding=deciding,
        )
        previous = _transition(locked, Finding.Status.DETERMINED)
        locked.result = determination.outcome
        locked.determination = determination
        locked.save(update_fields=["status", "result", "determination"])
        _event(
            investigation,
            "finding_determined",
            actor,
            from_status=previous,
            to_status=locked.status,
            data={
                "finding": locked.pk,
                "result": locked.result,
                "dissents": sum(1 for p in positions if p.position != determination.outcome),
            },
        )
    finding.status, finding.result, finding.determination = (
        locked.status,
        locked.result,
        determination,
    )
    return finding


# --- remedial orders ---------------------------------------------------------------------


@dataclass
class StepInput:
    description: str
    days: int


@dataclass
class CapacityInput:
    recipient: str
    description: str
    provider: str = ""


def remedial_order_issue(
    *,
    investigation: Investigation,
    addressee: Organization,
    findings: Sequence[Finding],
    text: str,
    steps: Sequence[StepInput],
    capacity_measures: Sequence[CapacityInput] = (),
    issued_at: dt.datetime | None = None,
    actor=None,
) -> RemedialOrder:
    """Order the remedy of determined violations. Each step's due date is a clock started at
    the issuing instant (which may be recorded in the past for an order served in the field,
    never in the future)."""
    _require_team_staff(actor, investigation)
    _require_open(investigation)
    if not findings:
        raise ValidationError(_("An order remedies at least one violation found."))
    for f in findings:
        if (
            f.investigation_id != investigation.pk
            or f.status != Finding.Status.DETERMINED
            or f.result != Finding.Result.VIOLATION
        ):
            raise ValidationError(
                _("An order remedies violations determined in this investigation.")
            )
    if not steps:
        raise ValidationError(_("An order has at least one step with a due date."))
    for measure in capacity_measures:
        if measure.recipient not in CapacityMeasure.Recipient.values:
            raise ValidationError(_("Unknown recipient of technical assistance."))
    issued_at = issued_at or timezone.now()
    if issued_at > timezone.now():
        raise ValidationError(_("An order cannot be issued in the future."))
    with transaction.atomic():
        order = RemedialOrder.objects.create(
            investigation=investigation,
            addressee=addressee,
            text=_text(text, _("Write the order.")),
            issued_at=issued_at,
            issued_by=actor,
        )
        order.findings.set(list(findings))
        for number, step in enumerate(steps, start=1):
            if step.days < 1:
                raise ValidationError(_("Each step has at least one day."))
            row = RemedialStep.objects.create(
                order=order,
                number=number,
                description=_text(step.description, _("Describe each step.")),
                days=step.days,
            )
            clock_start(
                subject=row,
                kind=Clock.Kind.REMEDIAL_ORDER_DUE,
                trigger_at=issued_at,
                days=step.days,
                legal_basis=REMEDIAL_LEGAL_BASIS,
                legal_source=REMEDIAL_LEGAL_SOURCE,
                trigger_event="remedial_order_issued",
                actor=actor,
            )
        CapacityMeasure.objects.bulk_create(
            [
                CapacityMeasure(
                    order=order,
                    recipient=m.recipient,
                    description=_text(m.description, _("Describe the technical assistance.")),
                    provider=m.provider.strip(),
                )
                for m in capacity_measures
            ]
        )
        _event(
            investigation,
            "remedial_order_issued",
            actor,
            to_status=order.status,
            data={
                "order": order.pk,
                "findings": [f.pk for f in findings],
                "steps": len(steps),
                "capacity_measures": len(capacity_measures),
            },
        )
    return order


def _step_clocks(order: RemedialOrder) -> list[Clock]:
    from django.contrib.contenttypes.models import ContentType

    step_ids = [str(pk) for pk in order.steps.values_list("pk", flat=True)]
    return list(
        Clock.objects.filter(
            subject_type=ContentType.objects.get_for_model(RemedialStep),
            subject_id__in=step_ids,
            kind=Clock.Kind.REMEDIAL_ORDER_DUE,
        ).order_by("due_at")
    )


def verification_record(
    *,
    order: RemedialOrder,
    visited_on: dt.date,
    basis: str,
    outcome: str,
    observations: str,
    measured_value: Decimal | None = None,
    measured_unit: str = "",
    measuring_method: str = "",
    actor=None,
) -> VerificationVisit:
    """Record a verification visit. Compliance counts only when observed or measured by the
    team (inspection, worker interviews, records) — a plan or a promise never does. Verified
    compliance ends the order and meets its step clocks; a failed verification after the
    last due date fails the order and files the complaint."""
    investigation = order.investigation
    _require_member(actor, investigation)
    if basis not in VerificationVisit.Basis.values or outcome not in (
        VerificationVisit.Outcome.values
    ):
        raise ValidationError(_("Choose the basis and the outcome of the verification."))
    if outcome == VerificationVisit.Outcome.COMPLIED and basis not in VerificationVisit.PROOF:
        raise ValidationError(
            _("A plan or a promise does not count as compliance: verify it on the ground.")
        )
    _not_future(visited_on, _("A visit cannot be recorded in the future."))
    if measured_value is not None and not measured_unit.strip():
        raise ValidationError(_("A measured value carries its unit."))
    escalate = False
    with transaction.atomic():
        locked = _lock(RemedialOrder, order.pk)
        if visited_on < timezone.localtime(locked.issued_at).date():
            raise ValidationError(_("A verification cannot precede the order."))
        visit = VerificationVisit.objects.create(
            order=locked,
            visited_on=visited_on,
            basis=basis,
            outcome=outcome,
            measured_value=measured_value,
            measured_unit=measured_unit.strip(),
            measuring_method=measuring_method.strip(),
            observations=_text(observations, _("Record what was observed.")),
            recorded_by=actor,
        )
        event = _event(
            investigation,
            "verification_recorded",
            actor,
            data={"order": locked.pk, "visit": visit.pk, "outcome": outcome, "basis": basis},
        )
        if locked.status == RemedialOrder.Status.OPEN:
            if outcome == VerificationVisit.Outcome.COMPLIED:
                previous = _transition(locked, RemedialOrder.Status.VERIFIED_COMPLIED)
                locked.verified_at = timezone.now()
                locked.save(update_fields=["status", "verified_at"])
                _event(
                    investigation,
                    "remedial_order_verified",
                    actor,
                    from_status=previous,
                    to_status=locked.status,
                    data={"order": locked.pk, "visit": visit.pk},
                )
                at = min(timezone.now(), _day_end(visited_on))
                for step in locked.steps.all():
                    clock_meet(
                        subject=step,
                        kind=Clock.Kind.REMEDIAL_ORDER_DUE,
                        at=max(at, locked.issued_at),
                        event=event,
                        actor=actor,
                    )
            else:
                clocks = _step_clocks(locked)
                escalate = bool(clocks) and min(c.due_at for c in clocks) < timezone.now()
    if escalate:
        remedial_order_escalate(
            order_id=order.pk,
            reason=_("The verification visit of %(day)s found the order not complied with.")
            % {"day": visited_on.isoformat()},
        )
    order.refresh_from_db()
    return visit


def _day_end(day: dt.date) -> dt.datetime:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)


def _team_complainant(team: InvestigativeTeam) -> Organization:
    """The team as a complainant in the core records (teams file complaints, l. 2563–2567)."""
    org, _created = Organization.objects.get_or_create(
        kind=Organization.Kind.OTHER,
        name=f"{team.name} (investigative team)"[:200],
        country=team.country,
    )
    return org


RESPONDENT_KIND = {
    Organization.Kind.EMPLOYER: Respondent.Kind.EMPLOYER,
    Organization.Kind.GLOBAL_CORPORATION: Respondent.Kind.GLOBAL_CORPORATION,
    Organization.Kind.GOVERNMENT_AGENCY: Respondent.Kind.GOVERNMENT_AGENCY,
    Organization.Kind.GOVERNMENT: Respondent.Kind.GOVERNMENT,
}


def findings_report(order: RemedialOrder) -> str:
    """The plain-text report of an order's findings, attached to the team's complaint. It
    carries pseudonymised excerpts only — never an interviewee's identity or statement."""
    lines = [
        _("Investigation %(number)s — %(title)s")
        % {"number": order.investigation.number, "title": order.investigation.title},
        _("Remedial order issued %(day)s to %(to)s")
        % {"day": timezone.localtime(order.issued_at).date().isoformat(), "to": order.addressee},
        order.text,
        "",
    ]
    for step in order.steps.all():
        lines.append(f"{step.number}. {step.description} ({step.days} d)")
    for finding in order.findings.select_related("criterion_version", "determination").order_by(
        "pk"
    ):
        lines += [
            "",
            f"{finding.criterion_version.identifier}: {finding.get_result_display()} — "
            f"{finding.summary}",
            finding.facts,
        ]
        if finding.measured_value is not None:
            lines.append(
                _("Measured: %(value)s %(unit)s (%(method)s)")
                % {
                    "value": format(finding.measured_value.normalize(), "f"),
                    "unit": finding.measured_unit,
                    "method": finding.measuring_method,
                }
            )
        if finding.workers_affected is not None:
            lines.append(_("Workers affected: %(n)s") % {"n": finding.workers_affected})
        for position in finding.determination.positions.all() if finding.determination else []:
            if position.is_dissent:
                lines.append(
                    _("Dissent (%(role)s): %(position)s — %(reasoning)s")
                    % {
                        "role": position.get_role_display(),
                        "position": position.position,
                        "reasoning": position.reasoning,
                    }
                )
        for excerpt in finding.excerpts.select_related("interview"):
            lines.append(f"{excerpt.interview.pseudonym}: “{excerpt.text}”")
    for visit in order.verifications.all():
        lines += [
            "",
            _("Verification %(day)s (%(basis)s): %(outcome)s — %(observations)s")
            % {
                "day": visit.visited_on.isoformat(),
                "basis": visit.get_basis_display(),
                "outcome": visit.get_outcome_display(),
                "observations": visit.observations,
            },
        ]
    return "\n".join(str(line) for line in lines) + "\n"


def remedial_order_escalate(*, order_id: int, reason: str = "") -> RemedialOrder:
    """See `_remedial_order_escalate`; the complaint is written in the commission's language
    (English), whichever language the request that triggered it was in."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return _remedial_order_escalate(order_id=order_id, reason=reason)


def _remedial_order_escalate(*, order_id: int, reason: str = "") -> RemedialOrder:
    """A remedial order whose due date passed without verified compliance fails, and the team
    files a complaint through the complaints service with its findings attached — exactly
    once: the order row is locked and the complaint is linked to it in the same transaction.
    The system acts (the sweep's miss, or a failed verification after the due date)."""
    with transaction.atomic():
        order = _lock(RemedialOrder, order_id)
        if order.complaint_id is not None or order.status == RemedialOrder.Status.VERIFIED_COMPLIED:
            return order
        clocks = _step_clocks(order)
        now = timezone.now()
        if not clocks or min(c.due_at for c in clocks) >= now:
            raise ValidationError(_("The order's due date has not passed."))
        investigation = order.investigation
        team = investigation.team
        if order.status == RemedialOrder.Status.OPEN:
            previous = _transition(order, RemedialOrder.Status.FAILED)
            order.failed_at = now
            order.failure_reason = reason or _("The due date passed without verified compliance.")
            order.save(update_fields=["status", "failed_at", "failure_reason"])
            _event(
                investigation,
                "remedial_order_failed",
                None,
                from_status=previous,
                to_status=order.status,
                reason=order.failure_reason,
                data={"order": order.pk},
            )
        findings = list(
            order.findings.select_related("criterion_version__criterion", "organization")
            .prefetch_related("site_visits")
            .order_by("pk")
        )
        respondents = [
            RespondentInput(
                kind=RESPONDENT_KIND.get(order.addressee.kind, Respondent.Kind.EMPLOYER),
                organization=order.addressee,
                country=order.addressee.country,
            )
        ]
        for subject in investigation.subjects.exclude(pk=order.addressee_id).order_by("pk"):
            if subject.kind in RESPONDENT_KIND:
                respondents.append(
                    RespondentInput(
                        kind=RESPONDENT_KIND[subject.kind],
                        organization=subject,
                        country=subject.country,
                    )
                )
        allegations = []
        for finding in findings:
            facts = [finding.facts]
            if finding.measured_value is not None:
                facts.append(
                    _("Measured: %(value)s %(unit)s (%(method)s).")
                    % {
                        "value": format(finding.measured_value.normalize(), "f"),
                        "unit": finding.measured_unit,
                        "method": finding.measuring_method,
                    }
                )
            facts.append(
                _("Found by investigation %(number)s; remedial order not complied with.")
                % {"number": investigation.number}
            )
            place = next(
                (v.place for v in finding.site_visits.all()),
                (finding.organization or order.addressee).location or investigation.country.name,
            )
            allegations.append(
                AllegationInput(
                    summary=finding.summary,
                    facts="\n".join(str(f) for f in facts),
                    period_start=finding.observed_on,
                    place=place,
                    workers_affected=finding.workers_affected or None,
                    criteria=[finding.criterion_version.criterion],
                )
            )
        filing = FilingInput(
            kind=Case.Kind.COMPLAINT,
            language=settings.LANGUAGE_CODE,
            complainants=[
                ComplainantInput(kind="organization", organization=_team_complainant(team))
            ],
            respondents=respondents,
            allegations=allegations,
            remedies_sought=_(
                "Sanctions until the remedial order of %(day)s is carried out and verified: "
                "%(text)s"
            )
            % {"day": timezone.localtime(order.issued_at).date().isoformat(), "text": order.text},
        )
        complaint, _code = case_file(
            filing=filing, actor=SYSTEM, received_via=Case.Channel.INVESTIGATION
        )
        order.complaint = complaint
        order.save(update_fields=["complaint"])
        report = findings_report(order).encode("utf-8")
        evidence_add(
            upload=SimpleUploadedFile(
                f"findings-{investigation.number}.txt", report, content_type="text/plain"
            ),
            description=_("Findings of investigation %(number)s")
            % {"number": investigation.number},
            case=complaint,
            actor=SYSTEM,
        )
        _event(
            investigation,
            "complaint_filed",
            None,
            reason=order.failure_reason,
            data={"order": order.pk, "complaint": complaint.docket_number},
        )
    logger.info("remedial order %s escalated: %s", order.pk, complaint.docket_number)
    return order


def remedial_orders_escalate_due(*, now: dt.datetime | None = None) -> list[int]:
    """Escalate every order with a missed step clock and no verified compliance (the safety
    net of the clock-miss signal; safe to run at any time)."""
    from django.contrib.contenttypes.models import ContentType

    now = now or timezone.now()
    missed = Clock.objects.filter(
        subject_type=ContentType.objects.get_for_model(RemedialStep),
        kind=Clock.Kind.REMEDIAL_ORDER_DUE,
        status=Clock.Status.MISSED,
    ).values_list("subject_id", flat=True)
    step_ids = [int(s) for s in missed]
    order_ids = list(
        RemedialOrder.objects.filter(steps__pk__in=step_ids, complaint__isnull=True)
        .exclude(status=RemedialOrder.Status.VERIFIED_COMPLIED)
        .values_list("pk", flat=True)
        .distinct()
    )
    for order_id in order_ids:
        remedial_order_escalate(order_id=order_id)
    return order_ids


# --- commission review and fora ----------------------------------------------------------


def review_record(
    *,
    outcome: str,
    reasons: str,
    finding: Finding | None = None,
    order: RemedialOrder | None = None,
    actor=None,
) -> CommissionReview:
    """The commission reviews a determined finding or an order; the review and its reasons
    are recorded (they change neither: a remand asks the team to investigate further)."""
    _require_perm(actor, PERM_REVIEW)
    if (finding is None) == (order is None):
        raise ValidationError(_("Review a finding or an order."))
    if outcome not in CommissionReview.Outcome.values:
        raise ValidationError(_("Choose the outcome of the review."))
    if finding is not None and finding.status != Finding.Status.DETERMINED:
        raise ValidationError(_("Only a determined finding is reviewed."))
    reasons = _text(reasons, _("Give the reasons of the review."))
    investigation = (finding or order).investigation
    with transaction.atomic():
        review = CommissionReview.objects.create(
            finding=finding,
            order=order,
            outcome=outcome,
            reasons=reasons,
            reviewed_by=actor,
        )
        _event(
            investigation,
            "commission_review",
            actor,
            reason=reasons,
            data={
                "review": review.pk,
                "outcome": outcome,
                "finding": finding.pk if finding else None,
                "order": order.pk if order else None,
            },
        )
    return review


def protocol_mandate(
    *,
    team: InvestigativeTeam,
    change: str,
    reasons: str,
    effective_on: dt.date,
    actor=None,
) -> ProtocolMandate:
    """Commission members mandate a protocol change for a team (recorded and dated)."""
    _require_perm(actor, PERM_MANDATE)
    with transaction.atomic():
        mandate = ProtocolMandate.objects.create(
            team=team,
            change=_text(change, _("Describe the protocol change.")),
            reasons=_text(reasons, _("Give the reasons.")),
            effective_on=effective_on,
            mandated_by=actor,
        )
        case_event_record(
            subject=team,
            verb="protocol_mandated",
            actor=actor,
            reason=mandate.reasons[:1000],
            data={"mandate": mandate.pk, "effective_on": effective_on.isoformat()},
        )
    return mandate


def member_token_issue(*, user, actor=None) -> str:
    """A personal API token for a team member (hashed at rest, commission.services), issued
    from the team workspace. A new token revokes the member's earlier ones."""
    from commission.services import api_token_issue

    actor = actor if actor is not None else user
    if actor.pk != user.pk:
        _require_perm(actor, PERM_TEAMS)
    if not TeamMembership.objects.filter(person__user=user).exists():
        raise ValidationError(_("Tokens are issued to investigative team members."))
    _token, raw = api_token_issue(
        user=user, actor=user, name=_("Team workspace"), revoke_others=True
    )
    return raw


def interview_fields_reencrypt() -> int:
    """Re-save interviewees' identities and statements, and interview files' names, under the
    first key of FIELD_ENCRYPTION_KEYS (run with `complaints.services.confidential_fields_
    reencrypt` after a new key is prepended; ADR 0032). Returns the number of rows rewritten.
    A file's bytes stay sealed under the key they were written with (their address is their
    hash): an old key is kept in the list while such files exist."""
    count = 0
    fields = ["interviewee_name", "interviewee_contact", "statement"]
    for row in Interview.objects.only("pk", *fields).iterator():
        row.save(update_fields=fields)
        count += 1
    for row in InterviewFile.objects.only("pk", "original_name").iterator():
        row.save(update_fields=["original_name"])
        count += 1
    return count
