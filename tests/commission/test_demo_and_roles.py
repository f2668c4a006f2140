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


def test_the_first_sweep_after_the_demo_sends_each_clocks_current_escalation_only():
    """The demo's clocks started weeks ago: the first sweep does not send every reminder,
    risk and miss of that history — each clock at most its one current escalation — and still
    records every miss at its due instant."""
    from django.utils import timezone

    from commission.models import CaseEvent, Clock, ClockNotice, Notification
    from commission.services import clock_sweep

    call_command("load_demo")
    now = timezone.now()
    fallen_due = list(
        Clock.objects.filter(status="pending", due_at__lt=now).exclude(kind__in=Clock.WINDOW_KINDS)
    )
    assert fallen_due, "the demo has a deadline already missed"
    clock_sweep(now=now)
    sent = ClockNotice.objects.filter(outcome=ClockNotice.Outcome.SENT)
    per_clock = {}
    for notice in sent:
        per_clock.setdefault(notice.clock_id, []).append(notice.kind)
    assert per_clock, "the current escalations go out"
    assert all(len(kinds) == 1 for kinds in per_clock.values()), per_clock
    assert not sent.filter(kind=ClockNotice.Kind.REMINDER).exists()
    assert Notification.objects.count() == sum(n.recipient_count for n in sent)
    for clock in fallen_due:
        clock.refresh_from_db()
        assert clock.status == Clock.Status.MISSED
        assert clock.missed_at == clock.due_at
    assert CaseEvent.objects.filter(verb="clock_missed").count() >= len(fallen_due)
    # Settling again, or sweeping again, sends nothing more.
    call_command("load_demo")
    assert clock_sweep(now=now).notifications == 0
