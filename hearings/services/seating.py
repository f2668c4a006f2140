"""Panels and conflicts: members' declared interests, conflicts and recusals, panel selection
(chair first, from the eligible members) and filling a vacated seat.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import SYSTEM, Actor
from commission.models import (
    CommissionMember,
    Organization,
    TradingPartner,
)
from commission.services import case_event_record
from complaints.models import Case

from .. import panels, selectors
from ..models import (
    ConflictDeclaration,
    Decision,
    MemberInterest,
    Panel,
    PanelSeat,
)
from ._common import (
    PERM_SELECT_PANEL,
    _authenticated,
    _lock,
    _require_actor,
    _require_perm,
    _transition,
    _user,
)

# --- panels and conflicts ---------------------------------------------------------------


def member_interest_declare(
    *,
    member: CommissionMember,
    organization: Organization,
    nature: str,
    description: str = "",
    since: dt.date | None = None,
    statement_reference: str = "",
    actor: Actor,
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


def _is_member(actor: Actor | None, member: CommissionMember) -> bool:
    _require_actor(actor)
    user = _user(actor)
    return user is not None and member.person.user_id == user.pk


def _require_own_declaration(
    actor: Actor | None, member: CommissionMember, statement_reference: str
) -> str:
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


def _recuse(*, seat: PanelSeat, reason: str, actor: Actor) -> None:
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
    actor: Actor,
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


def _refuse_party(actor: Actor, case: Case) -> None:
    if selectors.user_is_party(user=actor, case=case):
        raise PermissionDenied(
            _("A party to the case takes no part in selecting the panel: it is the commission's.")
        )


def _eligible(
    member: CommissionMember, seat: panels.SeatSpec, country: TradingPartner | None, case: Case
) -> list[str]:
    problems: list[str] = []
    today = timezone.localdate()
    if not panels.member_is_sitting(member, today):
        problems.append(_("is not a sitting member of the commission"))
    if not panels.member_fits_seat(member, seat, country):
        problems.append(_("does not fit the seat: %(seat)s") % {"seat": seat.describe(country)})
    problems.extend(selectors.member_conflicts(member=member, case=case))
    return problems


def _auto_pick(
    case: Case, seat: panels.SeatSpec, country: TradingPartner | None, exclude: set[int]
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


def panel_select(
    *, case: Case, members: list[CommissionMember] | None = None, actor: Actor
) -> Panel:
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


def _seat_vacate(*, panel: Panel, seat: PanelSeat, reason: str, actor: Actor) -> None:
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
    *, panel: Panel, position: int, member: CommissionMember | None = None, actor: Actor
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
