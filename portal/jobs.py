"""What the background tasks did: their last success and failure, for the beheerder.

The task queue itself is :mod:`portal.worker`; this core module keeps only the record, so that
the beheerder's page (a feature) can read it without depending on the worker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, DbSession, UTCDateTime, utcnow


class JobStatus(Base):
    """The last success and failure of one background task."""

    __tablename__ = "job_status"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    runs: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def failing(self) -> bool:
        """The last run failed (no success since)."""
        return self.last_failure_at is not None and (
            self.last_success_at is None or self.last_failure_at > self.last_success_at
        )


#: What each task does, in the beheerder's words.
DESCRIPTIONS = {
    "ronde": "Elke minuut: e-mail versturen, termijnmeldingen, de evaluatieronde van april, "
    "signalen na nieuwe verzuimregels.",
    "signalen": "Elke nacht: de signalen van alle leerlingen bijwerken.",
    "import-lezen": "Na elke upload: het bestand van een verzuimimport lezen en controleren.",
    "import-opslaan": "Na 'Opslaan': de regels van een verzuimimport opslaan en de signalen "
    "van de leerlingen bijwerken.",
}

# The task queue registers how each background task is submitted (``portal.worker``); a
# feature submits by name, so it needs no import of the worker (which sits above it).
_submitters: dict[str, Callable[[int], object]] = {}


def handles(name: str, submit: Callable[[int], object]) -> None:
    _submitters[name] = submit


def submit(name: str, record_id: int) -> None:
    """Put task ``name`` for ``record_id`` on the queue (run at once in tests)."""
    _submitters[name](record_id)


def statuses(session: DbSession) -> list[JobStatus]:
    return list(session.scalars(select(JobStatus).order_by(JobStatus.name)))


def any_failing(session: DbSession) -> bool:
    return any(status.failing for status in statuses(session))


def error_text(error: BaseException) -> str:
    """What is kept of an error: its type and message, but of a database error only its type
    and SQLSTATE (a PostgreSQL message may quote a value of the row, e.g. in COPY's context)."""
    if isinstance(error, DBAPIError):
        code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
        return f"{type(error).__name__}" + (f" (SQLSTATE {code})" if code else "")
    return f"{type(error).__name__}: {error}"[:1000]


def record_outcome(session: DbSession, name: str, error: BaseException | None) -> None:
    """Keep a task's outcome (flushed; the worker commits it). Only the error's type and
    message are kept: tasks work on ids, never put pupil data in messages."""
    status = session.get(JobStatus, name) or JobStatus(name=name, failures=0, runs=0)
    status.runs = (status.runs or 0) + 1
    if error is None:
        status.last_success_at = utcnow()
    else:
        status.last_failure_at = utcnow()
        status.failures = (status.failures or 0) + 1
        status.last_error = error_text(error)
    session.add(status)
    session.flush()
