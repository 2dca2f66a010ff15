"""Master data: municipalities, partnerships, schools, fixed consultants, stand-ins, holidays."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import Base, TimestampMixin, Versioned, str_enum


class HolidayRegion(enum.StrEnum):
    """The three regions of the Dutch school-holiday schedule."""

    NOORD = "noord"
    MIDDEN = "midden"
    ZUID = "zuid"

    @property
    def label(self) -> str:
        return {"noord": "Noord", "midden": "Midden", "zuid": "Zuid"}[self.value]


class SchoolType(enum.StrEnum):
    PO = "PO"
    SO = "SO"
    VO = "VO"
    VSO = "VSO"
    MBO = "MBO"

    @property
    def label(self) -> str:
        return SCHOOL_TYPE_LABELS[self]

    @property
    def counts_clock_hours(self) -> bool:
        """Primary and special schools count clock hours; the others lesson hours."""
        return self in (SchoolType.PO, SchoolType.SO)


SCHOOL_TYPE_LABELS = {
    SchoolType.PO: "Primair onderwijs",
    SchoolType.SO: "Speciaal onderwijs",
    SchoolType.VO: "Voortgezet onderwijs",
    SchoolType.VSO: "Voortgezet speciaal onderwijs",
    SchoolType.MBO: "Middelbaar beroepsonderwijs",
}


class Municipality(TimestampMixin, Versioned, Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    cbs_code: Mapped[str | None] = mapped_column(String(6), unique=True)
    holiday_region: Mapped[HolidayRegion] = mapped_column(
        str_enum(HolidayRegion, "holiday_region"), default=HolidayRegion.MIDDEN
    )


class Partnership(TimestampMixin, Versioned, Base):
    """A samenwerkingsverband (regional school partnership)."""

    __tablename__ = "partnership"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))


# The zorgcoördinatoren of a school: the accounts of the school role that work for it.
school_staff = Table(
    "user_school",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("school.id", ondelete="CASCADE"), primary_key=True),
)


class School(TimestampMixin, Versioned, Base):
    __tablename__ = "school"
    __table_args__ = (UniqueConstraint("brin", "location_code", name="uq_school_brin_location"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brin: Mapped[str] = mapped_column(String(4))
    location_code: Mapped[str] = mapped_column(String(2), default="00")
    name: Mapped[str] = mapped_column(String(150))
    school_type: Mapped[SchoolType] = mapped_column(str_enum(SchoolType, "school_type"))
    location: Mapped[str] = mapped_column(String(150))  # street address and place
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnership.id", ondelete="RESTRICT"), index=True
    )
    management_email: Mapped[str | None] = mapped_column(String(254))
    fixed_consultant_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)

    municipality: Mapped[Municipality] = relationship()
    partnership: Mapped[Partnership | None] = relationship()
    fixed_consultant: Mapped[User | None] = relationship(foreign_keys=[fixed_consultant_id])
    staff: Mapped[list[User]] = relationship(secondary=school_staff, order_by=User.name)

    @property
    def brin6(self) -> str:
        return f"{self.brin}{self.location_code}"


class StandIn(TimestampMixin, Versioned, Base):
    """A vervanging: ``stand_in`` answers for ``absent_consultant`` from start to end, inclusive."""

    __tablename__ = "stand_in"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="period"),
        CheckConstraint("stand_in_id <> absent_consultant_id", name="distinct_people"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    absent_consultant_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    stand_in_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))

    absent_consultant: Mapped[User] = relationship(foreign_keys=[absent_consultant_id])
    stand_in: Mapped[User] = relationship(foreign_keys=[stand_in_id])

    def covers(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


class SchoolHoliday(TimestampMixin, Versioned, Base):
    """A school holiday for one holiday region in one school year (inclusive dates)."""

    __tablename__ = "school_holiday"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_year: Mapped[int] = mapped_column(index=True)  # starting year: 2025 = 2025-26
    region: Mapped[HolidayRegion] = mapped_column(str_enum(HolidayRegion, "holiday_region"))
    name: Mapped[str] = mapped_column(String(60))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
