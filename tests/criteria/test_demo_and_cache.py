"""The Peru starter register and register pagination."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from criteria.models import Criterion, CriterionVersion, DeliberationRound, Proposal, Source
from criteria.selectors import Competitor, criteria_binding
from tests.factories.commission import SectorFactory, TradingPartnerFactory
from tests.factories.criteria import CriterionFactory, CriterionVersionFactory

pytestmark = pytest.mark.django_db


def _counts():
    return [
        m.objects.count()
        for m in (Criterion, CriterionVersion, Source, DeliberationRound, Proposal)
    ]


def test_demo_is_idempotent_and_shows_the_resolution():
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    codes = set(Criterion.objects.values_list("code", flat=True))
    assert {
        "ND-001",
        "ND-002",
        "CB-001",
        "FL-001",
        "FOA-001",
        "WAGE-001",
        "HRS-001",
        "OSH-001",
    } <= codes
    # Every version cites its sources.
    assert not CriterionVersion.objects.filter(sources__isnull=True).exists()
    today = timezone.localdate()
    # Cotton dust in a Peruvian textile mill: domestic, international and best practice compete.
    [dust] = [
        b
        for b in criteria_binding(country="PE", sector="1312", on=today)
        if b.governs == "cotton-dust-exposure"
    ]
    assert dust.identifier == "OSH-003/v1"
    kinds = {c.version.criterion.code: c for c in dust.competitors}
    assert kinds["OSH-001"].relation == Competitor.LESS_PROTECTIVE
    assert kinds["OSH-001"].margin == Decimal("50")
    assert kinds["OSH-002"].margin == Decimal("50")  # 0.2 mg/m³, converted
    # Minimum wage in Peruvian apparel: best practice beats the domestic minimum.
    [wage] = [
        b
        for b in criteria_binding(country="PE", sector="1410", on=today)
        if b.governs == "minimum-wage"
    ]
    assert wage.identifier == "WAGE-002/v1"
    assert wage.competitors[0].margin == Decimal("170")
    # The minimum wage's history reads as it was.
    wage_history = {
        day: criteria_binding(country="PE", sector="0116", on=day)
        for day in (dt.date(2019, 1, 1), dt.date(2023, 1, 1))
    }
    assert [
        b.identifier for b in wage_history[dt.date(2019, 1, 1)] if b.governs == "minimum-wage"
    ] == ["WAGE-001/v1"]
    assert [
        b.identifier for b in wage_history[dt.date(2023, 1, 1)] if b.governs == "minimum-wage"
    ] == ["WAGE-001/v2"]
    round_ = DeliberationRound.objects.get()
    assert round_.reports.count() == 2
    assert round_.proposals.get().criterion.code == "OSH-001"


def test_register_pages_through_criteria(client):
    TradingPartnerFactory()
    SectorFactory()
    for i in range(55):
        CriterionVersionFactory(criterion=CriterionFactory(code=f"FOA-{i + 1:03d}"))
    first = client.get("/criteria/").content.decode()
    assert "FOA-001/v1" in first
    assert "FOA-050/v1" in first
    assert "FOA-051/v1" not in first
    assert "page=2" in first
    second = client.get("/criteria/?page=2").content.decode()
    assert "FOA-051/v1" in second
    assert "FOA-055/v1" in second
    assert "FOA-001/v1" not in second
    assert "page=3" not in second
