"""Creating and changing accounts. Functions add and flush, never commit."""

from __future__ import annotations

from typing import Any

from portal.auth.models import Role, User
from portal.auth.passwords import hash_password
from portal.db import DbSession
from portal.schools.services import set_schools_of


def save_account(session: DbSession, user: User | None, data: dict[str, Any]) -> User:
    """Create or change an account from the account form's data. Only what belongs to the
    role is kept (schools for a zorgcoördinator, a partnership for swv staff); a new password
    is a start password the user must replace at first login."""
    role = Role(data["role"])
    if user is None:
        user = User(email=data["email"], name=data["name"], role=role, password_hash="")
        session.add(user)
    else:
        user.bump_version()  # the beheerder's edits count (a login does not: User's docstring)
    user.name = data["name"] or ""
    user.email = data["email"] or ""
    user.role = role
    user.active = bool(data["active"])
    user.partnership_id = data["partnership_id"] if role == Role.SWV else None
    if data["password"]:
        user.password_hash = hash_password(data["password"])
        user.must_change_password = True
    set_schools_of(session, user, (data["school_ids"] or []) if role == Role.SCHOOL else [])
    return user
