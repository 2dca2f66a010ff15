"""Reads of a user's in-app notifications."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select

from portal.auth.models import User
from portal.db import DbSession
from portal.notifications.models import Notification

LATEST = 50  # the notifications page shows this many


def latest(session: DbSession, user: User) -> Sequence[Notification]:
    """The user's newest notifications, read and unread."""
    return session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(LATEST)
    ).all()


def unread_count(session: DbSession, user: User) -> int:
    return session.scalar(unread_count_statement(user.id)) or 0


def unread_count_statement(user_id: Any) -> Select[Any]:
    """The user's unread notifications counted (``user_id``: a value or a bound parameter)."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
