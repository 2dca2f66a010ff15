"""The clock, school years, school weeks and working days.

``today()`` is the one clock of the portal: the date in the Netherlands (tests set it by
patching ``portal.calendar.today``; code calls it as ``calendar.today()`` so that they can).
The rest are plain functions over dates, no Flask request inside, so the rules that build on
them (16 hours in 4 school weeks, the five-working-day reaction) are unit-tested without an
app.

* A school year runs from 1 August to 31 July and is named by its starting year
  (``2025`` is school year 2025-2026).
* A working day is Monday to Friday minus the Dutch public holidays as the ``holidays`` package
  knows them (New Year, Easter Monday, King's Day, Liberation Day in lustrum years, Ascension,
  Whit Monday, Christmas), optionally minus school holidays too.
* A school week is a Monday-to-Friday week that is not entirely inside a school holiday.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SCHOOL_YEAR_START_MONTH = 8


def today() -> date:
    """Today in the Netherlands (deadlines and stand-in periods are Dutch calendar days)."""
    return datetime.now(AMSTERDAM).date()


def local_now() -> datetime:
    """The time of day in the Netherlands (as a page shows it)."""
    return datetime.now(AMSTERDAM)


def school_year_of(day: date) -> int:
    """The school year (by its starting year) that ``day`` falls in."""
    return day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1


def school_year_bounds(year: int) -> tuple[date, date]:
    """First and last day of school year ``year`` (1 August to 31 July)."""
    return date(year, SCHOOL_YEAR_START_MONTH, 1), date(year + 1, SCHOOL_YEAR_START_MONTH, 1) - (
        timedelta(days=1)
    )


def school_year_label(year: int) -> str:
    return f"{year}-{year + 1}"


@lru_cache(maxsize=64)
def _dutch_public_holidays(year: int) -> dict[date, str]:
    return dict(holidays_lib.country_holidays("NL", years=year, language="nl"))


def public_holiday_name(day: date) -> str | None:
    """The Dutch name of the public holiday on ``day``, or None."""
    return _dutch_public_holidays(day.year).get(day)


def is_working_day(day: date, closed: frozenset[date] | set[date] = frozenset()) -> bool:
    """Monday to Friday, not a Dutch public holiday, not one of ``closed`` (school holidays)."""
    return day.weekday() < 5 and public_holiday_name(day) is None and day not in closed


def days_after(day: date, n: int) -> date:
    """``day`` plus ``n`` days, at most ``date.max``: a deadline of a stored date at the end
    of time (9999-12-31, saved before the forms bounded dates) stays a date, not an error."""
    try:
        return day + timedelta(days=n)
    except OverflowError:
        return date.max if n > 0 else date.min


def add_working_days(
    start: date, n: int, closed: frozenset[date] | set[date] = frozenset()
) -> date:
    """The date ``n`` working days after ``start`` (``start`` itself does not count).

    ``add_working_days(filed_on, 5)`` is the last day on which a reaction is on time.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, closed):
            remaining -= 1
    return day


def working_days_between(
    start: date, end: date, closed: frozenset[date] | set[date] = frozenset()
) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier.

    With ``deadline = add_working_days(d, 5)``, ``working_days_between(today, deadline)`` is the
    number of working days still left (0 on the deadline itself, negative when late).
    """
    if end == start:
        return 0
    sign = 1 if end > start else -1
    lo, hi = (start, end) if sign == 1 else (end, start)
    count = 0
    day = lo
    while day < hi:
        day += timedelta(days=1)
        if is_working_day(day, closed):
            count += 1
    return sign * count


def week_start(day: date) -> date:
    """The Monday of the ISO week that ``day`` is in."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class SchoolCalendar:
    """The school holidays that apply to one school (its municipality's holiday region).

    ``holidays`` are inclusive ``(start, end)`` date ranges.
    """

    holidays: tuple[tuple[date, date], ...] = ()
    _days: frozenset[date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        days: set[date] = set()
        for start, end in self.holidays:
            day = start
            while day <= end:
                days.add(day)
                day += timedelta(days=1)
        object.__setattr__(self, "_days", frozenset(days))

    @classmethod
    def from_ranges(cls, ranges: Iterable[tuple[date, date]]) -> SchoolCalendar:
        return cls(tuple(sorted(ranges)))

    @property
    def holiday_days(self) -> frozenset[date]:
        return self._days

    def is_holiday(self, day: date) -> bool:
        return day in self._days

    def is_school_day(self, day: date) -> bool:
        """A weekday that is neither a public holiday nor in a school holiday."""
        return is_working_day(day, self._days)

    def is_school_week(self, monday: date) -> bool:
        """A week counts unless all five of its weekdays fall in a school holiday."""
        return any(not self.is_holiday(monday + timedelta(days=i)) for i in range(5))

    def school_week_starts(self, start: date, end: date) -> list[date]:
        """Mondays of the school weeks that overlap ``start``..``end``."""
        monday = week_start(start)
        result = []
        while monday <= end:
            if self.is_school_week(monday):
                result.append(monday)
            monday += timedelta(weeks=1)
        return result

    def school_weeks_end(self, start: date, weeks: int) -> date:
        """Last day (Sunday) of the ``weeks`` consecutive school weeks that begin with the week of
        ``start``; holiday weeks are skipped and do not count."""
        if weeks < 1:
            raise ValueError("weeks must be at least 1")
        monday = week_start(start)
        counted = 0
        while True:
            if self.is_school_week(monday):
                counted += 1
                if counted == weeks:
                    return monday + timedelta(days=6)
            monday += timedelta(weeks=1)
