"""Imports: an uploaded file on its way in, what earlier imports said, and the school's own
column layouts, absence codes and lesson times."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from portal.db import Base, TimestampMixin, UTCDateTime, str_enum


class ImportKind(enum.StrEnum):
    PUPILS = "leerlingen"
    ABSENCE = "verzuim"
    LATE_ARRIVALS = "te-laat"

    @property
    def label(self) -> str:
        return {
            "leerlingen": "Leerlingen",
            "verzuim": "Verzuim",
            "te-laat": "Te laat komen",
        }[self.value]


class ImportBatch(TimestampMixin, Base):
    """A pupil list's parsed and validated rows, kept until the user commits or cancels (at
    most a day).

    The rows hold pupil data: they are deleted on commit or cancel and purged after 24 hours.
    """

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    kind: Mapped[ImportKind] = mapped_column(str_enum(ImportKind, "import_kind", 12))
    filename: Mapped[str] = mapped_column(String(200))
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class RunStatus(enum.StrEnum):
    COLUMNS = "kolommen"  # the headers were not recognised: the user maps them
    QUEUED = "wachtrij"  # waiting for the worker to read the file
    READING = "lezen"
    PREVIEW = "voorbeeld"  # read; the user decides
    SAVING = "opslaan"
    DONE = "klaar"
    FAILED = "mislukt"
    CANCELLED = "geannuleerd"

    @property
    def busy(self) -> bool:
        return self in {RunStatus.QUEUED, RunStatus.READING, RunStatus.SAVING}

    @property
    def label(self) -> str:
        return RUN_STATUS_LABELS[self]


RUN_STATUS_LABELS = {
    RunStatus.COLUMNS: "Kolommen koppelen",
    RunStatus.QUEUED: "In de wachtrij",
    RunStatus.READING: "Bestand lezen",
    RunStatus.PREVIEW: "Klaar om te controleren",
    RunStatus.SAVING: "Opslaan",
    RunStatus.DONE: "Opgeslagen",
    RunStatus.FAILED: "Mislukt",
    RunStatus.CANCELLED: "Geannuleerd",
}


class ImportRun(TimestampMixin, Base):
    """One uploaded file of registrations (absence or late arrivals), read and saved by the
    worker in the background.

    ``data`` holds the file until it is read (then it is emptied); the rows read wait in
    :class:`ImportRow` until the user saves or cancels. A run's summary keeps only counts and
    line numbers, never names.
    """

    __tablename__ = "import_run"
    __table_args__ = (Index("ix_import_run_user", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    kind: Mapped[ImportKind] = mapped_column(str_enum(ImportKind, "import_kind", 12))
    layout: Mapped[str | None] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(200))
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus, "import_run_status", 12))
    headers: Mapped[list[str]] = mapped_column(JSON, default=list)
    # field -> the header (text) that holds it
    columns: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    size: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)  # progress: bytes or rows
    total: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message: Mapped[str | None] = mapped_column(Text)  # why it failed, in Dutch
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


class ImportRow(Base):
    """One registration read from a file (a lesson, or a day of a notice), waiting for the
    user's decision. Written and read in bulk, never as a whole file of objects."""

    __tablename__ = "import_row"
    __table_args__ = (Index("ix_import_row_run_pupil", "run_id", "pupil_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_run.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    pupil_id: Mapped[int | None] = mapped_column(Integer)
    day: Mapped[date | None] = mapped_column(Date)
    slot: Mapped[int] = mapped_column(SmallInteger, default=0)
    code: Mapped[str] = mapped_column(String(40), default="")
    description: Mapped[str | None] = mapped_column(String(100))
    authorised: Mapped[bool | None] = mapped_column(Boolean)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    # cause, parents, help; SQL NULL when empty (not JSON null: nothing to parse per row)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    error_field: Mapped[str | None] = mapped_column(String(30))
    error: Mapped[str | None] = mapped_column(String(200))


class ImportedRegistration(Base):
    """What the latest import said about one pupil's lesson (or part of a day): the record a
    re-import compares with, so an overlapping period replaces instead of counting twice.

    ``slot`` is the lesson hour (1-20); :data:`PART_SLOT` + n the part of a day of the n-th
    kind that a notice without lesson hours covered; :data:`DAY_TOTAL_SLOT` + n a day total of
    the n-th kind (the portal's own layout, which gives hours per day and kind);
    :data:`LATE_SLOT` + lesson a late arrival (``LATE_SLOT`` itself: without a lesson). The
    kinds are numbered as ``portal.imports.codes.TARGETS``.
    """

    __tablename__ = "imported_registration"
    __table_args__ = (UniqueConstraint("pupil_id", "day", "slot", name="uq_imported_registration"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    slot: Mapped[int] = mapped_column(SmallInteger)
    target: Mapped[str] = mapped_column(String(20))  # an AbsenceKind value or "te_laat"
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    layout: Mapped[str] = mapped_column(String(30))
    code: Mapped[str] = mapped_column(String(40))


PART_SLOT = 50
DAY_TOTAL_SLOT = 100
LATE_SLOT = 200


class ColumnMapping(TimestampMixin, Base):
    """Which column of a school's file layout holds which field, as the user said once."""

    __tablename__ = "import_column_mapping"
    __table_args__ = (
        UniqueConstraint("school_id", "kind", "signature", name="uq_import_column_mapping"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    kind: Mapped[ImportKind] = mapped_column(str_enum(ImportKind, "import_kind", 12))
    signature: Mapped[str] = mapped_column(String(64))  # the normalised headers, hashed
    headers: Mapped[list[str]] = mapped_column(JSON, default=list)
    columns: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


IGNORE = "negeren"
LATE = "te_laat"


class AbsenceCode(TimestampMixin, Base):
    """A school's own absence code (Z, ZV, O, TL...) and what it means in the portal: a kind
    of absence, a late arrival (``te_laat``) or nothing to count (``negeren``)."""

    __tablename__ = "absence_code"
    __table_args__ = (UniqueConstraint("school_id", "code", name="uq_absence_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))  # as the file has it, trimmed, upper case
    description: Mapped[str | None] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(20))


class LessonSettings(TimestampMixin, Base):
    """How a school's lessons are counted: their length, and how many a whole day has (for a
    notice that covers whole days)."""

    __tablename__ = "lesson_settings"

    school_id: Mapped[int] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), primary_key=True
    )
    lesson_minutes: Mapped[int] = mapped_column(SmallInteger, default=50)
    lessons_per_day: Mapped[int] = mapped_column(SmallInteger, default=8)
