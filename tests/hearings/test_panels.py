import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError

from commission.actors import SYSTEM
from commission.models import OrganizationMembership
from hearings import panels, services
from hearings.models import MemberInterest, Panel, PanelSeat
from tests.factories import hearings as f
from tests.factories.commission import CommissionMemberFactory, PersonFactory


def test_default_composition_is_a_presiding_jurist_and_a_worker_representative_of_each_country():
    seats = panels.configured_composition()
    assert [(s.kind, s.country, s.presides) for s in seats] == [
        ("jurist", "any", True),
        ("worker_representative", "respondent", False),
        ("worker_representative", "other", False),
    ]


@pytest.mark.parametrize(
    "entries",
    [
        [],
        ["jurist:any"],  # nobody presides
        ["jurist:any:presides", "jurist:any:presides"],
        ["judge:any:presides"],
        ["jurist:mars:presides"],
    ],
)
def test_bad_compositions_are_refused(entries):
    with pytest.raises(ImproperlyConfigured):
        panels.parse_composition(entries)


def test_the_commission_selects_by_rotation(world, case, at):
    at(f.day(2))
    f.declare_all(world.members, case)
    panel = services.panel_select(case=case, actor=world.staff)
    seats = list(panel.seats.order_by("position"))
    assert seats[0].member.kind == "jurist"
    assert seats[0].presides
    assert seats[1].member == world.members.worker_pe
    assert seats[2].member == world.members.worker_us
    assert panel.status == Panel.Status.SEATED


def test_explicit_selection_must_fit_the_composition(world, case, at):
    at(f.day(2))
    f.declare_all(world.members, case)
    m = world.members
    with pytest.raises(ValidationError, match="does not fit the seat"):
        services.panel_select(
            case=case, members=[m.jurist_us, m.worker_us, m.worker_pe], actor=SYSTEM
        )
    with pytest.raises(ValidationError, match="3 seats"):
        services.panel_select(case=case, members=[m.jurist_us, m.worker_pe], actor=SYSTEM)


def test_a_member_who_has_not_declared_cannot_sit(world, case, at):
    at(f.day(2))
    m = world.members
    with pytest.raises(ValidationError, match="has not declared"):
        services.panel_select(
            case=case, members=[m.jurist_us, m.worker_pe, m.worker_us], actor=SYSTEM
        )


def test_a_conflicted_panelist_is_refused(world, case, at):
    """Must hold: a member who declared a conflict is refused."""
    at(f.day(2))
    m = world.members
    f.declare_all(m, case)
    services.conflict_declare(
        member=m.worker_pe,
        case=case,
        has_conflict=True,
        statement="My sister works there.",
        actor=m.worker_pe.person.user,
    )
    with pytest.raises(ValidationError, match="declared a conflict of interest"):
        services.panel_select(
            case=case, members=[m.jurist_us, m.worker_pe, m.worker_us], actor=SYSTEM
        )
    assert not Panel.objects.filter(case=case).exists()


@pytest.mark.parametrize("tie", ["interest_parent", "interest_buyer", "delegate", "team"])
def test_a_member_tied_to_a_party_is_refused_even_after_declaring_no_conflict(world, case, at, tie):
    at(f.day(2))
    m = world.members
    f.declare_all(m, case)
    p = world.parties
    if tie == "interest_parent":
        # The prison system is a respondent; its parent, the Government of Peru, is tied to it.
        MemberInterest.objects.create(
            member=m.jurist_us, organization=p.gov_pe, nature="employment"
        )
        member, message = m.jurist_us, "Government of Peru"
    elif tie == "interest_buyer":
        MemberInterest.objects.create(member=m.worker_us, organization=p.buyer, nature="financial")
        member, message = m.worker_us, "Northfield"
    elif tie == "delegate":
        OrganizationMembership.objects.create(
            organization=p.union, person=m.worker_pe.person, role="delegate"
        )
        member, message = m.worker_pe, "acts for"
    else:
        from commission.models import InvestigativeTeam, TeamMembership

        team = InvestigativeTeam.objects.create(name="Lima team", country=p.pe)
        TeamMembership.objects.create(
            team=team, person=m.worker_pe.person, role="worker_organization", organization=p.union
        )
        member, message = m.worker_pe, "investigative team"
    with pytest.raises(ValidationError, match=message):
        services.panel_select(
            case=case,
            members=[m.jurist_us, m.worker_pe, m.worker_us],
            actor=SYSTEM,
        )
    # The rotation skips the tied member where another fits.
    if member == m.jurist_us:
        panel = services.panel_select(case=case, actor=SYSTEM)
        assert panel.seats.get(position=1).member == m.jurist_pe


def test_a_party_cannot_select_nominate_or_veto(world, case, at):
    """No path lets a party choose a panelist: a party's account is refused even with the
    permission, and the panel models carry no nomination or objection."""
    at(f.day(2))
    f.declare_all(world.members, case)
    party_staff = world.parties.union_user
    party_staff.groups.add(world.staff.groups.first())
    with pytest.raises(PermissionDenied, match="party"):
        services.panel_select(case=case, actor=party_staff)
    with pytest.raises(PermissionDenied):
        services.panel_select(case=case, actor=world.parties.hro_user)
    fields = {fl.name for model in (Panel, PanelSeat) for fl in model._meta.get_fields()}
    assert not {n for n in fields if any(w in n for w in ("nominat", "veto", "object", "strike"))}


def test_a_recusal_vacates_the_seat_and_the_commission_fills_it(world, seated, at):
    at(f.day(5))
    m = world.members
    panel = seated.panel
    services.conflict_declare(
        member=m.worker_pe,
        case=seated,
        has_conflict=True,
        statement="Former employee.",
        actor=m.worker_pe.person.user,
    )
    panel.refresh_from_db()
    assert panel.status == Panel.Status.INCOMPLETE
    with pytest.raises(ValidationError, match="full panel"):
        f.hearing_schedule(seated)
    other = CommissionMemberFactory(
        person=PersonFactory(full_name="Teresa Flores", country=world.parties.pe),
        kind="worker_representative",
        country=world.parties.pe,
        seated_on=dt.date(2025, 1, 1),
    )
    services.conflict_declare(
        member=other,
        case=seated,
        has_conflict=False,
        statement_reference="Signed declaration 2026/17",
        actor=world.staff,
    )
    seat = services.panel_seat_fill(panel=panel, position=2, actor=world.staff)
    assert seat.member == other
    panel.refresh_from_db()
    assert panel.status == Panel.Status.SEATED
    assert PanelSeat.objects.filter(panel=panel, member=m.worker_pe).get().vacated_reason


# --- a member's declarations are the member's own -------------------------------------------


def _respondent_delegate(world, *, with_staff_permission: bool):
    from tests.factories.commission import UserFactory

    user = UserFactory(username="employer.delegate")
    OrganizationMembership.objects.create(
        organization=world.parties.employer,
        person=PersonFactory(user=user),
        role=OrganizationMembership.Role.DELEGATE,
    )
    if with_staff_permission:
        user.groups.add(world.staff.groups.first())
    return user


@pytest.mark.parametrize("with_staff_permission", [False, True])
def test_a_respondents_delegate_cannot_declare_a_conflict_for_a_sitting_member(
    world, seated, at, with_staff_permission
):
    """Must hold: no veto. A party's account — even one that also holds the staff
    permission — cannot declare a conflict for a panelist and so vacate the seat."""
    at(f.day(5))
    delegate = _respondent_delegate(world, with_staff_permission=with_staff_permission)
    m = world.members
    with pytest.raises(PermissionDenied):
        services.conflict_declare(
            member=m.worker_pe,
            case=seated,
            has_conflict=True,
            statement="The employer says so.",
            actor=delegate,
        )
    panel = Panel.objects.get(case=seated)
    assert panel.status == Panel.Status.SEATED
    assert panel.seats.filter(member=m.worker_pe, vacated_at__isnull=True).exists()
    from commission.models import CaseEvent

    assert not CaseEvent.objects.filter(verb="panel_seat_vacated").exists()


def test_declarations_are_made_by_the_member_or_recorded_by_staff_with_a_reference(world, case, at):
    at(f.day(2))
    m = world.members
    # Nobody declares for a member: not the system, and a missing actor is a programming error.
    with pytest.raises(TypeError, match="actor is required"):
        services.conflict_declare(member=m.jurist_us, case=case, has_conflict=False, actor=None)
    with pytest.raises(PermissionDenied):
        services.conflict_declare(member=m.jurist_us, case=case, has_conflict=False, actor=SYSTEM)
    with pytest.raises(PermissionDenied):
        services.conflict_declare(
            member=m.jurist_us, case=case, has_conflict=False, actor=world.parties.hro_user
        )
    with pytest.raises(ValidationError, match="signed statement"):
        services.conflict_declare(
            member=m.jurist_us, case=case, has_conflict=False, actor=world.staff
        )
    declaration = services.conflict_declare(
        member=m.jurist_us,
        case=case,
        has_conflict=False,
        statement_reference="Signed form 2026/3",
        actor=world.staff,
    )
    assert declaration.declared_by == world.staff
    assert declaration.statement_reference == "Signed form 2026/3"
    with pytest.raises(TypeError, match="actor is required"):
        services.member_interest_declare(
            member=m.jurist_us, organization=world.parties.buyer, nature="financial", actor=None
        )
    with pytest.raises(PermissionDenied):
        services.member_interest_declare(
            member=m.jurist_us, organization=world.parties.buyer, nature="financial", actor=SYSTEM
        )


def test_a_members_conflict_is_withdrawn_only_by_the_member(world, case, at):
    """Staff cannot overwrite a member's declared conflict and then seat the member."""
    at(f.day(2))
    m = world.members
    f.declare_all(m, case)
    services.conflict_declare(
        member=m.worker_pe,
        case=case,
        has_conflict=True,
        statement="My sister works there.",
        actor=m.worker_pe.person.user,
    )
    with pytest.raises(PermissionDenied, match="Only the member withdraws"):
        services.conflict_declare(
            member=m.worker_pe,
            case=case,
            has_conflict=False,
            statement_reference="Form 9",
            actor=world.staff,
        )
    with pytest.raises(ValidationError, match="declared a conflict of interest"):
        services.panel_select(
            case=case, members=[m.jurist_us, m.worker_pe, m.worker_us], actor=world.staff
        )
    services.conflict_declare(
        member=m.worker_pe, case=case, has_conflict=False, actor=m.worker_pe.person.user
    )
    from commission.models import CaseEvent

    assert CaseEvent.objects.for_subject(case).filter(verb="conflict_withdrawn").count() == 1
    services.panel_select(
        case=case, members=[m.jurist_us, m.worker_pe, m.worker_us], actor=world.staff
    )


def test_an_interest_in_a_party_declared_after_seating_recuses_and_the_rotation_refills(
    world, seated, at
):
    from commission.models import CaseEvent

    at(f.day(5))
    m = world.members
    services.member_interest_declare(
        member=m.jurist_us,
        organization=world.parties.buyer,
        nature="financial",
        actor=m.jurist_us.person.user,
    )
    panel = Panel.objects.get(case=seated)
    vacated = panel.seats.get(member=m.jurist_us)
    assert vacated.vacated_at is not None
    assert "interest in a party" in vacated.vacated_reason
    event = CaseEvent.objects.for_subject(seated).get(verb="panel_seat_vacated")
    assert event.is_public
    # The commission's rotation filled the seat at once with the eligible jurist.
    assert panel.status == Panel.Status.SEATED
    assert panel.seats.get(position=1, vacated_at__isnull=True).member == m.jurist_pe
    assert CaseEvent.objects.for_subject(seated).filter(verb="panel_seat_filled").exists()


def test_a_recusal_the_rotation_cannot_fill_tells_the_staff(world, seated, at):
    from commission.models import Notification

    at(f.day(5))
    m = world.members
    services.conflict_declare(
        member=m.worker_pe,
        case=seated,
        has_conflict=True,
        statement="Former employee.",
        actor=m.worker_pe.person.user,
    )
    panel = Panel.objects.get(case=seated)
    assert panel.status == Panel.Status.INCOMPLETE
    note = Notification.objects.get(recipient=world.staff)
    assert "seat 2" in note.subject_line.lower()
    assert "es" in note.translations
