"""Deliberation rounds: convened with a public notice; participants file reports and proposals
in the announced window; only sitting commission members vote; quorum and majority are the
round's own and enforced; only the adoption of a passing proposal promulgates a version (the
ratchet is checked when the proposal is filed and again when it is adopted)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from commission import roles
from commission.actors import Actor, actor_user
from commission.models import (
    InvestigativeTeam,
    Organization,
    OrganizationMembership,
    StaffMember,
    TeamMembership,
)
from commission.services import case_event_record

from ..drafts import VersionDraft
from ..models import (
    Criterion,
    DeliberationRound,
    ParticipantRole,
    Proposal,
    Right,
    RoundReport,
    Vote,
)
from ..ratchet import criterion_retirement_check, criterion_revision_check, draft_check
from ._access import _require_member_or_perm, _today, member_sitting
from .register import criterion_create, criterion_retire, criterion_revise
from .tally import Tally, proposal_tally

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def round_convene(
    *,
    actor: Actor,
    code: str,
    title_en: str,
    notice_en: str,
    submissions_open_on: dt.date,
    submissions_close_on: dt.date,
    title_es: str = "",
    notice_es: str = "",
    meeting_on: dt.date | None = None,
    location: str = "",
    quorum_percent: int = 50,
    majority: str = DeliberationRound.Majority.SIMPLE,
) -> DeliberationRound:
    """Convene a deliberation round and publish its notice."""
    convener = _require_member_or_perm(
        actor,
        "criteria.add_deliberationround",
        _("Only commission members and staff convene a deliberation round."),
    )
    today = _today()
    errors: list[str] = []
    if submissions_open_on < today:
        errors.append(_("Reports and proposals cannot open before the notice is published."))
    if submissions_close_on < submissions_open_on:
        errors.append(_("Reports and proposals close after they open."))
    if meeting_on is not None and meeting_on <= submissions_close_on:
        errors.append(_("The deliberation meeting comes after reports and proposals close."))
    if not notice_en.strip():
        errors.append(_("A round is convened with a public notice."))
    if errors:
        raise ValidationError(errors)
    round_ = DeliberationRound(
        code=code.strip(),
        title_en=title_en.strip(),
        title_es=title_es.strip(),
        notice_en=notice_en.strip(),
        notice_es=notice_es.strip(),
        convened_on=today,
        submissions_open_on=submissions_open_on,
        submissions_close_on=submissions_close_on,
        meeting_on=meeting_on,
        location=location,
        quorum_percent=quorum_percent,
        majority=majority,
        convened_by=convener,
    )
    round_.full_clean()
    with transaction.atomic():
        round_.save()
        case_event_record(
            subject=round_,
            verb="round.convened",
            actor=actor,
            to_status=round_.status,
            is_public=True,
            reason=round_.notice_en,
            data={
                "code": round_.code,
                "submissions_open_on": submissions_open_on.isoformat(),
                "submissions_close_on": submissions_close_on.isoformat(),
            },
        )
    return round_


def _status_set(
    obj: DeliberationRound | Proposal,
    to: str,
    *,
    actor: Actor,
    refusal: str,
    reason: str = "",
    **stamps: Any,
) -> None:
    """Move a locked round or proposal to `to` (one of its model's TRANSITIONS), stamping
    `stamps`, and record the public event."""
    if to not in type(obj).TRANSITIONS[obj.status]:
        raise ValidationError(
            refusal % {"status": obj.get_status_display(), "to": obj.Status(to).label}
        )
    old, obj.status = obj.status, to
    for name, value in stamps.items():
        setattr(obj, name, value)
    obj.save(update_fields=["status", *stamps])
    case_event_record(
        subject=obj,
        verb=f"{(obj._meta.model_name or '').replace('deliberation', '')}.{to}",
        actor=actor,
        from_status=old,
        to_status=to,
        reason=reason,
        is_public=True,
        data=getattr(obj, "tally", None) or {},
    )


def _round_transition(
    *, round_: DeliberationRound, to: str, actor: Actor, reason: str = ""
) -> None:
    locked = DeliberationRound.objects.select_for_update().get(pk=round_.pk)
    stamp = "voting_opened_at" if to == DeliberationRound.Status.VOTING else "closed_at"
    _status_set(
        locked,
        to,
        actor=actor,
        refusal=_("A round that is “%(status)s” cannot move to “%(to)s”."),
        reason=reason,
        **{stamp: timezone.now()},
    )
    round_.status = locked.status
    round_.voting_opened_at = locked.voting_opened_at
    round_.closed_at = locked.closed_at


def round_open_voting(*, round: DeliberationRound, actor: Actor) -> DeliberationRound:  # noqa: A002
    """Close reports and proposals and open the members' vote (after the announced window)."""
    _require_member_or_perm(
        actor,
        "criteria.change_deliberationround",
        _("Only commission members and staff open the vote."),
    )
    if _today() <= round.submissions_close_on:
        raise ValidationError(
            _("Reports and proposals are open until %(date)s; the vote opens after that.")
            % {"date": round.submissions_close_on.isoformat()}
        )
    with transaction.atomic():
        _round_transition(round_=round, to=DeliberationRound.Status.VOTING, actor=actor)
    return round


def round_close(  # noqa: A002
    *, round: DeliberationRound, actor: Actor, reason: str = ""
) -> DeliberationRound:
    """Close the round; proposals still undecided lapse (recorded as not adopted)."""
    _require_member_or_perm(
        actor,
        "criteria.change_deliberationround",
        _("Only commission members and staff close a round."),
    )
    with transaction.atomic():
        _round_transition(
            round_=round, to=DeliberationRound.Status.CLOSED, actor=actor, reason=reason
        )
        for proposal in Proposal.objects.select_for_update().filter(
            round=round, status=Proposal.Status.FILED
        ):
            _proposal_set_status(
                proposal,
                Proposal.Status.REJECTED,
                actor=actor,
                reason=_("Not adopted before the round closed."),
            )
    return round


def _check_window(round_: DeliberationRound) -> None:
    today = _today()
    if round_.status != DeliberationRound.Status.CONVENED:
        raise ValidationError(_("This round no longer accepts reports or proposals."))
    if not (round_.submissions_open_on <= today <= round_.submissions_close_on):
        raise ValidationError(
            _("Reports and proposals are accepted from %(open)s to %(close)s.")
            % {
                "open": round_.submissions_open_on.isoformat(),
                "close": round_.submissions_close_on.isoformat(),
            }
        )


RECORDED_ROLES = frozenset(
    {ParticipantRole.MEMBER, ParticipantRole.STAFF, ParticipantRole.INVESTIGATIVE_TEAM}
)


def _recorded_roles(actor: User) -> list[str]:
    """The capacities an account holds by its recorded role, most senior first: a sitting
    member, a staff member (a staff record, or a staff account in the staff group), a member
    of an investigative team. These are never taken from what a caller declares."""
    held: list[str] = []
    if member_sitting(user=actor) is not None:
        held.append(ParticipantRole.MEMBER)
    if StaffMember.objects.filter(person__user=actor).exists() or (
        actor.is_staff and actor.groups.filter(name=roles.STAFF).exists()
    ):
        held.append(ParticipantRole.STAFF)
    if TeamMembership.objects.filter(person__user=actor).exists():
        held.append(ParticipantRole.INVESTIGATIVE_TEAM)
    return held


def participant_role_recorded(*, actor: Actor | None) -> str:
    """The capacity in which an account takes part when it does not say: its most senior
    recorded role, else "other participant"."""
    person = actor_user(actor)
    held = _recorded_roles(person) if person is not None else []
    return held[0] if held else ParticipantRole.OTHER


def _check_participant(
    *,
    actor: Actor,
    participant_role: str,
    organization: Organization | None = None,
    team: InvestigativeTeam | None = None,
) -> User:
    """The signed-in account taking part, when it may take part as it says."""
    person = actor_user(actor)
    if person is None:
        raise ValidationError(_("Sign in to take part in a deliberation round."))
    if participant_role not in ParticipantRole.values:
        raise ValidationError(_("Say in which capacity you take part."))
    if participant_role == ParticipantRole.MEMBER and member_sitting(user=person) is None:
        raise ValidationError(_("Only a sitting commission member takes part as a member."))
    if participant_role in RECORDED_ROLES and participant_role not in _recorded_roles(person):
        raise ValidationError(
            _("Only an account recorded in that role takes part as %(role)s.")
            % {"role": ParticipantRole(participant_role).label}
        )
    if organization is not None and not (
        person.has_perm("criteria.change_deliberationround")
        or OrganizationMembership.objects.filter(
            organization=organization, person__user=person
        ).exists()
    ):
        raise ValidationError(_("You are not a delegate of that organization."))
    if (
        team is not None
        and not TeamMembership.objects.filter(team=team, person__user=person).exists()
    ):
        raise ValidationError(_("You are not a member of that investigative team."))
    return person


def report_file(
    *,
    round: DeliberationRound,  # noqa: A002
    actor: Actor,
    participant_role: str,
    title: str,
    body: str,
    organization: Organization | None = None,
    team: InvestigativeTeam | None = None,
    criterion: Criterion | None = None,
    is_public: bool = True,
) -> RoundReport:
    """File a report in a round: successes and failures of compliance, from the ground."""
    participant = _check_participant(
        actor=actor, participant_role=participant_role, organization=organization, team=team
    )
    if not title.strip() or not body.strip():
        raise ValidationError(_("A report has a title and a body."))
    with transaction.atomic():
        locked = DeliberationRound.objects.select_for_update().get(pk=round.pk)
        _check_window(locked)
        report = RoundReport.objects.create(
            round=locked,
            filed_by=participant,
            participant_role=participant_role,
            organization=organization,
            team=team,
            criterion=criterion,
            title=title.strip(),
            body=body.strip(),
            is_public=is_public,
        )
        case_event_record(
            subject=locked,
            verb="round.report_filed",
            actor=actor,
            is_public=is_public,
            data={"report": report.pk, "title": report.title, "role": participant_role},
        )
    return report


def _new_criterion_check(
    *,
    draft: VersionDraft | dict[str, Any],
    right: Right | None,
    criterion_kind: str,
    governs: str,
    title_en: str,
    criterion: Criterion | None,
) -> VersionDraft:
    errors: list[str] = []
    if right is None:
        errors.append(_("A new criterion belongs to a right."))
    if criterion_kind not in Criterion.Kind.values:
        errors.append(_("A new criterion is a bright-line rule or a performance measure."))
    if not slugify(governs):
        errors.append(_("Say what the new criterion governs (the quantity or matter)."))
    if not title_en.strip():
        errors.append(_("A new criterion has an English title."))
    if criterion is not None:
        errors.append(_("A new criterion does not name an existing one."))
    if errors:
        raise ValidationError(errors)
    parsed = VersionDraft.from_dict(draft)
    draft_check(kind=criterion_kind, draft=parsed)
    if parsed.effective_from <= _today():
        raise ValidationError(_("A new criterion takes effect at the earliest tomorrow."))
    return parsed


def proposal_submit(
    *,
    round: DeliberationRound,  # noqa: A002
    actor: Actor,
    kind: str,
    draft: VersionDraft | dict[str, Any],
    rationale: str,
    participant_role: str,
    criterion: Criterion | None = None,
    right: Right | None = None,
    criterion_kind: str = "",
    governs: str = "",
    title_en: str = "",
    title_es: str = "",
    organization: Organization | None = None,
) -> Proposal:
    """File a proposal in a round. It is checked at once against the register (a derogating
    revision is refused here, and again on adoption)."""
    participant = _check_participant(
        actor=actor, participant_role=participant_role, organization=organization
    )
    if kind not in Proposal.Kind.values:
        raise ValidationError(_("A proposal is a new criterion, a revision or a retirement."))
    if not rationale.strip():
        raise ValidationError(
            _(
                "Give the rationale: why the proposal is needed and why it is at least as protective."
            )
        )
    if kind == Proposal.Kind.NEW_CRITERION:
        parsed = _new_criterion_check(
            draft=draft,
            right=right,
            criterion_kind=criterion_kind,
            governs=governs,
            title_en=title_en,
            criterion=criterion,
        )
    elif criterion is None:
        raise ValidationError(_("Name the criterion to revise or retire."))
    elif kind == Proposal.Kind.REVISION:
        parsed = criterion_revision_check(criterion=criterion, draft=draft)
    else:
        parsed = criterion_retirement_check(criterion=criterion, draft=draft, rationale=rationale)
    with transaction.atomic():
        locked = DeliberationRound.objects.select_for_update().get(pk=round.pk)
        _check_window(locked)
        number = (Proposal.objects.filter(round=locked).aggregate(n=Max("number"))["n"] or 0) + 1
        proposal = Proposal.objects.create(
            round=locked,
            number=number,
            kind=kind,
            criterion=criterion if kind != Proposal.Kind.NEW_CRITERION else None,
            right=right if kind == Proposal.Kind.NEW_CRITERION else None,
            criterion_kind=criterion_kind if kind == Proposal.Kind.NEW_CRITERION else "",
            governs=slugify(governs) if kind == Proposal.Kind.NEW_CRITERION else "",
            title_en=title_en.strip(),
            title_es=title_es.strip(),
            draft=parsed.to_dict(),
            rationale=rationale.strip(),
            filed_by=participant,
            participant_role=participant_role,
            organization=organization,
        )
        case_event_record(
            subject=proposal,
            verb="proposal.filed",
            actor=actor,
            to_status=proposal.status,
            is_public=True,
            reason=proposal.rationale,
            data={
                "round": locked.code,
                "kind": kind,
                "criterion": criterion.code if criterion else "",
            },
        )
    return proposal


def proposal_withdraw(*, proposal: Proposal, actor: Actor) -> Proposal:
    if actor is None or actor.pk != proposal.filed_by_id:
        raise ValidationError(_("Only the filer withdraws a proposal."))
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().select_related("round").get(pk=proposal.pk)
        if locked.round.status == DeliberationRound.Status.CLOSED:
            raise ValidationError(_("The round is closed."))
        _proposal_set_status(locked, Proposal.Status.WITHDRAWN, actor=actor)
    proposal.refresh_from_db()
    return proposal


def proposal_vote(*, proposal: Proposal, actor: Actor, choice: str) -> Vote:
    """A sitting member votes for, against, or abstains. Nobody else votes."""
    member = member_sitting(user=actor)
    if member is None:
        raise ValidationError(
            _("Only commission members (worker representatives and jurists) vote."),
            code="permission",
        )
    if choice not in Vote.Choice.values:
        raise ValidationError(_("A vote is for, against, or an abstention."))
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().select_related("round").get(pk=proposal.pk)
        if locked.round.status != DeliberationRound.Status.VOTING:
            raise ValidationError(_("The vote is not open in this round."))
        if locked.status != Proposal.Status.FILED:
            raise ValidationError(_("This proposal has already been decided."))
        vote, _created = Vote.objects.update_or_create(
            proposal=locked, member=member, defaults={"choice": choice, "cast_at": timezone.now()}
        )
        case_event_record(
            subject=locked,
            verb="proposal.vote_cast",
            actor=actor,
            is_public=True,
            data={"member": str(member.person), "choice": choice},
        )
    return vote


def _proposal_set_status(
    proposal: Proposal, to: str, *, actor: Actor, reason: str = "", tally: Tally | None = None
) -> None:
    stamps: dict[str, Any] = {"decided_at": timezone.now()}
    if tally is not None:
        stamps["tally"] = tally.as_dict()
    _status_set(
        proposal,
        to,
        actor=actor,
        refusal=_("A proposal that is “%(status)s” cannot become “%(to)s”."),
        reason=reason,
        **stamps,
    )


def proposal_decide(*, proposal: Proposal, actor: Actor) -> Proposal:
    """Count the vote. A passing proposal is adopted: only this creates and publishes the
    version (the ratchet is checked again, inside the lock). A failing one is rejected."""
    _require_member_or_perm(
        actor,
        "criteria.change_proposal",
        _("Only commission members and staff count the vote."),
    )
    with transaction.atomic():
        locked = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("round", "criterion", "right")
            .get(pk=proposal.pk)
        )
        if locked.round.status != DeliberationRound.Status.VOTING:
            raise ValidationError(_("The vote is not open in this round."))
        if locked.status != Proposal.Status.FILED:
            raise ValidationError(_("This proposal has already been decided."))
        tally = proposal_tally(proposal=locked)
        if not tally.passes:
            _proposal_set_status(
                locked,
                Proposal.Status.REJECTED,
                actor=actor,
                reason=tally.failure_reason(),
                tally=tally,
            )
        else:
            if locked.kind == Proposal.Kind.NEW_CRITERION:
                version = criterion_create(proposal=locked, actor=actor)
                locked.criterion = version.criterion
                locked.save(update_fields=["criterion"])
            elif locked.criterion is None:  # refused when the proposal was filed
                raise ValidationError(_("Name the criterion to revise or retire."))
            elif locked.kind == Proposal.Kind.REVISION:
                criterion_revise(
                    criterion=locked.criterion, draft=locked.draft, proposal=locked, actor=actor
                )
            else:
                criterion_retire(
                    criterion=locked.criterion, draft=locked.draft, proposal=locked, actor=actor
                )
            _proposal_set_status(locked, Proposal.Status.ADOPTED, actor=actor, tally=tally)
    proposal.refresh_from_db()
    return proposal
