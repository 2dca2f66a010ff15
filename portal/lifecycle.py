"""The request lifecycle, written once.

Every form view runs the same path (``docs/architecture.md``)::

    load through the access policy (a miss is 404)
      -> check the action's predicate (403)
      -> validate the form (its validate_<field> methods hold the database rules)
      -> call a service (it adds and flushes, never commits)
      -> saved(...): the request's one commit, a message, a redirect
    or, when the form has errors:
      -> form_page(...): the page again with status 422 and what the user typed

A view that answers an htmx request with a fragment calls :func:`commit` (or
:func:`committed`, when another user's change may conflict) and renders the fragment.

A request has exactly one transaction on the request's session. It ends here as well
(:func:`end_read_only_transaction`): committed when it only read, rolled back when it wrote
without committing or failed. The only writes outside it are the audit trail's read records
(:func:`portal.audit.record_reads`): a read is logged at the moment of access, even when the
request fails afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template
from flask_wtf import FlaskForm
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from portal import submissions
from portal.extensions import db
from portal.forms import VersionedForm

logger = logging.getLogger(__name__)


# --- Form views ----------------------------------------------------------------------------------


def commit() -> None:
    """The request's one commit (a view that answers with a fragment instead of a redirect)."""
    db.session.commit()


def committed() -> bool:
    """Commit; False, after a rollback, when someone else changed a versioned row this request
    changed in the meantime (the view then says so and shows the current state)."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return False
    return True


def applied(change: Callable[[], object]) -> bool:
    """Run ``change`` (a service call) and flush it: the UPDATE of each versioned record runs
    now, with the version read in its WHERE clause (``portal.db.Versioned``). False, after a
    rollback, when one found its row saved by someone else in the meantime: the view then shows
    the form again with the conflict (``VersionedForm.conflicted``). Else the view ends with
    :func:`saved`."""
    try:
        change()
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        return False
    return True


def form_applied(form: VersionedForm, record: Any | None, change: Callable[[], object]) -> bool:
    """A posted form that changes ``record`` (None: creates one), with optimistic locking:
    True when ``change`` ran and flushed (the view ends with :func:`saved`); False when the
    form has errors, its page showed an older version (:meth:`VersionedForm.stale`), or the
    database refused the UPDATE because someone saved the record in between. In the last two
    cases the form carries the conflict, with the record as it is now saved."""
    record_id = record.id if record is not None else None
    if not form.validate_on_submit():
        return False
    if record is not None and form.stale(record):
        return False
    if applied(change):
        return True
    current = db.session.get(type(record), record_id) if record_id is not None else None
    if current is None:
        abort(404)  # removed in the meantime
    form.conflicted(current)
    return False


CONFLICT_MESSAGE = (
    "Iemand anders heeft dit net gewijzigd, daarom is uw wijziging niet opgeslagen. Bekijk de "
    "nieuwe stand en probeer het zo nodig opnieuw."
)


def conflict_redirect(target: str) -> Response:
    """The end of a button's view (no form to show again) whose change lost to someone
    else's: say so, and show the current state."""
    flash(CONFLICT_MESSAGE, "error")
    return redirect(target)


def discard() -> None:
    """Drop what this request changed (a version conflict surfaced before the commit): the
    page then shows the current state."""
    db.session.rollback()


def abandon() -> None:
    """End a failed request's transaction before its error page: a failed statement leaves it
    aborted (PostgreSQL), and the page's own queries would fail in it. A rollback on a
    connection the database already dropped is logged, not raised."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        logger.warning("rollback before an error page failed", exc_info=True)


def saved(message: str, target: str, *, category: str = "success") -> Response:
    """The end of a form view that changed something: commit, say so, and redirect (so a
    reload does not post again)."""
    submissions.record_result(target)
    db.session.commit()
    flash(message, category)
    return redirect(target)


def form_page(template: str, *forms: FlaskForm | None, **context: Any) -> tuple[str, int]:
    """A page with forms: status 409 when one of ``forms`` lost to someone else's change, 422
    when one has errors (the page shows them next to the fields, with what the user typed),
    else 200."""
    status = 200
    if any(form is not None and form.errors for form in forms):
        status = 422
    if any(getattr(form, "conflict", None) for form in forms):
        status = 409
    return render_template(template, **context), status


# --- The end of a request's transaction ----------------------------------------------------------

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


def end_read_only_transaction(exc: BaseException | None) -> None:
    """End a request whose transaction only read with COMMIT instead of ROLLBACK.

    Flask-SQLAlchemy ends every request by closing its session, which rolls back. On
    PostgreSQL a ROLLBACK makes psycopg discard its prepared statements (``DEALLOCATE ALL``),
    so each request parsed and planned all its queries again: the PostgreSQL medians at region
    scale fell by 3-30 % with this (most pages 10-30 %). A transaction that ran only SELECTs
    and raised nothing gains nothing from a rollback; any other still gets it
    (``tests/integration/test_lifecycle.py``).

    Registered by ``create_app`` after Flask-SQLAlchemy's own teardown, so it runs first
    (Flask runs teardowns in reverse order) and the session is still there.
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
