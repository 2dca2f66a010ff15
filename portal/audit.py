"""The audit trail: an append-only record of who read or changed which pupil's data.

Follows the NEN 7513 fields: event, date/time, pupil, user, on whose behalf (a stand-in acts
for the fixed consultant), and the client address. The access policy (``portal.access``) calls
:func:`record_reads`, so a view cannot forget them; services call :func:`record_change`.

* Reads are written in their own short transaction at the moment of access: a read is logged
  even when the request later fails or never commits.
* Changes are added to the caller's session, so a change and its record commit (or roll back)
  together.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from flask import has_request_context, request
from sqlalchemy import (
    Insert,
    String,
    bindparam,
    event,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base, DbSession, UTCDateTime, str_enum, utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from portal.auth.models import User


class AuditAction(enum.StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Plain integers, not foreign keys: the trail must outlive deleted records (retention).
    user_id: Mapped[int | None] = mapped_column(index=True)
    acting_for_id: Mapped[int | None]
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction, "audit_action", 10))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    pupil_id: Mapped[int | None] = mapped_column(index=True)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[str | None] = mapped_column(String(200))


class AuditTrailIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AuditTrailIsAppendOnly("audit events cannot be changed or deleted")


def _client_address() -> str | None:
    return request.remote_addr if has_request_context() else None


def _row(
    user: User | None,
    action: AuditAction,
    object_type: str,
    object_id: int | None,
    pupil_id: int | None,
    acting_for_id: int | None,
    detail: str | None,
) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "user_id": user.id if user is not None else None,
        "acting_for_id": acting_for_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "pupil_id": pupil_id,
        "ip_address": _client_address(),
        "detail": detail,
    }


def record_reads(
    user: User,
    object_type: str,
    items: Iterable[tuple[int | None, int | None]],
    *,
    acting_for_id: int | None = None,
    acting_for_ids: list[int | None] | None = None,
    detail: str | None = None,
) -> None:
    """Log reads of ``(object_id, pupil_id)`` pairs now, in a transaction of their own: the
    only write outside a request's own transaction (:mod:`portal.lifecycle`), so that a read is
    logged even when the request fails afterwards.

    ``acting_for_ids`` gives one "on behalf of" per item; otherwise ``acting_for_id`` holds for
    all of them. On PostgreSQL the page's records are one ``INSERT ... SELECT FROM unnest(...)``
    in autocommit: from 18 % to 8 % of a worker's CPU on the inbox (README, "Prestaties").
    """
    items = list(items)
    behalf = acting_for_ids if acting_for_ids is not None else [acting_for_id] * len(items)
    rows = [
        _row(user, AuditAction.READ, object_type, object_id, pupil_id, for_id, detail)
        for (object_id, pupil_id), for_id in zip(items, behalf, strict=True)
    ]
    if not rows:
        return
    if db.engine.dialect.name == "postgresql":
        # A list page logs a read per pupil: one statement with a column of values each
        # (unnested by PostgreSQL) costs a fraction of an executemany of 25 rows. One statement
        # is a transaction by itself: in autocommit it needs no BEGIN and COMMIT round trips.
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(
                _insert_unnested(), {name: [_plain(r[name]) for r in rows] for name in _COLUMNS}
            )
    else:
        with db.engine.begin() as conn:
            conn.execute(_insert(), rows)


_COLUMNS = (
    "at",
    "user_id",
    "acting_for_id",
    "action",
    "object_type",
    "object_id",
    "pupil_id",
    "ip_address",
    "detail",
)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


@cache
def _insert() -> Insert:
    return insert(AuditEvent)


@cache
def _insert_unnested() -> Insert:
    table = AuditEvent.__table__
    arrays = [
        bindparam(name, type_=postgresql.ARRAY(String if name == "action" else table.c[name].type))
        for name in _COLUMNS
    ]
    return insert(AuditEvent).from_select(
        list(_COLUMNS), select(literal_column("*")).select_from(func.unnest(*arrays))
    )


def record_change(
    session: DbSession,
    user: User,
    action: AuditAction,
    object_type: str,
    object_id: int | None,
    pupil_id: int | None,
    *,
    acting_for_id: int | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Add a change record to ``session``; it commits together with the change itself."""
    audit_event = AuditEvent(
        **_row(user, action, object_type, object_id, pupil_id, acting_for_id, detail)
    )
    session.add(audit_event)
    return audit_event


def last_change(session: DbSession, record: Any) -> tuple[str | None, datetime | None]:
    """Who last created or changed ``record`` (by its table and id) and when, from the trail;
    ``(None, None)`` for a record whose changes are not logged (master data)."""
    users = Base.metadata.tables["user_account"]
    row = session.execute(
        select(users.c.name, AuditEvent.at)
        .outerjoin(users, users.c.id == AuditEvent.user_id)
        .where(
            AuditEvent.object_type == record.__tablename__,
            AuditEvent.object_id == record.id,
            AuditEvent.action.in_([AuditAction.CREATE, AuditAction.UPDATE]),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    return (row.name, row.at) if row else (None, None)
