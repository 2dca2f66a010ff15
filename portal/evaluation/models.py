"""Evaluation rounds, the question sets (kept as data), each school's evaluation with the two
parts, the joint conclusion and its agreements."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    case,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from portal.db import Base, TimestampMixin, UTCDateTime, Versioned, str_enum, utcnow
from portal.schools.models import School

if TYPE_CHECKING:
    from portal.auth.models import User


class QuestionKind(enum.StrEnum):
    SCALE = "schaal"  # 1-5 with an optional remark
    TEXT = "tekst"

    @property
    def label(self) -> str:
        return {"schaal": "Schaal 1–5 met toelichting", "tekst": "Open vraag"}[self.value]


class Part(enum.StrEnum):
    """Who fills in a part: the school or the consultant."""

    SCHOOL = "school"
    CONSULTANT = "consulent"

    @property
    def label(self) -> str:
        return {"school": "School", "consulent": "Consulent leerplicht"}[self.value]


class AgreementOwner(enum.StrEnum):
    SCHOOL = "school"
    LEERPLICHT = "leerplicht"
    TOGETHER = "samen"

    @property
    def label(self) -> str:
        return {"school": "School", "leerplicht": "Leerplicht", "samen": "Samen"}[self.value]


class QuestionSet(TimestampMixin, Base):
    """A version of the questionnaire. A round keeps the set it opened with; the senior edits a
    set no round uses yet (editing a used set starts a copy)."""

    __tablename__ = "evaluation_question_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    questions: Mapped[list[Question]] = relationship(
        back_populates="question_set",
        cascade="all, delete-orphan",
        order_by="Question.position",
    )


class Question(Versioned, Base):
    __tablename__ = "evaluation_question"
    __table_args__ = (Index("ix_evaluation_question_set", "question_set_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_set_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_question_set.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(SmallInteger)
    topic: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(String(600))
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))

    question_set: Mapped[QuestionSet] = relationship(back_populates="questions")


class EvaluationRound(TimestampMixin, Base):
    """The evaluation of one school year: opened on 1 April, or earlier by the senior."""

    __tablename__ = "evaluation_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_year: Mapped[int] = mapped_column(SmallInteger, unique=True)
    opened_on: Mapped[date] = mapped_column(Date)
    opened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )  # None: opened automatically on 1 April
    question_set_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_question_set.id", ondelete="RESTRICT")
    )
    mid_reminder_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    end_reminder_sent: Mapped[bool] = mapped_column(Boolean, default=False)

    question_set: Mapped[QuestionSet] = relationship()
    opened_by: Mapped[User | None] = relationship()


class Evaluation(TimestampMixin, Versioned, Base):
    """One school and its fixed consultant, one school year."""

    __tablename__ = "evaluation"
    __table_args__ = (UniqueConstraint("round_id", "school_id", name="uq_evaluation_round_school"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_round.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    consultant_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    school_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consultant_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    conclusion: Mapped[str] = mapped_column(Text, default="")
    school_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    school_confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    consultant_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consultant_confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_version: Mapped[int] = mapped_column(Integer, default=1)  # +1 on every reopening
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    round: Mapped[EvaluationRound] = relationship()
    school: Mapped[School] = relationship()
    consultant: Mapped[User | None] = relationship(foreign_keys=[consultant_id])
    school_confirmed_by: Mapped[User | None] = relationship(foreign_keys=[school_confirmed_by_id])
    consultant_confirmed_by: Mapped[User | None] = relationship(
        foreign_keys=[consultant_confirmed_by_id]
    )
    answers: Mapped[list[Answer]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan"
    )
    agreements: Mapped[list[EvaluationAgreement]] = relationship(
        back_populates="evaluation",
        cascade="all, delete-orphan",
        order_by="EvaluationAgreement.position",
    )

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def done_at(self, part: Part) -> datetime | None:
        return self.school_done_at if part == Part.SCHOOL else self.consultant_done_at

    def confirmed_at(self, part: Part) -> datetime | None:
        return self.school_confirmed_at if part == Part.SCHOOL else self.consultant_confirmed_at

    # status (niet_gestart, bezig or afgerond) is mapped below, once Answer exists.


class Answer(Base):
    __tablename__ = "evaluation_answer"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "question_id", "part", name="uq_evaluation_answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_question.id", ondelete="RESTRICT"), index=True
    )
    part: Mapped[Part] = mapped_column(str_enum(Part, "evaluation_part"))
    score: Mapped[int | None] = mapped_column(SmallInteger)
    remark: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    evaluation: Mapped[Evaluation] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class EvaluationAgreement(Base):
    """An agreement of the joint conclusion: what, who, by when."""

    __tablename__ = "evaluation_agreement"
    __table_args__ = (Index("ix_evaluation_agreement_evaluation", "evaluation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    description: Mapped[str] = mapped_column(String(400))
    owner: Mapped[AgreementOwner] = mapped_column(str_enum(AgreementOwner, "agreement_owner"))
    due_on: Mapped[date | None] = mapped_column(Date)

    evaluation: Mapped[Evaluation] = relationship(back_populates="agreements")


# What the senior's progress list shows and filters on, computed by the database with every
# evaluation it loads (no need to load the answers to know whether anyone started).
STATUS: ColumnElement[str] = case(
    (Evaluation.locked_at.is_not(None), "afgerond"),
    (
        select(Answer.id).where(Answer.evaluation_id == Evaluation.id).exists()
        | (Evaluation.conclusion != "")
        | Evaluation.school_done_at.is_not(None)
        | Evaluation.consultant_done_at.is_not(None),
        "bezig",
    ),
    else_="niet_gestart",
)
Evaluation.status = column_property(STATUS)  # type: ignore[attr-defined]
