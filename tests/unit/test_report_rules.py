from datetime import date

import pytest

from portal.auth.models import Role
from portal.reports.models import ReportStatus
from portal.reports.rules import (
    allowed_transitions,
    can_transition,
    deadline_words,
    reaction_deadline,
    reaction_figures,
    subtract_working_days,
)


@pytest.mark.parametrize(
    ("filed", "deadline"),
    [
        (date(2026, 11, 23), date(2026, 11, 30)),  # Monday: the next Monday
        (date(2026, 11, 27), date(2026, 12, 4)),  # Friday: the next Friday
        (date(2026, 11, 28), date(2026, 12, 4)),  # filed on Saturday: counting starts Monday
        (date(2026, 4, 22), date(2026, 4, 30)),  # across King's Day (Monday 27 April)
        (date(2025, 4, 24), date(2025, 5, 1)),  # King's Day 2025 on a Saturday: no day lost
        (date(2026, 12, 22), date(2026, 12, 30)),  # across Christmas (25 and 26 December)
        (date(2026, 12, 24), date(2027, 1, 4)),  # across Christmas and New Year
        (date(2026, 5, 11), date(2026, 5, 19)),  # across Ascension Day
    ],
)
def test_reaction_deadline_is_five_working_days(filed: date, deadline: date) -> None:
    assert reaction_deadline(filed) == deadline


def test_deadline_setting_is_respected() -> None:
    assert reaction_deadline(date(2026, 11, 23), 3) == date(2026, 11, 26)


def test_subtract_working_days_inverts_the_deadline() -> None:
    for filed in (date(2026, 11, 23), date(2026, 4, 22), date(2026, 12, 24)):
        assert subtract_working_days(reaction_deadline(filed), 5) == filed


@pytest.mark.parametrize(
    ("today", "words"),
    [
        (date(2026, 11, 23), "nog 5 werkdagen"),
        (date(2026, 11, 27), "nog 1 werkdag"),
        (date(2026, 11, 28), "nog 1 werkdag"),  # Saturday before a Monday deadline
        (date(2026, 11, 30), "vandaag"),
        (date(2026, 12, 1), "1 werkdag te laat"),
        (date(2026, 12, 2), "2 werkdagen te laat"),
    ],
)
def test_deadline_in_words(today: date, words: str) -> None:
    assert deadline_words(date(2026, 11, 30), today) == words


def test_status_transitions() -> None:
    r, p, c, n, w = (
        ReportStatus.REGISTERED,
        ReportStatus.IN_PROGRESS,
        ReportStatus.CLOSED,
        ReportStatus.NOTED,
        ReportStatus.WITHDRAWN,
    )
    assert allowed_transitions(r, Role.SCHOOL) == [w]
    assert allowed_transitions(r, Role.CONSULTANT) == [p, n]
    assert allowed_transitions(p, Role.CONSULTANT) == [c, n]
    assert allowed_transitions(p, Role.SCHOOL) == []  # no withdrawing once taken up
    assert not can_transition(c, p, Role.SENIOR)  # closed stays closed
    assert not can_transition(r, c, Role.CONSULTANT)  # closing needs handling first
    assert not can_transition(r, p, Role.SWV) and not can_transition(r, p, Role.ADMIN)


def test_reaction_figures() -> None:
    today = date(2026, 12, 15)
    rows = [
        (date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 4)),  # 2 working days, on time
        (date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 11)),  # 7, late
        (date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 23)),  # 5, on time (deadline)
        (date(2026, 11, 16), date(2026, 11, 23), None),  # unanswered, overdue: counts as late
        (date(2026, 12, 14), date(2026, 12, 21), None),  # unanswered, still in time: left out
    ]
    figures = reaction_figures(rows, today)
    assert figures.reports == 5 and figures.answered == 3
    assert figures.median_working_days == 5
    assert figures.within_deadline_share == pytest.approx(2 / 4)
    empty = reaction_figures([], today)
    assert empty.median_working_days is None and empty.within_deadline_share is None


def test_median_from_histogram_matches_statistics() -> None:
    import random
    import statistics
    from collections import Counter

    from portal.reports.figures import _median

    rng = random.Random(7)
    assert _median({}, 0) is None
    for _ in range(300):
        values = [rng.randint(0, 12) for _ in range(rng.randint(1, 40))]
        assert _median(dict(Counter(values)), len(values)) == statistics.median(values)
