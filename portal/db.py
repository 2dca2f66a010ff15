"""Declarative base and shared column helpers."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, Enum, Integer, MetaData, TypeDecorator, event
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    declared_attr,
    mapped_column,
    scoped_session,
)

# Deterministic constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Services take either a plain Session or Flask-SQLAlchemy's scoped ``db.session``.
DbSession = Session | scoped_session[Any]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A moment, stored in UTC and read back as an aware UTC datetime on every database.

    PostgreSQL keeps ``timestamp with time zone``; SQLite has no time zones and gave back naive
    values, which a page then showed as if they were Dutch time (an hour or two off). A naive
    value written here is taken to be UTC. Pages show moments in Europe/Amsterdam
    (:func:`portal.filters.nl_datetime`).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def str_enum(cls: type[enum.Enum], name: str, length: int = 20) -> Enum:
    """A Python enum stored as its values in a VARCHAR with a CHECK constraint (no native
    PostgreSQL enum type: adding a value is then a plain migration on both databases)."""
    return Enum(
        cls,
        native_enum=False,
        length=length,
        create_constraint=True,
        name=name,
        values_callable=lambda members: [m.value for m in members],
    )


class Versioned:
    """An editable record, saved with optimistic locking: of two people saving it at once,
    exactly one wins.

    Every UPDATE of the row carries ``WHERE version = <the version read>`` and sets the next
    version (SQLAlchemy's ``version_id_col``): the database itself refuses the second of two
    concurrent saves (no row matches; the session raises ``StaleDataError``), however close
    together they come. The form carries the version its page showed
    (:class:`portal.forms.VersionedForm`), so a save made on a page opened before someone
    else's change is refused as well, with their change shown (``docs/architecture.md``).
    """

    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - a declared attribute
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


@event.listens_for(Session, "before_flush")
def _version_follows_collections(session: Session, _context: Any, _instances: Any) -> None:
    """A versioned record whose own columns are unchanged but whose collections changed (an
    entry's risks, a table's schools) is a change too: its ``updated_at`` is set, so its row
    is updated with the version check and a new version."""
    for obj in session.dirty:
        if (
            isinstance(obj, Versioned)
            and isinstance(obj, TimestampMixin)
            and session.is_modified(obj, include_collections=True)
        ):
            obj.updated_at = utcnow()
