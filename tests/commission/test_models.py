import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from commission.models import Organization, TradingPartner
from tests.factories.commission import (
    CommissionMemberFactory,
    OrganizationFactory,
    SupplyRelationshipFactory,
    TradingPartnerFactory,
)

pytestmark = pytest.mark.django_db


def test_supply_relationship_period_must_be_ordered():
    link = SupplyRelationshipFactory()
    link.ended_on = link.started_on - dt.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        link.save()


def test_supply_relationship_clean_requires_corporation_and_workplace():
    link = SupplyRelationshipFactory.build(
        corporation=OrganizationFactory(kind=Organization.Kind.LABOR_ORGANIZATION),
        supplier=OrganizationFactory(),
    )
    with pytest.raises(ValidationError) as excinfo:
        link.clean()
    assert "corporation" in excinfo.value.message_dict


def test_trading_partner_code_must_be_iso_alpha2():
    with pytest.raises(IntegrityError), transaction.atomic():
        TradingPartnerFactory(code="pe")


def test_trading_partners_are_listed_in_one_order_even_with_equal_names():
    """Lists of partners (a version's applicability, rendered once and stored) must come out
    the same in every query: by name, then code."""
    for code in ("US", "MX", "PE"):
        TradingPartnerFactory(code=code, name="Same name")
    TradingPartnerFactory(code="CL", name="Chile")
    assert [p.code for p in TradingPartner.objects.all()] == ["CL", "MX", "PE", "US"]


def test_only_one_sitting_chair():
    CommissionMemberFactory(is_chair=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionMemberFactory(is_chair=True)
    # A former chair who has left does not block a new one.
    CommissionMemberFactory(
        is_chair=True, left_on=dt.date(2025, 6, 1), seated_on=dt.date(2024, 1, 1)
    )
