"""The public register reads in a number of queries that does not grow with the number of
sanctions, benchmarks, verifications and notices: its page, its CSV and JSON exports and the
API's list, asserted with 2 sanctions in force and again with 20."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commission.actors import SYSTEM
from hearings import services as hearings_services
from sanctions import services
from sanctions.models import SanctionOrder
from tests.factories import hearings as f

REGISTER = (
    "/sanctions/",
    "/sanctions/?status=in_force",
    "/sanctions/register.json",
    "/sanctions/register.csv",
    "/api/v1/sanctions/",
)


def _heard(world, language: str):
    case = f.complaint_file(world.parties, world.criteria, language=language)
    f.panel_seat(world.members, case)
    return case


def _firm_sanctions(decision, parties, n: int) -> None:
    """n tariffs on the employer, each with two benchmarks; the first answers every finding."""
    findings = list(decision.findings.order_by("allegation__number"))
    for i in range(n):
        services.sanction_specify(
            actor=SYSTEM,
            decision=decision,
            target="firm",
            target_organization=parties.employer,
            instrument="tariff",
            magnitude=Decimal(30 + i),
            unit="percent_ad_valorem",
            estimated_benefit=Decimal("12"),
            benefit_method="Labor cost saved, as a share of the export value.",
            description=f"Tariff {i + 1} on the firm's garments.",
            deterrence_reasoning="Exceeds the firm's savings from the violations.",
            findings=findings if i == 0 else findings[:1],
            benchmarks=[
                f.benchmark("60"),
                f.benchmark("40", description="Union recognized", direction="achieved"),
            ],
        )


def _activity(decision, team, staff, at) -> None:
    """A verification on every benchmark of every order and a notice on every first step."""
    for order in SanctionOrder.objects.filter(specification__decision=decision):
        for b in order.specification.benchmarks.all():
            services.benchmark_verify(
                benchmark=b,
                team=team,
                measured_value=None if b.direction == "achieved" else Decimal("100"),
                achieved=True if b.direction == "achieved" else None,
                measured_on=f.day(86).date(),
                method_applied="Payroll audit.",
                actor=team.member,
            )
        services.lift_notice_publish(
            order=order,
            benchmark=order.specification.benchmarks.get(position=1),
            hearing_at=f.day(110, 9),
            location="Lima",
            text="Hearing on lifting the first step.",
            actor=staff,
        )


def _counts(client, api) -> dict[str, int]:
    counts = {}
    for path in REGISTER:
        caller = api if path.startswith("/api/") else client
        with CaptureQueriesContext(connection) as ctx:
            response = caller.get(path)
        assert response.status_code == 200, path
        counts[path] = len(ctx.captured_queries)
    return counts


def test_the_register_query_count_does_not_grow_with_the_sanctions(
    world, team, at, client, django_capture_on_commit_callbacks
):
    at(f.FILED_AT + dt.timedelta(minutes=5))
    small, large = _heard(world, "en"), _heard(world, "es")
    at(f.day(20))
    f.hearing_schedule(small, when=f.day(50, 9))
    f.hearing_schedule(large, when=f.day(50, 11))
    at(f.day(50, 15))
    hearings_services.hearing_record_held(hearing=small.hearing, held_at=f.day(50, 9), actor=SYSTEM)
    hearings_services.hearing_record_held(
        hearing=large.hearing, held_at=f.day(50, 11), actor=SYSTEM
    )
    at(f.day(70))
    decisions = {}
    for case, n in ((small, 2), (large, 18)):
        decision = hearings_services.decision_open(case=case, actor=SYSTEM)
        f.findings_complete(decision, world.criteria)
        _firm_sanctions(decision, world.parties, n)
        decisions[case.pk] = decision
    api = APIClient()

    at(f.day(85))
    with django_capture_on_commit_callbacks(execute=True):
        hearings_services.decision_issue(decision=decisions[small.pk], actor=SYSTEM)
    at(f.day(86, 12))
    _activity(decisions[small.pk], team, world.staff, at)
    assert SanctionOrder.objects.count() == 2
    with_two = _counts(client, api)

    at(f.day(86, 13))
    with django_capture_on_commit_callbacks(execute=True):
        hearings_services.decision_issue(decision=decisions[large.pk], actor=SYSTEM)
    at(f.day(86, 14))
    _activity(decisions[large.pk], team, world.staff, at)
    assert SanctionOrder.objects.count() == 20
    with_twenty = _counts(client, api)

    assert with_twenty == with_two
    # ... and every one of the 20 is there, with its benchmarks' progress.
    assert len(api.get("/api/v1/sanctions/").json()) == 20
    assert len(client.get("/sanctions/register.json").json()["sanctions"]) == 20
    assert client.get("/sanctions/register.csv").content.decode().count("\n") == 21
    html = client.get("/sanctions/").content.decode()
    assert html.count("<progress") == 20
