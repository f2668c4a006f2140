"""Property-based tests of the register's two promises.

1. No sequence of accepted revisions ever yields a weaker measure or a narrower applicability
   (checked against an independent oracle of what must be accepted).
2. Point-in-time queries reproduce exactly what was in force: the answer given for a day while
   that day was current is the answer given for it forever after.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria.models import Criterion, CriterionVersion, Proposal
from criteria.selectors import criteria_binding, criterion_version_in_force
from tests.criteria.support import adopt, at, historical, measure_draft, open_criterion

pytestmark = pytest.mark.django_db

# Independent oracle: µg/m³ per unit; ppm is a different dimension.
FACTOR = {"µg/m³": Decimal(1), "mg/m³": Decimal(1000), "g/m³": Decimal(1000000)}
COVERED_BY = {
    "C": {"C"},
    "13": {"13", "C"},
    "14": {"14", "C"},
    "141": {"141", "14", "C"},
    "1410": {"1410", "141", "14", "C"},
    "1312": {"1312", "13", "C"},
    "0116": {"0116", "A"},
}
COUNTRIES = ["PE", "US", "MX"]
START = dt.date(2024, 1, 1)


@st.composite
def revisions(draw):
    micrograms = draw(st.integers(min_value=1, max_value=400))
    unit = draw(st.sampled_from(["µg/m³", "µg/m³", "mg/m³", "g/m³", "ppm"]))
    value = Decimal(micrograms) / FACTOR.get(unit, Decimal(1))
    return {
        "micrograms": micrograms,
        "unit": unit,
        "value": value,
        "direction": draw(st.sampled_from(["at_most"] * 9 + ["at_least"])),
        "period": draw(st.sampled_from(["twa_8h"] * 9 + ["stel_15min"])),
        "countries": draw(st.none() | st.sets(st.sampled_from(COUNTRIES), min_size=1)),
        "sectors": draw(st.none() | st.sets(st.sampled_from(sorted(COVERED_BY)), min_size=1)),
        "days": draw(st.integers(min_value=-20, max_value=400)),
    }


def _draft(step, effective_from):
    return measure_draft(
        step["value"],
        unit=step["unit"],
        effective_from=effective_from,
        direction=step["direction"],
        averaging_period=step["period"],
        all_countries=step["countries"] is None,
        countries=sorted(step["countries"] or []),
        all_sectors=step["sectors"] is None,
        sectors=sorted(step["sectors"] or []),
    )


def _oracle_accepts(prev, step, effective_from) -> bool:
    if step["direction"] != "at_most" or step["period"] != "twa_8h" or step["unit"] == "ppm":
        return False
    if step["micrograms"] > prev["micrograms"] or effective_from <= prev["effective_from"]:
        return False
    if step["countries"] is not None and (
        prev["countries"] is None or not prev["countries"] <= step["countries"]
    ):
        return False
    if step["sectors"] is not None:
        if prev["sectors"] is None:
            return False
        if any(not (COVERED_BY[old] & step["sectors"]) for old in prev["sectors"]):
            return False
    return True


def _micrograms(version: CriterionVersion) -> Decimal:
    return version.threshold * FACTOR[version.unit]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(revisions(), min_size=1, max_size=8))
def test_accepted_revisions_never_weaken_or_narrow(steps, rights, staff_user, countries, sectors):
    with transaction.atomic():
        criterion = open_criterion(rights["OSH"], Criterion.Kind.MEASURE, "cotton-dust", staff_user)
        first = {
            "micrograms": 300,
            "effective_from": START,
            "countries": {"PE"},
            "sectors": {"1410"},
        }
        historical(
            criterion,
            measure_draft(
                300,
                effective_from=START,
                all_countries=False,
                countries=["PE"],
                all_sectors=False,
                sectors=["1410"],
            ),
            staff_user,
        )
        prev = first
        for step in steps:
            effective_from = prev["effective_from"] + dt.timedelta(days=step["days"])
            expected = _oracle_accepts(prev, step, effective_from)
            try:
                historical(criterion, _draft(step, effective_from), staff_user)
                accepted = True
            except ValidationError:
                accepted = False
            assert accepted == expected, (prev, step)
            if accepted:
                prev = {
                    "micrograms": step["micrograms"],
                    "effective_from": effective_from,
                    "countries": step["countries"],
                    "sectors": step["sectors"],
                }
        versions = list(
            criterion.versions.prefetch_related("countries", "sectors").order_by("number")
        )
        for older, newer in zip(versions, versions[1:], strict=False):
            assert _micrograms(newer) <= _micrograms(older)
            assert newer.effective_from > older.effective_from
            assert older.effective_until == newer.effective_from
            if not newer.applies_to_all_countries:
                assert not older.applies_to_all_countries
                assert {c.code for c in older.countries.all()} <= {
                    c.code for c in newer.countries.all()
                }
            if not newer.applies_to_all_sectors:
                assert not older.applies_to_all_sectors
                new_codes = {s.isic_code for s in newer.sectors.all()}
                assert all(COVERED_BY[s.isic_code] & new_codes for s in older.sectors.all())
        transaction.set_rollback(True)


def _answers(criterion, pe, day):
    version = criterion_version_in_force(criterion=criterion, on=day)
    bindings = criteria_binding(country=pe, sector="1410", on=day)
    return (
        version.identifier if version else None,
        [(b.identifier, b.explanation) for b in bindings],
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=40),  # days until the next round
            st.integers(min_value=1, max_value=30),  # effective this many days after the vote
            st.integers(min_value=0, max_value=60),  # how much it tightens (µg/m³)
        ),
        min_size=1,
        max_size=4,
    )
)
def test_point_in_time_answers_never_change(
    steps, rights, staff_user, countries, sectors, members, filer
):
    pe = countries["PE"]
    with transaction.atomic():
        with at(dt.date(2026, 1, 5)):
            criterion = open_criterion(
                rights["OSH"], Criterion.Kind.MEASURE, "cotton-dust", staff_user
            )
            historical(
                criterion, measure_draft(400, effective_from=dt.date(2026, 1, 1)), staff_user
            )
            competitor = open_criterion(
                rights["OSH"], Criterion.Kind.MEASURE, "cotton-dust", staff_user
            )
            historical(
                competitor,
                measure_draft("0.3", unit="mg/m³", effective_from=dt.date(2026, 1, 1)),
                staff_user,
            )
        snapshots: dict[dt.date, tuple] = {}
        oracle: list[tuple[dt.date, str]] = [(dt.date(2026, 1, 1), f"{criterion.code}/v1")]
        day = dt.date(2026, 1, 10)
        snapshot_day = dt.date(2026, 1, 1)
        threshold = 400
        for gap, delay, tighten in steps:
            day += dt.timedelta(days=gap)
            threshold -= tighten
            vote_day = day + dt.timedelta(days=6)
            effective = max(
                vote_day + dt.timedelta(days=delay), oracle[-1][0] + dt.timedelta(days=1)
            )
            # Until the vote the register does not change: record each day's answer as given
            # on that day, before the adoption.
            while snapshot_day < vote_day:
                with at(snapshot_day, hour=23):
                    snapshots[snapshot_day] = _answers(criterion, pe, snapshot_day)
                snapshot_day += dt.timedelta(days=1)
            proposal = adopt(
                members=members,
                filer=filer,
                kind=Proposal.Kind.REVISION,
                criterion=criterion,
                draft=measure_draft(threshold, effective_from=effective),
                day=day,
            )
            assert proposal.status == Proposal.Status.ADOPTED
            oracle.append((effective, proposal.adopted_version.identifier))
            with at(vote_day, hour=23):  # the day of the adoption, once it has happened
                snapshots[vote_day] = _answers(criterion, pe, vote_day)
            snapshot_day = vote_day + dt.timedelta(days=1)
            day = vote_day
        # Afterwards, every past day gives exactly the answer it gave then...
        for d, answer in snapshots.items():
            assert _answers(criterion, pe, d) == answer, d
        # ...and that answer is the last version that had taken effect by that day.
        for d in list(snapshots) + [day + dt.timedelta(days=60)]:
            expected = [ident for since, ident in oracle if since <= d][-1]
            assert criterion_version_in_force(criterion=criterion, on=d).identifier == expected
        transaction.set_rollback(True)
