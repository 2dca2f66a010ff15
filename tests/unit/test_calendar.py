from datetime import date

import pytest

from portal.calendar import (
    SchoolCalendar,
    add_working_days,
    general_holiday_name,
    is_working_day,
    public_holiday_name,
    school_year_bounds,
    school_year_label,
    school_year_of,
    week_start,
    working_days_between,
)


@pytest.mark.parametrize(
    ("day", "year"),
    [(date(2026, 7, 31), 2025), (date(2026, 8, 1), 2026), (date(2027, 1, 15), 2026)],
)
def test_school_year_runs_from_1_august_to_31_july(day: date, year: int) -> None:
    assert school_year_of(day) == year


def test_school_year_bounds_and_label() -> None:
    assert school_year_bounds(2026) == (date(2026, 8, 1), date(2027, 7, 31))
    assert school_year_label(2026) == "2026-2027"


def test_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 11, 21))  # Saturday
    assert not is_working_day(date(2026, 11, 22))  # Sunday
    assert is_working_day(date(2026, 11, 23))  # Monday


@pytest.mark.parametrize(
    ("day", "name_part"),
    [
        (date(2026, 1, 1), "Nieuwjaarsdag"),
        (date(2026, 4, 6), "Tweede paasdag"),
        (date(2026, 4, 27), "Koningsdag"),
        (date(2026, 5, 14), "Hemelvaartsdag"),
        (date(2026, 5, 25), "Tweede pinksterdag"),
        (date(2026, 12, 25), "Kerstdag"),
        (date(2026, 12, 26), "Kerstdag"),
        (date(2025, 5, 5), "Bevrijdingsdag"),  # a public day off in lustrum years
    ],
)
def test_dutch_public_holidays_are_known(day: date, name_part: str) -> None:
    name = public_holiday_name(day)
    assert name is not None and name_part.lower() in name.lower()
    assert not is_working_day(day)


def test_add_working_days_plain_week() -> None:
    # Monday + 5 working days = next Monday.
    assert add_working_days(date(2026, 11, 23), 5) == date(2026, 11, 30)
    # Friday + 1 = Monday.
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)


def test_add_working_days_skips_easter_monday() -> None:
    # Filed Thursday 2 April 2026. The holidays package counts Good Friday (3 April) as a day
    # off, and Easter Monday (6 April) is one: 7, 8, 9, 10, 13 April.
    assert add_working_days(date(2026, 4, 2), 5) == date(2026, 4, 13)
    # Filed Tuesday 7 April, after Easter: a plain week.
    assert add_working_days(date(2026, 4, 7), 5) == date(2026, 4, 14)


def test_add_working_days_skips_kings_day() -> None:
    # Filed Thursday 23 April 2026; Monday 27 April is King's Day.
    assert add_working_days(date(2026, 4, 23), 5) == date(2026, 5, 1)


def test_kings_day_moves_to_saturday_when_on_sunday() -> None:
    # 27 April 2025 was a Sunday: King's Day was Saturday 26 April, Monday 28 is a working day.
    assert public_holiday_name(date(2025, 4, 26)) is not None
    assert is_working_day(date(2025, 4, 28))


def test_add_working_days_skips_ascension() -> None:
    # Filed Monday 11 May 2026; Thursday 14 May is Ascension Day.
    assert add_working_days(date(2026, 5, 11), 5) == date(2026, 5, 19)


def test_add_working_days_skips_whit_monday() -> None:
    # Filed Friday 22 May 2026; Monday 25 May is Whit Monday.
    assert add_working_days(date(2026, 5, 22), 5) == date(2026, 6, 1)


def test_add_working_days_over_christmas_and_new_year() -> None:
    # Filed Wednesday 23 Dec 2026: 24 (Thu), 28, 29, 30, 31 Dec. 25/26 Dec and weekends skipped.
    assert add_working_days(date(2026, 12, 23), 5) == date(2026, 12, 31)
    # One more: 1 Jan 2027 is New Year's Day (Friday), so the 6th working day is Monday 4 Jan.
    assert add_working_days(date(2026, 12, 23), 6) == date(2027, 1, 4)


def test_school_holidays_can_count_as_closed_days() -> None:
    autumn = {date(2026, 10, 19 + i) for i in range(5)}
    assert add_working_days(date(2026, 10, 16), 1, autumn) == date(2026, 10, 26)


def test_add_working_days_rejects_negative() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1)


def test_working_days_between_counts_left_and_late() -> None:
    filed = date(2026, 11, 23)
    deadline = add_working_days(filed, 5)
    assert working_days_between(date(2026, 11, 25), deadline) == 3
    assert working_days_between(deadline, deadline) == 0
    assert working_days_between(date(2026, 12, 2), deadline) == -2


def test_week_start_is_monday() -> None:
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)


AUTUMN_2026 = (date(2026, 10, 17), date(2026, 10, 25))
CHRISTMAS_2026 = (date(2026, 12, 19), date(2027, 1, 3))


def test_school_days_skip_school_holidays() -> None:
    cal = SchoolCalendar.from_ranges([AUTUMN_2026])
    assert cal.is_school_day(date(2026, 10, 16))
    assert not cal.is_school_day(date(2026, 10, 20))


def test_a_period_of_28_days_is_extended_by_the_holiday_days_inside() -> None:
    cal = SchoolCalendar.from_ranges([AUTUMN_2026])
    # 28 days from Wednesday 7 October end on Tuesday 3 November; the autumn holiday's nine
    # days inside push it to Thursday 12 November.
    assert SchoolCalendar().days_end(date(2026, 10, 7), 28) == date(2026, 11, 3)
    assert cal.days_end(date(2026, 10, 7), 28) == date(2026, 11, 12)
    assert cal.counted_days(date(2026, 10, 7), date(2026, 11, 12)) == 28
    # A period starting in a holiday starts counting after it.
    assert cal.days_end(date(2026, 10, 19), 1) == date(2026, 10, 26)


def test_a_period_across_christmas() -> None:
    cal = SchoolCalendar.from_ranges([CHRISTMAS_2026])
    # 16 holiday days (19 December - 3 January) inside: 28 + 16 days.
    assert cal.days_end(date(2026, 12, 16), 28) == date(2027, 1, 28)
    assert cal.counted_days(date(2026, 12, 16), date(2027, 1, 28)) == 28


def test_days_end_rejects_an_empty_period() -> None:
    with pytest.raises(ValueError):
        SchoolCalendar().days_end(date(2026, 10, 7), 0)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2027, 5, 5), "Bevrijdingsdag"),  # not a lustrum year: still no working day
        (date(2026, 5, 5), "Bevrijdingsdag"),
        (date(2026, 4, 3), "Goede Vrijdag"),  # Algemene termijnenwet art. 3 lid 2
        (date(2025, 4, 26), "Koningsdag"),  # 27 April 2025 was a Sunday
        (date(2027, 5, 6), "Hemelvaartsdag"),
        (date(2026, 12, 26), "Tweede Kerstdag"),
    ],
)
def test_general_holidays_of_the_algemene_termijnenwet(day: date, name: str) -> None:
    assert general_holiday_name(day) == name
    assert not is_working_day(day)


def test_the_deadline_skips_5_may_in_a_year_that_is_no_lustrum() -> None:
    # Filed Friday 30 April 2027: Monday 3, Tuesday 4, (5 May), Thursday 6 is Ascension,
    # Friday 7, Monday 10 May.
    assert add_working_days(date(2027, 4, 30), 4) == date(2027, 5, 10)
    assert general_holiday_name(date(2025, 4, 27)) is None  # King's Day moved to the 26th
