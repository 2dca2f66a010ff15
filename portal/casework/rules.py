"""Rules of the consultant's casework, as plain functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.calendar import days_after, school_year_bounds
from portal.casework.models import ActionKind

MIN_AGE_HALT_AND_PV = 12
SMA_APPOINTMENT_DAYS = 14  # appointment within 2 weeks
SMA_ADVICE_DAYS = 42  # written advice within 6 weeks
HALT_CONFIRM_HOURS = Decimal(60)  # a Halt referral beyond this asks for confirmation
THREE_MONTHS_DAYS = 91

UNDER_12_FORBIDDEN = frozenset({ActionKind.HALT, ActionKind.PV_PUPIL})


def action_problem(kind: ActionKind, age: int) -> str | None:
    """Why ``kind`` is not possible for a pupil of ``age``, or None."""
    if kind in UNDER_12_FORBIDDEN and age < MIN_AGE_HALT_AND_PV:
        return (
            f"{kind.label} kan niet: de leerling is {age} jaar. Halt en een proces-verbaal "
            "tegen de leerling zijn pas mogelijk vanaf 12 jaar."
        )
    return None


def halt_needs_confirmation(
    kind: ActionKind, hours_missed: Decimal, limit: Decimal = HALT_CONFIRM_HOURS
) -> bool:
    """Halt is meant for limited absence: with many hours missed, ask the consultant to confirm."""
    return kind == ActionKind.HALT and hours_missed > limit


def sma_deadlines(requested_on: date) -> tuple[date, date]:
    """(appointment due, advice due)."""
    return (
        days_after(requested_on, SMA_APPOINTMENT_DAYS),
        days_after(requested_on, SMA_ADVICE_DAYS),
    )


@dataclass(frozen=True)
class ThuiszitterCounts:
    at_start: int  # at home on the first day of the school year
    new: int  # started during the school year
    longer_than_3_months: int  # at home more than three months during the year
    back_to_school: int  # ended during the year by going (back) to school


def thuiszitter_counts(
    cases: Iterable[tuple[date, date | None, bool]], school_year: int, today: date
) -> ThuiszitterCounts:
    """The annual report's thuiszitter figures from ``(start, end, ended_back_at_school)``."""
    first, last = school_year_bounds(school_year)
    last = min(last, today)
    at_start = new = long = back = 0
    for start, end, back_at_school in cases:
        if start > last or (end is not None and end < first):
            continue
        if start < first:
            at_start += 1
        else:
            new += 1
        until = min(end or last, last)
        if (until - start).days > THREE_MONTHS_DAYS:
            long += 1
        if end is not None and first <= end <= last and back_at_school:
            back += 1
    return ThuiszitterCounts(at_start, new, long, back)
