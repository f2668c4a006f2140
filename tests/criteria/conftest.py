"""Fixtures for the criteria register: sitting members, staff, filers, countries, sectors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from commission import roles
from criteria.models import Right
from tests.factories.commission import (
    CommissionMemberFactory,
    PersonFactory,
    SectorFactory,
    TradingPartnerFactory,
    UserFactory,
)


def _user_in(group: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def countries():
    return {
        "PE": TradingPartnerFactory(code="PE", name="Peru"),
        "US": TradingPartnerFactory(
            code="US", name="United States", region="North America", income_level="high"
        ),
        "MX": TradingPartnerFactory(code="MX", name="Mexico", region="Latin America"),
    }


@pytest.fixture
def sectors():
    return {
        code: SectorFactory(isic_code=code, title=title)
        for code, title in [
            ("C", "Manufacturing"),
            ("13", "Manufacture of textiles"),
            ("14", "Manufacture of wearing apparel"),
            ("141", "Manufacture of wearing apparel, except fur apparel"),
            ("1410", "Manufacture of wearing apparel, except fur apparel"),
            ("1312", "Weaving of textiles"),
            ("0116", "Growing of fibre crops"),
        ]
    }


@pytest.fixture
def members(countries):
    """Three sitting members (worker representatives and jurists) with logins."""
    result = []
    for i, kind in enumerate(["jurist", "worker_representative", "worker_representative"]):
        user = _user_in(roles.MEMBERS, f"member{i}")
        person = PersonFactory(user=user, full_name=f"Member {i}")
        result.append(
            CommissionMemberFactory(
                person=person, kind=kind, country=countries["PE"], seated_on=dt.date(2020, 1, 1)
            )
        )
    return result


@pytest.fixture
def staff_user(db):
    return _user_in(roles.STAFF, "staffer")


@pytest.fixture
def filer(db):
    user = UserFactory(username="filer")
    user.groups.add(Group.objects.get(name=roles.FILERS))
    return user


@pytest.fixture
def rights(db):
    return {
        code: Right.objects.get_or_create(code=code, defaults={"name_en": name})[0]
        for code, name in [
            ("FOA", "Freedom of association"),
            ("OSH", "Occupational safety and health"),
            ("WAGE", "Minimum wage"),
        ]
    }
