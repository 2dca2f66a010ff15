"""The overstap rules: final year, the season and its 1 October reference date, the agenda of
each table, and the checks on agreements and outcomes."""

from __future__ import annotations

from datetime import date

import pytest

from portal.pupils.models import Programme, Pupil
from portal.schools.models import School, SchoolType
from portal.transition import rules
from portal.transition.models import ApplicationStatus, Outcome, TableRound, TransitionEntry


def pupil(programme: Programme | None, year: int | None, school_id: int = 1, **kw) -> Pupil:
    return Pupil(programme=programme, year=year, school_id=school_id, **kw)


def school(school_type: SchoolType = SchoolType.VO, id_: int = 1) -> School:
    return School(id=id_, school_type=school_type)


@pytest.mark.parametrize(
    ("programme", "year", "final"),
    [
        (Programme.VMBO_BB, 4, True),
        (Programme.VMBO_TL, 4, True),
        (Programme.VMBO_KB, 3, False),
        (Programme.VMBO_GL, 5, False),
        (Programme.PRO, 3, False),
        (Programme.PRO, 4, True),
        (Programme.PRO, 6, True),
        (Programme.VSO, 5, True),
        (Programme.HAVO, 5, False),
        (None, 4, False),
        (Programme.VMBO_BB, None, False),
    ],
)
def test_final_year(programme: Programme | None, year: int | None, final: bool) -> None:
    assert rules.is_final_year(pupil(programme, year)) is final


@pytest.mark.parametrize(
    ("today", "season"),
    [
        (date(2027, 3, 15), 2026),  # spring: this school year's leavers
        (date(2027, 7, 31), 2026),
        (date(2027, 8, 1), 2026),  # after the summer the same list runs on ...
        (date(2027, 10, 1), 2026),  # ... up to and including 1 October
        (date(2027, 10, 2), 2027),  # then the next school year's list
        (date(2026, 11, 23), 2026),
    ],
)
def test_season_runs_until_1_october(today: date, season: int) -> None:
    assert rules.season_year(today) == season


def test_reference_date_is_1_october_after_the_school_year() -> None:
    assert rules.reference_date(2026) == date(2027, 10, 1)


def test_eligibility() -> None:
    today = date(2026, 11, 23)
    ok = pupil(Programme.VMBO_KB, 4)
    assert rules.eligibility_problem(ok, school(), today) is None
    assert "niet ingeschreven op deze school" in rules.eligibility_problem(ok, school(id_=2), today)
    assert "vo en vso" in rules.eligibility_problem(ok, school(SchoolType.MBO), today)
    assert "laatste leerjaar" in rules.eligibility_problem(
        pupil(Programme.VMBO_KB, 3), school(), today
    )
    gone = pupil(Programme.VMBO_KB, 4, left_on=date(2026, 11, 1))
    assert "uitgeschreven" in rules.eligibility_problem(gone, school(), today)
    leaving_later = pupil(Programme.VMBO_KB, 4, left_on=date(2026, 12, 1))
    assert rules.eligibility_problem(leaving_later, school(), today) is None


def test_due_date() -> None:
    today = date(2026, 11, 23)
    assert rules.due_date_problem(today, today) is None
    assert "verleden" in rules.due_date_problem(date(2026, 11, 22), today)
    assert "Vul de datum in" in rules.due_date_problem(None, today)


def entry(**kw) -> TransitionEntry:
    kw.setdefault("application_status", ApplicationStatus.NONE)
    kw.setdefault("school_year", 2026)
    return TransitionEntry(**kw)


def test_outcome_needs_discussion_and_a_date_after_it() -> None:
    today = date(2026, 11, 23)
    assert "nog niet aan een overstaptafel" in rules.outcome_problem(entry(), today, today)
    discussed = entry(first_discussed_on=date(2026, 11, 10))
    assert rules.outcome_problem(discussed, date(2026, 11, 10), today) is None
    assert "vóór de eerste bespreking" in rules.outcome_problem(discussed, date(2026, 11, 9), today)
    assert "toekomst" in rules.outcome_problem(discussed, date(2026, 11, 24), today)


def test_agenda_per_round() -> None:
    without = entry()
    applied = entry(application_status=ApplicationStatus.RECEIVED)
    done = entry(outcome=Outcome.WORK)
    assert rules.on_agenda(TableRound.SPRING, without)
    assert not rules.on_agenda(TableRound.SPRING, applied)
    assert rules.on_agenda(TableRound.BEFORE_SUMMER, applied)
    assert rules.on_agenda(TableRound.AFTER_SUMMER, applied)
    assert not rules.on_agenda(TableRound.AFTER_SUMMER, done)


def test_flagged_without_outcome_after_the_reference_date() -> None:
    open_entry = entry(school_year=2025)
    assert not rules.lacks_outcome(open_entry, date(2026, 10, 1))
    assert rules.lacks_outcome(open_entry, date(2026, 10, 2))
    assert not rules.lacks_outcome(entry(school_year=2025, outcome=Outcome.CARE), date(2026, 12, 1))
