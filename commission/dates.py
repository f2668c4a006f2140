"""Every statutory date of the commission is computed here, and only here.

The rule (ADR 0020, decided for the whole project):

* periods are counted in **calendar days**;
* the **trigger day is excluded**: day 1 is the day after the trigger (filing), in the
  commission's time zone (``settings.TIME_ZONE``);
* the deadline is the **end of the last day** (23:59:59.999999 local time);
* if the last day is a Saturday, a Sunday or a holiday of the commission's calendar, the
  deadline moves **earlier**, to the end of the preceding working day. A statutory period is a
  maximum ("no later than"), so it may never run long;
* nothing extends, tolls or pauses a period.

The commission's calendar is the national calendar of ``settings.COMMISSION_HOLIDAY_COUNTRY``
(the ``holidays`` package) plus the days staff enter as ``CommissionHoliday`` in the admin.

Every place that shows a due date can show its arithmetic with ``Deadline.explain()`` (English
and Spanish, following the active language).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import Clock

COUNTING_RULE = "calendar_days_trigger_excluded_end_of_day_back_to_working_day"

# How a trigger event reads in an explanation. Unknown events read "Counted from".
TRIGGER_LABELS = {
    "filed": _("Filed"),
    "complaint_filed": _("Complaint filed"),
    "petition_filed": _("Petition filed"),
    "hearing_held": _("Hearing held"),
    "order_issued": _("Order issued"),
    "notice_published": _("Notice published"),
    "sanction_imposed": _("Sanction imposed"),
}

WEEKDAY_REASONS = {5: "saturday", 6: "sunday"}
REASON_LABELS = {
    "saturday": _("Saturday"),
    "sunday": _("Sunday"),
    "holiday": _("holiday"),
}


def commission_tz(name: str | None = None) -> ZoneInfo:
    return ZoneInfo(name or settings.TIME_ZONE)


def _tz_place(tz_name: str) -> str:
    """ "America/New_York" -> "New York"."""
    return tz_name.rsplit("/", 1)[-1].replace("_", " ")


def day_start(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The first instant of a local calendar day (the real one, even across a DST change)."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    # A zone whose clocks jump at midnight has no 00:00 on that day: take the first instant
    # that exists, which is what round-tripping through UTC yields.
    return start.astimezone(dt.UTC).astimezone(tz)


def day_end(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The last instant (23:59:59.999999) of a local calendar day."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=tz)


def local_date(instant: dt.datetime, tz: ZoneInfo | None = None) -> dt.date:
    _require_aware(instant)
    return instant.astimezone(tz or commission_tz()).date()


def _require_aware(instant: dt.datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("statutory dates are computed from aware datetimes only")


@dataclass(frozen=True)
class NonWorkingDay:
    date: dt.date
    reason: str  # "saturday", "sunday" or "holiday"
    name: str = ""  # the holiday's name in English (or as staff entered it)
    name_es: str = ""

    def label(self) -> str:
        if self.reason == "holiday":
            spanish = (translation.get_language() or "").startswith("es")
            name = (self.name_es if spanish and self.name_es else self.name) or ""
            return gettext("holiday: %(name)s") % {"name": name} if name else gettext("holiday")
        return str(REASON_LABELS[self.reason])

    def as_json(self) -> dict[str, str]:
        return {
            "date": self.date.isoformat(),
            "reason": self.reason,
            "name": self.name,
            "name_es": self.name_es,
        }

    @classmethod
    def from_json(cls, data: dict[str, str]) -> NonWorkingDay:
        return cls(
            date=dt.date.fromisoformat(data["date"]),
            reason=data["reason"],
            name=data.get("name", ""),
            name_es=data.get("name_es", ""),
        )


@functools.lru_cache(maxsize=256)
def _national_holidays(country: str, year: int) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    """A country's national holidays of a year, named in English and in Spanish. Computed once
    per process: the `holidays` package builds the calendar anew at every call (about a third
    of a filing's clock arithmetic), and a year's national calendar does not change while the
    process runs (staff-entered days are read from the database at every computation)."""
    names = []
    for language in ("en_US", "es"):
        try:
            calendar = holidays_lib.country_holidays(country, years=year, language=language)
        except (NotImplementedError, KeyError, ValueError):
            calendar = holidays_lib.country_holidays(country, years=year)
        names.append(dict(calendar.items()))
    return names[0], names[1]


class HolidayCalendar:
    """The commission's non-working days: weekends, the national calendar and staff entries."""

    def __init__(
        self,
        *,
        country: str | None = None,
        extra: dict[dt.date, str] | None = None,
    ) -> None:
        self.country = country if country is not None else settings.COMMISSION_HOLIDAY_COUNTRY
        self.extra = dict(extra or {})
        self._years: set[int] = set()
        self._en: dict[dt.date, str] = {}
        self._es: dict[dt.date, str] = {}

    def _load(self, year: int) -> None:
        if year in self._years or not self.country:
            return
        self._years.add(year)
        en, es = _national_holidays(self.country, year)
        self._en.update(en)
        self._es.update(es)

    def non_working(self, day: dt.date) -> NonWorkingDay | None:
        if day in self.extra:
            return NonWorkingDay(day, "holiday", self.extra[day], self.extra[day])
        self._load(day.year)
        if day in self._en:
            return NonWorkingDay(day, "holiday", self._en[day], self._es.get(day, ""))
        if day.weekday() in WEEKDAY_REASONS:
            return NonWorkingDay(day, WEEKDAY_REASONS[day.weekday()])
        return None

    def is_working_day(self, day: dt.date) -> bool:
        return self.non_working(day) is None


def holiday_calendar() -> HolidayCalendar:
    """The commission's calendar as of now (national holidays + staff-entered days)."""
    from .models import CommissionHoliday

    extra = dict(CommissionHoliday.objects.values_list("date", "name"))
    return HolidayCalendar(extra=extra)


@dataclass(frozen=True)
class Deadline:
    """A computed statutory deadline, with everything needed to explain it."""

    trigger_at: dt.datetime
    days: int
    time_zone: str
    nominal_last_day: dt.date
    last_day: dt.date
    due_at: dt.datetime
    moved_over: tuple[NonWorkingDay, ...] = field(default=())
    counting_rule: str = COUNTING_RULE
    trigger_event: str = ""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def trigger_day(self) -> dt.date:
        return self.trigger_at.astimezone(self.tz).date()

    @property
    def day_one(self) -> dt.date:
        return self.trigger_day + dt.timedelta(days=1)

    @property
    def was_moved(self) -> bool:
        return self.last_day != self.nominal_last_day

    @property
    def moved_reason(self) -> str:
        """Why the last day moved earlier (empty when it did not), in the active language."""
        if not self.was_moved:
            return ""
        return _moved_reason(self.days, self.moved_over)

    def day_number(self, day: dt.date) -> int:
        """Which day of the period a local date is (0 = the trigger day)."""
        return (day - self.trigger_day).days

    def day_end(self, day_number: int) -> dt.datetime:
        """The end of day N of the period (no moving: used for internal checkpoints)."""
        return day_end(self.trigger_day + dt.timedelta(days=day_number), self.tz)

    def explain(self) -> str:
        """The arithmetic, in the active language, e.g. "Filed 2 March 2026, 14:10 (Lima time).
        The trigger day is not counted: day 1 is 3 March 2026 …"."""
        language = translation.get_language() or ""
        local_trigger = self.trigger_at.astimezone(self.tz)
        head = _explain_head(
            self.trigger_event,
            local_trigger.date(),
            f"{local_trigger:%H:%M}",
            self.time_zone,
            language,
        )
        tail = _explain_tail(
            self.days,
            self.day_one,
            self.nominal_last_day,
            self.last_day,
            self.moved_over,
            self.time_zone,
            language,
        )
        return f"{head} {tail}"

    def as_clock_fields(self) -> dict[str, Any]:
        return {
            "trigger_at": self.trigger_at,
            "days": self.days,
            "time_zone": self.time_zone,
            "nominal_last_day": self.nominal_last_day,
            "last_day": self.last_day,
            "due_at": self.due_at,
            "moved_over": [d.as_json() for d in self.moved_over],
            "counting_rule": self.counting_rule,
        }

    @classmethod
    def from_clock(cls, clock: Clock) -> Deadline:
        """The deadline exactly as stored on a clock (never recomputed with today's calendar)."""
        return cls(
            trigger_at=clock.trigger_at,
            days=clock.days,
            time_zone=clock.time_zone,
            nominal_last_day=clock.nominal_last_day,
            last_day=clock.last_day,
            due_at=clock.due_at,
            moved_over=tuple(NonWorkingDay.from_json(d) for d in clock.moved_over or []),
            counting_rule=clock.counting_rule,
            trigger_event=clock.trigger_event,
        )


# The explanation's two halves are cached per language: a sweep explains many clocks filed on
# the same days.
@lru_cache(maxsize=4096)
def _explain_head(
    trigger_event: str, day: dt.date, time: str, time_zone: str, language: str
) -> str:
    label = TRIGGER_LABELS.get(trigger_event)
    return gettext("%(label)s %(date)s, %(time)s (%(place)s time).") % {
        "label": str(label) if label else gettext("Counted from"),
        "date": format_day(day, weekday=False),
        "time": time,
        "place": _tz_place(time_zone),
    }


@lru_cache(maxsize=4096)
def _explain_tail(
    days: int,
    day_one: dt.date,
    nominal_last_day: dt.date,
    last_day: dt.date,
    moved_over: tuple[NonWorkingDay, ...],
    time_zone: str,
    language: str,
) -> str:
    place = _tz_place(time_zone)
    parts = [
        gettext(
            "The trigger day is not counted: day 1 is %(day_one)s; day %(days)s is %(nominal)s."
        )
        % {
            "day_one": format_day(day_one, weekday=False),
            "days": days,
            "nominal": format_day(nominal_last_day),
        }
    ]
    if last_day != nominal_last_day:
        parts.append(_moved_reason(days, moved_over))
    parts.append(
        gettext("Due by the end of %(last_day)s (23:59, %(place)s time).")
        % {"last_day": format_day(last_day), "place": place}
    )
    return " ".join(parts)


def _moved_reason(days: int, moved_over: tuple[NonWorkingDay, ...]) -> str:
    passed = "; ".join(
        f"{format_day(d.date)} ({d.label()})" for d in sorted(moved_over, key=lambda d: d.date)
    )
    return gettext(
        "Day %(days)s is not a working day, so the deadline moves earlier to the preceding "
        "working day (a statutory period may never run long). Days passed over: %(passed)s."
    ) % {"days": days, "passed": passed}


def format_day(day: dt.date, *, weekday: bool = True) -> str:
    """A date as the explanations write it ("Thursday 30 April 2026" / "jueves 30 de abril de
    2026"); the format itself is translated."""
    return _day_in(day, weekday, translation.get_language() or "")


@lru_cache(maxsize=4096)
def _day_in(day: dt.date, weekday: bool, language: str) -> str:
    # Cached per language: a sweep writes the same few dates into many notices.
    if weekday:
        return formats.date_format(day, pgettext("date with weekday", "l j F Y"))
    return formats.date_format(day, pgettext("date", "j F Y"))


def statutory_deadline(
    *,
    trigger_at: dt.datetime,
    days: int,
    calendar: HolidayCalendar | None = None,
    time_zone: str | None = None,
    trigger_event: str = "",
) -> Deadline:
    """The deadline of a period of `days` calendar days triggered at `trigger_at`."""
    _require_aware(trigger_at)
    if days < 1:
        raise ValueError("a statutory period has at least one day")
    tz_name = time_zone or settings.TIME_ZONE
    tz = ZoneInfo(tz_name)
    calendar = calendar if calendar is not None else holiday_calendar()
    trigger_day = trigger_at.astimezone(tz).date()
    nominal = trigger_day + dt.timedelta(days=days)
    last = nominal
    moved: list[NonWorkingDay] = []
    while (reason := calendar.non_working(last)) is not None:
        moved.append(reason)
        last -= dt.timedelta(days=1)
    if last <= trigger_day:
        raise ValueError("the period contains no working day after the trigger day")
    return Deadline(
        trigger_at=trigger_at,
        days=days,
        time_zone=tz_name,
        nominal_last_day=nominal,
        last_day=last,
        due_at=day_end(last, tz),
        moved_over=tuple(moved),
        trigger_event=trigger_event,
    )


def deadline_explanation(*, trigger_at: dt.datetime, days: int, **kwargs: Any) -> str:
    """The explanation of `statutory_deadline(...)` in the active language."""
    return statutory_deadline(trigger_at=trigger_at, days=days, **kwargs).explain()
