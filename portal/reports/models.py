"""Absence reports (meldingen) to the fixed consultant, their registrations and conversation."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.attendance.models import AbsenceKind
from portal.calendar import working_days_between
from portal.db import Base, TimestampMixin, UTCDateTime, Versioned, str_enum, utcnow
from portal.pupils.models import Pupil
from portal.schools.models import School

if TYPE_CHECKING:
    from portal.auth.models import User


class ReportKind(enum.StrEnum):
    SIXTEEN_HOURS = "zestien_uur"
    LONG_ABSENCE = "langdurig"
    LUXURY = "luxe"
    LATE = "te_laat"
    OTHER = "overig"
    SICK_SUSPECT = "oneigenlijk_ziek"
    REINTEGRATION = "reintegratie"
    SUSPENSION = "schorsing"
    DROPOUT = "dreigend_vsv"
    QUESTION = "vraag"

    @property
    def label(self) -> str:
        return REPORT_KIND_LABELS[self]

    @property
    def needs_period(self) -> bool:
        return self != ReportKind.QUESTION


REPORT_KIND_LABELS = {
    ReportKind.SIXTEEN_HOURS: "16 uur ongeoorloofd verzuim in 4 weken",
    ReportKind.LONG_ABSENCE: "Langdurig relatief verzuim",
    ReportKind.LUXURY: "Luxe verzuim",
    ReportKind.LATE: "Te laat komen (9 keer)",
    ReportKind.OTHER: "Overig verzuim",
    ReportKind.SICK_SUSPECT: "Vermoedelijk oneigenlijk ziekteverzuim",
    ReportKind.REINTEGRATION: "Re-integratieplan niet nagekomen",
    ReportKind.SUSPENSION: "Schorsing met voornemen tot verwijdering",
    ReportKind.DROPOUT: "Dreigend voortijdig schoolverlaten",
    ReportKind.QUESTION: "Vraag of advies (geen formele melding)",
}


class ReportStatus(enum.StrEnum):
    REGISTERED = "geregistreerd"
    IN_PROGRESS = "in_behandeling"
    CLOSED = "afgesloten"
    NOTED = "ter_kennisgeving"
    WITHDRAWN = "ingetrokken"

    @property
    def label(self) -> str:
        return REPORT_STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self in (ReportStatus.REGISTERED, ReportStatus.IN_PROGRESS)


REPORT_STATUS_LABELS = {
    ReportStatus.REGISTERED: "Geregistreerd",
    ReportStatus.IN_PROGRESS: "In behandeling",
    ReportStatus.CLOSED: "Afgesloten",
    ReportStatus.NOTED: "Ter kennisgeving aangenomen",
    ReportStatus.WITHDRAWN: "Ingetrokken",
}
OPEN_STATUSES = (ReportStatus.REGISTERED, ReportStatus.IN_PROGRESS)


class ClosingResult(enum.StrEnum):
    """Closing results as the annual reports count them."""

    PV_RELATIVE = "pv_relatief"
    PV_LUXURY = "pv_luxe"
    PV_ADDITIONAL = "pv_aanvullend"
    WARNING = "waarschuwing"
    HALT = "halt"
    NOT_CULPABLE = "niet_verwijtbaar"
    UNFOUNDED = "onterecht"
    DOORSTROOMPUNT = "doorstroompunt"
    MOVED = "verhuisd"
    EXEMPTION = "vrijstelling"
    HELP = "hulpverlening"

    @property
    def label(self) -> str:
        return CLOSING_RESULT_LABELS[self]


CLOSING_RESULT_LABELS = {
    ClosingResult.PV_RELATIVE: "Proces-verbaal relatief verzuim",
    ClosingResult.PV_LUXURY: "Proces-verbaal luxe verzuim",
    ClosingResult.PV_ADDITIONAL: "Aanvullend proces-verbaal",
    ClosingResult.WARNING: "Waarschuwing",
    ClosingResult.HALT: "Halt-verwijzing",
    ClosingResult.NOT_CULPABLE: "Niet verwijtbaar",
    ClosingResult.UNFOUNDED: "Onterechte melding",
    ClosingResult.DOORSTROOMPUNT: "Overdracht Doorstroompunt (18+)",
    ClosingResult.MOVED: "Verhuisd",
    ClosingResult.EXEMPTION: "Start werkproces vrijstelling",
    ClosingResult.HELP: "Verwezen naar hulpverlening",
}


OPEN_CONDITION = "status IN ('geregistreerd', 'in_behandeling')"


class Report(TimestampMixin, Versioned, Base):
    __tablename__ = "report"
    __table_args__ = (
        Index("ix_report_school_status", "school_id", "status", "deadline"),
        Index("ix_report_assigned_status", "assigned_consultant_id", "status", "deadline"),
        Index("ix_report_pupil", "pupil_id"),
        # The open reports are a few percent of all: partial indexes keep inboxes and their
        # counts on those few, however many years of closed reports the region keeps.
        Index(
            "ix_report_open_school",
            "school_id",
            "deadline",
            postgresql_where=text(OPEN_CONDITION),
            sqlite_where=text(OPEN_CONDITION),
        ),
        Index(
            "ix_report_open_assigned",
            "assigned_consultant_id",
            "deadline",
            postgresql_where=text(OPEN_CONDITION),
            sqlite_where=text(OPEN_CONDITION),
        ),
        # The reaction figures read the last twelve months of reports.
        Index("ix_report_filed_on", "filed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="RESTRICT"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind, "report_kind"))
    status: Mapped[ReportStatus] = mapped_column(
        str_enum(ReportStatus, "report_status"), default=ReportStatus.REGISTERED
    )
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    late_count: Mapped[int | None] = mapped_column(Integer)
    school_actions: Mapped[str] = mapped_column(Text, default="")
    causes: Mapped[str | None] = mapped_column(Text)
    help_involved: Mapped[str | None] = mapped_column(String(300))
    parents_informed: Mapped[bool] = mapped_column(Boolean, default=False)
    question: Mapped[str | None] = mapped_column(Text)
    filed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    filed_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    assigned_consultant_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    first_reaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_reaction_on: Mapped[date | None] = mapped_column(Date)
    # Working days from filing to the first reaction, kept with it (see ``_reaction_days``) so
    # the reaction figures are aggregated in SQL instead of per report in Python.
    reaction_working_days: Mapped[int | None] = mapped_column(Integer)
    closed_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[ClosingResult | None] = mapped_column(str_enum(ClosingResult, "closing_result"))
    # The school's legal duty: the report in DUO's verzuimregister, when and its number.
    duo_reported_on: Mapped[date | None] = mapped_column(Date)
    duo_reference: Mapped[str | None] = mapped_column(String(40))
    reminder_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    breach_sent: Mapped[bool] = mapped_column(Boolean, default=False)

    pupil: Mapped[Pupil] = relationship()
    school: Mapped[School] = relationship()
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    assigned_consultant: Mapped[User | None] = relationship(foreign_keys=[assigned_consultant_id])
    registrations: Mapped[list[ReportRegistration]] = relationship(
        back_populates="report", order_by="ReportRegistration.day", cascade="all, delete-orphan"
    )
    messages: Mapped[list[ReportMessage]] = relationship(
        back_populates="report", order_by="ReportMessage.id", cascade="all, delete-orphan"
    )


def reaction_working_days(filed_on: date | None, first_reaction_on: date | None) -> int | None:
    """Working days from filing to the first reaction (protocol §3.6.1 counts working days)."""
    if filed_on is None or first_reaction_on is None:
        return None
    return working_days_between(filed_on, first_reaction_on)


@event.listens_for(Report, "before_insert")
@event.listens_for(Report, "before_update")
def _reaction_days(_mapper: object, _connection: object, report: Report) -> None:
    """Keep ``reaction_working_days`` in step with the dates, whoever sets them."""
    report.reaction_working_days = reaction_working_days(report.filed_on, report.first_reaction_on)


class ReportRegistration(Base):
    """An absence registration as it was when the report was filed."""

    __tablename__ = "report_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[AbsenceKind] = mapped_column(str_enum(AbsenceKind, "absence_kind"))
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 1))

    report: Mapped[Report] = relationship(back_populates="registrations")


class ReportMessage(Base):
    """The consultant's reaction and the conversation that follows."""

    __tablename__ = "report_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    acting_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    from_lvs: Mapped[bool] = mapped_column(Boolean)  # written by leerplicht (not the school)
    body: Mapped[str] = mapped_column(Text)
    # index=True: the school's navigation count reads the messages of the last weeks.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    report: Mapped[Report] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    acting_for: Mapped[User | None] = relationship(foreign_keys=[acting_for_id])


class ReportRead(Base):
    """When a user last opened a report: drives the "nieuw" markers."""

    __tablename__ = "report_read"
    __table_args__ = (UniqueConstraint("report_id", "user_id", name="uq_report_read"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
