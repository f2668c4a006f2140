"""The day-counting rule (ADR 0020): calendar days, trigger day excluded, end of the last day in
the commission's time zone; a last day on a weekend or holiday moves EARLIER."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from commission.dates import (
    HolidayCalendar,
    deadline_explanation,
    holiday_calendar,
    statutory_deadline,
)
from commission.models import CommissionHoliday

LIMA = ZoneInfo("America/Lima")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
PERU = HolidayCalendar(country="PE")
NO_HOLIDAYS = HolidayCalendar(country="")


def lima(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LIMA)


def end_of(day: dt.date, tz=LIMA) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59, 999999), tzinfo=tz)


def test_plain_sixty_days_ends_at_the_end_of_day_sixty_in_lima():
    # Filed Tuesday 10 March 2026: day 1 is 11 March, day 60 is Saturday 9 May.
    deadline = statutory_deadline(trigger_at=lima(2026, 3, 10, 9, 0), days=60, calendar=PERU)
    assert deadline.nominal_last_day == dt.date(2026, 5, 9)  # a Saturday
    assert deadline.last_day == dt.date(2026, 5, 8)  # Friday
    assert deadline.due_at == end_of(dt.date(2026, 5, 8))
    assert deadline.due_at.astimezone(UTC) == dt.datetime(2026, 5, 9, 4, 59, 59, 999999, UTC)


def test_working_day_sixty_is_not_moved():
    # Filed 6 March 2026 -> day 60 is Tuesday 5 May 2026, a working day in Peru.
    deadline = statutory_deadline(trigger_at=lima(2026, 3, 6, 12, 0), days=60, calendar=PERU)
    assert deadline.last_day == deadline.nominal_last_day == dt.date(2026, 5, 5)
    assert deadline.moved_over == ()
    assert deadline.moved_reason == ""


def test_filing_at_23_59_and_00_01_local_time_fall_on_different_days():
    # 23:59 in Lima is already 04:59 the next day in UTC: the local date is what counts.
    late = statutory_deadline(trigger_at=lima(2026, 3, 5, 23, 59), days=60, calendar=PERU)
    early = statutory_deadline(trigger_at=lima(2026, 3, 6, 0, 1), days=60, calendar=PERU)
    assert late.trigger_at.astimezone(UTC).date() == dt.date(2026, 3, 6)
    assert late.day_one == dt.date(2026, 3, 6)
    assert late.last_day == dt.date(2026, 5, 4)  # Monday
    assert early.day_one == dt.date(2026, 3, 7)
    assert early.last_day == dt.date(2026, 5, 5)  # Tuesday
    assert early.due_at - late.due_at == dt.timedelta(days=1)


def test_the_same_instant_given_in_utc_counts_in_lima():
    instant = dt.datetime(2026, 3, 6, 4, 59, tzinfo=UTC)  # 23:59 on 5 March in Lima
    deadline = statutory_deadline(trigger_at=instant, days=60, calendar=PERU)
    assert deadline.last_day == dt.date(2026, 5, 4)


def test_day_sixty_on_a_holiday_moves_to_the_preceding_working_day():
    # Filed 2 March 2026: day 60 is Friday 1 May 2026, Labor Day in Peru.
    deadline = statutory_deadline(trigger_at=lima(2026, 3, 2, 14, 10), days=60, calendar=PERU)
    assert deadline.nominal_last_day == dt.date(2026, 5, 1)
    assert deadline.last_day == dt.date(2026, 4, 30)
    assert deadline.due_at == end_of(dt.date(2026, 4, 30))
    assert [(d.date, d.reason) for d in deadline.moved_over] == [(dt.date(2026, 5, 1), "holiday")]


def test_day_ninety_on_a_sunday_moves_back_over_the_weekend_to_friday():
    deadline = statutory_deadline(trigger_at=lima(2026, 3, 2, 14, 10), days=90, calendar=PERU)
    assert deadline.nominal_last_day == dt.date(2026, 5, 31)  # Sunday
    assert deadline.last_day == dt.date(2026, 5, 29)  # Friday
    assert [d.reason for d in deadline.moved_over] == ["sunday", "saturday"]


def test_a_weekend_followed_by_holy_week_moves_back_three_days():
    # Filed 3 February 2026: day 60 is Saturday 4 April; Good Friday (3) and Maundy Thursday (2)
    # are holidays in Peru, so the deadline is the end of Wednesday 1 April.
    deadline = statutory_deadline(trigger_at=lima(2026, 2, 3, 10, 0), days=60, calendar=PERU)
    assert deadline.nominal_last_day == dt.date(2026, 4, 4)
    assert deadline.last_day == dt.date(2026, 4, 1)
    assert [d.date.day for d in deadline.moved_over] == [4, 3, 2]


def test_a_day_staff_add_in_the_admin_counts_as_a_holiday(db):
    CommissionHoliday.objects.create(date=dt.date(2026, 5, 5), name="Commission retreat")
    deadline = statutory_deadline(trigger_at=lima(2026, 3, 6, 12, 0), days=60)
    assert deadline.nominal_last_day == dt.date(2026, 5, 5)
    assert deadline.last_day == dt.date(2026, 5, 4)
    assert deadline.moved_over[0].name == "Commission retreat"
    assert holiday_calendar().non_working(dt.date(2026, 5, 5)).reason == "holiday"


def test_clock_across_the_year_end():
    deadline = statutory_deadline(trigger_at=lima(2026, 11, 15, 9, 0), days=60, calendar=PERU)
    assert deadline.last_day == dt.date(2027, 1, 14)
    assert deadline.due_at.year == 2027


def test_new_years_day_moves_the_deadline_back_into_the_previous_year():
    # Filed 2 November 2026: day 60 is Friday 1 January 2027.
    deadline = statutory_deadline(trigger_at=lima(2026, 11, 2, 9, 0), days=60, calendar=PERU)
    assert deadline.nominal_last_day == dt.date(2027, 1, 1)
    assert deadline.last_day == dt.date(2026, 12, 31)
    assert deadline.due_at == end_of(dt.date(2026, 12, 31))


def test_leap_day_is_a_calendar_day_like_any_other():
    # Filed 31 December 2027 at 23:59: day 60 is Tuesday 29 February 2028.
    deadline = statutory_deadline(trigger_at=lima(2027, 12, 31, 23, 59), days=60, calendar=PERU)
    assert deadline.last_day == dt.date(2028, 2, 29)
    # One day later, day 60 is 1 March 2028 (it would be 2 March in a common year).
    after = statutory_deadline(trigger_at=lima(2028, 1, 1, 0, 1), days=60, calendar=PERU)
    assert after.last_day == dt.date(2028, 3, 1)


@override_settings(TIME_ZONE="America/New_York", COMMISSION_HOLIDAY_COUNTRY="US")
def test_dst_spring_forward_the_deadline_is_the_end_of_the_local_day_in_summer_time():
    # Filed 15 January 2026 (EST, UTC-5); day 60 is Monday 16 March 2026 (EDT, UTC-4).
    trigger = dt.datetime(2026, 1, 15, 10, 0, tzinfo=NEW_YORK)
    deadline = statutory_deadline(trigger_at=trigger, days=60, calendar=HolidayCalendar())
    assert deadline.time_zone == "America/New_York"
    assert deadline.last_day == dt.date(2026, 3, 16)
    assert deadline.due_at.utcoffset() == dt.timedelta(hours=-4)
    assert deadline.due_at.astimezone(UTC) == dt.datetime(2026, 3, 17, 3, 59, 59, 999999, UTC)
    # 60 local days, but one hour fewer of real time: the hour lost to the change.
    wall_clock = dt.timedelta(days=60, hours=13, minutes=59, seconds=59, microseconds=999999)
    elapsed = deadline.due_at.astimezone(UTC) - trigger.astimezone(UTC)
    assert elapsed == wall_clock - dt.timedelta(hours=1)


@override_settings(TIME_ZONE="America/New_York", COMMISSION_HOLIDAY_COUNTRY="US")
def test_dst_fall_back_the_ambiguous_hour_belongs_to_its_local_day():
    calendar = HolidayCalendar()
    # 1 November 2026, 01:30 happens twice in New York (EDT, then EST): same local day.
    first = dt.datetime(2026, 11, 1, 1, 30, fold=0, tzinfo=NEW_YORK)
    second = dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)
    assert second.astimezone(UTC) - first.astimezone(UTC) == dt.timedelta(hours=1)
    a = statutory_deadline(trigger_at=first, days=60, calendar=calendar)
    b = statutory_deadline(trigger_at=second, days=60, calendar=calendar)
    assert a.last_day == b.last_day == dt.date(2026, 12, 31)
    assert a.due_at.utcoffset() == dt.timedelta(hours=-5)


@override_settings(TIME_ZONE="America/New_York", COMMISSION_HOLIDAY_COUNTRY="US")
def test_dst_filing_just_before_midnight_on_the_night_clocks_change():
    calendar = HolidayCalendar()
    # Saturday 7 March 2026, 23:59 EST; the clocks jump at 02:00 on Sunday 8 March.
    trigger = dt.datetime(2026, 3, 7, 23, 59, tzinfo=NEW_YORK)
    deadline = statutory_deadline(trigger_at=trigger, days=60, calendar=calendar)
    assert deadline.day_one == dt.date(2026, 3, 8)
    assert deadline.nominal_last_day == dt.date(2026, 5, 6)
    assert deadline.last_day == dt.date(2026, 5, 6)


@override_settings(TIME_ZONE="America/New_York", COMMISSION_HOLIDAY_COUNTRY="US")
def test_the_commission_calendar_follows_the_configured_country(db):
    # Day 60 from 5 May 2026 is Saturday 4 July (Independence Day); Friday 3 July is the
    # observed holiday, so the deadline is the end of Thursday 2 July.
    deadline = statutory_deadline(
        trigger_at=dt.datetime(2026, 5, 5, 12, 0, tzinfo=NEW_YORK), days=60
    )
    assert deadline.nominal_last_day == dt.date(2026, 7, 4)
    assert deadline.last_day == dt.date(2026, 7, 2)


def test_naive_instants_and_empty_periods_are_refused():
    with pytest.raises(ValueError, match="aware"):
        statutory_deadline(trigger_at=dt.datetime(2026, 3, 2, 14, 10), days=60)  # noqa: DTZ001
    with pytest.raises(ValueError, match="at least one day"):
        statutory_deadline(trigger_at=lima(2026, 3, 2), days=0, calendar=PERU)


def test_a_period_that_would_move_onto_the_trigger_day_is_refused():
    # Friday + 1 day = Saturday; moving back would land on the filing day itself.
    with pytest.raises(ValueError, match="no working day"):
        statutory_deadline(trigger_at=lima(2026, 3, 6, 9, 0), days=1, calendar=PERU)


def test_explanation_in_english_shows_the_arithmetic():
    with translation.override("en"):
        text = deadline_explanation(trigger_at=lima(2026, 3, 2, 14, 10), days=60, calendar=PERU)
    assert "2 March 2026, 14:10 (Lima time)" in text
    assert "day 1 is 3 March 2026" in text
    assert "day 60 is Friday 1 May 2026" in text
    assert "Labor Day" in text
    assert "moves earlier" in text
    assert "Thursday 30 April 2026" in text


def test_explanation_in_spanish():
    deadline = statutory_deadline(
        trigger_at=lima(2026, 3, 2, 14, 10), days=60, calendar=PERU, trigger_event="filed"
    )
    with translation.override("es"):
        text = deadline.explain()
        reason = deadline.moved_reason
    assert "Presentado el 2 de marzo de 2026, 14:10 (hora de Lima)" in text
    assert "el día 1 es el 3 de marzo de 2026" in text
    assert "jueves 30 de abril de 2026" in text
    assert "Día del Trabajo" in reason
    assert "Labor Day" not in text


@settings(max_examples=300, deadline=None)
@given(
    trigger=st.datetimes(
        min_value=dt.datetime(2024, 1, 1),  # noqa: DTZ001
        max_value=dt.datetime(2030, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    days=st.integers(min_value=5, max_value=120),
)
def test_property_never_long_always_a_working_day_at_the_end_of_the_local_day(trigger, days):
    deadline = statutory_deadline(trigger_at=trigger, days=days, calendar=PERU)
    local_day = trigger.astimezone(LIMA).date()
    assert deadline.nominal_last_day == local_day + dt.timedelta(days=days)
    assert deadline.last_day <= deadline.nominal_last_day
    assert PERU.is_working_day(deadline.last_day)
    # Every day between the last day and the nominal day was a non-working day.
    day = deadline.last_day + dt.timedelta(days=1)
    while day <= deadline.nominal_last_day:
        assert not PERU.is_working_day(day)
        day += dt.timedelta(days=1)
    local_due = deadline.due_at.astimezone(LIMA)
    assert (local_due.date(), local_due.time()) == (deadline.last_day, dt.time.max)
    assert deadline.due_at > trigger
