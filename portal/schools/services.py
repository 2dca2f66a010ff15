"""Changes to master data. Functions add and flush, never commit: the route commits once.

Each ``save_*`` takes the object to change (None for a new one) and the validated form's
data, and keeps only the keys it knows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import delete, insert, select

from portal.auth.models import User
from portal.db import DbSession
from portal.schools.models import (
    HolidayRegion,
    Municipality,
    Partnership,
    School,
    SchoolHoliday,
    SchoolType,
    StandIn,
    school_staff,
)
from portal.schools.official_holidays import official_holidays

M = TypeVar("M")


def _save(session: DbSession, obj: M, data: dict[str, Any], fields: Iterable[str]) -> M:
    for name in fields:
        setattr(obj, name, data[name])
    session.add(obj)
    session.flush()
    return obj


def save_municipality(
    session: DbSession, municipality: Municipality | None, data: dict[str, Any]
) -> Municipality:
    data = {**data, "holiday_region": HolidayRegion(data["holiday_region"])}
    return _save(
        session, municipality or Municipality(), data, ("name", "cbs_code", "holiday_region")
    )


def save_partnership(
    session: DbSession, partnership: Partnership | None, data: dict[str, Any]
) -> Partnership:
    return _save(session, partnership or Partnership(), data, ("name", "code", "email"))


SCHOOL_FIELDS = (
    "name",
    "brin",
    "location_code",
    "school_type",
    "location",
    "municipality_id",
    "partnership_id",
    "fixed_consultant_id",
    "management_email",
    "active",
)


def save_school(session: DbSession, school: School | None, data: dict[str, Any]) -> School:
    data = {**data, "school_type": SchoolType(data["school_type"]), "active": bool(data["active"])}
    return _save(session, school or School(), data, SCHOOL_FIELDS)


def save_stand_in(session: DbSession, stand_in: StandIn | None, data: dict[str, Any]) -> StandIn:
    fields = ("absent_consultant_id", "stand_in_id", "start_date", "end_date", "note")
    return _save(session, stand_in or StandIn(), data, fields)


def save_holiday(
    session: DbSession, holiday: SchoolHoliday | None, data: dict[str, Any]
) -> SchoolHoliday:
    data = {**data, "region": HolidayRegion(data["region"])}
    fields = ("school_year", "region", "name", "start_date", "end_date")
    return _save(session, holiday or SchoolHoliday(), data, fields)


def load_official_holidays(
    session: DbSession, school_year: int, region: HolidayRegion
) -> tuple[int, int]:
    """Add the bundled official holidays of ``school_year`` in ``region`` that are not there
    yet (by name); rows already there, edited or not, are kept. Returns (added, kept)."""
    present = set(
        session.scalars(
            select(SchoolHoliday.name).where(
                SchoolHoliday.school_year == school_year, SchoolHoliday.region == region
            )
        )
    )
    added = 0
    for holiday in official_holidays(school_year, region):
        if holiday.name in present:
            continue
        session.add(
            SchoolHoliday(
                school_year=school_year,
                region=region,
                name=holiday.name,
                start_date=holiday.start_date,
                end_date=holiday.end_date,
            )
        )
        added += 1
    session.flush()
    return added, len(official_holidays(school_year, region)) - added


def remove(session: DbSession, obj: StandIn | SchoolHoliday) -> None:
    """Delete a stand-in period or a school holiday."""
    session.delete(obj)
    session.flush()


def set_schools_of(session: DbSession, user: User, school_ids: Iterable[int]) -> None:
    """Make ``user`` staff of exactly these schools (none for a role other than school)."""
    session.flush()  # a new account gets its id
    session.execute(delete(school_staff).where(school_staff.c.user_id == user.id))
    rows = [{"user_id": user.id, "school_id": school_id} for school_id in dict.fromkeys(school_ids)]
    if rows:
        session.execute(insert(school_staff), rows)
