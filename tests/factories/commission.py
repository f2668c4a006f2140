import datetime as dt

import factory
from django.contrib.auth import get_user_model

from commission.models import (
    CommissionMember,
    Organization,
    Person,
    Sector,
    SupplyRelationship,
    TradingPartner,
)


class TradingPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TradingPartner
        django_get_or_create = ["code"]

    code = "PE"
    name = "Peru"
    region = "Latin America and the Caribbean"
    income_level = TradingPartner.IncomeLevel.UPPER_MIDDLE
    labor_relations_system = TradingPartner.LaborRelationsSystem.ENTERPRISE


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["isic_code"]

    isic_code = "1410"
    title = "Manufacture of wearing apparel, except fur apparel"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = Organization.Kind.EMPLOYER
    name = factory.Sequence(lambda n: f"Workplace {n}")
    country = factory.SubFactory(TradingPartnerFactory)
    sector = factory.SubFactory(SectorFactory)


class SupplyRelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplyRelationship

    corporation = factory.SubFactory(
        OrganizationFactory,
        kind=Organization.Kind.GLOBAL_CORPORATION,
        country=factory.SubFactory(TradingPartnerFactory, code="US", name="United States"),
    )
    supplier = factory.SubFactory(OrganizationFactory)
    started_on = dt.date(2024, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pw-for-tests-only")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    full_name = factory.Sequence(lambda n: f"Person {n}")
    country = factory.SubFactory(TradingPartnerFactory)


class CommissionMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionMember

    person = factory.SubFactory(PersonFactory)
    kind = CommissionMember.Kind.JURIST
    country = factory.SubFactory(TradingPartnerFactory)
    seated_on = dt.date(2025, 1, 1)


# --- Statutory clocks ---------------------------------------------------------------------


class CaseProtocol:
    """Gives Organization the clock subject protocol for tests (a docket number, recipients
    per audience, milestones), so clock tests need no higher app. Install with
    `CaseProtocol.install(monkeypatch)`; then set `recipients[pk][audience]` and
    `milestones[pk]` as a test needs."""

    def __init__(self) -> None:
        self.recipients: dict[int, dict[str, list]] = {}
        self.milestones: dict[int, set[str]] = {}

    @classmethod
    def install(cls, monkeypatch, *, with_recipients: bool = True) -> "CaseProtocol":
        protocol = cls()
        monkeypatch.setattr(
            Organization, "docket_number", property(lambda o: f"CASE-{o.pk}"), raising=False
        )
        if with_recipients:

            def clock_recipients(org, audience):
                return protocol.recipients.get(org.pk, {}).get(audience, [])

            monkeypatch.setattr(Organization, "clock_recipients", clock_recipients, raising=False)

        def clock_milestone_reached(org, milestone):
            return milestone in protocol.milestones.get(org.pk, set())

        monkeypatch.setattr(
            Organization, "clock_milestone_reached", clock_milestone_reached, raising=False
        )
        return protocol


def case_with_clocks(*, trigger_at, actor=None, **org_fields):
    """A case (an Organization standing in for a complaint) with its 60/90-day clocks."""
    from django.db import transaction

    from commission.services import clocks_start_statutory

    with transaction.atomic():
        case = OrganizationFactory(**org_fields)
        clocks = clocks_start_statutory(subject=case, trigger_at=trigger_at, actor=actor)
    return case, clocks
