"""Counting rules for absence: when does a school have to (or should it) signal a pupil?

Plain, pure functions over dates and hours: no Flask, no database, no I/O. The callers load the
registered absence, pass it in, and decide what to show or file; the rules only count. They build
on :mod:`portal.calendar` for school days, school weeks and school years.

The rules and where they come from (see ``DOMAIN.md``, section "Absence"):

* :func:`sixteen_hours` - the legal duty to report 16 or more unauthorised hours within four
  consecutive school weeks, counted the way the national register (DUO) counts it.
* :func:`long_absence` - *langdurig relatief verzuim*: unauthorised absence on every school day
  for more than four weeks (a possible *thuiszitter*).
* :func:`late_arrival_steps` - the regional 3-6-9 rule for late arrivals.
* :func:`worrying_sick_leave` - the M@ZL approach: the 4th sick report within 12 school weeks,
  or from the 7th consecutive school day ill.
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
from dataclasses import dataclass, field
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

#: The version of these rules. Raise it when a rule counts differently: the worker (``flask
#: send-mail``) then recomputes every pupil's signals in bulk once (``signals.
#: recompute_if_rules_changed``). 2: the readings of docs/rules.md (December 2026); 3: each
#: pupil's latest signal per kind heads its row; 4: absence "nog niet verantwoord".
RULES_VERSION = 4

# --- Defaults of this region -------------------------------------------------------------------

#: Unauthorised lesson hours that oblige the school to report ("16 uur in 4 weken").
SIXTEEN_HOURS_THRESHOLD: float = 16.0
#: The number of consecutive school weeks the 16 hours are counted in.
SIXTEEN_HOURS_WEEKS = 4
#: For a pupil who stays away continuously, at most one report per this many calendar days ...
SIXTEEN_HOURS_MIN_DAYS_BETWEEN = 7
#: ... and at most this many follow-ups in one continuous run; then it is long relative absence.
SIXTEEN_HOURS_CONTINUOUS_REPEATS = 4

#: Long relative absence: unauthorised absence for MORE than this many weeks (x 7 calendar
#: days, school holidays not counted).
LONG_ABSENCE_WEEKS = 4

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
    window_end: date | None = field(default=None, compare=False)
    continuous: bool = False
    repeats: int = 0
    long_absence: bool = False


@dataclass(frozen=True)
class LongAbsenceSignal:
    """A run of unauthorised absence on every school day from ``start`` through ``last``,
    more than four weeks long on ``reached_on``; ``days`` counts its calendar days through
    ``last`` without school-holiday days."""

    start: date
    reached_on: date
    last: date
    days: int
    ongoing: bool


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
    the last one, ``episodes`` = the number of reports) or ``"long"`` (``start`` = the first
    sick day of the episode, ``end`` = its 7th school day, ``episodes`` = 1).
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
    continuous_repeats: int = SIXTEEN_HOURS_CONTINUOUS_REPEATS,
    today: date | None = None,
) -> list[SixteenHourSignal]:
    """Every moment the school has to report under the 16-hour rule, in order.

    The legal duty (Leerplichtwet art. 21), as DUO counts it: ``threshold`` or more
    unauthorised hours within a period of ``weeks`` consecutive school weeks.

    * A period begins on a day of unauthorised absence and covers ``weeks * 7`` calendar days
      from that day, extended by the school-holiday days inside it
      (:meth:`SchoolCalendar.days_end`): holiday days do not count. It ends on the day the
      hours reach the threshold; that day is the signal (DUO: "De begindatum is de 1e
      verzuimdag en de einddatum is de dag waarop de 16 uur is bereikt").
    * If the hours from a first day do not reach the threshold inside its period, the next
      absence day is the first day of the next candidate period: 16 hours inside *any* period
      of four school weeks are reported.
    * After a report counting restarts on the day after it; hours on or before it are never
      counted twice. Every later report is a follow-up (*vervolgmelding*).
    * Only a pupil who stays away *continuously* after the previous report (unauthorised
      absence on every school day since) gets at most one report per ``min_days_between``
      calendar days: hours reached earlier are reported on the first absence day on or after
      ``previous + min_days_between`` when the pupil stayed away on every school day until
      then; a pupil who came back for a school day before it is not continuous and is
      reported on the day the hours were reached. While that is not known yet (``today``
      comes first) nothing is due yet. After ``continuous_repeats`` continuous follow-ups in
      one run the periods are still counted but no longer reported (``long_absence`` is set):
      the case is long relative absence.

    Several entries for one date are summed; entries with zero or negative hours are ignored.
    Hours on a date are taken as registered, also on a day that is no school day. Without
    ``today`` the history is taken as complete.
    """
    if threshold <= 0:
        raise ValueError("threshold must be positive")
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    if min_days_between < 0:
        raise ValueError("min_days_between must not be negative")
    if continuous_repeats < 0:
        raise ValueError("continuous_repeats must not be negative")

    entries: dict[date, list[float]] = {}
    for day, hours in unauthorised:
        if hours > 0:
            entries.setdefault(day, []).append(float(hours))
    days = sorted(entries)
    totals = [math.fsum(entries[day]) for day in days]
    absent = set(days)

    def continuous(after: date, through: date) -> bool:
        """Unauthorised absence on every school day after ``after`` through ``through``."""
        day = after + timedelta(days=1)
        while day <= through:
            if calendar.is_school_day(day) and day not in absent:
                return False
            day += timedelta(days=1)
        return True

    signals: list[SixteenHourSignal] = []
    first = 0
    while first < len(days):
        window_end = calendar.days_end(days[first], weeks * 7)
        previous = signals[-1] if signals else None
        running = 0.0
        reached: int | None = None
        for index in range(first, len(days)):
            if days[index] > window_end:
                break
            running += totals[index]
            if running >= threshold - _HOURS_TOLERANCE:
                reached = index
                break
        if reached is None:
            first += 1  # the period closed without enough hours: the next absence day starts one
            continue
        is_continuous = False
        if previous is not None:
            allowed = previous.reached_on + timedelta(days=min_days_between)
            is_continuous = days[reached] >= allowed and continuous(
                previous.reached_on, days[reached]
            )
            if days[reached] < allowed:
                # Reached within 7 days of the previous report: if the pupil stays away on every
                # school day until the first absence day on or after the 7th day, that day is
                # the report; if they came back before it, the hours are reported on the day
                # they were reached; if neither is known yet, nothing is due yet.
                later = next(
                    (i for i in range(reached, len(days)) if allowed <= days[i] <= window_end),
                    None,
                )
                if later is not None and continuous(previous.reached_on, days[later]):
                    reached, is_continuous = later, True
                elif (
                    later is None
                    and today is not None
                    and today < window_end
                    and continuous(previous.reached_on, today)
                ):
                    break  # still away and the 7th day not reached yet: nothing due yet
        repeats = previous.repeats + 1 if previous is not None and is_continuous else 0
        signals.append(
            SixteenHourSignal(
                start=days[first],
                reached_on=days[reached],
                hours=math.fsum(totals[first : reached + 1]),
                days=tuple(days[first : reached + 1]),
                follow_up=previous is not None,
                window_end=window_end,
                continuous=is_continuous,
                repeats=repeats,
                long_absence=repeats > continuous_repeats,
            )
        )
        first = reached + 1  # counting restarts the day after reached_on
    return signals


# --- B) Long relative absence -------------------------------------------------------------------


def long_absence(
    unauthorised_days: Iterable[date],
    calendar: SchoolCalendar,
    today: date,
    *,
    weeks: int = LONG_ABSENCE_WEEKS,
    not_known_yet: Iterable[date] = (),
) -> list[LongAbsenceSignal]:
    """Every run of *langdurig relatief verzuim* up to ``today``, oldest first.

    DUO: "de leerling is langer dan 4 weken ongeoorloofd afwezig". A run is unauthorised
    absence on every school day from its first absence day on; a school day without it (the
    pupil came back, or was ill or suspended: authorised absence never counts) ends the run.
    Its length is counted in calendar days from the first day, school-holiday days not
    counted (weekends and public holidays do count, so they never push the signal back). The
    signal is the first absence day on which the run is MORE than ``weeks * 7`` such days
    long. ``last`` is the run's last absence day so far; ``ongoing`` whether no school day has
    ended it up to ``today``. Days in ``not_known_yet`` (absence the school has not explained
    yet, still within its term) neither count nor end a run: the pupil was away, but whether
    it was unauthorised is not known yet.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    days = sorted({day for day in unauthorised_days if day <= today})
    unknown = frozenset(not_known_yet)

    def present_between(earlier: date, later: date) -> bool:
        """A school day strictly between the two on which the pupil was not away."""
        day = earlier + timedelta(days=1)
        while day < later:
            if calendar.is_school_day(day) and day not in unknown:
                return True
            day += timedelta(days=1)
        return False

    limit = weeks * 7
    signals: list[LongAbsenceSignal] = []
    index = 0
    while index < len(days):
        start = days[index]
        end = index
        while end + 1 < len(days) and not present_between(days[end], days[end + 1]):
            end += 1
        run = days[index : end + 1]
        reached = next((d for d in run if calendar.counted_days(start, d) > limit), None)
        if reached is not None:
            ongoing = not present_between(run[-1], today + timedelta(days=1))
            signals.append(
                LongAbsenceSignal(
                    start=start,
                    reached_on=reached,
                    last=run[-1],
                    days=calendar.counted_days(start, run[-1]),
                    ongoing=ongoing,
                )
            )
        index = end + 1
    return signals


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
    the ``period`` (``"school_year"``: 1 August-31 July, or ``"month"``) are settings. Every
    occurrence counts ("9 maal te laat komen op school of in de les"): ``late_days`` holds one
    date per late arrival, a date twice for two lessons that day. Occurrences after ``today``
    are not counted yet.
    """
    checked = _checked_steps(steps)
    period_start, period_end = _counting_period(today, period)
    dates = tuple(sorted(day for day in late_days if period_start <= day <= today))
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

    * ``"frequent"``: the ``reports``-th report whose start lies inside a window of
      ``within_weeks`` weeks (``within_weeks * 7`` calendar days, school-holiday days not
      counted, :meth:`SchoolCalendar.days_end`) that begins with the start of the report
      ``reports - 1`` places earlier (NCJ: "4 keer ziekgemeld in 12 schoolweken"); every
      report that qualifies gives its own signal, reached on that report's first day.
    * ``"long"``: an episode of ``consecutive_days`` or more school days, reached on its
      ``consecutive_days``-th school day (NCJ: "vanaf de 7e aaneengesloten schooldag ziek").

    Only days on or before ``today`` count (an illness still going on is cut at ``today``).
    Signals are sorted by ``end`` (the day the signal is reached).
    """
    if reports < 1:
        raise ValueError("reports must be at least 1")
    if within_weeks < 1:
        raise ValueError("within_weeks must be at least 1")
    if consecutive_days < 1:
        raise ValueError("consecutive_days must be at least 1")

    episodes = _sick_episodes(sick_days, calendar, today)
    signals: list[SickLeaveSignal] = []

    for index in range(reports - 1, len(episodes)):
        first_start = episodes[index - (reports - 1)][0]
        this_start = episodes[index][0]
        if this_start <= calendar.days_end(first_start, within_weeks * 7):
            signals.append(SickLeaveSignal(SICK_LEAVE_FREQUENT, first_start, this_start, reports))

    for days in episodes:
        if len(days) >= consecutive_days:
            signals.append(SickLeaveSignal(SICK_LEAVE_LONG, days[0], days[consecutive_days - 1], 1))

    signals.sort(key=lambda signal: (signal.end, signal.start, signal.kind))
    return signals


def _sick_episodes(
    sick_days: Iterable[date], calendar: SchoolCalendar, today: date
) -> list[list[date]]:
    """Sick reports as the list of their sick school days, oldest first."""
    days = sorted({day for day in sick_days if day <= today and calendar.is_school_day(day)})
    episodes: list[list[date]] = []
    for day in days:
        if episodes and not _school_day_between(episodes[-1][-1], day, calendar):
            episodes[-1].append(day)
        else:
            episodes.append([day])
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


# --- G) Absence not explained yet ---------------------------------------------------------------


def school_days_after(day: date, today: date, calendar: SchoolCalendar, *, at_least: int) -> int:
    """School days after ``day`` up to and including ``today``, counted up to ``at_least``
    (enough to know whether the school's term to explain an absence has passed)."""
    count, current = 0, day
    while count < at_least and current < today:
        current += timedelta(days=1)
        if calendar.is_school_day(current):
            count += 1
    return count


def school_day_after(day: date, n: int, calendar: SchoolCalendar) -> date:
    """The ``n``-th school day after ``day`` (``day`` itself when ``n`` is 0): the day on which
    absence of ``day`` that is still not explained counts as unauthorised."""
    current, count = day, 0
    while count < n:
        current += timedelta(days=1)
        if calendar.is_school_day(current):
            count += 1
    return current


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
