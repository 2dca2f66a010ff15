"""The consultant's casework: MAS actions and SMA referrals. Never shown to the school."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Index, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, Versioned, str_enum, utcnow

if TYPE_CHECKING:
    from portal.auth.models import User


class ActionKind(enum.StrEnum):
    # Investigation (MAS)
    INFO_REQUESTED = "info_opgevraagd"
    TALK_PUPIL = "gesprek_leerling"
    TALK_PARENTS = "gesprek_ouders"
    HOME_VISIT = "huisbezoek"
    ESTABLISHED_UNAUTHORISED = "vastgesteld_ongeoorloofd"
    ESTABLISHED_AUTHORISED = "vastgesteld_geoorloofd"
    # Routes
    WARNING = "waarschuwing"
    REFERRAL_HELP = "verwijzing_hulp"
    REFERRAL_JGZ = "verwijzing_jgz"
    HALT = "halt"
    CIVIL = "jeugdbeschermingstafel"
    PV_PUPIL = "pv_leerling"
    PV_PARENTS = "pv_ouders"
    PV_LUXURY = "pv_luxe"
    # Other
    AGREEMENT = "afspraak"
    NOTE = "notitie"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]

    @property
    def is_route(self) -> bool:
        return self in ROUTE_KINDS


ACTION_LABELS = {
    ActionKind.INFO_REQUESTED: "Verzuimgegevens opgevraagd bij de school",
    ActionKind.TALK_PUPIL: "Gesprek met de leerling",
    ActionKind.TALK_PARENTS: "Gesprek met de ouders",
    ActionKind.HOME_VISIT: "Huisbezoek",
    ActionKind.ESTABLISHED_UNAUTHORISED: "Verzuim vastgesteld als ongeoorloofd",
    ActionKind.ESTABLISHED_AUTHORISED: "Verzuim vastgesteld als geoorloofd",
    ActionKind.WARNING: "Officiële waarschuwing",
    ActionKind.REFERRAL_HELP: "Verwijzing naar vrijwillige hulpverlening",
    ActionKind.REFERRAL_JGZ: "Verwijzing naar de jeugdgezondheidszorg",
    ActionKind.HALT: "Halt-verwijzing",
    ActionKind.CIVIL: "Jeugdbeschermingstafel (civielrechtelijk)",
    ActionKind.PV_PUPIL: "Proces-verbaal tegen de leerling",
    ActionKind.PV_PARENTS: "Proces-verbaal tegen de ouders",
    ActionKind.PV_LUXURY: "Proces-verbaal luxe verzuim",
    ActionKind.AGREEMENT: "Afspraak",
    ActionKind.NOTE: "Interne notitie",
}
ROUTE_KINDS = frozenset(
    {
        ActionKind.WARNING,
        ActionKind.REFERRAL_HELP,
        ActionKind.REFERRAL_JGZ,
        ActionKind.HALT,
        ActionKind.CIVIL,
        ActionKind.PV_PUPIL,
        ActionKind.PV_PARENTS,
        ActionKind.PV_LUXURY,
    }
)


class CaseAction(Versioned, Base):
    __tablename__ = "case_action"
    __table_args__ = (
        Index("ix_case_action_pupil", "pupil_id", "day"),
        Index("ix_case_action_follow_up", "follow_up_done", "follow_up_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id", ondelete="SET NULL"))
    kind: Mapped[ActionKind] = mapped_column(str_enum(ActionKind, "action_kind", 30))
    day: Mapped[date] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_done: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    acting_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    acting_for: Mapped[User | None] = relationship(foreign_keys=[acting_for_id])


class SmaReason(enum.StrEnum):
    PLAN_NOT_KEPT = "plan_niet_nagekomen"
    CARE_TEAM_DISAGREES = "zorgteam_oneens"
    DOCTOR_DISAGREES = "arts_oneens"
    SCHOOL_OUTSIDE_REGION = "school_buiten_regio"
    OTHER = "anders"

    @property
    def label(self) -> str:
        return SMA_REASON_LABELS[self]


SMA_REASON_LABELS = {
    SmaReason.PLAN_NOT_KEPT: "Leerling of ouders houden zich niet aan het re-integratieplan",
    SmaReason.CARE_TEAM_DISAGREES: "De disciplines in het zorgteam zijn het oneens",
    SmaReason.DOCTOR_DISAGREES: "Zorgteam en behandelend arts of huisarts zijn het oneens",
    SmaReason.SCHOOL_OUTSIDE_REGION: "De leerling gaat naar school buiten de regio",
    SmaReason.OTHER: "Anders",
}


class SmaStatus(enum.StrEnum):
    REQUESTED = "aangevraagd"
    APPOINTMENT = "afspraak_gepland"
    ADVICE = "advies_ontvangen"
    WITHDRAWN = "ingetrokken"

    @property
    def label(self) -> str:
        return {
            "aangevraagd": "Aangevraagd",
            "afspraak_gepland": "Afspraak gepland",
            "advies_ontvangen": "Advies ontvangen",
            "ingetrokken": "Ingetrokken",
        }[self.value]


class SmaOutcome(enum.StrEnum):
    SUFFICIENT = "voldoende_reden"
    INSUFFICIENT = "onvoldoende_reden"
    NONE = "geen_advies"

    @property
    def label(self) -> str:
        return {
            "voldoende_reden": "Voldoende reden voor het verzuim",
            "onvoldoende_reden": "Onvoldoende reden voor het verzuim",
            "geen_advies": "Geen advies",
        }[self.value]


class SmaReferral(Versioned, Base):
    """A referral to a social-medical doctor (SMA). Medical: consultants and the senior only."""

    __tablename__ = "sma_referral"
    __table_args__ = (Index("ix_sma_referral_pupil", "pupil_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    reason: Mapped[SmaReason] = mapped_column(str_enum(SmaReason, "sma_reason", 30))
    requested_on: Mapped[date] = mapped_column(Date)
    status: Mapped[SmaStatus] = mapped_column(
        str_enum(SmaStatus, "sma_status"), default=SmaStatus.REQUESTED
    )
    appointment_on: Mapped[date | None] = mapped_column(Date)
    advice_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[SmaOutcome | None] = mapped_column(str_enum(SmaOutcome, "sma_outcome"))
    justification: Mapped[str | None] = mapped_column(Text)
    family_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ThuiszitterEnd(enum.StrEnum):
    BACK_TO_SCHOOL = "terug_naar_school"
    OTHER_SCHOOL = "andere_school"
    EXEMPTION = "vrijstelling"
    MOVED = "verhuisd"
    OTHER = "anders"

    @property
    def label(self) -> str:
        return {
            "terug_naar_school": "Terug naar school",
            "andere_school": "Naar een andere school",
            "vrijstelling": "Vrijstelling",
            "verhuisd": "Verhuisd",
            "anders": "Anders",
        }[self.value]

    @property
    def back_to_school(self) -> bool:
        return self in (ThuiszitterEnd.BACK_TO_SCHOOL, ThuiszitterEnd.OTHER_SCHOOL)


class Thuiszitter(Versioned, Base):
    """A pupil of compulsory age at home for four weeks or more without exemption."""

    __tablename__ = "thuiszitter"
    __table_args__ = (
        Index("ix_thuiszitter_pupil", "pupil_id"),
        Index("ix_thuiszitter_period", "start_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    start_date: Mapped[date] = mapped_column(Date)
    enrolled: Mapped[bool] = mapped_column(Boolean, default=True)
    situation: Mapped[str] = mapped_column(Text, default="")
    end_date: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[ThuiszitterEnd | None] = mapped_column(
        str_enum(ThuiszitterEnd, "thuiszitter_end")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    meetings: Mapped[list[ActietafelMeeting]] = relationship(
        order_by="ActietafelMeeting.day", cascade="all, delete-orphan"
    )


class ActietafelMeeting(Base):
    __tablename__ = "actietafel_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    thuiszitter_id: Mapped[int] = mapped_column(
        ForeignKey("thuiszitter.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    participants: Mapped[str] = mapped_column(Text)
    plan: Mapped[str] = mapped_column(Text)
