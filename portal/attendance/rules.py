"""Counting rules for absence: when does a school have to (or should it) signal a pupil?

Plain, pure functions over dates and hours: no Flask, no database, no I/O. The callers load the
registered absence, pass it in, and decide what to show or file; the rules only count. They build
on :mod:`portal.calendar` for school days, school weeks and school years.

The rules and where they come from (see ``DOMAIN.md``, section "Absence"):

* :func:`sixteen_hours` - the legal duty to report 16 or more unauthorised hours within four
  consecutive school weeks, counted the way the national register (DUO) counts it.
* :func:`long_absence` - *langdurig relatief verzuim*: absent on every school day for more than
  four school weeks (a possible *thuiszitter*).
* :func:`late_arrival_steps` - the regional 3-6-9 rule for late arrivals.
* :func:`worrying_sick_leave` - the M@ZL approach: the 4th sick report within 12 weeks, or 7 or
  more consecutive days ill.
* :func:`weekday_patterns` - the early signal "always absent on Monday".
* :func:`is_recidivism` - absence again within a relatively short time after an earlier report.

And the rules of a registration itself: :func:`check_day` (a school day on which the pupil was
enrolled) and :func:`check_hours` (whole or half hours, within a school day).

All input iterables may be unsorted and may hold the same date more than once. The thresholds are
regional settings, so every one of them is a keyword argument; the module constants hold the
defaults of this region.
"""

from __future__ import annotations

import math
from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from portal.calendar import (
    SchoolCalendar,
    public_holiday_name,
    school_year_bounds,
    school_year_of,
)
from portal.filters import WEEKDAYS, nl_date
from portal.filters import hours as hours_text
from portal.pupils.models import Pupil
from portal.schools.models import School

# --- Defaults of this region -------------------------------------------------------------------

#: Unauthorised lesson hours that oblige the school to report ("16 uur in 4 weken").
SIXTEEN_HOURS_THRESHOLD: float = 16.0
#: The number of consecutive school weeks the 16 hours are counted in.
SIXTEEN_HOURS_WEEKS = 4
#: For a pupil who stays away continuously, at most one report per this many calendar days.
SIXTEEN_HOURS_MIN_DAYS_BETWEEN = 7

#: Long relative absence: absent on every school day for MORE than this many school weeks.
LONG_ABSENCE_WEEKS = 4
#: School days in a full school week; ``LONG_ABSENCE_WEEKS * SCHOOL_DAYS_PER_WEEK`` days is not yet
#: "more than four weeks".
SCHOOL_DAYS_PER_WEEK = 5

#: The 3-6-9 rule: inform the parents, a letter/talk with management, report to leerplicht.
LATE_ARRIVAL_STEPS: tuple[int, ...] = (3, 6, 9)
LATE_ARRIVAL_PERIOD_SCHOOL_YEAR = "school_year"
LATE_ARRIVAL_PERIOD_MONTH = "month"
LATE_ARRIVAL_PERIODS: tuple[str, ...] = (LATE_ARRIVAL_PERIOD_SCHOOL_YEAR, LATE_ARRIVAL_PERIOD_MONTH)
LATE_ARRIVAL_PERIOD = LATE_ARRIVAL_PERIOD_SCHOOL_YEAR

#: M@ZL: the 4th sick report within 12 weeks ...
SICK_LEAVE_REPORTS = 4
SICK_LEAVE_WITHIN_WEEKS = 12
#: ... or 7 or more consecutive school days ill.
SICK_LEAVE_CONSECUTIVE_DAYS = 7
SICK_LEAVE_FREQUENT = "frequent"
SICK_LEAVE_LONG = "long"

#: "Always absent on Monday": at least 3 absences on one weekday within the last 6 weeks.
WEEKDAY_PATTERN_MIN_COUNT = 3
WEEKDAY_PATTERN_WEEKS = 6

#: Recidivism: a new signal within 6 calendar months of an earlier report.
RECIDIVISM_MONTHS = 6

# Hours are floats (45- or 50-minute lessons); a sum such as 16 x 0.999... must still reach 16.
_HOURS_TOLERANCE = 1e-9


# --- Results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SixteenHourSignal:
    """One (follow-up) report of the 16-hour rule.

    ``start`` is the first absence day of the period, ``reached_on`` the absence day on which the
    threshold was reached; ``hours`` and ``days`` cover ``start`` through ``reached_on``.
    """

    start: date
    reached_on: date
    hours: float
    days: tuple[date, ...]
    follow_up: bool


@dataclass(frozen=True)
class LongAbsenceSignal:
    """An unbroken run of absence on every school day from ``start`` through ``last``."""

    start: date
    last: date
    school_days: int


@dataclass(frozen=True)
class LateArrivalStatus:
    """Late arrivals counted in the period ``period_start``..``period_end`` (up to today)."""

    count: int
    period_start: date
    period_end: date
    reached: tuple[int, ...]
    dates: tuple[date, ...]


@dataclass(frozen=True)
class SickLeaveSignal:
    """A worrying sick-leave signal (M@ZL).

    ``kind`` is ``"frequent"`` (``start`` = start of the first of the reports, ``end`` = start of
    the last one, ``episodes`` = the number of reports) or ``"long"`` (``start``/``end`` of the one
    long episode, ``episodes`` = 1).
    """

    kind: str
    start: date
    end: date
    episodes: int


@dataclass(frozen=True)
class WeekdayPattern:
    """Absences piling up on one weekday (0 = Monday ... 6 = Sunday)."""

    weekday: int
    dates: tuple[date, ...]


# --- A) 16 hours in 4 school weeks --------------------------------------------------------------


def sixteen_hours(
    unauthorised: Iterable[tuple[date, float]],
    calendar: SchoolCalendar,
    *,
    threshold: float = SIXTEEN_HOURS_THRESHOLD,
    weeks: int = SIXTEEN_HOURS_WEEKS,
    min_days_between: int = SIXTEEN_HOURS_MIN_DAYS_BETWEEN,
) -> list[SixteenHourSignal]:
    """Every moment the school has to report under the 16-hour rule, in order.

    The legal duty, as DUO counts it: ``threshold`` or more unauthorised hours within a period of
    ``weeks`` consecutive school weeks. The period begins on the first day of absence and ends on
    the day the threshold is reached. Holiday weeks are no school weeks, so they stretch the
    window: a period starting on day ``d`` may run up to ``calendar.school_weeks_end(d, weeks)``,
    the Sunday of the ``weeks``-th school week counting the week of ``d`` as the first.

    * If the hours from a first day do not reach the threshold inside that day's window, the
      start slides to the next absence day; the earliest period that reaches the threshold wins.
    * After a report counting restarts on the day after ``reached_on``; hours on or before it are
      never counted twice. Every later report is a follow-up (*vervolgmelding*).
    * A pupil who stays away continuously gets at most one report per ``min_days_between``
      calendar days: a follow-up that would be reached before ``previous.reached_on +
      min_days_between`` is instead reached on the first absence day on or after that date (still
      within its window; if the window closes first, the start slides as usual).

    Several entries for one date are summed; entries with zero or negative hours are ignored.
    Hours on a date are taken as registered, also on a day that is no school day.
    """
    if threshold <= 0:
        raise ValueError("threshold must be positive")
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    if min_days_between < 0:
        raise ValueError("min_days_between must not be negative")

    entries: dict[date, list[float]] = {}
    for day, hours in unauthorised:
        if hours > 0:
            entries.setdefault(day, []).append(float(hours))
    days = sorted(entries)
    totals = [math.fsum(entries[day]) for day in days]

    signals: list[SixteenHourSignal] = []
    first = 0
    while first < len(days):
        window_end = calendar.school_weeks_end(days[first], weeks)
        not_before = signals[-1].reached_on + timedelta(days=min_days_between) if signals else None
        reached = _reach_index(days, totals, first, window_end, threshold, not_before)
        if reached is None:
            first += 1  # the window closed without enough hours: slide the start
            continue
        signals.append(
            SixteenHourSignal(
                start=days[first],
                reached_on=days[reached],
                hours=math.fsum(totals[first : reached + 1]),
                days=tuple(days[first : reached + 1]),
                follow_up=bool(signals),
            )
        )
        first = reached + 1  # counting restarts the day after reached_on
    return signals


def _reach_index(
    days: Sequence[date],
    totals: Sequence[float],
    first: int,
    window_end: date,
    threshold: float,
    not_before: date | None,
) -> int | None:
    """Index of the absence day on which the period starting at ``days[first]`` reaches the
    threshold (not before ``not_before``), or None when its window closes first."""
    running = 0.0
    for index in range(first, len(days)):
        day = days[index]
        if day > window_end:
            return None
        running += totals[index]
        if running >= threshold - _HOURS_TOLERANCE and (not_before is None or day >= not_before):
            return index
    return None


# --- B) Long relative absence -------------------------------------------------------------------


def long_absence(
    absent_days: Iterable[date],
    calendar: SchoolCalendar,
    today: date,
    *,
    weeks: int = LONG_ABSENCE_WEEKS,
) -> LongAbsenceSignal | None:
    """The current run of absence when it is *langdurig relatief verzuim*, else None.

    The pupil must have been absent on every school day of an unbroken run that ends on the last
    school day on or before ``today``; a run that a school day without absence ended earlier is
    over. The run must last MORE than ``weeks`` school weeks, i.e. more than ``weeks * 5`` school
    days: exactly four full weeks is not yet "more than four weeks". Weekends, public holidays and
    school holidays neither break the run nor count; absence registered on them is ignored.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    absent = {day for day in absent_days if day <= today and calendar.is_school_day(day)}
    if not absent:
        return None
    earliest = min(absent)

    last = today
    while not calendar.is_school_day(last):
        last -= timedelta(days=1)
        if last < earliest:
            return None

    start: date | None = None
    count = 0
    day = last
    while day >= earliest:
        if calendar.is_school_day(day):
            if day not in absent:
                break  # a school day with the pupil present ends the run
            start = day
            count += 1
        day -= timedelta(days=1)

    if start is None or count <= weeks * SCHOOL_DAYS_PER_WEEK:
        return None
    return LongAbsenceSignal(start=start, last=last, school_days=count)


# --- C) Late arrivals: 3-6-9 ---------------------------------------------------------------------


def late_arrival_steps(
    late_days: Iterable[date],
    today: date,
    *,
    steps: Sequence[int] = LATE_ARRIVAL_STEPS,
    period: str = LATE_ARRIVAL_PERIOD,
) -> LateArrivalStatus:
    """Late arrivals so far in the counting period that contains ``today``, and the steps reached.

    The regional 3-6-9 rule: at the 3rd late arrival the school informs the parents, at the 6th
    there is a letter/talk with management, at the 9th the school reports to leerplicht. Other
    regions use 3-6-9-12(-15) and count per month instead of per school year, so the steps and
    the ``period`` (``"school_year"``: 1 August-31 July, or ``"month"``) are settings. Each day
    counts once; days after ``today`` are not counted yet.
    """
    checked = _checked_steps(steps)
    period_start, period_end = _counting_period(today, period)
    dates = tuple(sorted({day for day in late_days if period_start <= day <= today}))
    count = len(dates)
    return LateArrivalStatus(
        count=count,
        period_start=period_start,
        period_end=period_end,
        reached=tuple(step for step in checked if step <= count),
        dates=dates,
    )


def _checked_steps(steps: Sequence[int]) -> tuple[int, ...]:
    values = tuple(steps)
    if not values:
        raise ValueError("steps must not be empty")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"steps must be positive integers, got {value!r}")
    if any(later <= earlier for earlier, later in pairwise(values)):
        raise ValueError("steps must be strictly increasing")
    return values


def _counting_period(today: date, period: str) -> tuple[date, date]:
    if period == LATE_ARRIVAL_PERIOD_SCHOOL_YEAR:
        return school_year_bounds(school_year_of(today))
    if period == LATE_ARRIVAL_PERIOD_MONTH:
        last_day = monthrange(today.year, today.month)[1]
        return today.replace(day=1), today.replace(day=last_day)
    raise ValueError(f"unknown counting period {period!r}; use one of {LATE_ARRIVAL_PERIODS}")


# --- D) Worrying sick leave (M@ZL) ---------------------------------------------------------------


def worrying_sick_leave(
    sick_days: Iterable[date],
    calendar: SchoolCalendar,
    today: date,
    *,
    reports: int = SICK_LEAVE_REPORTS,
    within_weeks: int = SICK_LEAVE_WITHIN_WEEKS,
    consecutive_days: int = SICK_LEAVE_CONSECUTIVE_DAYS,
) -> list[SickLeaveSignal]:
    """Sick leave worth a talk and a youth-doctor consult, by the M@ZL approach.

    A sick report (episode) is a maximal run of sick school days with only non-school days
    between them: ill on Friday and again on Monday is one report, and a public holiday such as
    King's Day inside an illness does not split it. Sick days that are no school day are ignored.

    * ``"frequent"``: the ``reports``-th report whose start lies within ``within_weeks * 7`` days
      (inclusive) of the start of the report ``reports - 1`` places earlier; every report that
      qualifies gives its own signal.
    * ``"long"``: an episode of ``consecutive_days`` or more school days.

    Only days on or before ``today`` count (an illness still going on is cut at ``today``).
    Signals are sorted by ``end``.
    """
    if reports < 1:
        raise ValueError("reports must be at least 1")
    if within_weeks < 0:
        raise ValueError("within_weeks must not be negative")
    if consecutive_days < 1:
        raise ValueError("consecutive_days must be at least 1")

    episodes = _sick_episodes(sick_days, calendar, today)
    signals: list[SickLeaveSignal] = []

    span = timedelta(days=within_weeks * 7)
    for index in range(reports - 1, len(episodes)):
        first_start = episodes[index - (reports - 1)][0]
        this_start = episodes[index][0]
        if this_start - first_start <= span:
            signals.append(SickLeaveSignal(SICK_LEAVE_FREQUENT, first_start, this_start, reports))

    for start, end, school_days in episodes:
        if school_days >= consecutive_days:
            signals.append(SickLeaveSignal(SICK_LEAVE_LONG, start, end, 1))

    signals.sort(key=lambda signal: (signal.end, signal.start, signal.kind))
    return signals


def _sick_episodes(
    sick_days: Iterable[date], calendar: SchoolCalendar, today: date
) -> list[tuple[date, date, int]]:
    """Sick reports as ``(start, end, school_days)``, oldest first."""
    days = sorted({day for day in sick_days if day <= today and calendar.is_school_day(day)})
    episodes: list[tuple[date, date, int]] = []
    for day in days:
        if episodes and not _school_day_between(episodes[-1][1], day, calendar):
            start, _end, count = episodes[-1]
            episodes[-1] = (start, day, count + 1)
        else:
            episodes.append((day, day, 1))
    return episodes


def _school_day_between(earlier: date, later: date, calendar: SchoolCalendar) -> bool:
    """Whether a school day lies strictly between ``earlier`` and ``later``."""
    day = earlier + timedelta(days=1)
    while day < later:
        if calendar.is_school_day(day):
            return True
        day += timedelta(days=1)
    return False


# --- E) Weekday patterns --------------------------------------------------------------------------


def weekday_patterns(
    absent_days: Iterable[date],
    today: date,
    *,
    min_count: int = WEEKDAY_PATTERN_MIN_COUNT,
    weeks: int = WEEKDAY_PATTERN_WEEKS,
) -> list[WeekdayPattern]:
    """Weekdays on which the pupil is strikingly often absent: an early signal.

    "Always sick on Monday" is a pattern the school should notice before any threshold is
    reached. Looks at the distinct absence days in the ``weeks * 7`` days ending on ``today``
    (``today - weeks * 7 + 1`` through ``today``) and returns every weekday with at least
    ``min_count`` of them, sorted by weekday (0 = Monday).
    """
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    first = today - timedelta(days=weeks * 7 - 1)
    by_weekday: dict[int, set[date]] = {}
    for day in absent_days:
        if first <= day <= today:
            by_weekday.setdefault(day.weekday(), set()).add(day)
    return [
        WeekdayPattern(weekday=weekday, dates=tuple(sorted(dates)))
        for weekday, dates in sorted(by_weekday.items())
        if len(dates) >= min_count
    ]


# --- F) Recidivism -------------------------------------------------------------------------------


def is_recidivism(
    signal_on: date,
    earlier_reports: Iterable[date],
    *,
    months: int = RECIDIVISM_MONTHS,
) -> bool:
    """Whether absence happens again within a relatively short time after an earlier report.

    True when a report strictly before ``signal_on`` lies on or after the same day-of-month
    ``months`` calendar months earlier (the day clamped to the end of a shorter month: 31 August
    minus 6 months is 28 or 29 February). School-year boundaries play no part: recidivism counts
    across school years too. A report on ``signal_on`` itself is the current one, not an earlier.
    """
    if months < 0:
        raise ValueError("months must not be negative")
    cutoff = _months_before(signal_on, months)
    return any(cutoff <= report < signal_on for report in earlier_reports)


def _months_before(day: date, months: int) -> date:
    """``day`` minus ``months`` calendar months, the day clamped to the month's last day."""
    index = day.year * 12 + (day.month - 1) - months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


# --- A registration ------------------------------------------------------------------------------


def check_day(
    pupil: Pupil, day: date, calendar: SchoolCalendar, today: date, *, allow_future: bool = False
) -> str | None:
    """Why ``day`` cannot hold a registration for ``pupil``, or None."""
    if day > today and not allow_future:
        return "Deze datum ligt in de toekomst. Alleen verleend verlof kunt u vooruit registreren."
    if pupil.enrolled_on and day < pupil.enrolled_on:
        enrolled = nl_date(pupil.enrolled_on)
        return f"De leerling stond toen nog niet ingeschreven (ingeschreven op {enrolled})."
    if pupil.left_on and day > pupil.left_on:
        return f"De leerling is uitgeschreven op {nl_date(pupil.left_on)}."
    if day.weekday() >= 5:
        return f"Op {WEEKDAYS[day.weekday()]} is er geen school."
    holiday = public_holiday_name(day)
    if holiday:
        return f"{nl_date(day)} is een feestdag ({holiday}): geen schooldag."
    if calendar.is_holiday(day):
        return f"{nl_date(day)} valt in een schoolvakantie."
    return None


def check_hours(hours: Decimal, other_hours_that_day: Decimal, max_hours: Decimal) -> str | None:
    """Why ``hours`` cannot be registered on a day that already holds ``other_hours_that_day``."""
    if hours <= 0:
        return "Vul een aantal uren groter dan 0 in."
    if hours * 2 != int(hours * 2):
        return "Vul hele of halve uren in, bijvoorbeeld 2 of 1,5."
    total = hours + other_hours_that_day
    if total > max_hours:
        return (
            f"Een schooldag heeft hoogstens {hours_text(max_hours)} uur; met deze registratie "
            f"komt deze dag op {hours_text(total)} uur."
        )
    return None


def hours_unit(school: School) -> str:
    """Primary and special schools count clock hours, the others lesson hours."""
    return "klokuren" if school.school_type.counts_clock_hours else "lesuren"
