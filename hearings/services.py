"""Writes of the hearings app: every rule about panels, hearings, decisions and reasoned
opinions lives in one function here. The admin, the portal, the API, the tasks and the demo
call these; none re-implements a rule.

Changes to the case itself (its status, its hearing date, its outcome, its clocks) go through
`complaints.services`, which this app calls (it sits above complaints in the layers).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import SYSTEM, actor_require
from commission.dates import statutory_deadline
from commission.models import (
    Clock,
    CommissionMember,
    Organization,
    OrganizationMembership,
)
from commission.services import case_event_record, clock_start
from commission.transitions import status_transition
from complaints import services as complaints_services
from complaints import uploads
from complaints.models import Case, Complainant
from criteria.models import Criterion, CriterionVersion
from criteria.selectors import criterion_version_in_force

from . import hooks, panels, selectors
from .models import (
    AllegationFinding,
    ConflictDeclaration,
    Corrigendum,
    CriterionApplication,
    Decision,
    FactFinding,
    GovernmentConsultation,
    Hearing,
    HearingParticipant,
    HearingRecordItem,
    MemberInterest,
    Opinion,
    OpinionRender,
    Panel,
    PanelSeat,
    Submission,
)

logger = logging.getLogger(__name__)

PERM_SELECT_PANEL = "hearings.select_panel"
PERM_SCHEDULE = "hearings.schedule_hearing"
PERM_RECORD = "hearings.record_hearing"
PERM_DRAFT = "hearings.draft_decision"
PERM_ADOPT = "hearings.adopt_decision"
PERM_RETRY = "hearings.retry_render"
PERM_CORRECT = "hearings.correct_opinion"

WRITTEN_ARGUMENTS_LEGAL_BASIS = (
    "Complainants and supporting organizations may file written arguments after the hearing; "
    "the window closes before the decision deadline."
)


# --- helpers ----------------------------------------------------------------------------


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _require_perm(actor, perm: str) -> None:
    """The core's permission check (commission.actors.actor_require). Background work passes
    SYSTEM. Transitional: a missing actor (`None`, the old default of these services' signatures,
    which tests and the demo still rely on) is read as SYSTEM here, in this one place, until the
    signatures take a required `actor`."""
    actor_require(SYSTEM if actor is None else actor, perm, system_allowed=True)


def _user(actor):
    return actor if _authenticated(actor) else None


def _transition(obj: models.Model, to_status: str) -> str:
    return status_transition(obj, to_status)


def _lock(model: type[models.Model], pk) -> Any:
    return model.objects.select_for_update().get(pk=pk)


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


def _aware(instant: dt.datetime, message: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValidationError(message)


def _local_date(instant: dt.datetime) -> dt.date:
    return timezone.localtime(instant, timezone.get_default_timezone()).date()


def _case_clock(case: Case, kind: str) -> Clock | None:
    return selectors.case_clock(case=case, kind=kind)


def _window_open(window: Clock, *, now: dt.datetime) -> bool:
    """A window is open until its due instant (inclusive). It is closed from then on, whether
    or not the clock sweep has yet recorded it closed."""
    return window.status == Clock.Status.PENDING and now <= window.due_at


def _store_content_addressed(data: bytes, name: str) -> str:
    """Store `data` under `name` (which embeds its SHA-256) atomically: write a temporary file
    and rename it, so a killed process never leaves a partial file at the address. Storing
    the same bytes twice is a no-op; different bytes at the address are refused."""
    digest = hashlib.sha256(data).hexdigest()
    if digest not in name:
        raise ValueError("a content address embeds the content's hash")
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as existing:
            if hashlib.sha256(existing.read()).hexdigest() == digest:
                return name
        raise ValidationError(_("A stored file does not match its hash; refusing to continue."))
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:
        return default_storage.save(name, ContentFile(data))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return name


RECORD_FOLDER = "hearings/record"


def _accept_upload(upload, *, max_bytes: int | None = None) -> uploads.CheckedUpload:
    """A hearing's files pass the same door as evidence (complaints.uploads): size cap,
    type allow-list by content, bounded decompression, virus scan when configured."""
    try:
        return uploads.upload_accept(upload, max_bytes=max_bytes, scan=True)
    except uploads.UploadRejected as exc:
        raise ValidationError(exc.message, code="upload_rejected") from exc


# --- panels and conflicts ---------------------------------------------------------------


def member_interest_declare(
    *,
    member: CommissionMember,
    organization: Organization,
    nature: str,
    description: str = "",
    since: dt.date | None = None,
    statement_reference: str = "",
    actor,
) -> MemberInterest:
    """A member declares a standing tie to an organization (checked against every case).

    Only the member, or staff recording the member's own signed statement (its reference
    required). A tie to a party of a case on whose panel the member sits recuses the member
    there: the seat is vacated (a public case event) and the refill is triggered."""
    reference = _require_own_declaration(actor, member, statement_reference)
    if nature not in MemberInterest.Nature.values:
        raise ValidationError(_("Choose the nature of the tie."))
    with transaction.atomic():
        interest = MemberInterest.objects.create(
            member=member,
            organization=organization,
            nature=nature,
            description=description.strip()[:300],
            since=since,
            declared_by=_user(actor),
            statement_reference=reference,
        )
        case_event_record(
            subject=member,
            verb="interest_declared",
            actor=_user(actor),
            data={"organization": organization.pk, "nature": nature, "reference": reference},
        )
        for seat in _seats_in_play(member):
            case = seat.panel.case
            if organization.pk not in selectors.case_party_organizations(case=case):
                continue
            if not _is_member(actor, member):
                _refuse_party(actor, case)
            _recuse(
                seat=seat,
                reason=_("Recused: declared an interest in a party to the case."),
                actor=actor,
            )
    return interest


def _is_member(actor, member: CommissionMember) -> bool:
    return _authenticated(actor) and member.person.user_id == actor.pk


def _require_own_declaration(actor, member: CommissionMember, statement_reference: str) -> str:
    """A member's declarations are the member's own: made by the member, or recorded by
    staff (the panel permission) from the member's signed statement, whose reference is kept.
    Nobody declares for a member otherwise — not the system, not a party."""
    reference = (statement_reference or "").strip()[:200]
    if _is_member(actor, member):
        return reference
    if not (_authenticated(actor) and actor.has_perm(PERM_SELECT_PANEL)):
        raise PermissionDenied(
            _("Only the member declares their conflicts and interests, or staff record it.")
        )
    if not reference:
        raise ValidationError(
            _("Give the reference of the member's signed statement that staff are recording.")
        )
    return reference


def _seats_in_play(member: CommissionMember) -> list[PanelSeat]:
    """The member's sitting seats on panels whose decision is not yet issued."""
    return list(
        PanelSeat.objects.select_for_update()
        .filter(member=member, vacated_at__isnull=True)
        .exclude(
            panel__case__in=Decision.objects.filter(status=Decision.Status.ISSUED).values("case")
        )
        .select_related("panel__case", "member__person")
        .order_by("pk")
    )


def _recuse(*, seat: PanelSeat, reason: str, actor) -> None:
    """Vacate a seat (a public case event) and trigger the refill: the commission's rotation
    fills it at once when an eligible member without a conflict exists; otherwise the seat
    stays vacant and the case's staff are told to fill it."""
    panel = Panel.objects.select_for_update().get(pk=seat.panel_id)
    _seat_vacate(panel=panel, seat=seat, reason=reason, actor=actor)
    try:
        panel_seat_fill(panel=panel, position=seat.position, actor=SYSTEM)
    except ValidationError as exc:
        _vacancy_notify(panel=panel, position=seat.position, why="; ".join(exc.messages))


def _vacancy_notify(*, panel: Panel, position: int, why: str) -> None:
    from commission.services import notification_send, staff_users
    from complaints.selectors import case_staff_recipients

    case = panel.case

    def message() -> tuple[str, str]:
        subject = _("[%(docket)s] Panel seat %(n)s is vacant: fill it") % {
            "docket": case.docket_number,
            "n": position,
        }
        body = _(
            "A panelist was recused from case %(docket)s. The commission's rotation could not "
            "fill seat %(n)s: %(why)s. Hearings and the decision wait for a full panel."
        ) % {"docket": case.docket_number, "n": position, "why": why}
        return subject, body

    notification_send(
        recipients=case_staff_recipients(case=case) or staff_users(),
        message=message,
        docket_number=case.docket_number,
    )


def conflict_declare(
    *,
    member: CommissionMember,
    case: Case,
    has_conflict: bool,
    statement: str = "",
    statement_reference: str = "",
    actor,
) -> ConflictDeclaration:
    """A member declares, for one case, a conflict of interest or none. Declaring a conflict
    while sitting on the case's panel vacates the seat (recusal) and triggers the refill.

    Only the member, or staff recording the member's own signed statement (its reference
    required); a party to the case never (it has no door to the panel). A conflict the member
    declared is withdrawn only by the member, and the withdrawal is recorded."""
    if not _is_member(actor, member):
        _refuse_party(actor, case)
    reference = _require_own_declaration(actor, member, statement_reference)
    statement = (statement or "").strip()
    if has_conflict and not statement:
        raise ValidationError(_("Explain the conflict of interest."))
    with transaction.atomic():
        latest = selectors.member_latest_declaration(member=member, case=case)
        withdrawal = latest is not None and latest.has_conflict and not has_conflict
        if withdrawal and not _is_member(actor, member):
            raise PermissionDenied(_("Only the member withdraws a conflict they declared."))
        declaration = ConflictDeclaration.objects.create(
            member=member,
            case=case,
            has_conflict=has_conflict,
            statement=statement,
            declared_by=_user(actor),
            statement_reference=reference,
        )
        case_event_record(
            subject=case,
            verb="conflict_withdrawn" if withdrawal else "conflict_declared",
            actor=_user(actor),
            data={"member": member.pk, "has_conflict": has_conflict, "reference": reference},
        )
        if has_conflict:
            seat = next((s for s in _seats_in_play(member) if s.panel.case_id == case.pk), None)
            if seat is not None:
                _recuse(
                    seat=seat,
                    reason=_("Recused: declared a conflict of interest."),
                    actor=actor,
                )
    return declaration


def _refuse_party(actor, case: Case) -> None:
    if selectors.user_is_party(user=actor, case=case):
        raise PermissionDenied(
            _("A party to the case takes no part in selecting the panel: it is the commission's.")
        )


def _eligible(member: CommissionMember, seat: panels.SeatSpec, country, case: Case) -> list[str]:
    problems = []
    today = timezone.localdate()
    if not panels.member_is_sitting(member, today):
        problems.append(_("is not a sitting member of the commission"))
    if not panels.member_fits_seat(member, seat, country):
        problems.append(_("does not fit the seat: %(seat)s") % {"seat": seat.describe(country)})
    problems.extend(selectors.member_conflicts(member=member, case=case))
    return problems


def _auto_pick(
    case: Case, seat: panels.SeatSpec, country, exclude: set[int]
) -> CommissionMember | None:
    """The commission's rotation: among eligible members without conflicts, the one who has
    sat on the fewest panels (then the longest-seated, then the lowest id)."""
    candidates = (
        CommissionMember.objects.select_related("person", "country")
        .exclude(pk__in=exclude)
        .filter(kind=seat.kind)
        .annotate(sat=models.Count("panel_seats"))
        .order_by("sat", "seated_on", "pk")
    )
    for member in candidates:
        if not _eligible(member, seat, country, case):
            return member
    return None


def panel_select(*, case: Case, members: list[CommissionMember] | None = None, actor=None) -> Panel:
    """The commission selects the panel for a case from its members, in the configured
    composition (`members[i]` fills seat i; without `members`, the commission's rotation
    fills every seat). Every panelist must have declared no conflict for the case and be tied
    to no party. A party to the case can neither select, nominate nor veto a panelist."""
    _require_perm(actor, PERM_SELECT_PANEL)
    _refuse_party(actor, case)
    seats = panels.configured_composition()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if Panel.objects.filter(case=locked).exists():
            raise ValidationError(_("This case already has its panel."))
        if locked.has_outcome:
            raise ValidationError(_("This case already has its reasoned outcome."))
        country = panels.respondent_country(locked)
        if any(s.country in (panels.RESPONDENT, panels.OTHER) for s in seats) and country is None:
            raise ValidationError(
                _("The country complained against is not known: link a respondent first.")
            )
        chosen: list[CommissionMember] = []
        if members is None:
            for seat in seats:
                member = _auto_pick(locked, seat, country, {m.pk for m in chosen})
                if member is None:
                    raise ValidationError(
                        _("No eligible member without a conflict for the seat: %(seat)s.")
                        % {"seat": seat.describe(country)}
                    )
                chosen.append(member)
        else:
            if len(members) != len(seats):
                raise ValidationError(
                    _("The panel has %(n)s seats: %(seats)s.")
                    % {"n": len(seats), "seats": "; ".join(s.describe(country) for s in seats)}
                )
            if len({m.pk for m in members}) != len(members):
                raise ValidationError(_("A member sits only once on a panel."))
            errors = []
            for seat, member in zip(seats, members, strict=True):
                problems = _eligible(member, seat, country, locked)
                if problems:
                    errors.append(
                        _("%(member)s cannot sit: %(why)s.")
                        % {"member": member.person.full_name, "why": "; ".join(problems)}
                    )
            if errors:
                raise ValidationError(errors)
            chosen = list(members)
        panel = Panel.objects.create(
            case=locked,
            composition=[s.as_json() for s in seats],
            selected_by=_user(actor),
        )
        for position, (seat, member) in enumerate(zip(seats, chosen, strict=True), start=1):
            PanelSeat.objects.create(
                panel=panel, position=position, member=member, presides=seat.presides
            )
        case_event_record(
            subject=locked,
            verb="panel_selected",
            actor=_user(actor),
            to_status=Panel.Status.SEATED,
            data={
                "panel": panel.pk,
                "seats": [
                    {
                        "position": i,
                        "member": m.person.full_name,
                        "kind": m.kind,
                        "country": m.country.code,
                        "presides": s.presides,
                    }
                    for i, (s, m) in enumerate(zip(seats, chosen, strict=True), start=1)
                ],
            },
            is_public=True,
        )
    return panel


def _seat_vacate(*, panel: Panel, seat: PanelSeat, reason: str, actor) -> None:
    seat.vacated_at = timezone.now()
    seat.vacated_reason = reason
    seat.save(update_fields=["vacated_at", "vacated_reason"])
    from_status = panel.status
    if panel.status != Panel.Status.INCOMPLETE:
        _transition(panel, Panel.Status.INCOMPLETE)
        panel.save(update_fields=["status"])
    case_event_record(
        subject=panel.case,
        verb="panel_seat_vacated",
        actor=_user(actor),
        from_status=from_status,
        to_status=panel.status,
        reason=reason,
        data={"position": seat.position, "member": seat.member.person.full_name},
        is_public=True,
    )


def panel_seat_fill(
    *, panel: Panel, position: int, member: CommissionMember | None = None, actor=None
) -> PanelSeat:
    """The commission fills a vacant seat (after a recusal), by its choice or its rotation."""
    _require_perm(actor, PERM_SELECT_PANEL)
    _refuse_party(actor, panel.case)
    with transaction.atomic():
        panel = _lock(Panel, panel.pk)
        specs = [panels.SeatSpec.from_json(s) for s in panel.composition]
        if not 1 <= position <= len(specs):
            raise ValidationError(_("No such seat."))
        if panel.seats.filter(position=position, vacated_at__isnull=True).exists():
            raise ValidationError(_("This seat is not vacant."))
        if Decision.objects.filter(case=panel.case, status__in=Decision.FROZEN).exists():
            raise ValidationError(_("The decision has been adopted; the panel no longer changes."))
        spec = specs[position - 1]
        country = panels.respondent_country(panel.case)
        sitting = set(panel.seats.filter(vacated_at__isnull=True).values_list("member", flat=True))
        # A member who left the panel (recused) does not come back to the same case.
        sitting |= set(panel.seats.values_list("member", flat=True))
        if member is None:
            member = _auto_pick(panel.case, spec, country, sitting)
            if member is None:
                raise ValidationError(_("No eligible member without a conflict for this seat."))
        else:
            if member.pk in sitting:
                raise ValidationError(_("This member already sat on this panel."))
            problems = _eligible(member, spec, country, panel.case)
            if problems:
                raise ValidationError(
                    _("%(member)s cannot sit: %(why)s.")
                    % {"member": member.person.full_name, "why": "; ".join(problems)}
                )
        seat = PanelSeat.objects.create(
            panel=panel, position=position, member=member, presides=spec.presides
        )
        vacant = len(specs) - panel.seats.filter(vacated_at__isnull=True).count()
        from_status = panel.status
        if vacant == 0 and panel.status == Panel.Status.INCOMPLETE:
            _transition(panel, Panel.Status.SEATED)
            panel.save(update_fields=["status"])
        case_event_record(
            subject=panel.case,
            verb="panel_seat_filled",
            actor=_user(actor),
            from_status=from_status,
            to_status=panel.status,
            data={"position": position, "member": member.person.full_name},
            is_public=True,
        )
    return seat


# --- hearings ---------------------------------------------------------------------------


def _check_hearing_date(case: Case, scheduled_for: dt.datetime, now: dt.datetime) -> None:
    """A hearing is held no later than day 60, with public notice given at least
    HEARINGS_NOTICE_DAYS days before it."""
    _aware(scheduled_for, _("The hearing time must carry its time zone."))
    if scheduled_for <= now:
        raise ValidationError(_("A hearing is scheduled for a future time."))
    clock = _case_clock(case, Clock.Kind.HEARING_BY)
    if clock is None:
        raise ValidationError(_("This case has no hearing-by clock."))
    if scheduled_for > clock.due_at:
        raise ValidationError(
            _(
                "A hearing must be held no later than day %(days)s after filing: the last day is "
                "%(last)s. %(explain)s No later date can be scheduled."
            )
            % {
                "days": clock.days,
                "last": clock.last_day.isoformat(),
                "explain": clock.explain(),
            }
        )
    notice_days = settings.HEARINGS_NOTICE_DAYS
    gap = (_local_date(scheduled_for) - _local_date(now)).days
    if gap < notice_days:
        earliest = _local_date(now) + dt.timedelta(days=notice_days)
        raise ValidationError(
            _(
                "Public notice is given at least %(days)s days before a hearing: the earliest "
                "date is %(date)s."
            )
            % {"days": notice_days, "date": earliest.isoformat()}
        )


def _notice_text(hearing: Hearing) -> str:
    local = timezone.localtime(hearing.scheduled_for, timezone.get_default_timezone())
    text = _(
        "Open hearing in %(docket)s on %(date)s at %(time)s (%(tz)s), %(place)s. Complainants "
        "and supporting organizations may register to present evidence and arguments; written "
        "evidence and arguments are filed before the hearing."
    ) % {
        "docket": hearing.case.docket_number,
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "tz": settings.TIME_ZONE,
        "place": hearing.location,
    }
    if hearing.virtual_url:
        text += " " + _("Virtual hearing: %(url)s") % {"url": hearing.virtual_url}
    return text


def hearing_schedule(
    *,
    case: Case,
    scheduled_for: dt.datetime,
    location: str,
    virtual_url: str = "",
    duration_minutes: int = 180,
    actor=None,
) -> Hearing:
    """Schedule the open hearing of a case and publish its notice on the portal.

    Refused: a date after the 60-day deadline (it is never moved), less notice than
    HEARINGS_NOTICE_DAYS, a case without a seated panel or already heard."""
    _require_perm(actor, PERM_SCHEDULE)
    location = _text(location, _("Say where the hearing is held."))
    now = timezone.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        panel = Panel.objects.filter(case=locked).first()
        if panel is None or panel.status != Panel.Status.SEATED:
            raise ValidationError(_("The commission selects the full panel before the hearing."))
        if Hearing.objects.filter(case=locked).exists():
            raise ValidationError(_("This case's hearing is already scheduled."))
        if locked.status != Case.Status.FILED:
            raise ValidationError(_("Only a case awaiting its hearing can have one scheduled."))
        _check_hearing_date(locked, scheduled_for, now)
        hearing = Hearing(
            case=locked,
            panel=panel,
            scheduled_for=scheduled_for,
            duration_minutes=duration_minutes,
            location=location,
            virtual_url=virtual_url.strip(),
            notice_published_at=now,
            created_by=_user(actor),
        )
        hearing.notice_text = _notice_text(hearing)
        hearing.save()
        complaints_services.case_hearing_schedule(
            case=locked, scheduled_for=scheduled_for, actor=SYSTEM if actor is None else actor
        )
        case_event_record(
            subject=hearing,
            verb="hearing_notice_published",
            actor=_user(actor),
            to_status=hearing.status,
            data={"scheduled_for": scheduled_for.isoformat(), "virtual": bool(virtual_url)},
            is_public=True,
            docket_number=locked.docket_number,
        )
    case.refresh_from_db()
    return hearing


def hearing_reschedule(
    *,
    hearing: Hearing,
    scheduled_for: dt.datetime,
    reason: str,
    location: str = "",
    virtual_url: str | None = None,
    actor=None,
) -> Hearing:
    """Move a scheduled hearing, with new public notice — still no later than day 60."""
    _require_perm(actor, PERM_SCHEDULE)
    reason = _text(reason, _("Say why the hearing moves."))
    now = timezone.now()
    with transaction.atomic():
        hearing = _lock(Hearing, hearing.pk)
        if hearing.status != Hearing.Status.SCHEDULED:
            raise ValidationError(_("Only a scheduled hearing can be moved."))
        _check_hearing_date(hearing.case, scheduled_for, now)
        previous = hearing.scheduled_for
        hearing.scheduled_for = scheduled_for
        if location.strip():
            hearing.location = location.strip()
        if virtual_url is not None:
            hearing.virtual_url = virtual_url.strip()
        hearing.notice_published_at = now
        hearing.sequence += 1
        hearing.notice_text = _notice_text(hearing)
        hearing.save(
            update_fields=[
                "scheduled_for",
                "location",
                "virtual_url",
                "notice_published_at",
                "sequence",
                "notice_text",
            ]
        )
        complaints_services.case_hearing_schedule(
            case=hearing.case, scheduled_for=scheduled_for, actor=SYSTEM if actor is None else actor
        )
        case_event_record(
            subject=hearing,
            verb="hearing_rescheduled",
            actor=_user(actor),
            reason=reason,
            data={"from": previous.isoformat(), "to": scheduled_for.isoformat()},
            is_public=True,
            docket_number=hearing.case.docket_number,
        )
    return hearing


def _participant_label(case: Case, organization: Organization | None, user) -> str:
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
    user=None,
    presents_evidence: bool = True,
    actor=None,
) -> HearingParticipant:
    """Register to take part in a hearing. A delegate registers their organization (a
    complainant organization as complainant; any labor or human-rights organization as a
    supporting organization); a worker complainant registers under their pseudonym; staff
    register anyone, including the governments and respondents. Closes when the hearing
    starts."""
    staff = actor is None or (_authenticated(actor) and actor.has_perm(PERM_RECORD))
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
                    organization=organization, person__user=actor
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
            user = user or (actor if not staff else None)
        else:
            user = user or actor
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


def _may_act_for(actor, participant: HearingParticipant) -> bool:
    if actor is None:
        return True
    if not _authenticated(actor):
        return False
    if actor.has_perm(PERM_RECORD):
        return True
    if participant.user_id == actor.pk:
        return True
    return bool(
        participant.organization_id
        and OrganizationMembership.objects.filter(
            organization_id=participant.organization_id, person__user=actor
        ).exists()
    )


def submission_file(
    *,
    participant: HearingParticipant,
    kind: str,
    title: str,
    text: str,
    upload=None,
    is_public: bool = True,
    actor=None,
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
        if upload is not None:
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
    actor=None,
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


def hearing_record_held(
    *,
    hearing: Hearing,
    held_at: dt.datetime,
    written_arguments_days: int | None = None,
    actor=None,
) -> Hearing:
    """Record the hearing as held (meets — or completes late — the hearing-by clock, through
    the complaints service) and open the window for written arguments
    (`written_arguments_days`, default HEARINGS_WRITTEN_ARGUMENTS_DAYS; 0 opens none)."""
    _require_perm(actor, PERM_RECORD)
    _aware(held_at, _("The time must carry its time zone."))
    if held_at > timezone.now():
        raise ValidationError(_("A hearing cannot be recorded as held in the future."))
    days = (
        settings.HEARINGS_WRITTEN_ARGUMENTS_DAYS
        if written_arguments_days is None
        else written_arguments_days
    )
    with transaction.atomic():
        hearing = _lock(Hearing, hearing.pk)
        if hearing.panel.status != Panel.Status.SEATED:
            raise ValidationError(_("The full panel sits at the hearing: fill the vacant seat."))
        if held_at < hearing.notice_published_at:
            raise ValidationError(_("A hearing is held after its public notice."))
        from_status = _transition(hearing, Hearing.Status.HELD)
        hearing.held_at = held_at
        hearing.held_recorded_by = _user(actor)
        hearing.save(update_fields=["status", "held_at", "held_recorded_by"])
        complaints_services.case_hearing_record_held(
            case=hearing.case, held_at=held_at, actor=SYSTEM if actor is None else actor
        )
        case_event_record(
            subject=hearing,
            verb="hearing_held",
            actor=_user(actor),
            from_status=from_status,
            to_status=hearing.status,
            data={"held_at": held_at.isoformat()},
            is_public=True,
            docket_number=hearing.case.docket_number,
            occurred_at=held_at,
        )
        if days:
            written_arguments_window_open(hearing=hearing, days=days, actor=actor)
    return hearing


def written_arguments_window_open(*, hearing: Hearing, days: int, actor=None) -> Clock:
    """Open the window for written arguments after the hearing: a WRITTEN_ARGUMENTS_CLOSE
    clock from the hearing, computed by the statutory day-counting rule. Refused unless the
    window closes before the decision deadline.

    The clock is a window (`Clock.WINDOW_KINDS`): it is never met or missed. Its due instant
    is the closing time that `submission_file` and `decision_problems` enforce, and the clock
    sweep records the window as closed (a public case event dated at that instant)."""
    _require_perm(actor, PERM_RECORD)
    if days < 1:
        raise ValidationError(_("A window lasts at least one day."))
    with transaction.atomic():
        hearing = _lock(Hearing, hearing.pk)
        case = hearing.case
        if hearing.status != Hearing.Status.HELD:
            raise ValidationError(_("The window opens when the hearing has been held."))
        if _case_clock(case, Clock.Kind.WRITTEN_ARGUMENTS_CLOSE) is not None:
            raise ValidationError(_("The window for written arguments is already open."))
        decision_clock = _case_clock(case, Clock.Kind.DECISION_BY)
        if decision_clock is None:
            raise ValidationError(_("This case has no decision-by clock."))
        window = statutory_deadline(
            trigger_at=hearing.held_at, days=days, trigger_event="hearing_held"
        )
        if window.due_at >= decision_clock.due_at or window.last_day >= decision_clock.last_day:
            raise ValidationError(
                _(
                    "The window for written arguments must close before the decision deadline "
                    "(%(decision)s): a %(days)s-day window would close at the end of %(close)s."
                )
                % {
                    "decision": decision_clock.last_day.isoformat(),
                    "days": days,
                    "close": window.last_day.isoformat(),
                }
            )
        clock = clock_start(
            subject=case,
            kind=Clock.Kind.WRITTEN_ARGUMENTS_CLOSE,
            trigger_at=hearing.held_at,
            days=days,
            legal_basis=WRITTEN_ARGUMENTS_LEGAL_BASIS,
            legal_source="Model labor-rights chapter, Section VI (written arguments after hearings)",
            trigger_event="hearing_held",
            actor=_user(actor),
        )
        case_event_record(
            subject=case,
            verb="written_arguments_window_opened",
            actor=_user(actor),
            data={
                "days": days,
                "closes_at": clock.due_at.isoformat(),
                "decision_due_at": decision_clock.due_at.isoformat(),
            },
            is_public=True,
        )
    return clock


def record_item_upload(
    *,
    hearing: Hearing,
    kind: str,
    description: str,
    upload,
    is_public: bool = True,
    actor=None,
) -> HearingRecordItem:
    """Upload minutes, a transcript, a recording or an exhibit of a hearing held. Stored
    under its SHA-256; never replaced (a corrected transcript is a new item)."""
    _require_perm(actor, PERM_RECORD)
    if kind not in HearingRecordItem.Kind.values:
        raise ValidationError(_("Choose what the file is."))
    description = _text(description, _("Describe the file."))
    checked = _accept_upload(upload, max_bytes=settings.HEARING_RECORD_MAX_BYTES)
    digest = checked.sha256
    with transaction.atomic():
        hearing = _lock(Hearing, hearing.pk)
        if hearing.status != Hearing.Status.HELD:
            raise ValidationError(_("The record is uploaded once the hearing has been held."))
        item = HearingRecordItem(
            hearing=hearing,
            kind=kind,
            description=description[:300],
            original_name=checked.name,
            content_type=checked.type.mime,
            size=checked.size,
            sha256=digest,
            is_public=is_public,
            uploaded_by=_user(actor),
        )
        item.file.name = uploads.content_addressed_store(upload, checked, folder=RECORD_FOLDER)
        item.save()
        case_event_record(
            subject=hearing,
            verb="hearing_record_uploaded",
            actor=_user(actor),
            data={"item": item.pk, "kind": kind, "sha256": digest},
            is_public=is_public,
            docket_number=hearing.case.docket_number,
        )
    return item


def consultation_record(
    *,
    case: Case,
    requesting_government: Organization,
    responding_government: Organization,
    held_on: dt.date,
    summary: str,
    outcome: str,
    compliance_statement_text: str = "",
    actor=None,
) -> GovernmentConsultation:
    """Record a consultation between the governments. Consultations run inside the 60 days
    (a later date is refused). A declaration of compliance by the complaining government is
    recorded through the complaints service — and the hearing still takes place: no service
    cancels it."""
    _require_perm(actor, PERM_RECORD)
    summary = _text(summary, _("Summarize the consultation."))
    if outcome not in GovernmentConsultation.Outcome.values:
        raise ValidationError(_("Choose the outcome."))
    for gov in (requesting_government, responding_government):
        if gov.kind != Organization.Kind.GOVERNMENT:
            raise ValidationError(_("Consultations are between governments."))
    if requesting_government.pk == responding_government.pk:
        raise ValidationError(_("Consultations are between two governments."))
    if held_on > timezone.localdate():
        raise ValidationError(_("A consultation is recorded once held."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        clock = _case_clock(locked, Clock.Kind.HEARING_BY)
        if clock is None:
            raise ValidationError(_("This case has no hearing-by clock."))
        if held_on > clock.last_day or held_on < _local_date(locked.received_at):
            raise ValidationError(
                _("Consultations run inside the 60 days: from %(start)s to %(end)s.")
                % {
                    "start": _local_date(locked.received_at).isoformat(),
                    "end": clock.last_day.isoformat(),
                }
            )
        statement = None
        if outcome == GovernmentConsultation.Outcome.COMPLIANCE_DECLARED:
            text = _text(
                compliance_statement_text, _("Record the text of the declaration of compliance.")
            )
            received = dt.datetime.combine(
                held_on, dt.time(12), tzinfo=timezone.get_default_timezone()
            )
            statement = complaints_services.compliance_statement_record(
                case=locked,
                government=requesting_government,
                statement=text,
                received_at=min(received, timezone.now()),
                actor=actor,
            )
        consultation = GovernmentConsultation.objects.create(
            case=locked,
            requesting_government=requesting_government,
            responding_government=responding_government,
            held_on=held_on,
            summary=summary,
            outcome=outcome,
            compliance_statement=statement,
            recorded_by=_user(actor),
        )
        case_event_record(
            subject=locked,
            verb="consultation_recorded",
            actor=_user(actor),
            data={"consultation": consultation.pk, "outcome": outcome},
            reason=_("The hearing still takes place and the panel rules.")
            if statement is not None
            else "",
            is_public=True,
        )
    return consultation


# --- decisions --------------------------------------------------------------------------


def _require_panelist_or_perm(actor, panel: Panel, perm: str) -> None:
    if actor is None:
        return
    if selectors.user_sits_on_panel(user=actor, panel=panel):
        return
    _require_perm(actor, perm)


def panel_actor_require(*, actor, panel: Panel, perm: str) -> None:
    """Refuse an actor who neither sits on the panel nor holds `perm` (none: the system)."""
    _require_panelist_or_perm(actor, panel, perm)


def decision_draft_lock(*, decision: Decision) -> Decision:
    """The decision, locked, while it is still a draft (refused otherwise): the parts a higher
    app adds to a draft decision are written under this lock."""
    return _draftable(decision)


def _draftable(decision: Decision) -> Decision:
    locked = _lock(Decision, decision.pk)
    if locked.status not in (Decision.Status.DRAFT,):
        raise ValidationError(
            _("The decision is %(status)s: it can no longer be changed.")
            % {"status": locked.get_status_display()}
        )
    return locked


def decision_open(*, case: Case, actor=None) -> Decision:
    """Open the panel's draft decision: one finding per allegation, each with the relevant
    date defaulting to the start of the alleged conduct."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        panel = Panel.objects.filter(case=locked).first()
        if panel is None:
            raise ValidationError(_("The commission selects the panel first."))
        _require_panelist_or_perm(actor, panel, PERM_DRAFT)
        if Decision.objects.filter(case=locked).exists():
            raise ValidationError(_("This case already has its decision."))
        if locked.has_outcome:
            raise ValidationError(_("This case already has its reasoned outcome."))
        adoption = settings.HEARINGS_DECISION_ADOPTION
        if adoption not in Decision.Adoption.values:
            raise ValidationError(_("HEARINGS_DECISION_ADOPTION must be panel or commission."))
        language = (locked.language or "en").split("-")[0]
        decision = Decision.objects.create(
            case=locked,
            panel=panel,
            kind=Decision.Kind.COMPLAINT if locked.is_complaint else Decision.Kind.PETITION,
            adoption=adoption,
            language=language if language in ("en", "es") else "en",
            created_by=_user(actor),
        )
        for allegation in locked.allegations.order_by("number"):
            AllegationFinding.objects.create(
                decision=decision, allegation=allegation, relevant_date=allegation.period_start
            )
        case_event_record(
            subject=locked,
            verb="decision_opened",
            actor=_user(actor),
            to_status=decision.status,
            data={"decision": decision.pk, "adoption": adoption},
        )
    return decision


def decision_update(
    *,
    decision: Decision,
    introduction: str | None = None,
    filing_government: Organization | None = None,
    actor=None,
) -> Decision:
    _require_panelist_or_perm(actor, decision.panel, PERM_DRAFT)
    with transaction.atomic():
        locked = _draftable(decision)
        fields = []
        if introduction is not None:
            locked.introduction = introduction.strip()
            fields.append("introduction")
        if filing_government is not None:
            if locked.kind != Decision.Kind.PETITION:
                raise ValidationError(_("Only a decision on a petition files a complaint."))
            if filing_government.kind != Organization.Kind.GOVERNMENT:
                raise ValidationError(_("The complaint is filed in the name of a government."))
            locked.filing_government = filing_government
            fields.append("filing_government")
        if fields:
            locked.save(update_fields=fields)
    decision.refresh_from_db()
    return decision


def _resolve_version(criterion: Criterion, on: dt.date) -> CriterionVersion:
    version = criterion_version_in_force(criterion=criterion, on=on)
    if version is None:
        raise ValidationError(
            _("No version of %(code)s was in force on %(date)s.")
            % {"code": criterion.code, "date": on.isoformat()}
        )
    return version


def finding_record(
    *,
    finding: AllegationFinding,
    determination: str | None = None,
    reasoning: str | None = None,
    relevant_date: dt.date | None = None,
    actor=None,
) -> AllegationFinding:
    """Record the determination and reasoning of a finding, or change its relevant date (the
    criteria applied are re-resolved to the versions in force on the new date)."""
    _require_panelist_or_perm(actor, finding.decision.panel, PERM_DRAFT)
    with transaction.atomic():
        _draftable(finding.decision)
        finding = _lock(AllegationFinding, finding.pk)
        fields = []
        if determination is not None:
            if determination not in AllegationFinding.Determination.values:
                raise ValidationError(_("Choose violation or no violation."))
            finding.determination = determination
            fields.append("determination")
        if reasoning is not None:
            finding.reasoning = reasoning.strip()
            fields.append("reasoning")
        if relevant_date is not None and relevant_date != finding.relevant_date:
            finding.relevant_date = relevant_date
            fields.append("relevant_date")
            for application in finding.applications.select_related("version__criterion"):
                version = _resolve_version(application.version.criterion, relevant_date)
                if version.pk != application.version_id:
                    application.version = version
                    application.save(update_fields=["version"])
        if fields:
            finding.save(update_fields=fields)
    return finding


def fact_finding_add(
    *,
    finding: AllegationFinding,
    text: str,
    source: models.Model | None = None,
    source_label: str = "",
    actor=None,
) -> FactFinding:
    """Add a finding of fact drawn from the record: a record item of the same case (a
    submission, a hearing record item, evidence, an investigation finding) or, for testimony
    and the like, a precise reference in `source_label`."""
    _require_panelist_or_perm(actor, finding.decision.panel, PERM_DRAFT)
    text = _text(text, _("State the finding of fact."))
    with transaction.atomic():
        decision = _draftable(finding.decision)
        source_type, source_id = None, ""
        if source is not None:
            if source.pk is None:
                raise ValidationError(_("The record item must be saved."))
            case_id = getattr(source, "case_id", None)
            if case_id is None and hasattr(source, "investigation"):
                case_id = getattr(source.investigation, "case_id", None)
            if case_id != decision.case_id:
                raise ValidationError(_("A finding of fact is drawn from this case's record."))
            source_type = ContentType.objects.get_for_model(source)
            source_id = str(source.pk)
            label = source_label.strip() or f"{source._meta.verbose_name}: {source}"
        else:
            label = _text(source_label, _("Say where in the record the fact comes from."))
        position = (finding.facts.aggregate(n=Max("position"))["n"] or 0) + 1
        fact = FactFinding.objects.create(
            finding=finding,
            position=position,
            text=text,
            source_type=source_type,
            source_id=source_id,
            source_label=label[:300],
        )
    return fact


def criterion_apply(
    *, finding: AllegationFinding, criterion: Criterion, analysis: str = "", actor=None
) -> CriterionApplication:
    """Apply a criterion to a finding: the version in force on the finding's relevant date."""
    _require_panelist_or_perm(actor, finding.decision.panel, PERM_DRAFT)
    with transaction.atomic():
        _draftable(finding.decision)
        version = _resolve_version(criterion, finding.relevant_date)
        if finding.applications.filter(version__criterion=criterion).exists():
            raise ValidationError(_("This criterion is already applied to the finding."))
        position = (finding.applications.aggregate(n=Max("position"))["n"] or 0) + 1
        application = CriterionApplication.objects.create(
            finding=finding, version=version, position=position, analysis=analysis.strip()
        )
    return application


def decision_problems(*, decision: Decision) -> list[str]:
    """Why the decision cannot be adopted yet (empty: it can)."""
    problems: list[str] = []
    decision = selectors.decision_full(pk=decision.pk)
    case = decision.case
    sitting = decision.panel.seats.filter(vacated_at__isnull=True).count()
    if decision.panel.status != Panel.Status.SEATED or sitting != len(decision.panel.composition):
        problems.append(_("A panel seat is vacant."))
    findings = list(decision.findings.all())
    allegation_ids = set(case.allegations.values_list("pk", flat=True))
    if {f.allegation_id for f in findings} != allegation_ids:
        problems.append(_("Every allegation needs its finding."))
    for f in findings:
        n = f.allegation.number
        if not f.determination:
            problems.append(_("Allegation %(n)s: no determination.") % {"n": n})
        if not f.reasoning.strip():
            problems.append(_("Allegation %(n)s: no reasoning.") % {"n": n})
        if not f.facts.all():
            problems.append(_("Allegation %(n)s: no finding of fact from the record.") % {"n": n})
        if not f.applications.all():
            problems.append(_("Allegation %(n)s: no criterion applied.") % {"n": n})
    violations = [
        f for f in findings if f.determination == AllegationFinding.Determination.VIOLATION
    ]
    if decision.kind == Decision.Kind.COMPLAINT:
        if violations and not hooks.has_issuing_checks():
            problems.append(
                _("A finding of violation must produce sanctions, and no sanctions are available.")
            )
        # A finding of violation needs its sanction: the sanctions app says which are missing.
        problems += hooks.issuing_problems(decision)
        if case.status != Case.Status.HEARD:
            problems.append(_("A complaint is decided after its hearing has been held."))
    else:
        if violations and decision.filing_government_id is None:
            problems.append(
                _("Granting the petition files a complaint: name the government it is filed by.")
            )
        if not violations and case.status != Case.Status.HEARD:
            problems.append(_("A petition is denied only after its hearing."))
    window = _case_clock(case, Clock.Kind.WRITTEN_ARGUMENTS_CLOSE)
    if window is not None and _window_open(window, now=timezone.now()):
        problems.append(
            _("The window for written arguments is open until the end of %(day)s.")
            % {"day": window.last_day.isoformat()}
        )
    return problems


def decision_issuing_problems(*, decision: Decision) -> list[str]:
    """Every rule a decision must meet to be issued (empty: it may be). The one list that
    both doors check: `decision_issue` when the decision is adopted, and `opinion_render_run`
    again in the transaction that issues it, so a decision whose rows were changed under the
    services (say, set to `issuing` by hand with a violation and no sanction) is never issued.

    `decision_problems` (findings complete, a sanction for every violation, the hearing
    held, the window for written arguments closed), plus the panel as it sits at this
    moment: every seat of its composition filled, and no sitting member with a conflict."""
    problems = decision_problems(decision=decision)
    panel = Panel.objects.select_related("case").get(pk=decision.panel_id)
    seats = selectors.panel_sitting_seats(panel=panel)
    for seat in seats:
        reasons = selectors.member_conflicts(member=seat.member, case=panel.case)
        if reasons:
            problems.append(
                _("Seat %(n)s: %(member)s cannot sit: %(why)s.")
                % {
                    "n": seat.position,
                    "member": seat.member.person.full_name,
                    "why": "; ".join(reasons),
                }
            )
    return problems


def decision_recommend(*, decision: Decision, actor=None) -> Decision:
    """The panel recommends its decision to the commission (when the commission adopts)."""
    _require_panelist_or_perm(actor, decision.panel, PERM_DRAFT)
    with transaction.atomic():
        locked = _draftable(decision)
        if locked.adoption != Decision.Adoption.COMMISSION:
            raise ValidationError(_("The panel decides: it issues, it does not recommend."))
        problems = decision_issuing_problems(decision=locked)
        if problems:
            raise ValidationError(problems)
        from_status = _transition(locked, Decision.Status.RECOMMENDED)
        locked.recommended_at = timezone.now()
        locked.recommended_by = _user(actor)
        locked.save(update_fields=["status", "recommended_at", "recommended_by"])
        case_event_record(
            subject=locked.case,
            verb="decision_recommended",
            actor=_user(actor),
            from_status=from_status,
            to_status=locked.status,
            is_public=True,
        )
    decision.refresh_from_db()
    return decision


def decision_return(*, decision: Decision, reason: str, actor=None) -> Decision:
    """The commission sends a recommended decision back to the panel, with its reasons."""
    _require_perm(actor, PERM_ADOPT)
    reason = _text(reason, _("Say why the decision goes back to the panel."))
    with transaction.atomic():
        locked = _lock(Decision, decision.pk)
        from_status = _transition(locked, Decision.Status.DRAFT)
        locked.save(update_fields=["status"])
        case_event_record(
            subject=locked.case,
            verb="decision_returned",
            actor=_user(actor),
            from_status=from_status,
            to_status=locked.status,
            reason=reason,
            is_public=True,
        )
    decision.refresh_from_db()
    return decision


def decision_issue(*, decision: Decision, adoption_record: str = "", actor=None) -> OpinionRender:
    """Adopt the decision and order its issue: the decision is frozen, dated, and its
    reasoned opinion queued for rendering. It becomes issued — and takes effect — in the one
    transaction that registers the rendered opinion (`opinion_render_run`).

    Refused: anything in `decision_problems` — notably a finding of violation on a complaint
    without a sanction specified for it."""
    with transaction.atomic():
        locked = _lock(Decision, decision.pk)
        if locked.adoption == Decision.Adoption.PANEL:
            _require_panelist_or_perm(actor, locked.panel, PERM_ADOPT)
            if locked.status != Decision.Status.DRAFT:
                raise ValidationError(_("Only a draft decision is adopted by the panel."))
        else:
            _require_perm(actor, PERM_ADOPT)
            if locked.status != Decision.Status.RECOMMENDED:
                raise ValidationError(
                    _("The commission adopts the decision the panel recommended.")
                )
            adoption_record = _text(
                adoption_record, _("Record the commission's adoption (e.g. the minutes).")
            )
        problems = decision_issuing_problems(decision=locked)
        if problems:
            raise ValidationError(problems)
        from_status = _transition(locked, Decision.Status.ISSUING)
        locked.adopted_at = timezone.now()
        locked.adopted_by = _user(actor)
        locked.adoption_record = adoption_record.strip()[:300]
        locked.save(update_fields=["status", "adopted_at", "adopted_by", "adoption_record"])
        render = OpinionRender.objects.create(decision=locked, requested_by=_user(actor))
        case_event_record(
            subject=locked.case,
            verb="decision_adopted",
            actor=_user(actor),
            from_status=from_status,
            to_status=locked.status,
            data={"decision": locked.pk, "render": render.pk},
            is_public=True,
        )
        _queue_render(render.pk)
    decision.refresh_from_db()
    return render


def _queue_render(render_id: int, countdown: int = 0) -> None:
    from .tasks import opinion_render

    transaction.on_commit(lambda: opinion_render.apply_async(args=[render_id], countdown=countdown))


# --- rendering and issuing --------------------------------------------------------------


def _claim(render_id: int, now: dt.datetime) -> bool:
    return bool(
        OpinionRender.objects.filter(pk=render_id, status=OpinionRender.Status.QUEUED).update(
            status=OpinionRender.Status.RENDERING,
            started_at=now,
            attempts=models.F("attempts") + 1,
            error="",
        )
    )


def _complaints_outcome(decision: Decision, reference: str, at: dt.datetime) -> None:
    """Give the case its reasoned outcome through the complaints service (which meets —
    or completes late — the decision-by clock)."""
    findings = list(decision.findings.select_related("allegation").order_by("allegation__number"))
    redactions = selectors.case_redactions(case=decision.case)
    lines = [
        f"{f.allegation.number}. {f.get_determination_display()}: "
        + selectors.redact(f.reasoning, redactions)
        for f in findings
    ]
    reasoning = "\n".join(lines) + "\n" + _("Reasoned opinion: %(ref)s") % {"ref": reference}
    case = decision.case
    if decision.kind == Decision.Kind.COMPLAINT:
        complaints_services.complaint_decide(
            complaint=case, reasoning=reasoning, reference=reference, decided_at=at, actor=SYSTEM
        )
    elif any(f.determination == AllegationFinding.Determination.VIOLATION for f in findings):
        complaints_services.petition_file_complaint(
            petition=case,
            complainant=decision.filing_government,
            reasoning=reasoning,
            actor=SYSTEM,
        )
    else:
        complaints_services.petition_deny(
            petition=case, reasoning=reasoning, reference=reference, actor=SYSTEM
        )


def opinion_render_run(*, render_id: int) -> OpinionRender:
    """Render the document of a render job and, only when all of it succeeded, register it
    and complete the issue in one transaction. Safe to run twice: a job already claimed,
    done or failed is left as it is."""
    from . import opinion as opinion_pdf

    now = timezone.now()
    if not _claim(render_id, now):
        return OpinionRender.objects.get(pk=render_id)
    render = OpinionRender.objects.select_related("decision", "corrigendum__opinion").get(
        pk=render_id
    )
    started = timezone.now()
    try:
        if render.decision_id:
            decision = render.decision
            _issuing_rules_check(decision)
            rendered = opinion_pdf.decision_pdf(decision)
            reference = f"{decision.case.docket_number}/OP"
        else:
            corrigendum = render.corrigendum
            decision = corrigendum.opinion.decision
            rendered = opinion_pdf.corrigendum_pdf(corrigendum)
            reference = f"{corrigendum.opinion.reference}-C{corrigendum.number}"
        name = _store_content_addressed(
            rendered.data, f"opinions/{rendered.sha256[:2]}/{rendered.sha256}.pdf"
        )
        seconds = (timezone.now() - started).total_seconds()
        with transaction.atomic():
            render = OpinionRender.objects.select_for_update().get(pk=render_id)
            if render.status != OpinionRender.Status.RENDERING:
                return render
            if render.decision_id:
                # The rules again, at the moment of issue, on the locked row.
                _issuing_rules_check(_lock(Decision, decision.pk))
            issued_at = timezone.now()
            opinion = Opinion(
                reference=reference,
                decision=decision,
                kind=Opinion.Kind.OPINION if render.decision_id else Opinion.Kind.CORRIGENDUM,
                corrigendum=render.corrigendum if render.corrigendum_id else None,
                docket_number=decision.case.docket_number,
                language=opinion_pdf.opinion_language(decision.language),
                sha256=rendered.sha256,
                size=len(rendered.data),
                page_count=rendered.pages,
                signed=rendered.signed,
                signer=rendered.signer[:300],
                signer_certificate_sha256=rendered.signer_certificate_sha256,
                issued_at=issued_at,
                render=render,
            )
            opinion.file.name = name
            opinion.save()
            if render.decision_id:
                locked = _lock(Decision, decision.pk)
                from_status = _transition(locked, Decision.Status.ISSUED)
                locked.issued_at = issued_at
                locked.save(update_fields=["status", "issued_at"])
                _complaints_outcome(locked, reference, issued_at)
                # The sanctions it orders are in force from this instant.
                hooks.decision_issued(locked, issued_at, render.requested_by)
                case_event_record(
                    subject=locked.case,
                    verb="decision_issued",
                    actor=render.requested_by,
                    from_status=from_status,
                    to_status=locked.status,
                    data={"opinion": reference, "sha256": rendered.sha256, "pages": rendered.pages},
                    is_public=True,
                    occurred_at=issued_at,
                )
            else:
                corrigendum = _lock(Corrigendum, render.corrigendum_id)
                from_status = _transition(corrigendum, Corrigendum.Status.ISSUED)
                corrigendum.save(update_fields=["status"])
                case_event_record(
                    subject=decision.case,
                    verb="corrigendum_issued",
                    actor=render.requested_by,
                    from_status=from_status,
                    to_status=corrigendum.status,
                    data={
                        "opinion": reference,
                        "corrects": corrigendum.opinion.reference,
                        "sha256": rendered.sha256,
                    },
                    is_public=True,
                )
            _transition(render, OpinionRender.Status.DONE)
            render.finished_at = timezone.now()
            render.seconds = seconds
            render.save(update_fields=["status", "finished_at", "seconds"])
        return render
    except Exception as exc:
        logger.exception("opinion render %s failed", render_id)
        return _render_failed(render_id, exc)


def _issuing_rules_check(decision: Decision) -> None:
    """Refuse to issue a decision that is not `issuing` with its adoption recorded, or that
    breaks any issuing rule (`decision_issuing_problems`)."""
    problems: list[str] = []
    if decision.status != Decision.Status.ISSUING or decision.adopted_at is None:
        problems.append(_("Only a decision adopted for issue is issued."))
    elif decision.adoption == Decision.Adoption.COMMISSION and not decision.adoption_record:
        problems.append(_("The commission's adoption is not recorded."))
    problems += decision_issuing_problems(decision=decision)
    if problems:
        raise ValidationError(problems)


def _render_failed(render_id: int, exc: Exception) -> OpinionRender:
    reason = f"{exc.__class__.__name__}: {exc}"[:2000] or exc.__class__.__name__
    if isinstance(exc, ValidationError):
        reason = "; ".join(exc.messages)[:2000]
    with transaction.atomic():
        render = OpinionRender.objects.select_for_update().get(pk=render_id)
        if render.status != OpinionRender.Status.RENDERING:
            return render
        _transition(render, OpinionRender.Status.FAILED)
        render.error = reason
        render.finished_at = timezone.now()
        render.save(update_fields=["status", "error", "finished_at"])
        subject = render.decision.case if render.decision_id else render.corrigendum.decision.case
        case_event_record(
            subject=subject,
            verb="opinion_render_failed",
            from_status=OpinionRender.Status.RENDERING,
            to_status=OpinionRender.Status.FAILED,
            reason=reason,
            data={"render": render.pk, "attempts": render.attempts},
        )
        if render.attempts < settings.OPINION_RENDER_MAX_ATTEMPTS:
            _retry(render, actor=SYSTEM, reason=_("Automatic retry."))
            _queue_render(render.pk, countdown=30 * render.attempts)
    return render


def _retry(render: OpinionRender, *, actor, reason: str) -> None:
    from_status = _transition(render, OpinionRender.Status.QUEUED)
    render.queued_at = timezone.now()
    render.save(update_fields=["status", "queued_at"])
    subject = render.decision.case if render.decision_id else render.corrigendum.decision.case
    case_event_record(
        subject=subject,
        verb="opinion_render_retried",
        actor=_user(actor),
        from_status=from_status,
        to_status=render.status,
        reason=reason,
        data={"render": render.pk, "attempts": render.attempts},
    )


def opinion_render_retry(*, render: OpinionRender, actor=None) -> OpinionRender:
    """Retry a failed render (staff)."""
    _require_perm(actor, PERM_RETRY)
    with transaction.atomic():
        render = OpinionRender.objects.select_for_update().get(pk=render.pk)
        if render.status != OpinionRender.Status.FAILED:
            raise ValidationError(_("Only a failed render is retried."))
        _retry(render, actor=actor, reason=_("Retried by staff."))
        _queue_render(render.pk)
    return render


def opinion_render_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Requeue renders whose worker died (rendering for longer than the task time limit) and
    queued renders whose message was lost. Safe to run at any time."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    reclaimed = 0
    for render_id in OpinionRender.objects.filter(
        status=OpinionRender.Status.RENDERING, started_at__lt=stale
    ).values_list("pk", flat=True):
        with transaction.atomic():
            render = OpinionRender.objects.select_for_update().get(pk=render_id)
            if render.status != OpinionRender.Status.RENDERING or render.started_at >= stale:
                continue
            _retry(render, actor=SYSTEM, reason=_("The render was interrupted; requeued."))
            _queue_render(render.pk)
            reclaimed += 1
    resent = 0
    for render_id in OpinionRender.objects.filter(
        status=OpinionRender.Status.QUEUED, queued_at__lt=now - dt.timedelta(minutes=10)
    ).values_list("pk", flat=True):
        _queue_render(render_id)
        resent += 1
    return {"reclaimed": reclaimed, "resent": resent}


def corrigendum_issue(
    *, opinion: Opinion, corrections: list[dict[str, str]], reason: str, actor=None
) -> OpinionRender:
    """Correct an issued opinion: never by editing it — by a new corrigendum, linked to it,
    rendered and registered like the opinion."""
    _require_perm(actor, PERM_CORRECT)
    reason = _text(reason, _("Say why the opinion is corrected."))
    cleaned = []
    for c in corrections or []:
        where = (c.get("where") or "").strip()
        should = (c.get("should_read") or "").strip()
        if not where or not should:
            raise ValidationError(_("Each correction says where, and what the text should read."))
        cleaned.append(
            {"where": where, "reads": (c.get("reads") or "").strip(), "should_read": should}
        )
    if not cleaned:
        raise ValidationError(_("List the corrections."))
    if opinion.kind != Opinion.Kind.OPINION:
        raise ValidationError(_("A corrigendum corrects the reasoned opinion itself."))
    with transaction.atomic():
        number = (
            Corrigendum.objects.filter(opinion=opinion).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        corrigendum = Corrigendum.objects.create(
            opinion=opinion,
            number=number,
            corrections=cleaned,
            reason=reason,
            ordered_by=_user(actor),
        )
        render = OpinionRender.objects.create(corrigendum=corrigendum, requested_by=_user(actor))
        case_event_record(
            subject=opinion.decision.case,
            verb="corrigendum_ordered",
            actor=_user(actor),
            reason=reason,
            data={"opinion": opinion.reference, "number": number},
            is_public=True,
        )
        _queue_render(render.pk)
    return render


# --- serving opinion files --------------------------------------------------------------


class OpinionFileAltered(Exception):
    """The stored file of an opinion is missing or no longer matches its registered SHA-256.
    Its bytes are never served; staff have been told and the case record says so."""

    def __init__(self, opinion: Opinion, found: str) -> None:
        super().__init__(f"{opinion.reference}: stored file {found}, registered {opinion.sha256}")
        self.opinion = opinion
        self.found = found


def _sha256_file(field) -> str:
    digest = hashlib.sha256()
    try:
        with field.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except (FileNotFoundError, OSError, ValueError):
        return "missing"
    return digest.hexdigest()


def opinion_file_read(*, opinion: Opinion) -> bytes:
    """The bytes of an opinion's PDF, verified against the register before they leave: read,
    hash, compare, then return. On a mismatch (or a missing file) nothing is returned:
    `OpinionFileAltered` is raised, after `opinion_file_mismatch_record`."""
    try:
        with opinion.file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError, ValueError):
        data = None
    found = "missing" if data is None else hashlib.sha256(data).hexdigest()
    if found != opinion.sha256:
        opinion_file_mismatch_record(opinion=opinion, found=found)
        raise OpinionFileAltered(opinion, found)
    return data


def opinion_file_mismatch_record(*, opinion: Opinion, found: str) -> bool:
    """Record that an opinion's stored file no longer matches its registered hash: a case
    event on the record and a notification to the case's staff, once per opinion and altered
    content (a reader retrying does not repeat them). Returns whether it was new."""
    from commission.models import CaseEvent
    from commission.services import notification_send, staff_users
    from complaints.selectors import case_staff_recipients

    case = opinion.decision.case
    with transaction.atomic():
        locked = Opinion.objects.select_for_update().get(pk=opinion.pk)
        if (
            CaseEvent.objects.for_subject(case)
            .filter(verb="opinion_file_mismatch", data__opinion=locked.reference, data__found=found)
            .exists()
        ):
            return False
        case_event_record(
            subject=case,
            verb="opinion_file_mismatch",
            reason=_("The stored file of the opinion does not match its registered SHA-256."),
            data={"opinion": locked.reference, "registered": locked.sha256, "found": found},
        )

        def message() -> tuple[str, str]:
            subject = _("[%(docket)s] Opinion %(ref)s: the stored file was altered") % {
                "docket": case.docket_number,
                "ref": locked.reference,
            }
            body = _(
                "The stored PDF of opinion %(ref)s no longer matches the SHA-256 in the "
                "register (%(registered)s; found: %(found)s). It is not served until the "
                "registered file is restored from a backup."
            ) % {"ref": locked.reference, "registered": locked.sha256, "found": found}
            return subject, body

        notification_send(
            recipients=case_staff_recipients(case=case) or staff_users(),
            message=message,
            docket_number=case.docket_number,
        )
    logger.error(
        "opinion %s: stored file %s, registered %s", locked.reference, found, locked.sha256
    )
    return True


@dataclass(frozen=True)
class FileMismatch:
    kind: str
    reference: str
    registered: str
    found: str

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}: registered {self.registered}, found {self.found}"


def stored_files_verify() -> tuple[int, list[FileMismatch]]:
    """Check every stored opinion and evidence file against its registered SHA-256; opinion
    mismatches are recorded and staff told (`opinion_file_mismatch_record`). Returns the
    number of files checked and the mismatches."""
    from complaints.models import Evidence

    checked = 0
    mismatches: list[FileMismatch] = []
    for opinion in Opinion.objects.select_related("decision__case").order_by("pk").iterator():
        checked += 1
        found = _sha256_file(opinion.file)
        if found != opinion.sha256:
            opinion_file_mismatch_record(opinion=opinion, found=found)
            mismatches.append(FileMismatch("opinion", opinion.reference, opinion.sha256, found))
    for evidence in Evidence.objects.exclude(file="").order_by("pk").iterator():
        checked += 1
        found = _sha256_file(evidence.file)
        if found != evidence.sha256:
            mismatches.append(FileMismatch("evidence", f"#{evidence.pk}", evidence.sha256, found))
    return checked, mismatches


# --- verification -----------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    sha256: str
    opinion: Opinion | None
    signature: Any = None  # signing.SignatureCheck for uploads

    @property
    def registered(self) -> bool:
        return self.opinion is not None


def opinion_verify(*, data: bytes | None = None, sha256: str | None = None) -> Verification:
    """Check a PDF (or its SHA-256) against the register of issued opinions; for an upload,
    also check its signature against the commission's certificate. Reads only."""
    from . import signing

    if data is None and not sha256:
        raise ValidationError(_("Upload a PDF or give its SHA-256."))
    signature = None
    if data is not None:
        digest = hashlib.sha256(data).hexdigest()
        signature = signing.signature_check(data)
    else:
        digest = (sha256 or "").strip().lower()
        if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
            raise ValidationError(_("A SHA-256 is 64 hexadecimal characters."))
    return Verification(
        sha256=digest, opinion=selectors.opinion_by_sha256(sha256=digest), signature=signature
    )
