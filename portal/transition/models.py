"""Transition lists (overstaplijsten), tables (overstaptafels), discussions and agreements.

A list is the set of entries of one school in one school year (the year the pupil leaves VO).
The reference date for outcomes is 1 October after that school year.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, TimestampMixin, UTCDateTime, Versioned, str_enum, utcnow
from portal.pupils.models import Pupil
from portal.schools.models import Partnership, School

if TYPE_CHECKING:
    from portal.auth.models import User
    from portal.reports.models import Report


class RiskReason(enum.StrEnum):
    NO_APPLICATION = "geen_aanmelding"
    REJECTED = "afgewezen"
    DOUBT = "twijfel_keuze"
    ABSENCE = "verzuim"
    CARE = "zorg"
    LANGUAGE = "taal"
    OTHER = "overig"

    @property
    def label(self) -> str:
        return RISK_LABELS[self]


RISK_LABELS = {
    RiskReason.NO_APPLICATION: "Geen mbo-aanmelding op 1 april",
    RiskReason.REJECTED: "Aanmelding afgewezen of ingetrokken",
    RiskReason.DOUBT: "Twijfel over de opleidingskeuze",
    RiskReason.ABSENCE: "Verzuim",
    RiskReason.CARE: "Zorgbehoefte",
    RiskReason.LANGUAGE: "Taal",
    RiskReason.OTHER: "Anders",
}


class ApplicationStatus(enum.StrEnum):
    """The MBO application status as exchanged nationally, plus "no application yet"."""

    NONE = "geen_aanmelding"
    RECEIVED = "aanmelding_ontvangen"
    OFFERED = "ovo_aangeboden"
    NOT_ENROLLING = "geen_inschrijving"
    WITHDRAWN = "ingetrokken"
    ENROLLED = "ingeschreven"

    @property
    def label(self) -> str:
        return APPLICATION_LABELS[self]


APPLICATION_LABELS = {
    ApplicationStatus.NONE: "Geen aanmelding",
    ApplicationStatus.RECEIVED: "Aanmelding ontvangen",
    ApplicationStatus.OFFERED: "Onderwijsovereenkomst aangeboden",
    ApplicationStatus.NOT_ENROLLING: "Leidt niet tot inschrijving",
    ApplicationStatus.WITHDRAWN: "Ingetrokken",
    ApplicationStatus.ENROLLED: "Ingeschreven",
}


class Outcome(enum.StrEnum):
    STARTED_MBO = "gestart_mbo"
    INTAKE = "intakefase"
    PRIVATE = "particulier"
    WORK = "werk"
    CARE = "zorg"
    BACK_TO_VO = "terug_vo"
    MOVED_ABROAD = "verhuisd"
    HANDED_OVER = "leerplicht"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.STARTED_MBO: "Gestart in het mbo",
    Outcome.INTAKE: "In de intakefase",
    Outcome.PRIVATE: "Particuliere opleiding",
    Outcome.WORK: "Werk",
    Outcome.CARE: "Zorg of dagbesteding",
    Outcome.BACK_TO_VO: "Terug naar het vo",
    Outcome.MOVED_ABROAD: "Verhuisd (buitenland)",
    Outcome.HANDED_OVER: "Overgedragen aan leerplicht / Doorstroompunt",
}


class Party(enum.StrEnum):
    """Who carries out an agreement."""

    SCHOOL = "school"
    LEERPLICHT = "leerplicht"
    COACH = "overstapcoach"

    @property
    def label(self) -> str:
        return PARTY_LABELS[self]


PARTY_LABELS = {
    Party.SCHOOL: "School",
    Party.LEERPLICHT: "Leerplicht",
    Party.COACH: "Overstapcoach",
}


class TableRound(enum.StrEnum):
    SPRING = "voorjaar"
    BEFORE_SUMMER = "voor_zomer"
    AFTER_SUMMER = "na_zomer"

    @property
    def label(self) -> str:
        return ROUND_LABELS[self]

    @property
    def number(self) -> int:
        return list(TableRound).index(self) + 1


ROUND_LABELS = {
    TableRound.SPRING: "Eerste tafel (voorjaar)",
    TableRound.BEFORE_SUMMER: "Tweede tafel (voor de zomer)",
    TableRound.AFTER_SUMMER: "Derde tafel (na de zomer)",
}


table_schools = Table(
    "transition_table_school",
    Base.metadata,
    Column(
        "table_id",
        ForeignKey("transition_table.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("school_id", ForeignKey("school.id", ondelete="RESTRICT"), primary_key=True),
    Index("ix_transition_table_school_school", "school_id"),
)


class TransitionTable(TimestampMixin, Versioned, Base):
    """An overstaptafel the samenwerkingsverband holds for one or more schools."""

    __tablename__ = "transition_table"
    __table_args__ = (
        Index("ix_transition_table_partnership_year", "partnership_id", "school_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="RESTRICT"))
    school_year: Mapped[int] = mapped_column(SmallInteger)
    round: Mapped[TableRound] = mapped_column(str_enum(TableRound, "table_round"))
    held_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time | None] = mapped_column(Time)
    location: Mapped[str] = mapped_column(String(150), default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    partnership: Mapped[Partnership] = relationship()
    schools: Mapped[list[School]] = relationship(secondary=table_schools, order_by="School.name")

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class TransitionEntry(TimestampMixin, Versioned, Base):
    """A pupil on the school's overstaplijst for one school year."""

    __tablename__ = "transition_entry"
    __table_args__ = (
        UniqueConstraint("pupil_id", "school_year", name="uq_transition_entry_pupil_year"),
        Index("ix_transition_entry_school_year", "school_id", "school_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    school_year: Mapped[int] = mapped_column(SmallInteger)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="RESTRICT"))
    risk_note: Mapped[str | None] = mapped_column(String(300))
    application_status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, "application_status"), default=ApplicationStatus.NONE
    )
    mbo_institution: Mapped[str | None] = mapped_column(String(150))
    mbo_programme: Mapped[str | None] = mapped_column(String(150))
    coach_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    first_discussed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, "transition_outcome"))
    outcome_on: Mapped[date | None] = mapped_column(Date)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    handover_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("report.id", ondelete="SET NULL")
    )
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    school: Mapped[School] = relationship()
    pupil: Mapped[Pupil] = relationship()
    coach: Mapped[User | None] = relationship(foreign_keys=[coach_id])
    handover_report: Mapped[Report | None] = relationship()
    risks: Mapped[list[TransitionRisk]] = relationship(
        cascade="all, delete-orphan", order_by="TransitionRisk.reason"
    )
    discussions: Mapped[list[TransitionDiscussion]] = relationship(
        back_populates="entry",
        cascade="all, delete-orphan",
        order_by="TransitionDiscussion.created_at",
    )
    agreements: Mapped[list[TransitionAgreement]] = relationship(
        back_populates="entry",
        cascade="all, delete-orphan",
        order_by="TransitionAgreement.due_on",
    )

    @property
    def risk_reasons(self) -> list[RiskReason]:
        return [r.reason for r in self.risks]

    @property
    def is_open(self) -> bool:
        return self.outcome is None


class TransitionRisk(Base):
    __tablename__ = "transition_risk"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("transition_entry.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[RiskReason] = mapped_column(
        str_enum(RiskReason, "risk_reason"), primary_key=True
    )


class TransitionDiscussion(Base):
    """Where a pupil stood when the table discussed them."""

    __tablename__ = "transition_discussion"
    __table_args__ = (
        UniqueConstraint("entry_id", "table_id", name="uq_transition_discussion_entry_table"),
        Index("ix_transition_discussion_table", "table_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("transition_entry.id", ondelete="CASCADE"))
    table_id: Mapped[int] = mapped_column(ForeignKey("transition_table.id", ondelete="CASCADE"))
    application_status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, "application_status")
    )
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entry: Mapped[TransitionEntry] = relationship(back_populates="discussions")
    table: Mapped[TransitionTable] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class TransitionAgreement(Versioned, Base):
    """An agreement: what, who (school, leerplicht, overstapcoach), due when; ticked off once
    done."""

    __tablename__ = "transition_agreement"
    __table_args__ = (
        Index("ix_transition_agreement_entry", "entry_id"),
        Index("ix_transition_agreement_party_open", "party", "done_on", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("transition_entry.id", ondelete="CASCADE"))
    table_id: Mapped[int | None] = mapped_column(
        ForeignKey("transition_table.id", ondelete="SET NULL")
    )
    description: Mapped[str] = mapped_column(String(300))
    party: Mapped[Party] = mapped_column(str_enum(Party, "agreement_party"))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    done_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entry: Mapped[TransitionEntry] = relationship(back_populates="agreements")
    table: Mapped[TransitionTable | None] = relationship()
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
