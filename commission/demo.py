"""Demo data of the canonical scenario (DOMAIN.md): the United States and Peru, a Peruvian
garment employer, its union, a human-rights organization, the buying global corporation, the
prison system, commission members of both countries, staff, an investigative team and a court.

Idempotent: every row is keyed by a natural key, so loading twice changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from . import roles
from .models import (
    CommissionMember,
    CourtUser,
    InvestigativeTeam,
    Organization,
    OrganizationMembership,
    Person,
    Sector,
    StaffMember,
    SupplyRelationship,
    TeamMembership,
    TradingPartner,
)

DEMO_PASSWORD = "demo-commission-2026"  # printed by `make run`; demo data only  # nosec B105

# username, full name, country, groups, is_staff, is_superuser
DEMO_USERS = [
    ("admin", "Commission Administrator", "US", [roles.STAFF], True, True),
    ("staff", "Rosa Huamán (intake officer)", "PE", [roles.STAFF], True, False),
    ("chair", "Eleanor Whitfield (jurist, chair)", "US", [roles.MEMBERS], True, False),
    ("jurist.pe", "Dr. Carlos Mendoza Ruiz (jurist)", "PE", [roles.MEMBERS], True, False),
    ("worker.us", "Denise Carter (worker representative)", "US", [roles.MEMBERS], True, False),
    (
        "worker.pe",
        "Julia Quispe Mamani (worker representative)",
        "PE",
        [roles.MEMBERS],
        True,
        False,
    ),
    ("team.lead", "Martín Salazar (inspector)", "PE", [roles.TEAM, roles.STAFF], True, False),
    ("team.union", "Ana Torres (union investigator)", "PE", [roles.TEAM], False, False),
    ("court", "Clerk, Court of International Trade", "US", [roles.COURT], False, False),
    ("union", "Luis Paredes (union delegate)", "PE", [roles.FILERS], False, False),
    ("hro", "Sofía Ramírez (human-rights advocate)", "PE", [roles.FILERS], False, False),
]


def load() -> None:
    us, _ = TradingPartner.objects.update_or_create(
        code="US",
        defaults={
            "name": "United States",
            "region": "North America",
            "income_level": TradingPartner.IncomeLevel.HIGH,
            "labor_relations_system": TradingPartner.LaborRelationsSystem.ENTERPRISE,
        },
    )
    pe, _ = TradingPartner.objects.update_or_create(
        code="PE",
        defaults={
            "name": "Peru",
            "region": "Latin America and the Caribbean",
            "income_level": TradingPartner.IncomeLevel.UPPER_MIDDLE,
            "labor_relations_system": TradingPartner.LaborRelationsSystem.ENTERPRISE,
        },
    )
    sectors = {}
    for code, title in [
        ("0116", "Growing of fibre crops"),
        ("1312", "Weaving of textiles"),
        ("1410", "Manufacture of wearing apparel, except fur apparel"),
        ("4641", "Wholesale of textiles, clothing and footwear"),
        ("8423", "Public order and safety activities"),
    ]:
        sectors[code], _ = Sector.objects.update_or_create(
            isic_code=code, defaults={"title": title}
        )

    def org(kind, name, country, **extra):
        obj, _ = Organization.objects.update_or_create(
            kind=kind, name=name, country=country, defaults=extra
        )
        return obj

    K = Organization.Kind
    gov_pe = org(K.GOVERNMENT, "Government of Peru", pe, location="Lima")
    org(K.GOVERNMENT, "Government of the United States", us, location="Washington, DC")
    org(
        K.GOVERNMENT_AGENCY,
        "Ministry of Labour and Employment Promotion",
        pe,
        parent=gov_pe,
        location="Lima",
    )
    org(
        K.GOVERNMENT_AGENCY,
        "National Penitentiary System",
        pe,
        parent=gov_pe,
        sector=sectors["8423"],
        location="Lima",
    )
    employer = org(
        K.EMPLOYER,
        "Confecciones del Pacífico S.A.C.",
        pe,
        sector=sectors["1410"],
        location="Ate, Lima",
    )
    union = org(
        K.LABOR_ORGANIZATION,
        "Sindicato de Trabajadores de Confecciones del Pacífico",
        pe,
        sector=sectors["1410"],
        location="Ate, Lima",
    )
    hro = org(
        K.HUMAN_RIGHTS_ORGANIZATION, "Centro de Derechos Laborales y Humanos", pe, location="Lima"
    )
    buyer = org(
        K.GLOBAL_CORPORATION,
        "Northfield Apparel Group, Inc.",
        us,
        sector=sectors["4641"],
        location="New York, NY",
    )
    org(
        K.LABOR_ORGANIZATION,
        "United Garment and Textile Workers",
        us,
        sector=sectors["1410"],
        location="New York, NY",
    )
    SupplyRelationship.objects.update_or_create(
        corporation=buyer,
        supplier=employer,
        started_on=dt.date(2021, 3, 1),
        defaults={"products": "Cotton knit shirts"},
    )

    User = get_user_model()
    people = {}
    for username, full_name, country, groups, is_staff, is_superuser in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "is_staff": is_staff,
                "is_superuser": is_superuser,
                "email": f"{username}@commission.localhost",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(*[Group.objects.get(name=g) for g in groups])
        person, _ = Person.objects.update_or_create(
            user=user,
            defaults={
                "full_name": full_name,
                "country": pe if country == "PE" else us,
                "email": user.email,
            },
        )
        people[username] = person

    seated = dt.date(2025, 1, 15)
    M = CommissionMember.Kind
    for username, kind, country, chair in [
        ("chair", M.JURIST, us, True),
        ("jurist.pe", M.JURIST, pe, False),
        ("worker.us", M.WORKER_REPRESENTATIVE, us, False),
        ("worker.pe", M.WORKER_REPRESENTATIVE, pe, False),
    ]:
        CommissionMember.objects.update_or_create(
            person=people[username],
            seated_on=seated,
            defaults={"kind": kind, "country": country, "is_chair": chair},
        )
    for username, title in [
        ("admin", "Systems administrator"),
        ("staff", "Intake officer"),
        ("team.lead", "Labor inspector"),
    ]:
        StaffMember.objects.update_or_create(person=people[username], defaults={"title": title})
    team, _ = InvestigativeTeam.objects.update_or_create(
        name="Lima Garment Sector Team", defaults={"country": pe}
    )
    team.sectors.add(sectors["1410"], sectors["1312"])
    R = TeamMembership.Role
    TeamMembership.objects.update_or_create(
        team=team, person=people["team.lead"], defaults={"role": R.STAFF}
    )
    TeamMembership.objects.update_or_create(
        team=team,
        person=people["team.union"],
        defaults={"role": R.WORKER_ORGANIZATION, "organization": union},
    )
    CourtUser.objects.update_or_create(
        person=people["court"], defaults={"court": "Court of International Trade"}
    )
    OrganizationMembership.objects.update_or_create(
        organization=union,
        person=people["union"],
        defaults={"role": OrganizationMembership.Role.ADMINISTRATOR},
    )
    OrganizationMembership.objects.update_or_create(
        organization=hro,
        person=people["hro"],
        defaults={"role": OrganizationMembership.Role.ADMINISTRATOR},
    )
