"""Reads of pupil records: the pupil list with its filters and search, a school's classes,
the pupils who left, and the choices of the pupil form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select

from portal import access
from portal.auth.models import User
from portal.db import DbSession
from portal.extensions import db
from portal.pagination import paginate
from portal.pupils.models import Pupil
from portal.schools.models import Municipality, School

SEARCH_LIMIT = 50
PER_PAGE = 50


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


@dataclass
class PupilList:
    """The pupil list as the page shows it: the school and class chosen, and either a page of
    pupils or (a search) the first SEARCH_LIMIT matches."""

    schools: Sequence[School]
    school: School | None
    class_name: str | None
    left: bool
    classes: list[str]
    search: str
    pupils: Sequence[Pupil]
    more: bool
    page: Any


def pupil_list(
    user: User,
    school_id: int | None,
    class_name: str | None,
    left: bool,
    search: str | None,
    page: int,
) -> PupilList:
    """The pupils of one school in ``user``'s scope (the first school when ``school_id`` is
    not one of them), filtered by class, enrolled or left, and a search term."""
    schools = db.session.scalars(
        access.schools_query(user).where(School.active.is_(True)).order_by(School.name)
    ).all()
    school = next((s for s in schools if s.id == school_id), schools[0] if schools else None)
    query = filter_pupils(
        access.pupils_query(user),
        school_id=school.id if school else -1,
        class_name=class_name,
        left=left,
        search=search,
    )
    classes = class_names(db.session, school.id) if school else []
    if search:
        rows = db.session.scalars(query.limit(SEARCH_LIMIT + 1)).all()
        pupils, more, result = rows[:SEARCH_LIMIT], len(rows) > SEARCH_LIMIT, None
    else:
        result = paginate(query, page, PER_PAGE)
        pupils, more = result.items, False
    return PupilList(schools, school, class_name, left, classes, search or "", pupils, more, result)


def left_pupil_ids() -> Select[int]:
    """Subquery: the ids of pupils who left their school (few, and indexed). ``x.pupil_id NOT IN
    left_pupil_ids()`` keeps region-wide lists and counts free of a join with every pupil."""
    return select(Pupil.id).where(Pupil.left_on.is_not(None))


def class_names(session: DbSession, school_id: int) -> list[str]:
    """The classes of a school's enrolled pupils."""
    return list(
        session.scalars(
            select(Pupil.class_name)
            .where(Pupil.school_id == school_id, Pupil.left_on.is_(None))
            .distinct()
            .order_by(Pupil.class_name)
        )
    )


def number_taken(session: DbSession, school_id: int, number: str, exclude_id: int | None) -> bool:
    """Another pupil of the school has this pupil number (numbers are unique per school)."""
    query = select(Pupil.id).where(Pupil.school_id == school_id, Pupil.pupil_number == number)
    if exclude_id is not None:
        query = query.where(Pupil.id != exclude_id)
    return session.scalar(query.limit(1)) is not None


def editable_schools(user: User) -> list[School]:
    """The schools where ``user`` may register pupils and absence, by name."""
    return list(db.session.scalars(access.editable_schools_query(user).order_by(School.name)))


def editable_school_choices(session: DbSession, user: User) -> list[tuple[int, str]]:
    """The schools where ``user`` may add pupils."""
    return [(s.id, s.name) for s in editable_schools(user)]


def municipality_choices(session: DbSession) -> list[tuple[int, str]]:
    return [
        (m.id, m.name) for m in session.scalars(select(Municipality).order_by(Municipality.name))
    ]
