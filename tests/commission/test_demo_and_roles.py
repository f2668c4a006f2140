import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command

from commission import roles
from commission.models import (
    CommissionMember,
    Organization,
    Person,
    SupplyRelationship,
    TradingPartner,
)

pytestmark = pytest.mark.django_db


def _counts():
    return [
        m.objects.count()
        for m in (TradingPartner, Organization, SupplyRelationship, Person, CommissionMember)
    ]


def test_load_demo_is_idempotent_and_plays_the_peru_scenario():
    mail.outbox = []
    call_command("load_demo")
    assert mail.outbox == []  # loading the demo sends nothing
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    assert set(TradingPartner.objects.values_list("code", flat=True)) == {"US", "PE"}
    kinds = set(Organization.objects.values_list("kind", flat=True))
    assert {
        "employer",
        "labor_organization",
        "human_rights_organization",
        "global_corporation",
        "government_agency",
    } <= kinds
    link = SupplyRelationship.objects.get()
    assert link.supplier.country.code == "PE"
    assert link.corporation.country.code == "US"
    members = CommissionMember.objects.values_list("kind", "country__code")
    assert set(members) == {
        ("jurist", "US"),
        ("jurist", "PE"),
        ("worker_representative", "US"),
        ("worker_representative", "PE"),
    }


def test_role_groups_exist_with_their_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert set(roles.ROLE_PERMISSIONS) <= names
    staff = Group.objects.get(name=roles.STAFF)
    assert staff.permissions.filter(codename="change_organization").exists()
    court = Group.objects.get(name=roles.COURT)
    assert not court.permissions.filter(codename__startswith="change_").exists()
