"""Reads of the hearings app: conflicts of interest, party labels and redaction, the public
hearing calendar, issued decisions and the register of issued opinions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.actors import Actor, actor_is_user
from commission.models import (
    Clock,
    CommissionMember,
    Organization,
    OrganizationMembership,
    SupplyRelationship,
    TeamMembership,
)
from commission.redaction import Identity, Redactor
from complaints.models import Case
from complaints.selectors import case_party_users, case_redactor

from .models import (
    AllegationFinding,
    ConflictDeclaration,
    Decision,
    Hearing,
    MemberInterest,
    Opinion,
    Panel,
    PanelSeat,
    Submission,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# --- clocks of a case -------------------------------------------------------------------


def case_clock(*, case: Case, kind: str) -> Clock | None:
    return Clock.objects.filter(
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=str(case.pk),
        kind=kind,
    ).first()


def case_clocks(*, case: Case) -> dict[str, Clock]:
    return {
        c.kind: c
        for c in Clock.objects.filter(
            subject_type=ContentType.objects.get_for_model(Case), subject_id=str(case.pk)
        )
    }


# --- parties and conflicts --------------------------------------------------------------


def case_party_organizations(*, case: Case) -> dict[int, str]:
    """Every organization tied to a party of the case, with why: the complainant and
    respondent organizations, their parent bodies and units, and the global corporations and
    workplaces linked to them by supply."""
    parties: dict[int, str] = {}
    direct: list[Organization] = []
    for c in case.complainants.select_related("organization"):
        if c.organization is not None:
            parties.setdefault(c.organization.pk, _("complainant"))
            direct.append(c.organization)
    for r in case.respondents.select_related("organization"):
        if r.organization is not None:
            parties.setdefault(r.organization.pk, _("respondent"))
            direct.append(r.organization)
    for org in direct:
        parent = org.parent
        seen: set[int] = set()
        while parent is not None and parent.pk not in seen:
            seen.add(parent.pk)
            parties.setdefault(parent.pk, _("parent body of %(name)s") % {"name": org.name})
            parent = parent.parent
        for unit in Organization.objects.filter(parent=org):
            parties.setdefault(unit.pk, _("unit of %(name)s") % {"name": org.name})
    direct_ids = [o.pk for o in direct]
    for link in SupplyRelationship.objects.filter(
        Q(supplier_id__in=direct_ids) | Q(corporation_id__in=direct_ids)
    ).select_related("supplier", "corporation"):
        if link.supplier_id in direct_ids:
            parties.setdefault(
                link.corporation_id,
                _("buyer supplied by %(name)s") % {"name": link.supplier.name},
            )
        if link.corporation_id in direct_ids:
            parties.setdefault(
                link.supplier_id,
                _("workplace supplying %(name)s") % {"name": link.corporation.name},
            )
    return parties


def member_latest_declaration(
    *, member: CommissionMember, case: Case
) -> ConflictDeclaration | None:
    return (
        ConflictDeclaration.objects.filter(member=member, case=case)
        .order_by("-declared_at", "-id")
        .first()
    )


def member_conflicts(*, member: CommissionMember, case: Case) -> list[str]:
    """Why `member` may not sit on the panel of `case` (empty: no conflict found).

    Refused: no declaration of no conflict for the case, a declared conflict, a declared
    interest in a party, a delegation for a party, a seat on an investigative team for a
    party, and being a filer or complainant in the case."""
    reasons: list[str] = []
    declaration = member_latest_declaration(member=member, case=case)
    if declaration is None:
        reasons.append(_("has not declared whether they have a conflict of interest"))
    elif declaration.has_conflict:
        reasons.append(_("declared a conflict of interest: %(s)s") % {"s": declaration.statement})
    parties = case_party_organizations(case=case)
    today = timezone.localdate()
    interests = MemberInterest.objects.filter(
        member=member, organization_id__in=list(parties)
    ).select_related("organization")
    for interest in interests:
        if interest.until is not None and interest.until < today:
            continue
        reasons.append(
            _("declared interest (%(nature)s) in %(org)s, %(why)s")
            % {
                "nature": interest.get_nature_display(),
                "org": interest.organization.name,
                "why": parties[interest.organization_id],
            }
        )
    person = member.person
    for delegation in OrganizationMembership.objects.filter(
        person=person, organization_id__in=list(parties)
    ).select_related("organization"):
        reasons.append(
            _("acts for %(org)s, %(why)s")
            % {"org": delegation.organization.name, "why": parties[delegation.organization_id]}
        )
    for seat in TeamMembership.objects.filter(
        person=person, organization_id__in=list(parties)
    ).select_related("organization"):
        if seat.organization is None:
            continue  # never: the seats are filtered on their organization
        reasons.append(
            _("sits on an investigative team for %(org)s, %(why)s")
            % {"org": seat.organization.name, "why": parties[seat.organization.pk]}
        )
    if person.user_id is not None and (
        case.filed_by_id == person.user_id
        or case.complainants.filter(user_id=person.user_id).exists()
    ):
        reasons.append(_("filed or is a complainant in this case"))
    return reasons


def user_is_party(*, user: Actor | None, case: Case) -> bool:
    """A filer, complainant, or a delegate of any organization tied to a party."""
    if not actor_is_user(user):
        return False
    if any(u.pk == user.pk for u in case_party_users(case=case)):
        return True
    parties = case_party_organizations(case=case)
    return OrganizationMembership.objects.filter(
        person__user=user, organization_id__in=list(parties)
    ).exists()


def panel_sitting_seats(*, panel: Panel) -> list[PanelSeat]:
    return list(
        panel.seats.filter(vacated_at__isnull=True)
        .select_related("member__person__user", "member__country")
        .order_by("position")
    )


def case_panel_users(*, case: Case, audience: str) -> list[User]:
    """For the clocks: the sitting panelists ("panel") or the presiding one ("chair")."""
    panel = Panel.objects.filter(case=case).first()
    if panel is None:
        return []
    seats = panel_sitting_seats(panel=panel)
    if audience == "chair":
        seats = [s for s in seats if s.presides]
    return [user for s in seats if (user := s.member.person.user) is not None]


def user_sits_on_panel(*, user: Actor | None, panel: Panel) -> bool:
    if not actor_is_user(user):
        return False
    return panel.seats.filter(vacated_at__isnull=True, member__person__user=user).exists()


# --- redaction --------------------------------------------------------------------------


def case_redactions(*, case: Case) -> Redactor:
    """The matcher of the case's confidential identities (complaints.selectors.case_redactor):
    workers' names, by their parts too, and the names of withheld organizations."""
    return case_redactor(case=case)


def redact(text: str, redactions: Redactor | list[tuple[str, str]]) -> str:
    """Replace every confidential name by its public label (commission.redaction: any case,
    accents, spacing, and a person's given names and surnames on their own)."""
    if not text:
        return text
    if not isinstance(redactions, Redactor):
        redactions = Redactor(Identity(name, label) for name, label in redactions)
    return redactions.redact(text)


@dataclass(frozen=True)
class Parties:
    complainants: list[str]
    respondents: list[str]


def case_parties(*, case: Case) -> Parties:
    """The parties as the public may see them (pseudonyms where identities are withheld)."""
    complainants = []
    for c in case.complainants.select_related("organization").order_by("position"):
        if c.kind == c.Kind.ORGANIZATION and case.withhold_organization_names:
            complainants.append(str(_("Organization %(p)s") % {"p": c.pseudonym}))
        else:
            complainants.append(c.public_label)
    respondents = [
        r.display_name
        for r in case.respondents.select_related("organization", "sector").order_by("kind", "id")
    ]
    return Parties(complainants=complainants, respondents=respondents)


# --- public lists -----------------------------------------------------------------------


def hearings_public() -> QuerySet[Hearing]:
    return Hearing.objects.select_related("case").order_by("scheduled_for", "id")


def hearings_upcoming(*, now: dt.datetime | None = None) -> QuerySet[Hearing]:
    now = now or timezone.now()
    return hearings_public().filter(status=Hearing.Status.SCHEDULED, scheduled_for__gte=now)


def hearing_detail(*, pk: int) -> Hearing | None:
    return (
        Hearing.objects.select_related("case", "panel")
        .prefetch_related(
            "participants",
            Prefetch(
                "submissions",
                queryset=Submission.objects.filter(is_public=True)
                .select_related("participant")
                .order_by("number"),
                to_attr="public_submissions",
            ),
            "record",
        )
        .filter(pk=pk)
        .first()
    )


def decisions_issued() -> QuerySet[Decision]:
    return (
        Decision.objects.filter(status=Decision.Status.ISSUED)
        .select_related("case")
        .prefetch_related("opinions")
        .order_by("-issued_at", "-id")
    )


def decision_full(*, pk: int) -> Decision | None:
    """A decision with everything its opinion shows, in a constant number of queries."""
    return (
        Decision.objects.select_related("case", "panel", "filing_government")
        .prefetch_related(
            Prefetch(
                "findings",
                queryset=AllegationFinding.objects.select_related("allegation")
                .prefetch_related(
                    "facts",
                    "applications__version__criterion__right",
                )
                .order_by("allegation__number"),
            ),
            "opinions",
        )
        .filter(pk=pk)
        .first()
    )


def opinion_register() -> QuerySet[Opinion]:
    return Opinion.objects.select_related("decision", "corrigendum").order_by("-issued_at", "-id")


def opinion_by_sha256(*, sha256: str) -> Opinion | None:
    return opinion_register().filter(sha256=sha256.lower().strip()).first()


def cases_read_by_member(*, user: User) -> list[int]:
    """The ids of the cases a commission member reads: where they hold a seat on the panel
    and their latest declaration declares no conflict (docs/adr/0032; the rule of
    `receivers.panel_reader`, for lists)."""
    from .receivers import panel_reader

    seats = PanelSeat.objects.filter(
        vacated_at__isnull=True, member__person__user=user
    ).select_related("panel__case")
    return [
        seat.panel.case_id
        for seat in seats
        if panel_reader(sender=None, case=seat.panel.case, user=user)
    ]
