"""Extensions, created here and bound to the app in ``create_app``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from portal.db import Base, count_statement

logger = logging.getLogger(__name__)


class _Pagination(SelectPagination):
    """Flask-SQLAlchemy's pagination, counting with :func:`portal.db.count_statement`."""

    def _query_count(self) -> int:
        # A page that is not full is the last one: the total follows from it (most inboxes
        # fit on one page, so most pages need no count at all).
        if 0 < len(self.items) < self.per_page:
            return self._query_offset + len(self.items)
        query = self._query_args["select"]
        return self._query_args["session"].execute(count_statement(query)).scalar() or 0


# Set on a database connection once its transaction has run anything but a SELECT: a flush,
# a DML statement through the session, its connection or the DBAPI cursor, a savepoint.
WROTE = "portal.wrote"


@event.listens_for(Engine, "begin")
def _transaction_began(conn: Connection) -> None:
    conn.info.pop(WROTE, None)


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info[WROTE] = True


def _end_read_only_transaction(exc: BaseException | None) -> None:
    """End a request whose transaction only read with COMMIT instead of ROLLBACK.

    Flask-SQLAlchemy ends every request by closing its session, which rolls back. On
    PostgreSQL a ROLLBACK makes psycopg discard its prepared statements (``DEALLOCATE ALL``),
    so each request parsed and planned all its queries again. A transaction that ran only
    SELECTs and raised nothing gains nothing from a rollback; any other still gets it.
    """
    if exc is not None or not db.session.registry.has():
        return
    session = db.session()
    transaction = session.get_transaction()
    if transaction is None or not transaction.is_active:
        return
    if session.new or session.dirty or session.deleted:
        return
    if session.connection().info.get(WROTE):
        return
    # The session closes right after: its objects stay readable as they are, not expired
    # (a test, or a teardown, may still look at them).
    session.expire_on_commit = False
    try:
        session.commit()
    except SQLAlchemyError:
        # Nothing was written: the session's removal rolls back, as before.
        logger.warning("commit of a read-only request failed", exc_info=True)


class RowsPagination(Pagination):
    """A page of plain rows read by one statement that also counts all of them.

    ``fetch(limit, offset)`` returns the page's rows, each with the total of all rows as
    ``total`` (a window count); ``count_all()`` is asked only for a page past the end.
    """

    def _query_items(self) -> list[Any]:
        rows: list[Any] = self._query_args["fetch"](self.per_page, self._query_offset)
        self._total = rows[0].total if rows else None
        return rows

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total  # type: ignore[no-any-return]
        return self._query_args["count_all"]() if self.page > 1 else 0  # type: ignore[no-any-return]


class _SQLAlchemy(SQLAlchemy):
    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        # Registered after Flask-SQLAlchemy's own teardown, so it runs first (Flask runs them in
        # reverse order): the session is still there.
        app.teardown_appcontext(_end_read_only_transaction)

    def paginate(  # type: ignore[override]
        self,
        select: Any,
        *,
        page: int | None = None,
        per_page: int | None = None,
        max_per_page: int | None = None,
        error_out: bool = True,
        count: bool = True,
    ) -> SelectPagination:
        return _Pagination(
            select=select,
            session=self.session(),
            page=page,
            per_page=per_page,
            max_per_page=max_per_page,
            error_out=error_out,
            count=count,
        )


db = _SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
