"""Queries and operations on master data. Functions flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.auth.models import User
from portal.calendar import SchoolCalendar, school_year_of
from portal.db import DbSession
from portal.schools.models import HolidayRegion, School, SchoolHoliday, StandIn


@dataclass(frozen=True)
class Responsible:
    """Who answers for a school on a given day."""

    fixed: User | None
    stand_in: StandIn | None

    @property
    def now(self) -> User | None:
        return self.stand_in.stand_in if self.stand_in else self.fixed


def responsible_for(
    session: DbSession, schools: Sequence[School], on: date
) -> dict[int, Responsible]:
    """The fixed consultant and any active stand-in for each school, in one query."""
    consultant_ids = {s.fixed_consultant_id for s in schools if s.fixed_consultant_id}
    active: dict[int, StandIn] = {}
    if consultant_ids:
        rows = session.scalars(
            select(StandIn)
            .options(selectinload(StandIn.stand_in))
            .where(
                StandIn.absent_consultant_id.in_(consultant_ids),
                StandIn.start_date <= on,
                StandIn.end_date >= on,
            )
            .order_by(StandIn.start_date, StandIn.id)
        )
        for row in rows:  # later starts overwrite earlier ones
            active[row.absent_consultant_id] = row
    return {
        s.id: Responsible(
            s.fixed_consultant,
            active.get(s.fixed_consultant_id) if s.fixed_consultant_id else None,
        )
        for s in schools
    }


def school_calendar(
    session: DbSession,
    region: HolidayRegion,
    school_year: int | None = None,
    on: date | None = None,
) -> SchoolCalendar:
    """The school-holiday calendar of a region; all years unless ``school_year`` is given."""
    query = select(SchoolHoliday.start_date, SchoolHoliday.end_date).where(
        SchoolHoliday.region == region
    )
    if school_year is None and on is not None:
        school_year = school_year_of(on)
    if school_year is not None:
        query = query.where(SchoolHoliday.school_year == school_year)
    return SchoolCalendar.from_ranges(
        (row.start_date, row.end_date) for row in session.execute(query)
    )


def overlapping_stand_ins(session: DbSession, stand_in: StandIn) -> list[StandIn]:
    """Other stand-in periods for the same absent consultant that overlap ``stand_in``."""
    query = select(StandIn).where(
        StandIn.absent_consultant_id == stand_in.absent_consultant_id,
        StandIn.start_date <= stand_in.end_date,
        StandIn.end_date >= stand_in.start_date,
    )
    if stand_in.id is not None:
        query = query.where(StandIn.id != stand_in.id)
    return list(session.scalars(query))
