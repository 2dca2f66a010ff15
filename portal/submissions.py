"""One-time tokens of the forms that change something: a double click, a retry or the back
button files once, and the second answer shows the first one's result.

A form of :class:`portal.forms.OnceForm` carries a random token (``once``). When the form is
valid, :func:`claim` inserts the token into ``form_submission`` in the request's transaction,
before the view changes anything. The token is unique, so of two posts of one form:

* the second comes after the first committed: its insert fails at once;
* the second comes while the first is still running: the database holds its insert until the
  first ends (PostgreSQL waits on the unique index, SQLite on the write lock), then fails.

Either way the second rolls back and is sent to where the first one's answer went
(``target``, set by :func:`portal.lifecycle.saved`). A first post that ended without a result
(its form had errors, it lost a version conflict) left no claim, or a claim without a target,
which the next post takes over.

Claims are kept for :data:`KEEP` and then removed by the worker (``flask send-mail``).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import g, has_request_context
from sqlalchemy import Integer, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, DbSession, UTCDateTime, utcnow

KEEP = timedelta(days=2)
TOKEN_BYTES = 32


class FormSubmission(Base):
    __tablename__ = "form_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # A plain integer like the audit trail's: a claim says nothing about the account.
    user_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    target: Mapped[str | None] = mapped_column(String(500))


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class AlreadySubmitted(Exception):  # noqa: N818 - a signal to the error handler, not a fault
    """The form was posted before; ``target`` shows that post's result."""

    def __init__(self, target: str | None) -> None:
        super().__init__(target)
        self.target = target


def claim(session: DbSession, token: str, user_id: int | None) -> None:
    """Claim ``token`` for this request, or raise :class:`AlreadySubmitted` (after a
    rollback) when an earlier post of the same form got a result."""
    for _ in range(2):
        submission = FormSubmission(token=token, user_id=user_id)
        session.add(submission)
        try:
            session.flush()
        except IntegrityError:
            # No savepoint (pysqlite's are unreliable): the claim comes before the view has
            # changed anything, so the whole transaction goes.
            session.rollback()
        else:
            if has_request_context():
                g.form_submission = submission
            return
        earlier = session.scalar(select(FormSubmission).where(FormSubmission.token == token))
        if earlier is None:
            continue  # removed in between: claim again
        if earlier.target is not None or earlier.user_id != user_id:
            raise AlreadySubmitted(earlier.target if earlier.user_id == user_id else None)
        # An earlier post that ended without a result (errors, a conflict): take it over.
        if has_request_context():
            g.form_submission = earlier
        return


def record_result(target: str) -> None:
    """Where this request's answer sends the user: the result a repeated post is shown."""
    submission = g.get("form_submission") if has_request_context() else None
    if submission is not None:
        submission.target = target[:500]


def forget_old(session: DbSession, now: datetime) -> int:
    """Remove claims older than :data:`KEEP`; returns how many."""
    result = session.execute(delete(FormSubmission).where(FormSubmission.created_at < now - KEEP))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
