"""Each counting rule against a second, deliberately plain implementation of its text.

The references below are written from ``docs/rules.md`` (the DUO, NCJ and Algemene termijnenwet
texts), not from ``portal/attendance/rules.py``: they walk the calendar day by day and try
every possible period, where the portal's rules jump from absence day to absence day. Hypothesis
draws random histories (runs of absence and presence over holidays and public holidays, several
kinds of absence, two lessons late on one day) and the two must agree on every signal.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.attendance.rules import (
    late_arrival_steps,
    long_absence,
    sixteen_hours,
    worrying_sick_leave,
)
from portal.calendar import (
    SchoolCalendar,
    add_working_days,
    general_holiday_name,
    public_holiday_name,
)

ONE = timedelta(days=1)
FIRST = date(2026, 8, 31)  # a Monday: the first school day of 2026-2027 in region Midden
MIDDEN_2026 = [
    (date(2026, 10, 17), date(2026, 10, 25)),
    (date(2026, 12, 19), date(2027, 1, 3)),
    (date(2027, 2, 20), date(2027, 2, 28)),
    (date(2027, 4, 24), date(2027, 5, 2)),
]
CALENDARS = [SchoolCalendar(), SchoolCalendar.from_ranges(MIDDEN_2026)]


# --- The references, from the rule text ---------------------------------------------------------


def ref_is_school_day(day: date, holidays: set[date]) -> bool:
    return day.weekday() < 5 and public_holiday_name(day) is None and day not in holidays


def ref_period_end(start: date, days: int, holidays: set[date]) -> date:
    """``days`` calendar days from ``start``; a school-holiday day does not count."""
    counted, day = 0, start
    while True:
        if day not in holidays:
            counted += 1
            if counted == days:
                return day
        day += ONE


def ref_continuous(after: date, through: date, absent: set[date], holidays: set[date]) -> bool:
    """Unauthorised absence on every school day after ``after`` through ``through``."""
    day = after + ONE
    while day <= through:
        if ref_is_school_day(day, holidays) and day not in absent:
            return False
        day += ONE
    return True


def ref_sixteen_hours(
    entries: list[tuple[date, float]], holidays: set[date], today: date, threshold: float = 16
) -> list[tuple[date, date, bool, bool]]:
    """(first day, reached on, follow-up, reported) for every period, day by day.

    On each calendar day that has unauthorised hours: is there a first absence day after the
    last report whose 28-day period (holiday days not counted) still holds today and whose
    hours up to today are 16 or more? Then today is the signal. Within 7 days of the previous
    report, a pupil who stays away on every school day is reported on the first absence day
    from the 7th day on (in the period); one who came back before it today; while neither is
    known yet, nothing. The 5th repeat in one continuous run is not reported.
    """
    hours: dict[date, float] = defaultdict(float)
    for day, value in entries:
        if value > 0 and day <= today:
            hours[day] += value
    if not hours:
        return []
    absent = set(hours)
    result: list[tuple[date, date, bool, bool]] = []
    previous: date | None = None
    repeats = 0
    day, last = min(absent), max(absent)
    while day <= last:
        fired: date | None = None
        if day in absent:
            for start in sorted(d for d in absent if d <= day):
                if previous is not None and start <= previous:
                    continue
                period_end = ref_period_end(start, 28, holidays)
                if day > period_end:
                    continue
                if sum(hours[d] for d in absent if start <= d <= day) < threshold - 1e-9:
                    continue
                fired = day
                continuous = previous is not None and ref_continuous(
                    previous, day, absent, holidays
                )
                if previous is not None and (day - previous).days < 7:
                    allowed = previous + timedelta(days=7)
                    later = min((d for d in absent if allowed <= d <= period_end), default=None)
                    if later is not None and ref_continuous(previous, later, absent, holidays):
                        fired = later
                    elif (
                        later is None
                        and today < period_end
                        and ref_continuous(previous, today, absent, holidays)
                    ):
                        return result  # nothing due yet
                    else:
                        continuous = False  # back at school before the 7th day
                repeats = repeats + 1 if continuous else 0
                result.append((start, fired, previous is not None, repeats <= 4))
                previous = fired
                break
        day = fired + ONE if fired is not None else day + ONE
    return result


def ref_long_absence(
    absent_days: list[date], holidays: set[date], today: date
) -> list[tuple[date, date, bool]]:
    """(first day, reached on, still away) of every run longer than 28 days, day by day."""
    absent = {d for d in absent_days if d <= today}
    if not absent:
        return []
    result: list[tuple[date, date, bool]] = []
    start: date | None = None
    signalled = False
    day = min(absent)
    while day <= today:
        if day in absent:
            if start is None:
                start, signalled = day, False
            counted = sum(
                1 for i in range((day - start).days + 1) if start + i * ONE not in holidays
            )
            if counted > 28 and not signalled:
                result.append((start, day, True))
                signalled = True
        elif ref_is_school_day(day, holidays) and start is not None:
            if signalled:
                result[-1] = (result[-1][0], result[-1][1], False)
            start = None
        day += ONE
    return result


def ref_sick_leave(
    sick_days: list[date], holidays: set[date], today: date
) -> list[tuple[str, date, date]]:
    """(kind, start, reached on) of every MAZL signal, day by day."""
    sick = {d for d in sick_days if d <= today and ref_is_school_day(d, holidays)}
    if not sick:
        return []
    starts: list[date] = []
    result: list[tuple[str, date, date]] = []
    in_illness, count = False, 0
    day = min(sick)
    while day <= today:
        if ref_is_school_day(day, holidays):
            if day in sick:
                if not in_illness:
                    in_illness, count = True, 0
                    starts.append(day)
                    if len(starts) >= 4 and day <= ref_period_end(starts[-4], 84, holidays):
                        result.append(("frequent", starts[-4], day))
                count += 1
                if count == 7:
                    result.append(("long", starts[-1], day))
            else:
                in_illness = False
        day += ONE
    return sorted(result, key=lambda r: (r[2], r[1], r[0]))


# --- Random histories ---------------------------------------------------------------------------

HOURS = st.sampled_from([0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])


@st.composite
def histories(draw: st.DrawFn) -> tuple[SchoolCalendar, list[tuple[date, float]], date]:
    """Runs of absent and present school days from a random first day, with some hours on
    the odd day off (a registration on a holiday is taken as registered)."""
    calendar = draw(st.sampled_from(CALENDARS))
    day = FIRST + timedelta(days=draw(st.integers(0, 60)))
    entries: list[tuple[date, float]] = []
    for _ in range(draw(st.integers(1, 8))):
        absent = draw(st.booleans())
        length = draw(st.integers(1, 25))
        hours = draw(HOURS)
        varied = draw(st.booleans())
        taken = 0
        while taken < length:
            if calendar.is_school_day(day):
                taken += 1
                if absent:
                    entries.append((day, draw(HOURS) if varied else hours))
            day += ONE
    for _ in range(draw(st.integers(0, 2))):
        entries.append((FIRST + timedelta(days=draw(st.integers(0, 150))), draw(HOURS)))
    return calendar, entries, day


@settings(max_examples=300, deadline=None)
@given(histories(), st.sampled_from([8.0, 16.0]), st.integers(0, 20))
def test_sixteen_hours_agrees_with_the_day_by_day_reference(
    history: tuple[SchoolCalendar, list[tuple[date, float]], date], threshold: float, back: int
) -> None:
    calendar, entries, end = history
    today = end - timedelta(days=back)
    known = [(d, h) for d, h in entries if d <= today]
    portal = [
        (s.start, s.reached_on, s.follow_up, not s.long_absence)
        for s in sixteen_hours(known, calendar, threshold=threshold, today=today)
    ]
    assert portal == ref_sixteen_hours(entries, set(calendar.holiday_days), today, threshold)


@settings(max_examples=300, deadline=None)
@given(histories(), st.integers(0, 30))
def test_long_absence_agrees_with_the_day_by_day_reference(
    history: tuple[SchoolCalendar, list[tuple[date, float]], date], back: int
) -> None:
    calendar, entries, end = history
    today = end - timedelta(days=back)
    days = [d for d, _ in entries]
    portal = [(r.start, r.reached_on, r.ongoing) for r in long_absence(days, calendar, today)]
    assert portal == ref_long_absence(days, set(calendar.holiday_days), today)


@settings(max_examples=300, deadline=None)
@given(histories())
def test_sick_leave_agrees_with_the_day_by_day_reference(
    history: tuple[SchoolCalendar, list[tuple[date, float]], date],
) -> None:
    calendar, entries, end = history
    days = [d for d, _ in entries]
    portal = [(s.kind, s.start, s.end) for s in worrying_sick_leave(days, calendar, end)]
    assert portal == ref_sick_leave(days, set(calendar.holiday_days), end)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 330), max_size=40), st.integers(0, 330))
def test_late_arrivals_count_every_occurrence(offsets: list[int], today_offset: int) -> None:
    late = [FIRST + timedelta(days=o) for o in offsets]  # the same day twice: two lessons
    today = FIRST + timedelta(days=today_offset)
    status = late_arrival_steps(late, today)
    expected = sum(1 for d in late if date(2026, 8, 1) <= d <= today)
    assert status.count == expected
    assert status.reached == tuple(step for step in (3, 6, 9) if step <= expected)


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2024, 1, 1), date(2028, 12, 31)), st.integers(0, 15))
def test_deadlines_skip_weekends_and_the_general_holidays(start: date, n: int) -> None:
    deadline = add_working_days(start, n)
    day, counted = start, 0
    while day < deadline:
        day += ONE
        if day.weekday() < 5 and general_holiday_name(day) is None:
            counted += 1
    assert counted == n
    if n:
        assert deadline.weekday() < 5 and general_holiday_name(deadline) is None
