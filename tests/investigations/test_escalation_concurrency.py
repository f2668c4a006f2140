"""Escalation exactly once when the clock-miss task, the beat safety net and a failed
verification race: two threads escalate the same order at the same moment on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections
from django.utils import timezone

from commission.actors import SYSTEM
from complaints.models import Case
from investigations import services
from investigations.models import RemedialOrder
from tests.factories.investigations import (
    build_team_world,
    determined_violation,
    open_agency_monitoring,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_escalations_at_once_file_one_complaint():
    tw = build_team_world()
    investigation = open_agency_monitoring(tw)
    finding = determined_violation(tw, investigation)
    order = services.remedial_order_issue(
        investigation=investigation,
        addressee=tw.base.employer,
        findings=[finding],
        text="Reinstate",
        steps=[services.StepInput("Reinstate", 10)],
        issued_at=timezone.now() - dt.timedelta(days=30),
        actor=tw.lead,
    )
    before = Case.objects.count()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def escalate():
        try:
            barrier.wait()
            services.remedial_order_escalate(order_id=order.pk, actor=SYSTEM)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=escalate) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Case.objects.count() == before + 1
    order = RemedialOrder.objects.get(pk=order.pk)
    assert order.status == RemedialOrder.Status.FAILED
    assert order.complaint_id is not None
