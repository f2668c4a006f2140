"""The ratchet: a revision may never be less protective than the version in force."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from criteria import services
from criteria.models import Criterion, CriterionVersion, Proposal
from tests.criteria.support import adopt, at, historical, measure_draft, open_criterion, rule_draft
from tests.factories.criteria import CriterionVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dust(rights, staff_user, countries, sectors):
    with at(dt.date(2026, 11, 2)):
        criterion = open_criterion(
            rights["OSH"], Criterion.Kind.MEASURE, "cotton-dust-exposure", staff_user
        )
        historical(
            criterion,
            measure_draft(
                200,
                effective_from=dt.date(2024, 1, 1),
                all_countries=False,
                countries=["PE"],
                all_sectors=False,
                sectors=["1410"],
            ),
            staff_user,
        )
    return criterion


def _revise(dust, members, filer, draft):
    return adopt(
        members=members, filer=filer, kind=Proposal.Kind.REVISION, criterion=dust, draft=draft
    )


def test_tighter_threshold_is_adopted_and_becomes_v2(dust, members, filer):
    proposal = _revise(
        dust,
        members,
        filer,
        measure_draft(
            150, all_countries=False, countries=["PE"], all_sectors=False, sectors=["14"]
        ),
    )
    assert proposal.status == Proposal.Status.ADOPTED
    v2 = proposal.adopted_version
    assert v2.identifier == f"{dust.code}/v2"
    assert v2.threshold == Decimal("150")
    v1 = CriterionVersion.objects.get(identifier=f"{dust.code}/v1")
    assert v1.effective_until == v2.effective_from
    assert v2.record_reference.startswith("Round T-")


def test_equivalent_threshold_in_another_unit_is_accepted(dust):
    services.criterion_revision_check(
        criterion=dust,
        draft=measure_draft(
            "0.2",
            unit="mg/m³",
            all_countries=False,
            countries=["PE"],
            all_sectors=False,
            sectors=["1410"],
        ),
    )


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        (measure_draft(201), "weaker by 1"),
        (measure_draft("0.25", unit="mg/m³"), "weaker by 50"),
        (measure_draft(100, unit="ppm"), "cannot be compared"),
        (measure_draft(100, unit="PEN"), "cannot be compared"),
        (measure_draft(150, direction="at_least"), "direction of a measure may not change"),
        (measure_draft(150, averaging_period="stel_15min"), "different averaging period"),
        (measure_draft(150, effective_from=dt.date(2023, 6, 1)), "takes effect after"),
    ],
)
def test_weaker_or_incomparable_revisions_are_refused(dust, draft, message):
    with pytest.raises(ValidationError) as excinfo:
        services.criterion_revision_check(criterion=dust, draft=draft)
    assert any(message in m for m in excinfo.value.messages), excinfo.value.messages


def test_narrowing_applicability_is_refused(dust, members, filer):
    _revise(
        dust,
        members,
        filer,
        measure_draft(
            200, all_countries=False, countries=["PE", "US"], all_sectors=False, sectors=["C"]
        ),
    )
    for draft, message in [
        (
            measure_draft(
                150, all_countries=False, countries=["US"], all_sectors=False, sectors=["C"]
            ),
            "PE",
        ),
        (
            measure_draft(
                150, all_countries=False, countries=["PE", "US"], all_sectors=False, sectors=["14"]
            ),
            "sectors C",
        ),
    ]:
        draft["effective_from"] = dt.date(2027, 6, 1)
        with pytest.raises(ValidationError) as excinfo:
            services.criterion_revision_check(criterion=dust, draft=draft)
        assert any(message in m and "only widen" in m for m in excinfo.value.messages)


def test_a_refused_revision_cannot_even_be_filed(dust, members, filer):
    with pytest.raises(ValidationError, match="less protective"):
        _revise(dust, members, filer, measure_draft(300))
    assert not Proposal.objects.exists()
    assert dust.versions.count() == 1


def test_adoption_rechecks_against_a_version_adopted_meanwhile(dust, members, filer):
    """Two proposals pass; the second is weaker than what the first made law, so it is refused."""
    common = {
        "all_countries": False,
        "countries": ["PE"],
        "all_sectors": False,
        "sectors": ["1410"],
    }
    first = adopt(
        members=members,
        filer=filer,
        kind=Proposal.Kind.REVISION,
        criterion=dust,
        draft=measure_draft(100, **common),
        decide=False,
    )
    second = adopt(
        members=members,
        filer=filer,
        kind=Proposal.Kind.REVISION,
        criterion=dust,
        draft=measure_draft(150, effective_from=dt.date(2027, 2, 1), **common),
        decide=False,
    )
    with at(dt.date(2026, 12, 20)):
        services.proposal_decide(proposal=first, actor=members[0].person.user)
        with pytest.raises(ValidationError, match="weaker by 50"):
            services.proposal_decide(proposal=second, actor=members[0].person.user)
    second.refresh_from_db()
    assert second.status == Proposal.Status.FILED
    assert [v.threshold for v in dust.versions.order_by("number")] == [
        Decimal("200"),
        Decimal("100"),
    ]


def test_measure_may_not_be_weaker_than_a_source_it_cites(rights, staff_user):
    criterion = open_criterion(rights["OSH"], Criterion.Kind.MEASURE, "cotton-dust", staff_user)
    draft = measure_draft(200, effective_from=dt.date(2024, 1, 1))
    draft["sources"].append(
        {
            "kind": "best_practice",
            "comparator_name": "Comparator mill",
            "comparison_region": "Andean",
            "value": "0.1",
            "unit": "mg/m³",
        }
    )
    with pytest.raises(ValidationError, match="less protective than a source it cites"):
        historical(criterion, draft, staff_user)


def test_versions_take_effect_at_the_earliest_the_day_after_adoption(dust, members, filer):
    draft = measure_draft(150, effective_from=dt.date(2026, 12, 7))  # the day the vote is counted
    draft.update(
        {"all_countries": False, "countries": ["PE"], "all_sectors": False, "sectors": ["1410"]}
    )
    proposal = adopt(
        members=members,
        filer=filer,
        kind=Proposal.Kind.REVISION,
        criterion=dust,
        draft=draft,
        decide=False,
    )
    with at(dt.date(2026, 12, 7)), pytest.raises(ValidationError, match="day after its adoption"):
        services.proposal_decide(proposal=proposal, actor=members[0].person.user)


def test_rule_retirement_needs_an_in_force_successor_at_least_as_wide(
    rights, staff_user, members, filer, countries
):
    with at(dt.date(2026, 11, 2)):
        old = open_criterion(rights["FOA"], Criterion.Kind.RULE, "union-access", staff_user)
        historical(old, rule_draft(effective_from=dt.date(2024, 1, 1)), staff_user)
        narrow = open_criterion(rights["FOA"], Criterion.Kind.RULE, "union-access", staff_user)
        historical(
            narrow,
            rule_draft(effective_from=dt.date(2025, 1, 1), all_countries=False, countries=["PE"]),
            staff_user,
        )
    retire = {
        "text_en": "Replaced.",
        "effective_from": dt.date(2027, 1, 1),
        "successor": narrow.code,
    }
    with pytest.raises(ValidationError, match="does not cover what it replaces"):
        services.criterion_retirement_check(criterion=old, draft=retire, rationale="Because.")
    with pytest.raises(ValidationError, match="Record why"):
        services.criterion_retirement_check(
            criterion=old, draft=retire | {"successor": old.code}, rationale=" "
        )

    with at(dt.date(2026, 11, 2)):
        wide = open_criterion(rights["FOA"], Criterion.Kind.RULE, "union-access", staff_user)
        historical(wide, rule_draft(effective_from=dt.date(2025, 1, 1)), staff_user)
    proposal = adopt(
        members=members,
        filer=filer,
        kind=Proposal.Kind.RETIREMENT,
        criterion=old,
        draft=retire | {"successor": wide.code},
        rationale="The successor also covers break rooms: it is at least as protective.",
    )
    assert proposal.status == Proposal.Status.ADOPTED
    version = proposal.adopted_version
    assert version.is_retirement
    assert version.successor == wide
    with pytest.raises(ValidationError, match="retired the criterion"):
        services.criterion_revision_check(
            criterion=old, draft=rule_draft(effective_from=dt.date(2028, 1, 1))
        )


def test_measure_retirement_requires_an_at_least_as_protective_successor(rights, staff_user):
    with at(dt.date(2026, 11, 2)):
        old = open_criterion(rights["OSH"], Criterion.Kind.MEASURE, "cotton-dust", staff_user)
        historical(old, measure_draft(200, effective_from=dt.date(2024, 1, 1)), staff_user)
        weaker = open_criterion(rights["OSH"], Criterion.Kind.MEASURE, "cotton-dust", staff_user)
        historical(
            weaker,
            measure_draft("0.5", unit="mg/m³", effective_from=dt.date(2024, 1, 1)),
            staff_user,
        )
        stronger = open_criterion(rights["OSH"], Criterion.Kind.MEASURE, "cotton-dust", staff_user)
        historical(
            stronger,
            measure_draft("0.1", unit="mg/m³", effective_from=dt.date(2024, 1, 1)),
            staff_user,
        )
    retire = {"text_en": "Replaced.", "effective_from": dt.date(2027, 1, 1)}
    with pytest.raises(ValidationError, match="not at least as protective"):
        services.criterion_retirement_check(
            criterion=old, draft=retire | {"successor": weaker.code}, rationale="r"
        )
    services.criterion_retirement_check(
        criterion=old, draft=retire | {"successor": stronger.code}, rationale="r"
    )


def test_versions_and_sources_are_immutable_down_to_the_database(dust):
    version = dust.versions.get()
    version.threshold = Decimal("900")
    with pytest.raises(ValidationError, match="criteria.CriterionVersion.threshold:frozen"):
        version.save()
    with pytest.raises(ValidationError, match="criteria.CriterionVersion:no_delete"):
        version.delete()
    statements = [
        ("UPDATE criteria_criterionversion SET threshold = 900 WHERE id = %s", version.pk),
        ("DELETE FROM criteria_criterionversion WHERE id = %s", version.pk),
        ("UPDATE criteria_source SET instrument = 'x' WHERE version_id = %s", version.pk),
        ("DELETE FROM criteria_source WHERE version_id = %s", version.pk),
        (
            "DELETE FROM criteria_criterionversion_countries WHERE criterionversion_id = %s",
            version.pk,
        ),
    ]
    for sql, pk in statements:
        with pytest.raises(DatabaseError, match="never changed or deleted"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [pk])
    # The end of the period is set once, from empty, to the date the next version takes effect
    # (what the services do); with no next version in force then, or twice, it is refused.
    ends = "criteria.CriterionVersion.effective_until:requires:next_version"
    with pytest.raises(ValidationError, match=ends):
        CriterionVersion.objects.filter(pk=version.pk).update(effective_until=dt.date(2030, 1, 1))
    with pytest.raises(DatabaseError, match=ends), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE criteria_criterionversion SET effective_until = %s WHERE id = %s",
                [dt.date(2030, 1, 1), version.pk],
            )
    CriterionVersionFactory(
        criterion=version.criterion, number=2, effective_from=dt.date(2030, 1, 1)
    )
    CriterionVersion.objects.filter(pk=version.pk).update(effective_until=dt.date(2030, 1, 1))
    once = "criteria.CriterionVersion.effective_until:set_once"
    with pytest.raises(ValidationError, match=once):
        CriterionVersion.objects.filter(pk=version.pk).update(effective_until=dt.date(2031, 1, 1))
    with pytest.raises(DatabaseError, match=once), transaction.atomic():
        CriterionVersion._base_manager.filter(pk=version.pk).update(
            effective_until=dt.date(2031, 1, 1)
        )
    version.refresh_from_db()
    assert version.threshold == Decimal("200")
    assert version.effective_until == dt.date(2030, 1, 1)
    assert list(version.countries.values_list("code", flat=True)) == ["PE"]
    assert version.sources.get().instrument == "ILO Convention No. 155"


# --- equal measures in other units are equal ------------------------------------------------


@pytest.fixture
def hours(rights, staff_user, countries, sectors):
    """At most 48 hours of work a week."""
    with at(dt.date(2026, 11, 2)):
        criterion = open_criterion(
            rights["OSH"], Criterion.Kind.MEASURE, "weekly-hours", staff_user
        )
        historical(
            criterion,
            measure_draft(
                48,
                unit="hour",
                averaging_period="week",
                effective_from=dt.date(2024, 1, 1),
            ),
            staff_user,
        )
    return criterion


@pytest.mark.parametrize(
    ("threshold", "unit", "accepted"),
    [
        ("2880", "minute", True),  # 48 hours exactly: 2,880/60 is not exact in decimal
        ("48", "hour", True),
        ("172800", "second", True),
        ("2879", "minute", True),
        ("2881", "minute", False),
        ("2880.0001", "minute", False),
    ],
)
def test_hours_and_minutes_per_week_compare_exactly(hours, threshold, unit, accepted):
    draft = measure_draft(threshold, unit=unit, averaging_period="week")
    if accepted:
        services.criterion_revision_check(criterion=hours, draft=draft)
    else:
        with pytest.raises(ValidationError, match="weaker by"):
            services.criterion_revision_check(criterion=hours, draft=draft)


@pytest.mark.parametrize(
    ("threshold", "unit", "accepted"),
    [
        ("0.2", "mg/m³", True),
        ("200", "µg/m³", True),
        ("0.0002", "g/m³", True),
        ("200000", "ng/m³", True),
        ("0.2000001", "mg/m³", False),
    ],
)
def test_mass_concentrations_compare_exactly(dust, threshold, unit, accepted):
    draft = measure_draft(
        threshold,
        unit=unit,
        all_countries=False,
        countries=["PE"],
        all_sectors=False,
        sectors=["1410"],
    )
    if accepted:
        services.criterion_revision_check(criterion=dust, draft=draft)
    else:
        with pytest.raises(ValidationError, match="weaker by"):
            services.criterion_revision_check(criterion=dust, draft=draft)


@pytest.fixture
def rest(rights, staff_user, countries, sectors):
    """At least 24 hours of rest a week."""
    with at(dt.date(2026, 11, 2)):
        criterion = open_criterion(rights["OSH"], Criterion.Kind.MEASURE, "weekly-rest", staff_user)
        historical(
            criterion,
            measure_draft(
                24,
                unit="hour",
                averaging_period="week",
                direction="at_least",
                effective_from=dt.date(2024, 1, 1),
            ),
            staff_user,
        )
    return criterion


@pytest.mark.parametrize(("value", "accepted"), [("1440", True), ("1441", False)])
def test_a_measure_equal_to_a_cited_source_in_other_units_is_accepted(rest, value, accepted):
    """The cited source says 1,440 minutes of rest a week; the measure says 24 hours: equal,
    not weaker (1,440 × 1/60 in decimal is 24.00000000000000000000000005)."""
    draft = measure_draft(
        24,
        unit="hour",
        averaging_period="week",
        direction="at_least",
        sources=[
            {
                "kind": "international_law",
                "instrument": "ILO Convention No. 14",
                "article": "2",
                "value": value,
                "unit": "minute",
            }
        ],
    )
    if accepted:
        services.criterion_revision_check(criterion=rest, draft=draft)
    else:
        with pytest.raises(ValidationError, match="less protective than a source"):
            services.criterion_revision_check(criterion=rest, draft=draft)


@pytest.fixture
def wage(rights, staff_user, countries, sectors):
    """At least 1,025 soles a month."""
    with at(dt.date(2026, 11, 2)):
        criterion = open_criterion(
            rights["WAGE"],
            Criterion.Kind.MEASURE,
            "minimum-wage",
            staff_user,
        )
        historical(
            criterion,
            measure_draft(
                1025,
                unit="PEN",
                averaging_period="month",
                direction="at_least",
                effective_from=dt.date(2024, 1, 1),
            ),
            staff_user,
        )
    return criterion


def test_a_monthly_wage_is_not_compared_with_an_annual_one(wage):
    """The reference period is not part of the unit (criteria/units.py): 12,300 soles a year
    is a different quantity from 1,025 soles a month, refused rather than converted by
    calendar time."""
    services.criterion_revision_check(
        criterion=wage,
        draft=measure_draft("1025", unit="PEN", averaging_period="month", direction="at_least"),
    )
    with pytest.raises(ValidationError, match="different quantity"):
        services.criterion_revision_check(
            criterion=wage,
            draft=measure_draft("12300", unit="PEN", averaging_period="year", direction="at_least"),
        )
