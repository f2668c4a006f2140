"""The staff dashboard's investigations section: disclosure demands and remedial orders due
within the week (verification due) and overdue, each count one query linking to the list it
counts, and a constant number of queries however many demands, orders and findings there are.
The demands' and steps' clocks get the same reminders, misses and exactly-once sweep as the
statutory ones."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from commission.models import Clock, ClockNotice
from commission.services import clock_sweep
from investigations import services
from investigations.models import RemedialOrder
from tests.factories.investigations import determined_violation, open_agency_monitoring
from tests.staff.test_dashboard_and_lists import dashboard_counts, queries

pytestmark = pytest.mark.django_db

DEMANDS_WEEK = "Disclosure demands due within 7 days"
DEMANDS_OVERDUE = "Disclosure demands overdue"
ORDERS_WEEK = "Remedial orders due within 7 days: verification due"
ORDERS_OVERDUE = "Remedial orders overdue without verified compliance"


def _demand(tw, investigation, days: int):
    return services.demand_issue(
        investigation=investigation,
        addressee=tw.base.employer,
        instrument="subpoena",
        scope="wages",
        description="Payroll records 2025–2026",
        days=days,
        actor=tw.rep,
    )


def _order(tw, investigation, days: int) -> RemedialOrder:
    return services.remedial_order_issue(
        investigation=investigation,
        addressee=tw.base.employer,
        findings=[determined_violation(tw, investigation)],
        text="Reinstate the dismissed workers.",
        steps=[services.StepInput("Reinstate the workers", days)],
        actor=tw.lead,
    )


def _staff(tw) -> Client:
    tw.base.staff.is_staff = True
    tw.base.staff.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(tw.base.staff)
    return client


def test_the_dashboard_counts_demands_orders_and_verifications_due(
    tw, django_capture_on_commit_callbacks
):
    investigation = open_agency_monitoring(tw)
    staff = _staff(tw)
    _demand(tw, investigation, days=5)
    _demand(tw, investigation, days=30)
    order = _order(tw, investigation, days=5)
    _order(tw, investigation, days=30)
    counts = dashboard_counts(staff)
    assert counts[DEMANDS_WEEK] == 1
    assert counts[DEMANDS_OVERDUE] == 0
    assert counts[ORDERS_WEEK] == 1
    assert counts[ORDERS_OVERDUE] == 0
    html = staff.get("/admin/").content.decode()
    for value, model in (("week", "disclosuredemand"), ("overdue", "remedialorder")):
        url = f"/admin/investigations/{model}/?due={value}"
        assert url in html
        assert staff.get(url).status_code == 200
    listed = staff.get("/admin/investigations/remedialorder/?due=week").content.decode()
    assert f"/admin/investigations/remedialorder/{order.pk}/change/" in listed
    due = Clock.objects.filter(kind=Clock.Kind.REMEDIAL_ORDER_DUE).order_by("due_at").first()
    with time_machine.travel(due.due_at + dt.timedelta(hours=1), tick=False):
        staff.force_login(tw.base.staff)
        # Past due, not yet swept: overdue already.
        counts = dashboard_counts(staff)
        assert counts[DEMANDS_OVERDUE] == 1
        assert counts[ORDERS_OVERDUE] == 1
        assert counts[DEMANDS_WEEK] == 0
        assert counts[ORDERS_WEEK] == 0
        with django_capture_on_commit_callbacks(execute=True):
            clock_sweep()
        order.refresh_from_db()
        assert order.status == RemedialOrder.Status.FAILED
        assert order.complaint_id is not None
        counts = dashboard_counts(staff)
        assert counts[DEMANDS_OVERDUE] == 1  # the penalty is still to record
        assert counts[ORDERS_OVERDUE] == 0  # the complaint is filed


def test_the_section_is_for_staff_only(client, tw):
    client.force_login(tw.rep)
    assert DEMANDS_WEEK not in client.get("/admin/").content.decode()


def test_query_count_does_not_grow_with_demands_orders_or_findings(tw):
    investigation = open_agency_monitoring(tw)
    staff = _staff(tw)
    _demand(tw, investigation, days=5)
    _order(tw, investigation, days=5)
    few = queries(staff, "/admin/")
    for days in (3, 4, 6):
        _demand(tw, investigation, days=days)
        _order(tw, investigation, days=days)
        determined_violation(tw, investigation)
    assert dashboard_counts(staff)[ORDERS_WEEK] == 4
    assert queries(staff, "/admin/") == few


def test_demand_and_step_clocks_get_reminders_and_one_miss_each(tw):
    investigation = open_agency_monitoring(tw)
    demand = _demand(tw, investigation, days=10)
    order = _order(tw, investigation, days=10)
    step = order.steps.get()
    clocks = [
        Clock.objects.get(kind=Clock.Kind.DISCLOSURE_DUE, subject_id=str(demand.pk)),
        Clock.objects.get(kind=Clock.Kind.REMEDIAL_ORDER_DUE, subject_id=str(step.pk)),
    ]
    week_before = timezone.localtime(clocks[0].due_at) - dt.timedelta(days=7)
    with time_machine.travel(week_before + dt.timedelta(hours=1), tick=False):
        clock_sweep()
        again = clock_sweep()
        assert again.notices == 0
    for clock in clocks:
        reminders = ClockNotice.objects.filter(clock=clock, kind="reminder", offset=7)
        assert reminders.count() == 1
        assert reminders.get().recipient_count == 2  # the team's members
    with time_machine.travel(clocks[0].due_at + dt.timedelta(hours=2), tick=False):
        first = clock_sweep()
        second = clock_sweep()
    assert first.misses == 2
    assert second.misses == 0
    for clock in clocks:
        clock.refresh_from_db()
        assert clock.status == Clock.Status.MISSED
        assert ClockNotice.objects.filter(clock=clock, kind="missed").count() == 1
