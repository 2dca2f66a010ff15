"""The absence counting rules: edges chosen so that an off-by-one fails.

Real 2026/2027 dates; every date that matters is checked for its weekday via ``day()``.
"""

from datetime import date, timedelta

import pytest

from portal.attendance.rules import (
    LATE_ARRIVAL_STEPS,
    LONG_ABSENCE_WEEKS,
    RECIDIVISM_MONTHS,
    SICK_LEAVE_CONSECUTIVE_DAYS,
    SICK_LEAVE_REPORTS,
    SICK_LEAVE_WITHIN_WEEKS,
    SIXTEEN_HOURS_MIN_DAYS_BETWEEN,
    SIXTEEN_HOURS_THRESHOLD,
    SIXTEEN_HOURS_WEEKS,
    WEEKDAY_PATTERN_MIN_COUNT,
    WEEKDAY_PATTERN_WEEKS,
    LateArrivalStatus,
    LongAbsenceSignal,
    SickLeaveSignal,
    SixteenHourSignal,
    WeekdayPattern,
    is_recidivism,
    late_arrival_steps,
    long_absence,
    sixteen_hours,
    weekday_patterns,
    worrying_sick_leave,
)
from portal.calendar import SchoolCalendar

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

NO_HOLIDAYS = SchoolCalendar()
AUTUMN_2026 = SchoolCalendar.from_ranges([(date(2026, 10, 17), date(2026, 10, 25))])
CHRISTMAS_2026 = SchoolCalendar.from_ranges([(date(2026, 12, 19), date(2027, 1, 3))])


def day(iso: str, weekday: str) -> date:
    """A date that must fall on ``weekday`` (guards the tests against a wrong calendar guess)."""
    result = date.fromisoformat(iso)
    assert WEEKDAYS[result.weekday()] == weekday, f"{iso} is a {WEEKDAYS[result.weekday()]}"
    return result


def school_days(calendar: SchoolCalendar, first: date, last: date) -> list[date]:
    """Every school day from ``first`` through ``last``."""
    result = []
    current = first
    while current <= last:
        if calendar.is_school_day(current):
            result.append(current)
        current += timedelta(days=1)
    return result


def test_reference_weekdays() -> None:
    assert day("2026-11-23", "Mon") == date(2026, 11, 23)
    with pytest.raises(AssertionError):
        day("2026-11-23", "Tue")


def test_region_defaults() -> None:
    assert SIXTEEN_HOURS_THRESHOLD == 16
    assert SIXTEEN_HOURS_WEEKS == 4
    assert SIXTEEN_HOURS_MIN_DAYS_BETWEEN == 7
    assert LONG_ABSENCE_WEEKS == 4
    assert LATE_ARRIVAL_STEPS == (3, 6, 9)
    assert (SICK_LEAVE_REPORTS, SICK_LEAVE_WITHIN_WEEKS, SICK_LEAVE_CONSECUTIVE_DAYS) == (4, 12, 7)
    assert (WEEKDAY_PATTERN_MIN_COUNT, WEEKDAY_PATTERN_WEEKS) == (3, 6)
    assert RECIDIVISM_MONTHS == 6


# --- A) 16 hours in 4 school weeks --------------------------------------------------------------


def test_sixteen_hours_nothing_registered() -> None:
    assert sixteen_hours([], NO_HOLIDAYS) == []


def test_sixteen_hours_exactly_sixteen_is_reached() -> None:
    mon, tue = day("2026-11-02", "Mon"), day("2026-11-03", "Tue")
    assert sixteen_hours([(mon, 8.0), (tue, 8.0)], NO_HOLIDAYS) == [
        SixteenHourSignal(start=mon, reached_on=tue, hours=16.0, days=(mon, tue), follow_up=False)
    ]


def test_sixteen_hours_fifteen_and_a_half_is_not() -> None:
    mon, tue = day("2026-11-02", "Mon"), day("2026-11-03", "Tue")
    assert sixteen_hours([(mon, 8.0), (tue, 7.5)], NO_HOLIDAYS) == []


def test_sixteen_hours_fractional_lessons_add_up_to_sixteen() -> None:
    # 24 lessons of 40 minutes = 16 hours, although 24 x (2/3) is not exact in floating point.
    start = day("2026-11-02", "Mon")
    entries = [(start, 2 / 3)] * 24
    [signal] = sixteen_hours(entries, NO_HOLIDAYS)
    assert signal.reached_on == start
    assert signal.hours == pytest.approx(16)


def test_sixteen_hours_unsorted_duplicates_and_non_positive_entries() -> None:
    mon, tue = day("2026-11-02", "Mon"), day("2026-11-03", "Tue")
    entries = [(tue, 4.0), (mon, 4.0), (tue, 4.0), (mon, 4.0), (mon, 0.0), (mon, -2.0)]
    # Summed per date; the -2 is ignored (otherwise only 14 hours).
    assert sixteen_hours(entries, NO_HOLIDAYS) == [
        SixteenHourSignal(start=mon, reached_on=tue, hours=16.0, days=(mon, tue), follow_up=False)
    ]


def test_sixteen_hours_zero_hour_entry_is_no_absence_day() -> None:
    mon, wed, thu = day("2026-11-02", "Mon"), day("2026-11-04", "Wed"), day("2026-11-05", "Thu")
    [signal] = sixteen_hours([(mon, 0.0), (wed, 8.0), (thu, 8.0)], NO_HOLIDAYS)
    assert signal.start == wed
    assert signal.days == (wed, thu)


@pytest.mark.parametrize(
    "first",
    [day("2026-11-02", "Mon"), day("2026-11-04", "Wed"), day("2026-11-06", "Fri")],
)
def test_sixteen_hours_period_is_28_days_from_the_first_absence_day(first: date) -> None:
    # Not the Monday of its week: the period runs 28 calendar days from the first day itself.
    last = first + timedelta(days=27)
    assert NO_HOLIDAYS.days_end(first, 28) == last
    [signal] = sixteen_hours([(first, 8.0), (last, 8.0)], NO_HOLIDAYS)
    assert (signal.start, signal.reached_on, signal.hours) == (first, last, 16.0)
    assert sixteen_hours([(first, 8.0), (last + timedelta(days=1), 8.0)], NO_HOLIDAYS) == []


def test_sixteen_hours_period_starting_on_a_friday_runs_to_the_thursday_four_weeks_on() -> None:
    friday, thursday = day("2026-11-06", "Fri"), day("2026-12-03", "Thu")
    [signal] = sixteen_hours([(friday, 8.0), (thursday, 8.0)], NO_HOLIDAYS)
    assert signal.reached_on == thursday
    assert sixteen_hours([(friday, 8.0), (day("2026-12-04", "Fri"), 8.0)], NO_HOLIDAYS) == []


def test_sixteen_hours_autumn_holiday_days_extend_the_period() -> None:
    first = day("2026-10-05", "Mon")
    # 28 days to Sunday 1 November, plus the 9 holiday days of 17-25 October: Tuesday 10 Nov.
    assert AUTUMN_2026.days_end(first, 28) == day("2026-11-10", "Tue")
    entries = [(first, 8.0), (day("2026-11-10", "Tue"), 8.0)]
    [signal] = sixteen_hours(entries, AUTUMN_2026)
    assert signal.reached_on == day("2026-11-10", "Tue")
    assert signal.window_end == day("2026-11-10", "Tue")
    assert sixteen_hours(entries, NO_HOLIDAYS) == []
    late = [(first, 8.0), (day("2026-11-11", "Wed"), 8.0)]
    assert sixteen_hours(late, AUTUMN_2026) == []


def test_sixteen_hours_christmas_holiday_extends_the_period_by_sixteen_days() -> None:
    first = day("2026-12-07", "Mon")
    # 28 days to Sunday 3 January, plus 19 December-3 January (16 days): Tuesday 19 January.
    assert CHRISTMAS_2026.days_end(first, 28) == day("2027-01-19", "Tue")
    last = day("2027-01-19", "Tue")
    [signal] = sixteen_hours([(first, 8.0), (last, 8.0)], CHRISTMAS_2026)
    assert (signal.start, signal.reached_on) == (first, last)
    assert sixteen_hours([(first, 8.0), (day("2027-01-20", "Wed"), 8.0)], CHRISTMAS_2026) == []
    assert sixteen_hours([(first, 8.0), (last, 8.0)], NO_HOLIDAYS) == []


def test_sixteen_hours_start_slides_to_the_next_absence_day() -> None:
    first, second, late = (
        day("2026-11-02", "Mon"),
        day("2026-11-09", "Mon"),
        day("2026-11-30", "Mon"),
    )
    # From 2 Nov only 12 hours fall inside the period (to 29 Nov); from 9 Nov (to 6 Dec)
    # 6 + 10 = 16 hours.
    entries = [(first, 6.0), (second, 6.0), (late, 10.0)]
    assert sixteen_hours(entries, NO_HOLIDAYS) == [
        SixteenHourSignal(
            start=second, reached_on=late, hours=16.0, days=(second, late), follow_up=False
        )
    ]


def test_sixteen_hours_earliest_period_wins() -> None:
    # Both 2 Nov and 4 Nov would reach 16 hours on 5 Nov; the period starts on the first day.
    mon, wed, thu = day("2026-11-02", "Mon"), day("2026-11-04", "Wed"), day("2026-11-05", "Thu")
    [signal] = sixteen_hours([(mon, 1.0), (wed, 7.0), (thu, 9.0)], NO_HOLIDAYS)
    assert (signal.start, signal.reached_on, signal.hours) == (mon, thu, 17.0)
    assert signal.days == (mon, wed, thu)


def test_sixteen_hours_restart_the_day_after_reached_on_and_follow_up() -> None:
    mon, tue = day("2026-11-02", "Mon"), day("2026-11-03", "Tue")
    later_wed, later_thu = day("2026-11-18", "Wed"), day("2026-11-19", "Thu")
    entries = [(mon, 10.0), (tue, 10.0), (later_wed, 12.0)]
    # The 4 hours over the threshold on 3 Nov are not carried over: 12 hours are not enough.
    [first] = sixteen_hours(entries, NO_HOLIDAYS)
    assert first == SixteenHourSignal(mon, tue, 20.0, (mon, tue), False)

    first_again, second = sixteen_hours([*entries, (later_thu, 4.0)], NO_HOLIDAYS)
    assert first_again == first
    assert second == SixteenHourSignal(later_wed, later_thu, 16.0, (later_wed, later_thu), True)


def test_sixteen_hours_hours_of_reached_on_are_not_reused() -> None:
    mon, tue, wed = day("2026-11-02", "Mon"), day("2026-11-03", "Tue"), day("2026-11-04", "Wed")
    # 3 Nov completes the first report; the next period can only start on 4 Nov.
    signals = sixteen_hours([(mon, 8.0), (tue, 16.0), (wed, 8.0)], NO_HOLIDAYS)
    assert [(s.start, s.reached_on) for s in signals] == [(mon, tue)]


def test_sixteen_hours_continuous_absence_at_most_one_report_per_seven_days() -> None:
    first, last = day("2026-11-02", "Mon"), day("2026-11-20", "Fri")
    entries = [(d, 8.0) for d in school_days(NO_HOLIDAYS, first, last)]
    assert len(entries) == 15
    signals = sixteen_hours(entries, NO_HOLIDAYS, today=last)
    assert [(s.start, s.reached_on, s.hours, s.follow_up) for s in signals] == [
        (first, day("2026-11-03", "Tue"), 16.0, False),
        # 16 hours on Thursday 5 Nov, but away every day: not before Tuesday 10 Nov.
        (day("2026-11-04", "Wed"), day("2026-11-10", "Tue"), 40.0, True),
        (day("2026-11-11", "Wed"), day("2026-11-17", "Tue"), 40.0, True),
        # 18-20 Nov: 24 hours, but the next report may only come on 24 Nov.
    ]
    assert [(s.continuous, s.repeats) for s in signals] == [(False, 0), (True, 1), (True, 2)]
    assert signals[1].days == tuple(
        school_days(NO_HOLIDAYS, day("2026-11-04", "Wed"), day("2026-11-10", "Tue"))
    )


def test_sixteen_hours_continuous_absence_at_most_four_repeats_then_long_absence() -> None:
    first, last = day("2026-11-02", "Mon"), day("2026-12-18", "Fri")
    entries = [(d, 8.0) for d in school_days(NO_HOLIDAYS, first, last)]
    signals = sixteen_hours(entries, NO_HOLIDAYS, today=last)
    reported = [s for s in signals if not s.long_absence]
    assert [s.repeats for s in reported] == [0, 1, 2, 3, 4]
    assert all(s.long_absence for s in signals[5:]) and len(signals) > 5


def test_sixteen_hours_a_pupil_back_for_one_day_is_reported_when_the_hours_are_reached() -> None:
    mon, tue, wed = day("2026-11-02", "Mon"), day("2026-11-03", "Tue"), day("2026-11-04", "Wed")
    back = day("2026-11-05", "Thu")  # present: not continuous, the 7-day limit does not apply
    entries = [(mon, 8.0), (tue, 8.0), (wed, 16.0), (day("2026-11-11", "Wed"), 1.0)]
    assert back not in dict(entries)
    _first, second = sixteen_hours(entries, NO_HOLIDAYS, today=day("2026-11-12", "Thu"))
    assert second == SixteenHourSignal(wed, wed, 16.0, (wed,), True)
    assert not second.continuous


def test_sixteen_hours_continuous_follow_up_waits_for_the_first_absence_day_from_the_7th() -> None:
    first, allowed = day("2026-11-02", "Mon"), day("2026-11-10", "Tue")
    entries = [(d, 8.0) for d in school_days(NO_HOLIDAYS, first, allowed)]
    _first, second = sixteen_hours(entries, NO_HOLIDAYS, today=allowed)
    assert second.reached_on == allowed and second.continuous


def test_sixteen_hours_nothing_due_while_it_is_not_known_whether_the_pupil_stays_away() -> None:
    first, today = day("2026-11-02", "Mon"), day("2026-11-05", "Thu")
    entries = [(d, 8.0) for d in school_days(NO_HOLIDAYS, first, today)]
    # 16 hours again on Thursday 5 Nov, away every day so far: the follow-up is not due yet.
    assert len(sixteen_hours(entries, NO_HOLIDAYS, today=today)) == 1
    # Back on Friday: reported on Thursday, the day the hours were reached.
    _first, second = sixteen_hours(entries, NO_HOLIDAYS, today=day("2026-11-06", "Fri"))
    assert second.reached_on == today and not second.continuous


@pytest.mark.parametrize(
    "kwargs",
    [{"threshold": 0}, {"weeks": 0}, {"min_days_between": -1}, {"continuous_repeats": -1}],
)
def test_sixteen_hours_rejects_invalid_settings(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        sixteen_hours([], NO_HOLIDAYS, **kwargs)  # type: ignore[arg-type]


# --- B) Long relative absence -------------------------------------------------------------------


def test_long_absence_exactly_28_days_is_not_yet_more_than_four_weeks() -> None:
    first, last = day("2026-11-02", "Mon"), day("2026-11-27", "Fri")
    absent = school_days(NO_HOLIDAYS, first, last)
    assert long_absence(absent, NO_HOLIDAYS, day("2026-11-29", "Sun")) == []


def test_long_absence_the_29th_day_is_a_signal() -> None:
    first, monday = day("2026-11-02", "Mon"), day("2026-11-30", "Mon")
    absent = school_days(NO_HOLIDAYS, first, monday)
    assert long_absence(absent, NO_HOLIDAYS, monday) == [
        LongAbsenceSignal(first, monday, monday, 29, True)
    ]


def test_long_absence_school_holiday_days_do_not_count_but_do_not_break_the_run() -> None:
    first = day("2026-10-05", "Mon")
    absent = school_days(AUTUMN_2026, first, day("2026-11-13", "Fri"))
    [signal] = long_absence(absent, AUTUMN_2026, day("2026-11-13", "Fri"))
    # 5 Oct + 28 days + the 9 holiday days: the run is more than 28 days on Wednesday 11 Nov.
    assert signal.start == first and signal.reached_on == day("2026-11-11", "Wed")
    # Absence registered in the holiday itself changes nothing.
    in_holiday = [day("2026-10-19", "Mon"), day("2026-10-20", "Tue")]
    assert long_absence(absent + in_holiday, AUTUMN_2026, day("2026-11-13", "Fri")) == [signal]


def test_long_absence_public_holidays_inside_do_not_push_the_signal_back() -> None:
    # Good Friday 3 April, Easter Monday 6 April and King's Day 27 April 2026 are no school
    # days; they count as calendar days like a weekend: the signal stays on the 29th day.
    first = day("2026-03-30", "Mon")
    absent = school_days(NO_HOLIDAYS, first, day("2026-05-01", "Fri"))
    [signal] = long_absence(absent, NO_HOLIDAYS, day("2026-05-01", "Fri"))
    assert signal.reached_on == day("2026-04-28", "Tue")  # 30 March + 28 days (no school on 27th)


def test_long_absence_one_present_school_day_breaks_the_run() -> None:
    first, last = day("2026-11-02", "Mon"), day("2026-11-30", "Mon")
    present = day("2026-11-11", "Wed")
    absent = [d for d in school_days(NO_HOLIDAYS, first, last) if d != present]
    assert long_absence(absent, NO_HOLIDAYS, last) == []


def test_long_absence_a_run_that_ended_keeps_its_signal_and_says_so() -> None:
    first, last = day("2026-11-02", "Mon"), day("2026-11-30", "Mon")
    absent = school_days(NO_HOLIDAYS, first, last)
    [signal] = long_absence(absent, NO_HOLIDAYS, day("2026-12-01", "Tue"))
    assert (signal.reached_on, signal.last, signal.ongoing) == (last, last, False)


def test_long_absence_nothing_registered() -> None:
    assert long_absence([], NO_HOLIDAYS, day("2026-11-30", "Mon")) == []


def test_long_absence_ignores_days_after_today() -> None:
    first, last = day("2026-11-02", "Mon"), day("2026-12-31", "Thu")
    absent = school_days(NO_HOLIDAYS, first, last)
    [signal] = long_absence(absent, NO_HOLIDAYS, day("2026-11-30", "Mon"))
    assert signal.last == day("2026-11-30", "Mon")


# --- C) Late arrivals: 3-6-9 ---------------------------------------------------------------------


SEPTEMBER_LATES = school_days(NO_HOLIDAYS, day("2026-09-07", "Mon"), day("2026-09-30", "Wed"))


@pytest.mark.parametrize(
    ("count", "reached"),
    [(2, ()), (3, (3,)), (5, (3,)), (6, (3, 6)), (8, (3, 6)), (9, (3, 6, 9))],
)
def test_late_arrival_three_six_nine(count: int, reached: tuple[int, ...]) -> None:
    lates = SEPTEMBER_LATES[:count]
    status = late_arrival_steps(lates, day("2026-10-01", "Thu"))
    assert status == LateArrivalStatus(
        count=count,
        period_start=date(2026, 8, 1),
        period_end=date(2027, 7, 31),
        reached=reached,
        dates=tuple(lates),
    )


def test_late_arrival_counts_every_occurrence_and_not_after_today() -> None:
    today = day("2026-09-09", "Wed")
    # Late twice on Monday (two lessons): two late arrivals ("9 maal te laat ... in de les").
    lates = [day("2026-09-08", "Tue"), day("2026-09-07", "Mon"), day("2026-09-07", "Mon")]
    lates += [today, day("2026-09-10", "Thu"), day("2026-09-11", "Fri")]
    status = late_arrival_steps(lates, today)
    assert status.count == 4
    monday = day("2026-09-07", "Mon")
    assert status.dates == (monday, monday, day("2026-09-08", "Tue"), today)
    assert status.reached == (3,)


def test_late_arrival_school_year_boundary() -> None:
    lates = [day("2026-07-29", "Wed"), day("2026-07-30", "Thu"), day("2026-07-31", "Fri")]
    on_31_july = late_arrival_steps(lates, date(2026, 7, 31))
    assert (on_31_july.period_start, on_31_july.period_end) == (date(2025, 8, 1), date(2026, 7, 31))
    assert (on_31_july.count, on_31_july.reached) == (3, (3,))

    on_1_august = late_arrival_steps([*lates, date(2026, 8, 1)], date(2026, 8, 1))
    assert (on_1_august.period_start, on_1_august.period_end) == (
        date(2026, 8, 1),
        date(2027, 7, 31),
    )
    assert (on_1_august.count, on_1_august.reached) == (1, ())


def test_late_arrival_per_month() -> None:
    lates = [
        day("2026-09-30", "Wed"),
        day("2026-10-01", "Thu"),
        day("2026-10-01", "Thu"),
        day("2026-10-15", "Thu"),
        day("2026-10-16", "Fri"),
    ]
    status = late_arrival_steps(lates, day("2026-10-15", "Thu"), period="month")
    assert status == LateArrivalStatus(
        count=3,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        reached=(3,),
        dates=(day("2026-10-01", "Thu"), day("2026-10-01", "Thu"), day("2026-10-15", "Thu")),
    )


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (date(2026, 12, 15), date(2026, 12, 1), date(2026, 12, 31)),
        (date(2027, 2, 10), date(2027, 2, 1), date(2027, 2, 28)),
        (date(2028, 2, 10), date(2028, 2, 1), date(2028, 2, 29)),
    ],
)
def test_late_arrival_month_bounds(today: date, first: date, last: date) -> None:
    status = late_arrival_steps([], today, period="month")
    assert (status.period_start, status.period_end) == (first, last)


def test_late_arrival_month_resets_the_count() -> None:
    october = school_days(NO_HOLIDAYS, day("2026-10-01", "Thu"), day("2026-10-16", "Fri"))
    status = late_arrival_steps(october, day("2026-11-02", "Mon"), period="month")
    assert (status.count, status.reached) == (0, ())
    assert late_arrival_steps(october, day("2026-11-02", "Mon")).count == len(october)


@pytest.mark.parametrize(
    ("count", "reached"),
    [(11, (3, 6, 9)), (12, (3, 6, 9, 12)), (14, (3, 6, 9, 12)), (15, (3, 6, 9, 12, 15))],
)
def test_late_arrival_other_region_steps(count: int, reached: tuple[int, ...]) -> None:
    lates = school_days(NO_HOLIDAYS, day("2026-09-07", "Mon"), day("2026-10-16", "Fri"))[:count]
    status = late_arrival_steps(lates, day("2026-10-16", "Fri"), steps=[3, 6, 9, 12, 15])
    assert status.count == count
    assert status.reached == reached


@pytest.mark.parametrize(
    "steps",
    [(), (3, 3, 9), (6, 3, 9), (0, 3), (-3, 6), (3, 6.0), (True, 3), ("3", "6")],
)
def test_late_arrival_rejects_invalid_steps(steps: tuple[object, ...]) -> None:
    with pytest.raises(ValueError):
        late_arrival_steps([], date(2026, 10, 1), steps=steps)  # type: ignore[arg-type]


def test_late_arrival_rejects_an_unknown_period() -> None:
    with pytest.raises(ValueError):
        late_arrival_steps([], date(2026, 10, 1), period="week")


# --- D) Worrying sick leave (M@ZL) ---------------------------------------------------------------


FIRST_REPORT = day("2026-09-07", "Mon")


@pytest.mark.parametrize(
    ("fourth", "expected"),
    [(day("2026-11-30", "Mon"), True), (day("2026-12-01", "Tue"), False)],
)
def test_sick_leave_fourth_report_within_twelve_weeks(fourth: date, expected: bool) -> None:
    first = day("2026-09-08", "Tue")
    reports = [first, day("2026-10-05", "Mon"), day("2026-11-02", "Mon"), fourth]
    # The window is 84 days counting the first report's first day: the 84th day is inside,
    # the 85th outside.
    assert (fourth - first).days + 1 == (84 if expected else 85)
    signals = worrying_sick_leave(reports, NO_HOLIDAYS, day("2026-12-15", "Tue"))
    if expected:
        assert signals == [SickLeaveSignal("frequent", first, fourth, 4)]
    else:
        assert signals == []


def test_sick_leave_school_holiday_days_extend_the_twelve_weeks() -> None:
    first = day("2026-09-08", "Tue")
    fourth = day("2026-12-09", "Wed")  # the 93rd day; the 9 autumn holiday days do not count
    reports = [first, day("2026-10-05", "Mon"), day("2026-11-02", "Mon"), fourth]
    assert AUTUMN_2026.days_end(first, 84) == fourth
    today = day("2026-12-15", "Tue")
    assert worrying_sick_leave(reports, AUTUMN_2026, today) == [
        SickLeaveSignal("frequent", first, fourth, 4)
    ]
    assert worrying_sick_leave(reports, NO_HOLIDAYS, today) == []


def test_sick_leave_three_reports_are_not_enough() -> None:
    reports = [FIRST_REPORT, day("2026-09-14", "Mon"), day("2026-09-21", "Mon")]
    assert worrying_sick_leave(reports, NO_HOLIDAYS, day("2026-12-15", "Tue")) == []


def test_sick_leave_every_qualifying_report_gives_a_signal() -> None:
    reports = [
        FIRST_REPORT,
        day("2026-09-14", "Mon"),
        day("2026-09-21", "Mon"),
        day("2026-09-28", "Mon"),
        day("2026-10-05", "Mon"),
    ]
    signals = worrying_sick_leave(list(reversed(reports)), NO_HOLIDAYS, day("2026-12-15", "Tue"))
    assert signals == [
        SickLeaveSignal("frequent", reports[0], reports[3], 4),
        SickLeaveSignal("frequent", reports[1], reports[4], 4),
    ]


def test_sick_leave_friday_and_monday_are_one_report() -> None:
    today = day("2026-12-15", "Tue")
    earlier = [FIRST_REPORT, day("2026-10-05", "Mon")]
    friday, monday, tuesday = (
        day("2026-11-06", "Fri"),
        day("2026-11-09", "Mon"),
        day("2026-11-10", "Tue"),
    )
    # Friday + Monday: one report, three in all.
    assert worrying_sick_leave([*earlier, friday, monday], NO_HOLIDAYS, today) == []
    # Friday + Tuesday: Monday was a school day in between, so two reports and four in all.
    assert worrying_sick_leave([*earlier, friday, tuesday], NO_HOLIDAYS, today) == [
        SickLeaveSignal("frequent", FIRST_REPORT, tuesday, 4)
    ]


def test_sick_leave_school_holiday_between_sick_days_is_one_report() -> None:
    today = day("2026-12-15", "Tue")
    before, after = day("2026-10-16", "Fri"), day("2026-10-26", "Mon")
    reports = [FIRST_REPORT, day("2026-10-05", "Mon"), before, after]
    assert worrying_sick_leave(reports, AUTUMN_2026, today) == []
    assert worrying_sick_leave(reports, NO_HOLIDAYS, today) == [
        SickLeaveSignal("frequent", FIRST_REPORT, after, 4)
    ]


@pytest.mark.parametrize(
    ("last", "expected"),
    [(day("2026-11-09", "Mon"), False), (day("2026-11-10", "Tue"), True)],
)
def test_sick_leave_seven_consecutive_school_days(last: date, expected: bool) -> None:
    first = day("2026-11-02", "Mon")
    sick = school_days(NO_HOLIDAYS, first, last)
    assert len(sick) == (7 if expected else 6)
    signals = worrying_sick_leave(sick, NO_HOLIDAYS, day("2026-12-15", "Tue"))
    assert signals == ([SickLeaveSignal("long", first, last, 1)] if expected else [])


def test_sick_leave_long_is_reached_on_the_seventh_day_of_a_longer_illness() -> None:
    first, seventh = day("2026-11-02", "Mon"), day("2026-11-10", "Tue")
    sick = school_days(NO_HOLIDAYS, first, day("2026-11-20", "Fri"))
    signals = worrying_sick_leave(sick, NO_HOLIDAYS, day("2026-12-15", "Tue"))
    assert signals == [SickLeaveSignal("long", first, seventh, 1)]


def test_sick_leave_kings_day_inside_does_not_break_the_run() -> None:
    first, last = day("2026-04-21", "Tue"), day("2026-04-30", "Thu")
    kings_day = day("2026-04-27", "Mon")
    sick = school_days(NO_HOLIDAYS, first, last)
    assert kings_day not in sick and len(sick) == 7
    expected = [SickLeaveSignal("long", first, last, 1)]
    assert worrying_sick_leave(sick, NO_HOLIDAYS, day("2026-05-04", "Mon")) == expected
    # Registering King's Day itself as sick changes nothing.
    assert worrying_sick_leave([*sick, kings_day], NO_HOLIDAYS, last) == expected


def test_sick_leave_present_school_day_splits_the_illness() -> None:
    first, last = day("2026-11-02", "Mon"), day("2026-11-10", "Tue")
    present = day("2026-11-05", "Thu")
    sick = [d for d in school_days(NO_HOLIDAYS, first, last) if d != present]
    assert worrying_sick_leave(sick, NO_HOLIDAYS, last) == []


def test_sick_leave_only_days_up_to_today() -> None:
    first, last = day("2026-11-02", "Mon"), day("2026-11-10", "Tue")
    sick = school_days(NO_HOLIDAYS, first, last)
    assert worrying_sick_leave(sick, NO_HOLIDAYS, day("2026-11-09", "Mon")) == []
    assert worrying_sick_leave(sick, NO_HOLIDAYS, last) == [SickLeaveSignal("long", first, last, 1)]


def test_sick_leave_signals_sorted_by_end() -> None:
    long_first, long_last = day("2026-09-14", "Mon"), day("2026-09-22", "Tue")
    reports = [
        FIRST_REPORT,
        *school_days(NO_HOLIDAYS, long_first, long_last),
        day("2026-10-05", "Mon"),
        day("2026-10-12", "Mon"),
    ]
    signals = worrying_sick_leave(reports, NO_HOLIDAYS, day("2026-12-15", "Tue"))
    assert signals == [
        SickLeaveSignal("long", long_first, long_last, 1),
        SickLeaveSignal("frequent", FIRST_REPORT, day("2026-10-12", "Mon"), 4),
    ]


@pytest.mark.parametrize("kwargs", [{"reports": 0}, {"within_weeks": -1}, {"consecutive_days": 0}])
def test_sick_leave_rejects_invalid_settings(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        worrying_sick_leave([], NO_HOLIDAYS, date(2026, 11, 2), **kwargs)


# --- E) Weekday patterns --------------------------------------------------------------------------


MONDAYS = [day("2026-11-02", "Mon"), day("2026-11-16", "Mon"), day("2026-11-30", "Mon")]


def test_weekday_pattern_three_mondays_within_six_weeks() -> None:
    today = day("2026-12-13", "Sun")  # the 42 days 2 Nov .. 13 Dec
    assert weekday_patterns(MONDAYS, today) == [WeekdayPattern(0, tuple(MONDAYS))]


def test_weekday_pattern_third_monday_just_outside() -> None:
    today = day("2026-12-14", "Mon")  # the 42 days 3 Nov .. 14 Dec: 2 Nov is out
    assert weekday_patterns(MONDAYS, today) == []


def test_weekday_pattern_today_itself_counts() -> None:
    today = day("2026-11-30", "Mon")
    assert weekday_patterns(MONDAYS, today) == [WeekdayPattern(0, tuple(MONDAYS))]
    assert weekday_patterns(MONDAYS, today - timedelta(days=1)) == []


def test_weekday_pattern_duplicates_count_once() -> None:
    twice = [MONDAYS[1], MONDAYS[1], MONDAYS[2], MONDAYS[2]]
    assert weekday_patterns(twice, day("2026-12-13", "Sun")) == []


def test_weekday_pattern_several_weekdays_sorted() -> None:
    fridays = [day("2026-11-06", "Fri"), day("2026-11-13", "Fri"), day("2026-11-20", "Fri")]
    wednesday = [day("2026-11-04", "Wed")]
    absent = [*reversed(fridays), *wednesday, *MONDAYS]
    assert weekday_patterns(absent, day("2026-12-13", "Sun")) == [
        WeekdayPattern(0, tuple(MONDAYS)),
        WeekdayPattern(4, tuple(fridays)),
    ]
    assert weekday_patterns(absent, day("2026-12-13", "Sun"), min_count=4) == []


@pytest.mark.parametrize("kwargs", [{"min_count": 0}, {"weeks": 0}])
def test_weekday_pattern_rejects_invalid_settings(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        weekday_patterns([], date(2026, 11, 2), **kwargs)


# --- F) Recidivism -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signal_on", "earlier", "expected"),
    [
        # Exactly six months earlier, in the previous school year: counts.
        (date(2027, 3, 15), date(2026, 9, 15), True),
        (date(2027, 3, 15), date(2026, 9, 14), False),
        # Across the school-year boundary.
        (date(2026, 9, 1), date(2026, 3, 1), True),
        (date(2026, 9, 1), date(2026, 2, 28), False),
        # 31 August minus six months is 28 February (2026 is no leap year) ...
        (date(2026, 8, 31), date(2026, 2, 28), True),
        (date(2026, 8, 31), date(2026, 2, 27), False),
        # ... and 29 February in a leap year.
        (date(2028, 8, 31), date(2028, 2, 29), True),
        (date(2028, 8, 31), date(2028, 2, 28), False),
        # A report on the same day is the current one; a later one is not earlier.
        (date(2026, 11, 23), date(2026, 11, 23), False),
        (date(2026, 11, 23), date(2026, 11, 24), False),
        (date(2026, 11, 23), date(2026, 11, 22), True),
    ],
)
def test_recidivism_within_six_months(signal_on: date, earlier: date, expected: bool) -> None:
    assert is_recidivism(signal_on, [earlier]) is expected


def test_recidivism_any_earlier_report_counts() -> None:
    reports = [date(2025, 1, 10), date(2026, 10, 1), date(2026, 11, 23)]
    assert is_recidivism(date(2026, 11, 23), reports)
    assert not is_recidivism(date(2026, 11, 23), [])
    assert not is_recidivism(date(2026, 11, 23), reports[:1])


def test_recidivism_other_period() -> None:
    assert is_recidivism(date(2027, 1, 31), [date(2026, 1, 31)], months=12)
    assert not is_recidivism(date(2027, 1, 31), [date(2026, 1, 30)], months=12)
    assert not is_recidivism(date(2027, 1, 31), [date(2027, 1, 30)], months=0)
    with pytest.raises(ValueError):
        is_recidivism(date(2027, 1, 31), [], months=-1)


def test_long_absence_days_not_explained_yet_neither_count_nor_end_the_run() -> None:
    first, last = day("2026-11-02", "Mon"), day("2026-12-04", "Fri")
    absent = school_days(NO_HOLIDAYS, first, last)
    today = day("2026-12-08", "Tue")
    pending = [day("2026-12-07", "Mon"), today]  # away, not explained yet
    [signal] = long_absence(absent, NO_HOLIDAYS, today, not_known_yet=pending)
    assert signal.ongoing and signal.last == last
    # Without them the two school days would say the pupil came back.
    [back] = long_absence(absent, NO_HOLIDAYS, today)
    assert not back.ongoing
