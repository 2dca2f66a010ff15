"""Pupils as the school registers them."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, TimestampMixin, Versioned, str_enum
from portal.schools.models import Municipality, School


class Programme(enum.StrEnum):
    """Onderwijssoort / leerweg, as schools' administration systems name it."""

    PO = "po"
    SO = "so"
    VMBO_BB = "vmbo-bb"
    VMBO_KB = "vmbo-kb"
    VMBO_GL = "vmbo-gl"
    VMBO_TL = "vmbo-tl"
    PRO = "pro"
    HAVO = "havo"
    VWO = "vwo"
    VSO = "vso"
    MBO_1 = "mbo-1"
    MBO_2 = "mbo-2"
    MBO_3 = "mbo-3"
    MBO_4 = "mbo-4"

    @property
    def label(self) -> str:
        return PROGRAMME_LABELS[self]


PROGRAMME_LABELS = {
    Programme.PO: "Basisonderwijs (groep)",
    Programme.SO: "Speciaal onderwijs",
    Programme.VMBO_BB: "vmbo basisberoepsgerichte leerweg",
    Programme.VMBO_KB: "vmbo kaderberoepsgerichte leerweg",
    Programme.VMBO_GL: "vmbo gemengde leerweg",
    Programme.VMBO_TL: "vmbo theoretische leerweg",
    Programme.PRO: "Praktijkonderwijs",
    Programme.HAVO: "havo",
    Programme.VWO: "vwo",
    Programme.VSO: "Voortgezet speciaal onderwijs",
    Programme.MBO_1: "mbo niveau 1 (entree)",
    Programme.MBO_2: "mbo niveau 2",
    Programme.MBO_3: "mbo niveau 3",
    Programme.MBO_4: "mbo niveau 4",
}


class Pupil(TimestampMixin, Versioned, Base):
    __tablename__ = "pupil"
    __table_args__ = (
        UniqueConstraint("school_id", "pupil_number", name="uq_pupil_school_number"),
        Index("ix_pupil_school_class", "school_id", "class_name"),
        Index("ix_pupil_school_name", "school_id", "last_name", "first_name"),
        # The few pupils who left: lists leave them out without a join (see left_pupil_ids).
        Index("ix_pupil_left_on", "left_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    pupil_number: Mapped[str] = mapped_column(String(20))  # the school's own number
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(120))  # with tussenvoegsel: "de Vries"
    date_of_birth: Mapped[date] = mapped_column(Date)
    class_name: Mapped[str] = mapped_column(String(20), default="")
    year: Mapped[int | None] = mapped_column(SmallInteger)  # leerjaar, or groep in PO
    programme: Mapped[Programme | None] = mapped_column(str_enum(Programme, "programme", 10))
    residence_municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT")
    )
    enrolled_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    leaving_destination: Mapped[str | None] = mapped_column(String(150))

    school: Mapped[School] = relationship()
    residence_municipality: Mapped[Municipality | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def enrolled_at(self, day: date) -> bool:
        return (self.enrolled_on is None or self.enrolled_on <= day) and (
            self.left_on is None or day <= self.left_on
        )
