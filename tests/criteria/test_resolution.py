"""The most-protective rule on plain values: no database, no models (`criteria.resolution`)."""

import random
from decimal import Decimal

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from criteria.resolution import (
    AT_LEAST,
    AT_MOST,
    MEASURE,
    RULE,
    Choice,
    Decision,
    Loss,
    Standard,
    contested,
    note,
    reason,
    resolve,
)


def measure(identifier, threshold, unit="µg/m³", direction=AT_MOST, governs="dust", period=""):
    return Standard(
        identifier=identifier,
        criterion=identifier.split("/")[0],
        kind=MEASURE,
        governs=governs,
        averaging_period=period,
        direction=direction,
        threshold=Decimal(threshold),
        unit=unit,
    )


def rule(identifier, governs="access"):
    return Standard(
        identifier=identifier, criterion=identifier.split("/")[0], kind=RULE, governs=governs
    )


def test_a_lone_measure_is_the_only_standard():
    [decision] = resolve([measure("OSH-001/v1", "200")])
    assert decision.why == Decision.ONLY_MEASURE
    assert decision.losses == ()


def test_the_most_protective_measure_binds_after_conversion_and_the_others_lose_by_a_margin():
    dust = [
        measure("OSH-001/v2", "200"),
        measure("OSH-002/v1", "0.2", unit="mg/m³"),
        measure("OSH-003/v1", "150"),
    ]
    [decision] = resolve(dust)
    assert decision.standard.identifier == "OSH-003/v1"
    assert decision.why == Decision.MOST_PROTECTIVE
    losses = {loss.standard.identifier: loss for loss in decision.losses}
    assert losses["OSH-001/v2"].relation == Loss.LESS_PROTECTIVE
    assert losses["OSH-001/v2"].margin == Decimal("50")
    assert losses["OSH-001/v2"].margin_percent == Decimal("25")
    assert losses["OSH-002/v1"].margin == Decimal("50")  # 0.2 mg/m³ is 200 µg/m³


def test_a_minimum_binds_at_its_highest():
    wages = [
        measure("WAGE-001/v3", "1130", "PEN", AT_LEAST),
        measure("WAGE-002/v1", "1300", "PEN", AT_LEAST),
    ]
    [decision] = resolve(wages)
    assert decision.standard.identifier == "WAGE-002/v1"
    assert decision.losses[0].margin == Decimal("170")


def test_equal_standards_tie_to_the_first_identifier():
    [decision] = resolve(
        [measure("HRS-002/v1", "48", "hour"), measure("HRS-001/v1", "2880", "minute")]
    )
    assert decision.standard.identifier == "HRS-001/v1"
    assert decision.losses[0].relation == Loss.EQUALLY_PROTECTIVE


def test_incomparable_measures_all_bind():
    decisions = resolve([measure("OSH-001/v1", "200"), measure("OSH-004/v1", "1", unit="ppm")])
    assert [d.standard.identifier for d in decisions] == ["OSH-001/v1", "OSH-004/v1"]
    assert all(d.why == Decision.MOST_PROTECTIVE for d in decisions)
    assert [loss.relation for d in decisions for loss in d.losses] == [Loss.INCOMPARABLE] * 2


def test_another_averaging_period_is_another_quantity():
    decisions = resolve(
        [
            measure("OSH-001/v1", "200", period="twa_8h"),
            measure("OSH-005/v1", "100", period="ceiling"),
        ]
    )
    assert {d.why for d in decisions} == {Decision.ONLY_MEASURE}


def test_competing_rules_all_bind_until_the_members_choose():
    rules = [rule("FOA-002/v1"), rule("FOA-001/v1")]
    assert contested(rules) == {"access"}
    unresolved = resolve(rules)
    assert [d.standard.identifier for d in unresolved] == ["FOA-001/v1", "FOA-002/v1"]
    assert {d.why for d in unresolved} == {Decision.RULES_UNRESOLVED}
    [chosen] = resolve(rules, {"access": Choice("access", "FOA-002")})
    assert chosen.standard.identifier == "FOA-002/v1"
    assert chosen.why == Decision.RESOLVED
    assert [loss.relation for loss in chosen.losses] == [Loss.YIELDS]
    # A choice of a rule not in force here decides nothing.
    assert len(resolve(rules, {"access": Choice("access", "FOA-009")})) == 2


def test_a_lone_rule_is_not_contested():
    assert contested([rule("ND-001/v1", "pregnancy")]) == set()
    [decision] = resolve([rule("ND-001/v1", "pregnancy")])
    assert decision.why == Decision.ONLY_RULE


def test_the_explanation_is_worded_in_the_readers_language():
    dust = [measure("OSH-001/v2", "200"), measure("OSH-003/v1", "150")]
    [decision] = resolve(dust)
    values = {"identifier": "OSH-003/v1", "sources": "best practice", "threshold": "≤ 150 µg/m³"}
    english = reason(decision.why, **values)
    assert english == (
        "OSH-003/v1 binds as the most worker-protective standard: ≤ 150 µg/m³ (best practice)."
    )
    loss_note = note(decision.losses[0], winner=decision.standard, sources="law", threshold="≤ 200")
    assert loss_note == "OSH-001/v2 (law, ≤ 200) is less protective by 50 µg/m³ (25%)."
    with translation.override("es"):
        assert reason(decision.why, **values) != english


# --------------------------------------------------------------------------- properties

thresholds = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)
scaled_units = st.sampled_from([("µg/m³", Decimal(1)), ("mg/m³", Decimal(1000))])


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.tuples(thresholds, scaled_units), min_size=1, max_size=8),
    direction=st.sampled_from([AT_MOST, AT_LEAST]),
    seed=st.integers(),
)
def test_the_most_protective_of_comparable_measures_binds_whatever_the_order(
    values, direction, seed
):
    standards = [
        measure(f"OSH-{i + 1:03d}/v1", value, unit, direction)
        for i, (value, (unit, _scale)) in enumerate(values)
    ]
    in_micrograms = [value * scale for value, (_unit, scale) in values]
    best = min(in_micrograms) if direction == AT_MOST else max(in_micrograms)

    [decision] = resolve(standards)
    winner = decision.standard
    scale = dict([("µg/m³", Decimal(1)), ("mg/m³", Decimal(1000))])[winner.unit]
    assert winner.threshold * scale == best
    # Every other standard lost, none by a negative margin, and none was more protective.
    assert sorted(loss.standard.identifier for loss in decision.losses) == sorted(
        s.identifier for s in standards if s is not winner
    )
    assert all(loss.margin >= 0 for loss in decision.losses)
    assert all(
        (loss.margin == 0) == (loss.relation == Loss.EQUALLY_PROTECTIVE) for loss in decision.losses
    )
    # The decision does not depend on the order the standards are read in.
    shuffled = standards[:]
    random.Random(seed).shuffle(shuffled)
    assert resolve(shuffled) == [decision]


@settings(max_examples=100, deadline=None)
@given(
    count=st.integers(min_value=1, max_value=6),
    chosen=st.one_of(st.none(), st.integers(min_value=0, max_value=8)),
)
def test_rules_bind_together_unless_the_members_chose_one_of_them(count, chosen):
    rules = [rule(f"FOA-{i + 1:03d}/v1") for i in range(count)]
    choices = {} if chosen is None else {"access": Choice("access", f"FOA-{chosen + 1:03d}")}
    decisions = resolve(rules, choices)
    if count == 1:
        assert [d.why for d in decisions] == [Decision.ONLY_RULE]
    elif chosen is not None and chosen < count:
        [decision] = decisions
        assert decision.standard.criterion == f"FOA-{chosen + 1:03d}"
        assert len(decision.losses) == count - 1
    else:
        assert len(decisions) == count
        assert {d.why for d in decisions} == {Decision.RULES_UNRESOLVED}


@settings(max_examples=100, deadline=None)
@given(
    groups=st.lists(
        st.tuples(st.sampled_from(["dust", "hours", "wage"]), st.sampled_from(["", "twa_8h"])),
        min_size=1,
        max_size=8,
    )
)
def test_each_standard_binds_or_loses_exactly_once_per_quantity(groups):
    standards = [
        measure(f"OSH-{i + 1:03d}/v1", str(10 + i), governs=governs, period=period)
        for i, (governs, period) in enumerate(groups)
    ]
    decisions = resolve(standards)
    assert len(decisions) == len(set(groups))
    seen = [d.standard.identifier for d in decisions] + [
        loss.standard.identifier for d in decisions for loss in d.losses
    ]
    assert sorted(seen) == sorted(s.identifier for s in standards)
