"""How a file's rows become hours: pure functions, no database.

Secondary schools count lesson hours, primary schools clock hours (Leerplichtwet art. 21a and
DUO: "les- of praktijkuren"; DOMAIN.md). So one lesson a pupil missed is one hour at a secondary
school and its length in clock hours at a primary school, and minutes missed are divided by the
lesson's length or by sixty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Lessons:
    """A school's lessons: their length and how many a whole school day has."""

    minutes: int
    per_day: int
    clock_hours: bool  # primary and special schools count clock hours

    @property
    def lesson_hours(self) -> Decimal:
        """What one lesson missed counts."""
        if self.clock_hours:
            return (Decimal(self.minutes) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return Decimal(1)

    def of_minutes(self, minutes: int) -> Decimal:
        """What ``minutes`` missed count, to two decimals."""
        unit = 60 if self.clock_hours else self.minutes
        return (Decimal(minutes) / unit).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def day_minutes(self) -> int:
        return self.minutes * self.per_day


@dataclass(frozen=True)
class Piece:
    """A part of a notice on one day: one lesson (``slot`` 1..) or, without lesson hours, the
    day's share of the minutes (``slot`` 0)."""

    day: date
    slot: int
    hours: Decimal


def expand_notice(
    begin: date,
    end: date,
    lessons: Lessons,
    is_school_day: Callable[[date], bool],
    *,
    begin_lesson: int | None = None,
    end_lesson: int | None = None,
    begin_time: time | None = None,
    end_time: time | None = None,
    minutes: int | None = None,
) -> list[Piece]:
    """The lessons (or parts of days) an absence notice from ``begin`` to ``end`` covers, on
    school days only.

    What the notice says is used in this order: its lesson hours (the first day from the begin
    lesson, the last day up to the end lesson, whole days between); else the minutes missed,
    spread over the school days from the first (a day takes at most a whole day's minutes);
    else the times on one day; else every lesson of every school day in the period.
    """
    days = [
        begin + timedelta(n)
        for n in range((end - begin).days + 1)
        if is_school_day(begin + timedelta(n))
    ]
    if not days:
        return []
    unit = lessons.lesson_hours
    if begin_lesson is not None or end_lesson is not None:
        pieces = []
        for day in days:
            first = begin_lesson if (day == begin and begin_lesson) else 1
            last = end_lesson if (day == end and end_lesson) else lessons.per_day
            pieces += [Piece(day, slot, unit) for slot in range(first, last + 1)]
        return pieces
    if minutes is None and begin_time is not None and end_time is not None and begin == end:
        start = datetime.combine(begin, begin_time)
        minutes = max(0, int((datetime.combine(begin, end_time) - start).total_seconds() // 60))
    if minutes is not None:
        pieces = []
        left = minutes
        for day in days:
            if left <= 0:
                break
            taken = min(left, lessons.day_minutes)
            pieces.append(Piece(day, 0, lessons.of_minutes(taken)))
            left -= taken
        return pieces
    return [Piece(day, slot, unit) for day in days for slot in range(1, lessons.per_day + 1)]


def round_hours(hours: Decimal) -> Decimal:
    """A day's hours as registrations keep them (one decimal)."""
    return hours.quantize(Decimal("0.1"), ROUND_HALF_UP)
