"""Builders for complaints and petitions.

Cases are always created through `complaints.services` (so their docket numbers, clocks and
events exist exactly as in production); `case_in_status` walks a case through the real steps
to any status of the transition table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.utils import timezone

from commission import roles
from commission.models import Organization, OrganizationMembership, Sector, TradingPartner
from complaints import services
from complaints.models import Case, CourtReview
from complaints.services import (
    AllegationInput,
    ComplainantInput,
    FilingInput,
    RespondentInput,
)
from tests.factories.commission import (
    OrganizationFactory,
    PersonFactory,
    SectorFactory,
    TradingPartnerFactory,
    UserFactory,
)
from tests.factories.criteria import CriterionVersionFactory

WORKER_NAME = "Rosa Quispe Mamani"
WORKER_CONTACT = "+51 999 111 222"
WORKER_EMAIL = "rosa.quispe@example.org"


@dataclass
class World:
    peru: TradingPartner
    us: TradingPartner
    sector: Sector
    government: Organization
    us_government: Organization
    agency: Organization
    employer: Organization
    corporation: Organization
    union: Organization
    hro: Organization
    staff: object
    member: object
    delegate: object
    hro_delegate: object
    outsider: object
    criteria: list = field(default_factory=list)


def _user(username: str, *, groups=(), is_staff=False):
    user = UserFactory(username=username, is_staff=is_staff)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def build_world() -> World:
    peru = TradingPartnerFactory(code="PE", name="Peru")
    us = TradingPartnerFactory(
        code="US", name="United States", region="North America", income_level="high"
    )
    sector = SectorFactory(isic_code="1410")
    K = Organization.Kind
    government = OrganizationFactory(kind=K.GOVERNMENT, name="Government of Peru", country=peru)
    us_government = OrganizationFactory(
        kind=K.GOVERNMENT, name="Government of the United States", country=us
    )
    agency = OrganizationFactory(
        kind=K.GOVERNMENT_AGENCY, name="National Penitentiary System", country=peru
    )
    employer = OrganizationFactory(
        kind=K.EMPLOYER, name="Confecciones del Pacífico S.A.C.", country=peru
    )
    corporation = OrganizationFactory(
        kind=K.GLOBAL_CORPORATION, name="Northfield Apparel Group, Inc.", country=us
    )
    union = OrganizationFactory(
        kind=K.LABOR_ORGANIZATION,
        name="Sindicato de Trabajadores de Confecciones del Pacífico",
        country=peru,
    )
    hro = OrganizationFactory(
        kind=K.HUMAN_RIGHTS_ORGANIZATION,
        name="Centro de Derechos Laborales y Humanos",
        country=peru,
    )
    staff = _user("intake", groups=[roles.STAFF], is_staff=True)
    PersonFactory(user=staff, full_name="Intake Officer")
    member = _user("panelist", groups=[roles.MEMBERS], is_staff=True)
    delegate = _user("union.delegate", groups=[roles.FILERS])
    second_delegate = _user("union.second", groups=[roles.FILERS])
    hro_delegate = _user("hro.delegate", groups=[roles.FILERS])
    for user, org in ((delegate, union), (second_delegate, union), (hro_delegate, hro)):
        person = PersonFactory(user=user, full_name=f"Delegate {user.username}")
        OrganizationMembership.objects.create(
            organization=org, person=person, role=OrganizationMembership.Role.DELEGATE
        )
    outsider = _user("outsider")
    criteria = [
        CriterionVersionFactory(effective_from=dt.date(2020, 1, 1)).criterion,
        CriterionVersionFactory(effective_from=dt.date(2020, 1, 1)).criterion,
    ]
    return World(
        peru=peru,
        us=us,
        sector=sector,
        government=government,
        us_government=us_government,
        agency=agency,
        employer=employer,
        corporation=corporation,
        union=union,
        hro=hro,
        staff=staff,
        member=member,
        delegate=delegate,
        hro_delegate=hro_delegate,
        outsider=outsider,
        criteria=criteria,
    )


def filing_input(
    world: World,
    *,
    kind: str = Case.Kind.COMPLAINT,
    language: str = "es",
    worker: bool = True,
    organization: Organization | None = None,
    **overrides,
) -> FilingInput:
    complainants = []
    if organization is not None:
        complainants.append(ComplainantInput(kind="organization", organization=organization))
    if worker:
        complainants.append(
            ComplainantInput(kind="worker", name=WORKER_NAME, contact=WORKER_CONTACT)
        )
    values = {
        "kind": kind,
        "language": language,
        "complainants": complainants,
        "respondents": [
            RespondentInput(kind="government", organization=world.government),
            RespondentInput(kind="government_agency", organization=world.agency),
            RespondentInput(kind="employer", organization=world.employer),
            RespondentInput(kind="sector", sector=world.sector),
            RespondentInput(kind="global_corporation", organization=world.corporation),
        ],
        "allegations": [
            AllegationInput(
                summary="Dismissal of pregnant workers",
                facts="Fourteen seamstresses were dismissed after announcing their pregnancy.",
                period_start=dt.date(2026, 1, 5),
                period_end=dt.date(2026, 6, 30),
                place="Ate, Lima",
                workers_affected=14,
                criteria=world.criteria[:1],
            ),
            AllegationInput(
                summary="Prison labor in the supply chain",
                facts="Shirts for the buyer are sewn in prison workshops.",
                period_start=dt.date(2025, 10, 1),
                place="Lima prisons",
                workers_affected=120,
                proposed_standard="No export goods may be made with involuntary prison labor.",
            ),
        ],
        "remedies_sought": "Reinstatement with back pay; sanctions until compliance.",
        "confidentiality_request": "Fear of reprisals against the dismissed workers.",
        "contact_email": WORKER_EMAIL,
    }
    values.update(overrides)
    return FilingInput(**values)


def file_case(
    world: World, *, received_days_ago: float | None = None, actor=None, **kwargs
) -> Case:
    """A case filed on paper by intake staff (received `received_days_ago` days ago), or
    through the portal now (by `actor`, anonymous by default) when `received_days_ago` is
    None."""
    if received_days_ago is None:
        if actor is None and kwargs.get("organization") is not None:
            actor = world.delegate
        case, _code = services.case_file(filing=filing_input(world, **kwargs), actor=actor)
        return case
    case, _code = services.case_file(
        filing=filing_input(world, **kwargs),
        actor=world.staff,
        received_via=Case.Channel.PAPER,
        received_at=timezone.now() - dt.timedelta(days=received_days_ago),
    )
    return case


def decision_issued_record(case: Case):
    """The issued decision the hearings app records before a complaint is decided (a case is
    `decided` only with one: `Case.integrity`), written directly as the row it is."""
    from hearings.models import Decision, Panel

    panel, _created = Panel.objects.get_or_create(case=case, defaults={"composition": {}})
    now = timezone.now()
    decision, _created = Decision.objects.get_or_create(
        case=case,
        defaults={
            "panel": panel,
            "kind": Decision.Kind.COMPLAINT,
            "adoption": Decision.Adoption.PANEL,
            "language": "en",
            "status": Decision.Status.ISSUED,
            "adopted_at": now,
            "issued_at": now,
        },
    )
    return decision


def case_in_status(world: World, *, kind: str, status: str) -> Case:
    """A case of `kind` brought to `status` through the real services."""
    case = file_case(world, kind=kind, received_days_ago=20)
    S = Case.Status
    if status == S.FILED:
        return case
    now = timezone.now()
    if status == S.COMPLAINT_FILED and kind == Case.Kind.PETITION:
        services.petition_file_complaint(
            petition=case,
            complainant=world.us_government,
            reasoning="Findings support it.",
            actor=world.staff,
        )
        case.refresh_from_db()
        return case
    services.case_hearing_schedule(
        case=case, scheduled_for=now - dt.timedelta(days=3), actor=world.staff
    )
    if status == S.HEARING_SCHEDULED:
        return case
    services.case_hearing_record_held(
        case=case, held_at=now - dt.timedelta(days=2), actor=world.staff
    )
    if status == S.HEARD:
        return case
    if status == S.DECIDED:
        decision_issued_record(case)
        services.complaint_decide(complaint=case, reasoning="Violations found.", actor=world.staff)
        return case
    services.petition_deny(petition=case, reasoning="Findings do not breach.", actor=world.staff)
    if status == S.DENIED:
        return case
    review = services.court_review_file(
        petition=case,
        court="Court of International Trade",
        court_case_number=f"CIT-{case.pk}",
        grounds=["ground_criteria_misapplied"],
        filed_on=timezone.localdate(),
        actor=world.staff,
    )
    if status == S.UNDER_COURT_REVIEW:
        return case
    assert status == S.COMPLAINT_FILED
    services.court_order_record(
        review=review,
        order=CourtReview.Order.COMPEL_FILING,
        order_date=timezone.localdate(),
        order_text="The commission shall file the complaint.",
        complainant=world.us_government,
        actor=world.staff,
    )
    case.refresh_from_db()
    return case
