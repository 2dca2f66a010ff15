"""Pupils. The registration screens come with the attendance issue; the model is here so that
the access policy and the audit trail are real from the start."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, TimestampMixin
from portal.schools.models import School


class Pupil(TimestampMixin, Base):
    __tablename__ = "pupil"
    __table_args__ = (UniqueConstraint("school_id", "pupil_number", name="uq_pupil_school_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    pupil_number: Mapped[str] = mapped_column(String(20))  # the school's own number
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(120))
    date_of_birth: Mapped[date] = mapped_column(Date)

    school: Mapped[School] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
