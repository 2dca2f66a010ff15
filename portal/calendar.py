"""The clock, school years, school weeks and working days.

``today()`` is the one clock of the portal: the date in the Netherlands (tests set it by
patching ``portal.calendar.today``; code calls it as ``calendar.today()`` so that they can).
The rest are plain functions over dates, no Flask request inside, so the rules that build on
them (16 hours in 4 school weeks, the five-working-day reaction) are unit-tested without an
app.

* A school year runs from 1 August to 31 July and is named by its starting year
  (``2025`` is school year 2025-2026).
* A working day (for deadlines: the consultant's five working days, the school's duty to report
  without delay) is a day that is no Saturday, Sunday or general holiday of the Algemene
  termijnenwet (art. 3: New Year, Good Friday, Easter Monday, King's Day, 5 May every year,
  Ascension, Whit Monday, Christmas and Boxing Day), optionally minus school holidays too:
  :func:`general_holiday_name` holds the list and its source.
* A school day is Monday to Friday minus the public holidays on which schools close as the
  ``holidays`` package knows them (New Year, Good Friday, Easter Monday, King's Day,
  Liberation Day in lustrum years, Ascension, Whit Monday, Christmas) and minus the school's
  holidays (the beheerder's data).
* A period of weeks ("16 uur in 4 weken", the 12 weeks of MAZL) is counted in calendar days
  from its first day, school-holiday days not counted (:meth:`SchoolCalendar.days_end`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from dateutil.easter import easter

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


@lru_cache(maxsize=64)
def general_holidays(year: int) -> dict[date, str]:
    """The general holidays of the Algemene termijnenwet in ``year`` (art. 3, BWBR0002448).

    Art. 3 lid 1: "Algemeen erkende feestdagen in de zin van deze wet zijn: de Nieuwjaarsdag,
    de Christelijke tweede Paas- en Pinksterdag, de beide Kerstdagen, de Hemelvaartsdag, de dag
    waarop de verjaardag van de Koning wordt gevierd en de vijfde mei." Lid 2: "Voor de
    toepassing van deze wet wordt de Goede Vrijdag met de in het vorige lid genoemde dagen
    gelijkgesteld." King's Day is 27 April, or 26 April when the 27th is a Sunday (Wet
    vaststelling Koningsdag). 5 May counts every year, not only in lustrum years. Days that a
    decree under lid 3 adds for a few years (bridge days) are not in this list.
    """
    easter_sunday = easter(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = date(year, 4, 26)
    return {
        date(year, 1, 1): "Nieuwjaarsdag",
        easter_sunday - timedelta(days=2): "Goede Vrijdag",
        easter_sunday + timedelta(days=1): "Tweede Paasdag",
        kings_day: "Koningsdag",
        date(year, 5, 5): "Bevrijdingsdag",
        easter_sunday + timedelta(days=39): "Hemelvaartsdag",
        easter_sunday + timedelta(days=50): "Tweede Pinksterdag",
        date(year, 12, 25): "Eerste Kerstdag",
        date(year, 12, 26): "Tweede Kerstdag",
    }


def general_holiday_name(day: date) -> str | None:
    """The name of the general holiday (Algemene termijnenwet) on ``day``, or None."""
    return general_holidays(day.year).get(day)


def is_working_day(day: date, closed: frozenset[date] | set[date] = frozenset()) -> bool:
    """A day that is no Saturday, Sunday or general holiday of the Algemene termijnenwet (art.
    1 and 3), and not one of ``closed`` (school holidays): the days deadlines count."""
    return day.weekday() < 5 and general_holiday_name(day) is None and day not in closed


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
        """A weekday that is neither a public holiday on which schools close nor in a school
        holiday."""
        return day.weekday() < 5 and public_holiday_name(day) is None and day not in self._days

    def days_end(self, start: date, days: int) -> date:
        """The last day of a period of ``days`` calendar days from ``start`` (inclusive) in
        which school-holiday days do not count: the period is extended by every holiday day
        inside it ("4 weeks" = 28 days, "12 weeks" = 84 days; weekends and public holidays
        count as calendar days)."""
        if days < 1:
            raise ValueError("days must be at least 1")
        day = start
        counted = 0
        while True:
            if day not in self._days:
                counted += 1
                if counted == days:
                    return day
            day += timedelta(days=1)

    def counted_days(self, start: date, end: date) -> int:
        """Calendar days from ``start`` through ``end`` that are not school-holiday days."""
        total = (end - start).days + 1
        if total <= 0:
            return 0
        return total - sum(1 for day in self._days if start <= day <= end)
