import datetime as dt
from decimal import Decimal

import pytest

from criteria.models import Source
from criteria.selectors import criteria_binding, criterion_version_in_force
from tests.factories.commission import SectorFactory, TradingPartnerFactory
from tests.factories.criteria import MeasureFactory, MeasureVersionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_in_force_and_binding_smoke():
    pe = TradingPartnerFactory()
    SectorFactory()
    c1 = MeasureFactory(code="OSH-001")
    v1 = MeasureVersionFactory(criterion=c1, effective_until=dt.date(2026, 1, 1))
    v2 = MeasureVersionFactory(
        criterion=c1, number=2, effective_from=dt.date(2026, 1, 1), threshold=Decimal("150")
    )
    c2 = MeasureFactory(code="OSH-002")
    v3 = MeasureVersionFactory(criterion=c2, threshold=Decimal("0.1"), unit="mg/m³")
    SourceFactory(version=v3, kind=Source.Kind.BEST_PRACTICE, comparator_name="X")
    assert criterion_version_in_force(criterion=c1, on=dt.date(2025, 6, 1)) == v1
    assert criterion_version_in_force(criterion=c1, on=dt.date(2026, 6, 1)) == v2
    assert criterion_version_in_force(criterion=c1, on=dt.date(2024, 6, 1)) is None
    bindings = criteria_binding(country=pe, sector="1410", on=dt.date(2026, 6, 1))
    assert [b.identifier for b in bindings] == [v3.identifier]
    assert bindings[0].competitors[0].margin == Decimal("0.05")  # in mg/m³
