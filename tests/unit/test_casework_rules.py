from datetime import date
from decimal import Decimal

import pytest

from portal.casework.models import ActionKind
from portal.casework.rules import action_problem, halt_needs_confirmation, sma_deadlines


@pytest.mark.parametrize("kind", [ActionKind.HALT, ActionKind.PV_PUPIL])
def test_no_halt_or_pv_against_a_pupil_under_12(kind: ActionKind) -> None:
    assert action_problem(kind, 11) is not None
    assert "vanaf 12 jaar" in (action_problem(kind, 11) or "")
    assert action_problem(kind, 12) is None


@pytest.mark.parametrize("kind", [ActionKind.WARNING, ActionKind.PV_PARENTS, ActionKind.TALK_PUPIL])
def test_other_actions_at_any_age(kind: ActionKind) -> None:
    assert action_problem(kind, 6) is None


def test_halt_with_many_hours_asks_for_confirmation() -> None:
    assert not halt_needs_confirmation(ActionKind.HALT, Decimal(60))
    assert halt_needs_confirmation(ActionKind.HALT, Decimal("60.5"))
    assert not halt_needs_confirmation(ActionKind.WARNING, Decimal(200))
    assert halt_needs_confirmation(ActionKind.HALT, Decimal(30), limit=Decimal(20))


def test_sma_deadlines() -> None:
    assert sma_deadlines(date(2026, 11, 2)) == (date(2026, 11, 16), date(2026, 12, 14))


def test_thuiszitter_counts() -> None:
    from portal.casework.rules import thuiszitter_counts

    today = date(2027, 3, 1)
    cases = [
        (date(2026, 5, 1), None, False),  # at home since before the year, still: at start, long
        (date(2026, 6, 1), date(2026, 9, 15), True),  # at start, 3.5 months: long, back
        (date(2026, 9, 1), date(2026, 10, 1), True),  # new, one month, back
        (date(2026, 10, 1), None, False),  # new, five months: long
        (date(2026, 10, 1), date(2026, 12, 1), False),  # new, moved after two months
        (date(2025, 9, 1), date(2026, 6, 1), True),  # ended last year: not counted
        (date(2027, 4, 1), None, False),  # in the future: not counted
    ]
    counts = thuiszitter_counts(cases, 2026, today)
    assert (counts.at_start, counts.new, counts.longer_than_3_months, counts.back_to_school) == (
        2,
        3,
        3,
        2,
    )
