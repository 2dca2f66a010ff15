"""Pupil lists and the school-year timeline. Functions flush, never commit."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, func, or_, select

from portal.attendance.models import Absence, AbsenceKind, LateArrival
from portal.calendar import SchoolCalendar, public_holiday_name, school_year_bounds
from portal.db import DbSession
from portal.pupils.models import Pupil

SEARCH_LIMIT = 50


def filter_pupils(
    query: Select[Pupil],
    *,
    school_id: int | None,
    class_name: str | None,
    left: bool,
    search: str | None = None,
) -> Select[Pupil]:
    """Narrow an access-scoped pupil query; the order is by class, then name."""
    if school_id is not None:
        query = query.where(Pupil.school_id == school_id)
    if class_name:
        query = query.where(Pupil.class_name == class_name)
    query = query.where(Pupil.left_on.is_not(None) if left else Pupil.left_on.is_(None))
    if search:
        term = search.strip().lower()
        query = query.where(
            or_(
                func.lower(Pupil.last_name).contains(term, autoescape=True),
                func.lower(Pupil.first_name).contains(term, autoescape=True),
                Pupil.pupil_number == search.strip(),
            )
        )
    return query.order_by(Pupil.class_name, Pupil.last_name, Pupil.first_name, Pupil.id)


def left_pupil_ids() -> Select[int]:
    """Subquery: the ids of pupils who left their school (few, and indexed). ``x.pupil_id NOT IN
    left_pupil_ids()`` keeps region-wide lists and counts free of a join with every pupil."""
    return select(Pupil.id).where(Pupil.left_on.is_not(None))


def class_names(session: DbSession, school_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Pupil.class_name)
            .where(Pupil.school_id == school_id, Pupil.left_on.is_(None))
            .distinct()
            .order_by(Pupil.class_name)
        )
    )


@dataclass
class DayCell:
    day: date | None
    school_day: bool = False
    note: str = ""  # why it is no school day
    absences: list[tuple[AbsenceKind, Decimal]] = field(default_factory=list)
    late: bool = False


@dataclass
class Timeline:
    school_year: int
    months: list[tuple[date, list[DayCell]]]
    totals: dict[AbsenceKind, Decimal]
    late_count: int
    registrations: list[Absence]
    late_arrivals: list[LateArrival]

    @property
    def unauthorised_total(self) -> Decimal:
        return sum((h for k, h in self.totals.items() if not k.authorised), Decimal(0))

    @property
    def authorised_total(self) -> Decimal:
        return sum((h for k, h in self.totals.items() if k.authorised), Decimal(0))


def timeline(
    session: DbSession, pupil: Pupil, school_year: int, calendar: SchoolCalendar
) -> Timeline:
    """The school year at a glance: a month-by-day grid with totals per kind."""
    first, last = school_year_bounds(school_year)
    absences = list(
        session.scalars(
            select(Absence)
            .where(Absence.pupil_id == pupil.id, Absence.day >= first, Absence.day <= last)
            .order_by(Absence.day, Absence.kind)
        )
    )
    lates = list(
        session.scalars(
            select(LateArrival)
            .where(
                LateArrival.pupil_id == pupil.id, LateArrival.day >= first, LateArrival.day <= last
            )
            .order_by(LateArrival.day)
        )
    )
    by_day: dict[date, list[tuple[AbsenceKind, Decimal]]] = defaultdict(list)
    totals: dict[AbsenceKind, Decimal] = {}
    for a in absences:
        by_day[a.day].append((a.kind, a.hours))
        totals[a.kind] = totals.get(a.kind, Decimal(0)) + a.hours
    late_days = {late.day for late in lates}

    months: list[tuple[date, list[DayCell]]] = []
    month = first
    while month <= last:
        cells = []
        for day_number in range(1, 32):
            try:
                day = month.replace(day=day_number)
            except ValueError:
                cells.append(DayCell(None))
                continue
            note = ""
            if day.weekday() >= 5:
                note = "weekend"
            elif public_holiday_name(day):
                note = "feestdag"
            elif calendar.is_holiday(day):
                note = "vakantie"
            cells.append(DayCell(day, not note, note, by_day.get(day, []), day in late_days))
        months.append((month, cells))
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return Timeline(
        school_year, months, dict(sorted(totals.items())), len(late_days), absences, lates
    )
