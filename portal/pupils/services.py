"""Changes to pupil records, each logged in the audit trail. Functions add and flush, never
commit: the route commits once."""

from __future__ import annotations

from typing import Any

from portal.audit import AuditAction, record_change
from portal.auth.models import User
from portal.db import DbSession
from portal.pupils.models import Programme, Pupil

FIELDS = (
    "pupil_number",
    "first_name",
    "last_name",
    "date_of_birth",
    "class_name",
    "year",
    "residence_municipality_id",
    "enrolled_on",
)


def add_pupil(session: DbSession, user: User, data: dict[str, Any]) -> Pupil:
    """Enrol a pupil in ``data["school_id"]`` (the form offers only the user's schools)."""
    pupil = Pupil(school_id=data["school_id"])
    _assign(pupil, data)
    session.add(pupil)
    session.flush()
    record_change(session, user, AuditAction.CREATE, "pupil", pupil.id, pupil.id)
    return pupil


def update_pupil(session: DbSession, user: User, pupil: Pupil, data: dict[str, Any]) -> None:
    """Change a pupil's record (not its school: a pupil changes school by leaving)."""
    _assign(pupil, data)
    session.flush()
    record_change(session, user, AuditAction.UPDATE, "pupil", pupil.id, pupil.id)


def unenrol(session: DbSession, user: User, pupil: Pupil, data: dict[str, Any]) -> None:
    """The pupil left the school on ``data["left_on"]`` for ``data["leaving_destination"]``."""
    pupil.left_on = data["left_on"]
    pupil.leaving_destination = data["leaving_destination"]
    session.flush()
    record_change(
        session, user, AuditAction.UPDATE, "pupil", pupil.id, pupil.id, detail="uitgeschreven"
    )


def _assign(pupil: Pupil, data: dict[str, Any]) -> None:
    for name in FIELDS:
        setattr(pupil, name, data[name])
    pupil.programme = Programme(data["programme"])
