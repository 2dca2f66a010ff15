"""Signing in and changing one's password. Functions add and flush, never commit."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.auth.models import User
from portal.auth.passwords import burn_time, hash_password, needs_rehash, verify_password
from portal.db import DbSession, utcnow


def authenticate(session: DbSession, email: str, password: str) -> User | None:
    """The active account with this e-mail address and password, or None. An unknown address
    takes as long as a wrong password; an outdated hash is renewed on the way."""
    email = email.strip().lower()
    user = session.scalars(select(User).where(func.lower(User.email) == email)).first()
    if user is None:
        burn_time(password)
    if user is None or not user.active or not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def set_password(user: User, password: str) -> None:
    """The user's own new password (a start password no longer needs replacing)."""
    user.password_hash = hash_password(password)
    user.must_change_password = False
