"""Services that change shared records check their actor; leaving the actor out is refused,
never a silent pass."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied, ValidationError

from commission import roles
from commission.models import CommissionHoliday
from commission.services import commission_holiday_add
from criteria import services as criteria_services
from criteria.models import Right
from tests.factories.commission import UserFactory

pytestmark = pytest.mark.django_db


def _in(group: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.mark.parametrize("who", ["none", "anonymous", "outsider"])
def test_a_commission_holiday_is_added_by_staff_only(who):
    actor = {"none": None, "anonymous": AnonymousUser(), "outsider": UserFactory()}[who]
    with pytest.raises(PermissionDenied):
        commission_holiday_add(date=dt.date(2027, 7, 29), name="Fiestas Patrias", actor=actor)
    assert not CommissionHoliday.objects.exists()
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    commission_holiday_add(date=dt.date(2027, 7, 29), name="Fiestas Patrias", actor=admin)
    assert CommissionHoliday.objects.filter(date=dt.date(2027, 7, 29)).exists()


@pytest.mark.parametrize("who", ["none", "anonymous", "outsider"])
def test_a_right_is_added_by_staff_only(who):
    actor = {"none": None, "anonymous": AnonymousUser(), "outsider": UserFactory()}[who]
    with pytest.raises(ValidationError):
        criteria_services.right_create(code="XYZ", name_en="A rubric", actor=actor)
    assert not Right.objects.filter(code="XYZ").exists()
    staff = _in(roles.STAFF, "criteria.staff")
    criteria_services.right_create(code="XYZ", name_en="A rubric", actor=staff)
    assert Right.objects.filter(code="XYZ").exists()
