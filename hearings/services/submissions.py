"""Participants and their submissions: registering a participant, filing a submission on
someone's behalf, and staff's review of what becomes public.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import SYSTEM, Actor
from commission.models import (
    Clock,
    Organization,
    OrganizationMembership,
)
from commission.services import case_event_record
from complaints import uploads
from complaints.models import Case, Complainant

from .. import selectors
from ..models import (
    Decision,
    Hearing,
    HearingParticipant,
    Submission,
)
from ._common import (
    PERM_RECORD,
    RECORD_FOLDER,
    _accept_upload,
    _authenticated,
    _case_clock,
    _lock,
    _require_actor,
    _require_perm,
    _text,
    _user,
    _window_open,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files import File


def _participant_label(case: Case, organization: Organization | None, user: User | None) -> str:
    if organization is not None:
        complainant = Complainant.objects.filter(case=case, organization=organization).first()
        if complainant is not None and (
            complainant.identity_withheld or case.withhold_organization_names
        ):
            return complainant.public_label
        return organization.name
    complainant = Complainant.objects.filter(case=case, user=user).first()
    if complainant is not None:
        return complainant.public_label
    return _("Participant")


def participant_register(
    *,
    hearing: Hearing,
    organization: Organization | None = None,
    role: str | None = None,
    user: User | None = None,
    presents_evidence: bool = True,
    actor: Actor,
) -> HearingParticipant:
    """Register to take part in a hearing. A delegate registers their organization (a
    complainant organization as complainant; any labor or human-rights organization as a
    supporting organization); a worker complainant registers under their pseudonym; staff
    register anyone, including the governments and respondents. Closes when the hearing
    starts."""
    _require_actor(actor)
    staff = actor is SYSTEM or (_authenticated(actor) and actor.has_perm(PERM_RECORD))
    if not staff and not _authenticated(actor):
        raise PermissionDenied(_("Sign in to register."))
    with transaction.atomic():
        hearing = _lock(Hearing, hearing.pk)
        case = hearing.case
        if hearing.status != Hearing.Status.SCHEDULED or timezone.now() >= hearing.scheduled_for:
            raise ValidationError(_("Registration closes when the hearing starts."))
        complainant_org_ids = set(
            case.complainants.filter(organization__isnull=False).values_list(
                "organization", flat=True
            )
        )
        if organization is not None:
            if (
                not staff
                and not OrganizationMembership.objects.filter(
                    organization=organization, person__user=_user(actor)
                ).exists()
            ):
                raise PermissionDenied(_("You do not act for this organization."))
            if organization.pk in complainant_org_ids:
                natural = HearingParticipant.Role.COMPLAINANT
            elif organization.kind in (
                Organization.Kind.LABOR_ORGANIZATION,
                Organization.Kind.HUMAN_RIGHTS_ORGANIZATION,
            ):
                natural = HearingParticipant.Role.SUPPORTING_ORGANIZATION
            else:
                natural = None
            if role is None:
                role = natural
            if not staff and role != natural:
                raise PermissionDenied(
                    _("Governments and respondents are registered by the commission's staff.")
                )
            if role is None:
                raise ValidationError(_("Choose the participant's role."))
            if HearingParticipant.objects.filter(
                hearing=hearing, organization=organization
            ).exists():
                raise ValidationError(_("This organization is already registered."))
            user = user or (_user(actor) if not staff else None)
        else:
            user = user or _user(actor)
            if not _authenticated(user):
                raise ValidationError(_("Register an organization or an account."))
            if not case.complainants.filter(user=user).exists() and not staff:
                raise PermissionDenied(
                    _("Register on behalf of an organization, or as a complainant in the case.")
                )
            role = role or HearingParticipant.Role.COMPLAINANT
            if HearingParticipant.objects.filter(
                hearing=hearing, organization__isnull=True, user=user
            ).exists():
                raise ValidationError(_("You are already registered."))
        if role not in HearingParticipant.Role.values:
            raise ValidationError(_("Choose the participant's role."))
        participant = HearingParticipant.objects.create(
            hearing=hearing,
            role=role,
            organization=organization,
            user=user if _authenticated(user) else None,
            public_label=_participant_label(case, organization, user),
            presents_evidence=presents_evidence,
            registered_by=_user(actor),
        )
        case_event_record(
            subject=hearing,
            verb="participant_registered",
            actor=_user(actor),
            data={"participant": participant.pk, "role": role, "label": participant.public_label},
            is_public=True,
            docket_number=case.docket_number,
        )
    return participant


def _may_act_for(actor: Actor | None, participant: HearingParticipant) -> bool:
    _require_actor(actor)
    if actor is SYSTEM:
        return True
    user = _user(actor)
    if user is None:
        return False
    if user.has_perm(PERM_RECORD):
        return True
    if participant.user_id == user.pk:
        return True
    return bool(
        participant.organization_id
        and OrganizationMembership.objects.filter(
            organization_id=participant.organization_id, person__user=user
        ).exists()
    )


def submission_file(
    *,
    participant: HearingParticipant,
    kind: str,
    title: str,
    text: str,
    upload: File[bytes] | None = None,
    is_public: bool = True,
    actor: Actor,
) -> Submission:
    """File written evidence or arguments. Before the hearing: evidence and arguments, until
    it starts. After it: written arguments only, within the window (refused once it closed)."""
    if not _may_act_for(actor, participant):
        raise PermissionDenied(_("You do not act for this participant."))
    if kind not in Submission.Kind.values:
        raise ValidationError(_("Choose what you are filing."))
    title = _text(title, _("Give the submission a title."))[:300]
    text = _text(text, _("Write the submission's text."))
    if len(text) > settings.FILING_TEXT_MAX_LENGTH:
        raise ValidationError(
            _("The text is too long: at most %(n)s characters.")
            % {"n": settings.FILING_TEXT_MAX_LENGTH}
        )
    checked = _accept_upload(upload) if upload is not None else None
    now = timezone.now()
    with transaction.atomic():
        hearing = _lock(Hearing, participant.hearing_id)
        case = hearing.case
        decision = Decision.objects.filter(case=case).first()
        if decision is not None and decision.is_frozen:
            raise ValidationError(_("The decision has been adopted; the record is closed."))
        if kind in Submission.PRE_HEARING:
            if hearing.status != Hearing.Status.SCHEDULED or now >= hearing.scheduled_for:
                raise ValidationError(
                    _(
                        "Written evidence and arguments are filed before the hearing; after it, "
                        "only written arguments within the window."
                    )
                )
        else:
            if hearing.status != Hearing.Status.HELD:
                raise ValidationError(
                    _("Written arguments after the hearing wait for the hearing.")
                )
            window = _case_clock(case, Clock.Kind.WRITTEN_ARGUMENTS_CLOSE)
            if window is None:
                raise ValidationError(_("No window for written arguments was opened."))
            if not _window_open(window, now=now):
                raise ValidationError(
                    _("The window for written arguments closed at the end of %(day)s.")
                    % {"day": window.last_day.isoformat()}
                )
        number = (
            Submission.objects.filter(hearing=hearing).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        submission = Submission(
            hearing=hearing,
            participant=participant,
            number=number,
            kind=kind,
            title=title,
            text=text,
            is_public=is_public,
            filed_at=now,
            filed_by=_user(actor),
        )
        if upload is not None and checked is not None:
            submission.sha256 = checked.sha256
            submission.file.name = uploads.content_addressed_store(
                upload, checked, folder=RECORD_FOLDER
            )
        submission.save()
        case_event_record(
            subject=hearing,
            verb="submission_filed",
            actor=_user(actor),
            data={"submission": submission.pk, "kind": kind, "number": number},
            is_public=is_public,
            docket_number=case.docket_number,
        )
    return submission


def submission_review(
    *,
    submission: Submission,
    public_title: str | None = None,
    publish: bool = True,
    actor: Actor,
) -> Submission:
    """Staff review a submission before its title and attachment become public (the redaction
    queue). The public title is the given one (or the filed title), passed through the case's
    redactor, so a confidential name never shows however it was typed. `publish=False` keeps
    the submission off the public page altogether."""
    _require_perm(actor, PERM_RECORD)
    with transaction.atomic():
        submission = _lock(Submission, submission.pk)
        case = submission.hearing.case
        redactor = selectors.case_redactions(case=case)
        title = (public_title if public_title is not None else submission.title).strip()
        submission.public_title = redactor.redact(title)[:300] if publish else ""
        submission.is_public = bool(publish)
        submission.reviewed_at = timezone.now()
        submission.reviewed_by = _user(actor)
        submission.save(update_fields=["public_title", "is_public", "reviewed_at", "reviewed_by"])
        case_event_record(
            subject=submission.hearing,
            verb="submission_reviewed",
            actor=_user(actor),
            data={"submission": submission.pk, "number": submission.number, "public": publish},
            is_public=False,
            docket_number=case.docket_number,
        )
    return submission
