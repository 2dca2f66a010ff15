"""The plausible-date rule of every date field (``portal.forms.date_problem``) against a
reference written from its text: 2000-2100; not after today when it happened; at most N days
ahead when planned; not before the pupil's birth."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from portal.forms import date_problem

TODAY = date(2026, 11, 23)


def plausible(day: date, past: bool, days_ahead: int | None, born: date | None) -> bool:
    return (
        2000 <= day.year <= 2100
        and not (past and day > TODAY)
        and not (days_ahead is not None and (day - TODAY).days > days_ahead)
        and not (born is not None and day < born)
    )


@given(
    day=st.one_of(st.dates(), st.dates(date(1999, 1, 1), date(2102, 1, 1))),
    past=st.booleans(),
    days_ahead=st.one_of(st.none(), st.integers(0, 800)),
    born=st.one_of(st.none(), st.dates(date(2000, 1, 1), TODAY)),
)
def test_date_problem_matches_the_rule(
    day: date, past: bool, days_ahead: int | None, born: date | None
) -> None:
    problem = date_problem(day, TODAY, past, days_ahead, born)
    assert (problem is None) == plausible(day, past, days_ahead, born), problem


def test_the_messages_name_the_limit() -> None:
    assert date_problem(date(1, 1, 1), TODAY, False, None, None) == (
        "Vul een datum tussen 2000 en 2100 in."
    )
    assert date_problem(TODAY + timedelta(1), TODAY, True, None, None) == (
        "Deze datum ligt in de toekomst."
    )
    assert "kies uiterlijk 23 november 2027" in str(
        date_problem(date(2028, 1, 1), TODAY, False, 365, None)
    )
    assert "(1 mei 2013)" in str(
        date_problem(date(2012, 1, 1), TODAY, True, None, date(2013, 5, 1))
    )
