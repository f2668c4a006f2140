"""Most worker-protective resolution, and point-in-time reads."""

import datetime as dt
from decimal import Decimal

import pytest

from criteria import isic, units
from criteria.api import BindingSerializer
from criteria.selectors import (
    Competitor,
    criteria_binding,
    criterion_version_in_force,
)
from tests.factories.commission import SectorFactory, TradingPartnerFactory
from tests.factories.criteria import (
    CriterionFactory,
    CriterionVersionFactory,
    MeasureFactory,
    MeasureVersionFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 6, 1)


@pytest.fixture
def pe(db):
    SectorFactory(isic_code="1410")
    SectorFactory(isic_code="14", title="Apparel")
    SectorFactory(isic_code="C", title="Manufacturing")
    SectorFactory(isic_code="1312", title="Weaving")
    return TradingPartnerFactory()


def _measure(code, threshold, unit="µg/m³", kind="international_law", **extra):
    version = MeasureVersionFactory(
        criterion=MeasureFactory(code=code), threshold=Decimal(threshold), unit=unit, **extra
    )
    SourceFactory(
        version=version,
        kind=kind,
        instrument=f"Instrument of {code}",
        country=TradingPartnerFactory() if kind == "domestic_law" else None,
    )
    return version


def test_most_protective_measure_binds_and_the_losers_are_explained(pe):
    intl = _measure("OSH-001", "200")
    domestic = _measure("OSH-002", "0.25", unit="mg/m³", kind="domestic_law")
    best = _measure("OSH-003", "150", kind="best_practice")
    [binding] = criteria_binding(country=pe, sector="1410", on=ON)
    assert binding.version == best
    assert "most worker-protective" in binding.reason
    assert "International best practice" in binding.reason
    margins = {c.version: (c.relation, c.margin, c.margin_percent) for c in binding.competitors}
    assert margins[intl] == (Competitor.LESS_PROTECTIVE, Decimal("50"), Decimal("25"))
    assert margins[domestic] == (Competitor.LESS_PROTECTIVE, Decimal("100"), Decimal("40"))
    assert "less protective by 100 µg/m³ (40%)" in binding.explanation
    data = BindingSerializer(binding).data
    assert data["identifier"] == best.identifier
    assert {c["identifier"] for c in data["competitors"]} == {intl.identifier, domestic.identifier}


def test_at_least_measures_bind_the_highest(pe):
    for code, amount in [("WAGE-001", "1130"), ("WAGE-002", "1300")]:
        MeasureVersionFactory(
            criterion=MeasureFactory(code=code, governs="minimum-wage"),
            direction="at_least",
            threshold=Decimal(amount),
            unit="PEN",
            averaging_period="month",
        )
    [binding] = criteria_binding(country=pe, sector="1410", on=ON)
    assert binding.identifier == "WAGE-002/v1"
    assert binding.competitors[0].margin == Decimal("170")


def test_incomparable_standards_all_bind(pe):
    a = _measure("OSH-001", "200")
    b = _measure("OSH-002", "1", unit="ppm")
    c = MeasureVersionFactory(
        criterion=MeasureFactory(code="WAGE-001", governs="minimum-wage"),
        direction="at_least",
        threshold=Decimal("1000"),
        unit="PEN",
        averaging_period="month",
    )
    d = MeasureVersionFactory(
        criterion=MeasureFactory(code="WAGE-002", governs="minimum-wage"),
        direction="at_least",
        threshold=Decimal("300"),
        unit="USD",
        averaging_period="month",
    )
    bindings = criteria_binding(country=pe, sector="1410", on=ON)
    assert {b_.version for b_ in bindings} == {a, b, c, d}
    assert all(
        comp.relation == Competitor.INCOMPARABLE for b_ in bindings for comp in b_.competitors
    )


def test_different_averaging_periods_are_different_quantities(pe):
    twa = _measure("OSH-001", "200")
    stel = _measure("OSH-002", "600", averaging_period="stel_15min")
    assert {b.version for b in criteria_binding(country=pe, sector="1410", on=ON)} == {twa, stel}


def test_applicability_by_country_and_isic_hierarchy(pe):
    us = TradingPartnerFactory(code="US", name="United States")
    division = _measure("OSH-001", "200", applies_to_all_sectors=False)
    division.sectors.add(SectorFactory(isic_code="14"))
    us_only = _measure("OSH-002", "100", applies_to_all_countries=False)
    us_only.countries.add(us)
    [binding] = criteria_binding(country=pe, sector="1410", on=ON)
    assert binding.version == division  # "14" covers "1410"; the US-only one does not apply
    assert criteria_binding(country=pe, sector="1312", on=ON) == []
    [for_us] = criteria_binding(country=us, sector="1410", on=ON)
    assert for_us.version == us_only


def test_rules_on_the_same_matter_all_bind_until_members_resolve(pe, django_user_model):
    from criteria.models import RuleResolution
    from tests.factories.commission import CommissionMemberFactory

    a = CriterionVersionFactory(criterion=CriterionFactory(code="FOA-001", governs="access"))
    b = CriterionVersionFactory(criterion=CriterionFactory(code="FOA-002", governs="access"))
    assert {x.version for x in criteria_binding(country=pe, sector="1410", on=ON)} == {a, b}
    RuleResolution.objects.create(
        governs="access",
        binding_criterion=b.criterion,
        reason_en="It protects more.",
        effective_from=dt.date(2026, 3, 1),
        recorded_by=CommissionMemberFactory(),
    )
    [only] = criteria_binding(country=pe, sector="1410", on=ON)
    assert only.version == b
    assert "It protects more." in only.reason
    assert only.competitors[0].relation == Competitor.YIELDS
    # Before the resolution took effect, both bound.
    assert len(criteria_binding(country=pe, sector="1410", on=dt.date(2026, 2, 1))) == 2


def test_in_force_follows_effective_dates_and_retirement(pe):
    criterion = CriterionFactory(code="FOA-001")
    successor = CriterionFactory(code="FOA-002")
    v1 = CriterionVersionFactory(
        criterion=criterion, effective_from=dt.date(2025, 1, 1), effective_until=dt.date(2026, 1, 1)
    )
    v2 = CriterionVersionFactory(
        criterion=criterion,
        number=2,
        effective_from=dt.date(2026, 1, 1),
        effective_until=dt.date(2027, 1, 1),
    )
    CriterionVersionFactory(
        criterion=criterion,
        number=3,
        effective_from=dt.date(2027, 1, 1),
        is_retirement=True,
        successor=successor,
    )
    assert criterion_version_in_force(criterion=criterion, on=dt.date(2024, 12, 31)) is None
    assert criterion_version_in_force(criterion=criterion, on=dt.date(2025, 12, 31)) == v1
    assert criterion_version_in_force(criterion=criterion, on=dt.date(2026, 1, 1)) == v2
    assert criterion_version_in_force(criterion=criterion, on=dt.date(2027, 1, 1)) is None


def test_isic_hierarchy():
    assert isic.ancestors("1410") == ["1410", "141", "14", "C"]
    assert isic.ancestors("0116") == ["0116", "011", "01", "A"]
    assert isic.covers("C", "1312")
    assert not isic.covers("14", "1312")


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        ("200", "µg/m³", "mg/m³", Decimal("0.2")),
        ("0.2", "mg/m**3", "microgram/meter**3", Decimal("200")),
        ("2", "hour", "minute", Decimal("120")),
        ("1130", "PEN", "PEN", Decimal("1130")),
    ],
)
def test_units_convert(value, source, target, expected):
    assert units.convert(Decimal(value), source, target) == expected


@pytest.mark.parametrize(
    ("source", "target"), [("mg/m³", "ppm"), ("PEN", "USD"), ("hour", "PEN"), ("kg", "m")]
)
def test_units_refuse_incomparable(source, target):
    with pytest.raises(units.IncomparableUnits):
        units.convert(Decimal(1), source, target)


@pytest.mark.parametrize("unit", ["PEN/month", "hour/week", "banana"])
def test_units_refuse_periods_in_the_unit_and_unknown_units(unit):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        units.unit_validate(unit)
