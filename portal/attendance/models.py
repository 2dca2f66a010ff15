"""Absence and late-arrival registrations, the 3-6-9 steps taken, signals and their settings."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, TimestampMixin, Versioned, str_enum
from portal.pupils.models import Pupil


class AbsenceKind(enum.StrEnum):
    # Not explained yet: the default of a new registration. It is no legal signal of its own;
    # after ``AttendanceSettings.unexplained_days`` days it counts as unauthorised.
    ONVERANTWOORD = "onverantwoord"
    # Authorised (geoorloofd)
    ZIEK = "ziek"
    VERLOF = "verlof"
    SCHORSING = "schorsing"
    OVERIG_GEOORLOOFD = "overig_geoorloofd"
    # Unauthorised (ongeoorloofd): these count for the 16-hour rule
    ONGEOORLOOFD = "ongeoorloofd"
    LUXE_VERZUIM = "luxe_verzuim"
    ONEIGENLIJK_ZIEK = "oneigenlijk_ziek"

    @property
    def label(self) -> str:
        return ABSENCE_KIND_LABELS[self]

    @property
    def authorised(self) -> bool:
        return self in AUTHORISED_KINDS

    @property
    def short(self) -> str:
        return ABSENCE_KIND_SHORT[self]


AUTHORISED_KINDS = frozenset(
    {AbsenceKind.ZIEK, AbsenceKind.VERLOF, AbsenceKind.SCHORSING, AbsenceKind.OVERIG_GEOORLOOFD}
)
# Unauthorised (ongeoorloofd): these count for the 16-hour rule at once.
UNAUTHORISED_KINDS = frozenset(
    {AbsenceKind.ONGEOORLOOFD, AbsenceKind.LUXE_VERZUIM, AbsenceKind.ONEIGENLIJK_ZIEK}
)
ABSENCE_KIND_LABELS = {
    AbsenceKind.ONVERANTWOORD: "Nog niet verantwoord",
    AbsenceKind.ZIEK: "Ziek",
    AbsenceKind.VERLOF: "Verlof verleend",
    AbsenceKind.SCHORSING: "Schorsing",
    AbsenceKind.OVERIG_GEOORLOOFD: "Overig geoorloofd",
    AbsenceKind.ONGEOORLOOFD: "Ongeoorloofd (spijbelen)",
    AbsenceKind.LUXE_VERZUIM: "Luxe verzuim",
    AbsenceKind.ONEIGENLIJK_ZIEK: "Vermoedelijk oneigenlijk ziek",
}
ABSENCE_KIND_SHORT = {
    AbsenceKind.ONVERANTWOORD: "NV",
    AbsenceKind.ZIEK: "Z",
    AbsenceKind.VERLOF: "V",
    AbsenceKind.SCHORSING: "S",
    AbsenceKind.OVERIG_GEOORLOOFD: "G",
    AbsenceKind.ONGEOORLOOFD: "O",
    AbsenceKind.LUXE_VERZUIM: "L",
    AbsenceKind.ONEIGENLIJK_ZIEK: "OZ",
}


class Absence(TimestampMixin, Base):
    """Hours absent for one pupil on one day, of one kind."""

    __tablename__ = "absence"
    __table_args__ = (
        UniqueConstraint("pupil_id", "day", "kind", name="uq_absence_pupil_day_kind"),
        Index("ix_absence_pupil_day", "pupil_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    kind: Mapped[AbsenceKind] = mapped_column(str_enum(AbsenceKind, "absence_kind"))
    cause: Mapped[str | None] = mapped_column(String(200))
    parents_reported: Mapped[bool] = mapped_column(Boolean, default=False)
    help_involved: Mapped[str | None] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The import layout that set it (``portal.imports``); None: entered by hand. A re-import
    # changes only what an import set, and shows a hand entry it disagrees with as a conflict.
    source: Mapped[str | None] = mapped_column(String(30))

    pupil: Mapped[Pupil] = relationship()


class LateArrival(TimestampMixin, Base):
    """One late arrival: a pupil can be late more than once a day (per lesson hour)."""

    __tablename__ = "late_arrival"
    __table_args__ = (
        UniqueConstraint("pupil_id", "day", "lesson_hour", name="uq_late_arrival_occurrence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    lesson_hour: Mapped[int | None] = mapped_column(SmallInteger)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    source: Mapped[str | None] = mapped_column(String(30))  # as Absence.source

    pupil: Mapped[Pupil] = relationship()


class LateArrivalStep(TimestampMixin, Base):
    """The school took a step of the 3-6-9 rule (informed parents, talk with management...)."""

    __tablename__ = "late_arrival_step"
    __table_args__ = (UniqueConstraint("pupil_id", "period_start", "step", name="uq_late_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[date] = mapped_column(Date)  # the counting period it belongs to
    step: Mapped[int] = mapped_column(SmallInteger)  # 3, 6, 9...
    taken_on: Mapped[date] = mapped_column(Date)
    how: Mapped[str] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class SignalKind(enum.StrEnum):
    SIXTEEN_HOURS = "zestien_uur"
    LONG_ABSENCE = "langdurig"
    LATE_ARRIVALS = "te_laat"
    SICK_LEAVE = "ziekteverzuim"
    WEEKDAY_PATTERN = "patroon"
    UNEXPLAINED = "onverantwoord"

    @property
    def label(self) -> str:
        return SIGNAL_KIND_LABELS[self]


SIGNAL_KIND_LABELS = {
    SignalKind.SIXTEEN_HOURS: "16 uur in 4 weken",
    SignalKind.LONG_ABSENCE: "Langdurig relatief verzuim",
    SignalKind.LATE_ARRIVALS: "Te laat komen (3-6-9)",
    SignalKind.SICK_LEAVE: "Zorgwekkend ziekteverzuim (MAZL)",
    SignalKind.WEEKDAY_PATTERN: "Patroon: steeds op dezelfde dag",
    SignalKind.UNEXPLAINED: "Nog niet verantwoord",
}


class Signal(TimestampMixin, Base):
    """A line a pupil crossed, kept up to date on every registration.

    Signals of a pupil are recomputed from the registrations after each change; ``detail``
    holds what the page shows (hours, dates, the step due).
    """

    __tablename__ = "signal"
    __table_args__ = (
        Index("ix_signal_school_open", "school_id", "resolved", "reached_on"),
        Index("ix_signal_pupil", "pupil_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    kind: Mapped[SignalKind] = mapped_column(str_enum(SignalKind, "signal_kind"))
    start: Mapped[date] = mapped_column(Date)
    reached_on: Mapped[date] = mapped_column(Date)
    legal_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Set when the school acted on it (a report filed, a 3-6-9 step recorded).
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    # One row per pupil and kind on the signals page: the pupil's latest signal of this kind
    # (``latest``) and the latest of those still open (``latest_open``) head the row; the
    # earlier ones fold under it. Set by ``signals.compute_signals``.
    latest: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    latest_open: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    pupil: Mapped[Pupil] = relationship()


# The region-wide signal list (senior) in page order, and the open-signal counts, read from the
# index alone: bounded work however many signals the region holds.
Index(
    "ix_signal_open_order",
    Signal.resolved,
    Signal.legal_duty.desc(),
    Signal.reached_on.desc(),
    Signal.id,
    Signal.school_id,
    Signal.pupil_id,
)


class LatePeriod(enum.StrEnum):
    SCHOOL_YEAR = "school_year"
    MONTH = "month"

    @property
    def label(self) -> str:
        return {"school_year": "Per schooljaar", "month": "Per kalendermaand"}[self.value]


class AttendanceSettings(TimestampMixin, Versioned, Base):
    """The region's counting rules: one row, edited by the functioneel beheerder."""

    __tablename__ = "attendance_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    sixteen_hours_threshold: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal(16))
    sixteen_hours_weeks: Mapped[int] = mapped_column(SmallInteger, default=4)
    long_absence_weeks: Mapped[int] = mapped_column(SmallInteger, default=4)
    max_hours_per_day: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal(10))
    late_steps: Mapped[str] = mapped_column(String(50), default="3,6,9")
    late_step_actions: Mapped[str] = mapped_column(
        String(1000),
        default="Ouders informeren\nBrief of gesprek met de schoolleiding\nMelden bij leerplicht",
    )
    # A Halt referral for a pupil who missed more unauthorised hours than this asks the
    # consultant to confirm (Halt is meant for limited absence).
    halt_confirm_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal(60))
    late_period: Mapped[LatePeriod] = mapped_column(
        str_enum(LatePeriod, "late_period"), default=LatePeriod.SCHOOL_YEAR
    )
    # Absence "nog niet verantwoord" counts as unauthorised once this many days have passed
    # without the school explaining it (schools' policies: "binnen twee dagen verantwoorden").
    unexplained_days: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")
    # The version of the counting rules (``rules.RULES_VERSION``) the stored signals were
    # computed with; the worker recomputes every pupil's signals when the code's is newer.
    rules_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def steps(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.late_steps.split(",") if part.strip())

    @property
    def step_actions(self) -> dict[int, str]:
        lines = [line.strip() for line in self.late_step_actions.splitlines() if line.strip()]
        return {
            step: (lines[i] if i < len(lines) else f"Stap {step}")
            for i, step in enumerate(self.steps)
        }
