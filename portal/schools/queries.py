"""Reads of master data: the beheerder's lists and choices, who answers for a school on a day
(fixed consultant and stand-in), a school's staff and its holiday calendar.

Master data holds no pupil data; the access policy decides who reaches these pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal import request_cache
from portal.auth.models import Role, User
from portal.calendar import SchoolCalendar
from portal.db import DbSession
from portal.schools.models import (
    Municipality,
    Partnership,
    School,
    SchoolHoliday,
    StandIn,
    school_staff,
)

# --- The beheerder's lists -----------------------------------------------------------------------


def municipalities(session: DbSession) -> Sequence[Municipality]:
    return session.scalars(select(Municipality).order_by(Municipality.name)).all()


def partnerships(session: DbSession) -> Sequence[Partnership]:
    return session.scalars(select(Partnership).order_by(Partnership.name)).all()


def schools_list() -> Select[Any]:
    """Every school by name, with what a row of the list shows (a select to paginate)."""
    return (
        select(School)
        .options(
            selectinload(School.municipality),
            selectinload(School.partnership),
            selectinload(School.fixed_consultant),
        )
        .order_by(School.name)
    )


def stand_ins_list(show_past: bool, today: date) -> Select[Any]:
    """Stand-in periods, newest first; without ``show_past`` only running and planned ones."""
    query = select(StandIn).options(
        selectinload(StandIn.absent_consultant), selectinload(StandIn.stand_in)
    )
    if not show_past:
        query = query.where(StandIn.end_date >= today)
    return query.order_by(StandIn.start_date.desc(), StandIn.id.desc())


def holidays(session: DbSession) -> Sequence[SchoolHoliday]:
    return session.scalars(
        select(SchoolHoliday).order_by(
            SchoolHoliday.school_year.desc(), SchoolHoliday.region, SchoolHoliday.start_date
        )
    ).all()


# --- Choices in forms ----------------------------------------------------------------------------


def consultant_choices(session: DbSession) -> list[tuple[int, str]]:
    """``(id, name)`` of the active consultants, by name."""
    rows = session.execute(
        select(User.id, User.name)
        .where(User.role == Role.CONSULTANT, User.active.is_(True))
        .order_by(User.name)
    )
    return [(row.id, row.name) for row in rows]


def partnership_choices(session: DbSession) -> list[tuple[int, str]]:
    rows = session.execute(select(Partnership.id, Partnership.name).order_by(Partnership.name))
    return [(row.id, row.name) for row in rows]


def municipality_choices(session: DbSession) -> list[tuple[int, str]]:
    rows = session.execute(select(Municipality.id, Municipality.name).order_by(Municipality.name))
    return [(row.id, row.name) for row in rows]


def school_choices(session: DbSession) -> list[tuple[int, str]]:
    """``(id, "name (BRIN and location)")`` of every school, by name."""
    rows = session.execute(
        select(School.id, School.name, School.brin, School.location_code).order_by(School.name)
    )
    return [(row.id, f"{row.name} ({row.brin}{row.location_code})") for row in rows]


def stand_in_overlaps(
    session: DbSession, absent_consultant_id: int, start: date, end: date, exclude_id: int | None
) -> bool:
    """Another stand-in period for the same absent consultant overlaps ``start``..``end``."""
    query = select(StandIn.id).where(
        StandIn.absent_consultant_id == absent_consultant_id,
        StandIn.start_date <= end,
        StandIn.end_date >= start,
    )
    if exclude_id is not None:
        query = query.where(StandIn.id != exclude_id)
    return session.scalar(query.limit(1)) is not None


def stand_in_conflicts(
    session: DbSession,
    absent_consultant_id: int,
    stand_in_id: int,
    start: date,
    end: date,
    exclude_id: int | None,
) -> Sequence[StandIn]:
    """The periods that, with this one, would leave a school without anyone answering.

    Who answers for a school follows one step (the fixed consultant, or their stand-in), so
    any chain of absent consultants leaves somebody's schools unanswered: the stand-in being
    absent themselves on a day of the period (A → B while B → C or B → A), or the absent
    consultant standing in for someone on such a day (X → A while A → B). Both are found
    here, overlapping ``start``..``end``, earliest first.
    """
    query = (
        select(StandIn)
        .options(joinedload(StandIn.absent_consultant), joinedload(StandIn.stand_in))
        .where(
            or_(
                StandIn.absent_consultant_id == stand_in_id,
                StandIn.stand_in_id == absent_consultant_id,
            ),
            StandIn.start_date <= end,
            StandIn.end_date >= start,
        )
        .order_by(StandIn.start_date, StandIn.id)
    )
    if exclude_id is not None:
        query = query.where(StandIn.id != exclude_id)
    return session.scalars(query).all()


# --- Who answers for a school --------------------------------------------------------------------


def active_stand_in(session: DbSession, consultant_id: int | None, on: date) -> StandIn | None:
    """The stand-in period covering ``consultant_id`` on ``on``, if any (latest start wins)."""
    if consultant_id is None:
        return None
    return session.scalars(
        select(StandIn)
        .where(
            StandIn.absent_consultant_id == consultant_id,
            StandIn.start_date <= on,
            StandIn.end_date >= on,
        )
        .order_by(StandIn.start_date.desc(), StandIn.id.desc())
        .limit(1)
    ).first()


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


def running_stand_ins(session: DbSession, on: date) -> Sequence[StandIn]:
    """The stand-in periods running on ``on`` with both consultants, by end date: one
    statement (the consultants joined), as the senior's home page reads it on every visit."""
    return session.scalars(
        select(StandIn)
        .options(joinedload(StandIn.stand_in), joinedload(StandIn.absent_consultant))
        .where(StandIn.start_date <= on, StandIn.end_date >= on)
        .order_by(StandIn.end_date)
    ).all()


def stand_ins_of(session: DbSession, consultant_id: int, on: date) -> tuple[Any, Any]:
    """A consultant's running and planned stand-in periods: those where they stand in for
    someone, and those where someone stands in for them."""
    standing_in = session.scalars(
        select(StandIn)
        .options(joinedload(StandIn.absent_consultant))
        .where(StandIn.stand_in_id == consultant_id, StandIn.end_date >= on)
        .order_by(StandIn.start_date)
    ).all()
    stood_in_for = session.scalars(
        select(StandIn)
        .options(joinedload(StandIn.stand_in))
        .where(StandIn.absent_consultant_id == consultant_id, StandIn.end_date >= on)
        .order_by(StandIn.start_date)
    ).all()
    return standing_in, stood_in_for


# --- Staff and calendars -------------------------------------------------------------------------


def staff_of(session: DbSession, school_id: int) -> list[User]:
    """The zorgcoördinatoren of a school."""
    return list(
        session.scalars(
            select(User)
            .join(school_staff, school_staff.c.user_id == User.id)
            .where(school_staff.c.school_id == school_id, User.role == Role.SCHOOL)
        )
    )


def schools_of(session: DbSession, user_id: int) -> list[School]:
    """The schools an account works for, by name."""
    return list(
        session.scalars(
            select(School)
            .join(school_staff, school_staff.c.school_id == School.id)
            .where(school_staff.c.user_id == user_id)
            .order_by(School.name)
        )
    )


def partnership_of(session: DbSession, user: User) -> Partnership | None:
    """The partnership an account of the swv works for."""
    return session.get(Partnership, user.partnership_id) if user.partnership_id else None


def school_ids_of(session: DbSession, user_id: int) -> list[int]:
    """The schools an account works for."""
    return list(
        session.scalars(select(school_staff.c.school_id).where(school_staff.c.user_id == user_id))
    )


def workplaces(session: DbSession, users: Iterable[User]) -> dict[int, str]:
    """Per account, where it works: the names of its schools, else its partnership's name."""
    users = list(users)
    ids = [u.id for u in users]
    names: dict[int, list[str]] = {}
    for user_id, name in session.execute(
        select(school_staff.c.user_id, School.name)
        .join(School, School.id == school_staff.c.school_id)
        .where(school_staff.c.user_id.in_(ids))
        .order_by(School.name)
    ):
        names.setdefault(user_id, []).append(name)
    partnership_ids = {u.partnership_id for u in users if u.partnership_id}
    partnership_names = dict(
        session.execute(
            select(Partnership.id, Partnership.name).where(Partnership.id.in_(partnership_ids))
        ).all()
    )
    return {
        u.id: ", ".join(names[u.id])
        if u.id in names
        else partnership_names.get(u.partnership_id or 0, "")
        for u in users
    }


def school_calendar(session: DbSession, school: School) -> SchoolCalendar:
    """The school holidays of the school's holiday region (every school year on record),
    read once per request (a registration checks the day and recomputes the signals with
    the same calendar)."""
    region = school.municipality.holiday_region

    def read() -> SchoolCalendar:
        rows = session.execute(
            select(SchoolHoliday.start_date, SchoolHoliday.end_date).where(
                SchoolHoliday.region == region
            )
        )
        return SchoolCalendar.from_ranges((row.start_date, row.end_date) for row in rows)

    return request_cache.per_request(("school calendar", region), read)
