"""Reads of the April evaluation: the round of a school year, an evaluation with its answers,
the facts of the school's year beside the year before, last year's evaluation, and the senior's
progress of a round."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import access
from portal.auth.models import User
from portal.calendar import school_year_bounds, school_year_label
from portal.casework.models import Thuiszitter
from portal.casework.rules import ThuiszitterCounts, thuiszitter_counts
from portal.db import DbSession
from portal.evaluation.models import (
    STATUS,
    Evaluation,
    EvaluationRound,
    Question,
    QuestionSet,
)
from portal.extensions import db
from portal.pupils.models import Pupil
from portal.reports.figures import ALL, reaction_figures_by
from portal.reports.models import ClosingResult, Report, ReportKind
from portal.reports.rules import ReactionFigures
from portal.schools.models import School
from portal.transition.queries import Figures as TransitionFigures
from portal.transition.queries import figures as transition_figures


def round_for(session: DbSession, school_year: int) -> EvaluationRound | None:
    return session.scalars(
        select(EvaluationRound).where(EvaluationRound.school_year == school_year)
    ).first()


def archived_rounds(session: DbSession, before: int) -> Sequence[EvaluationRound]:
    """The rounds of the school years before ``before``, the latest first."""
    return session.scalars(
        select(EvaluationRound)
        .where(EvaluationRound.school_year < before)
        .order_by(EvaluationRound.school_year.desc())
    ).all()


def round_of_id(round_id: int) -> EvaluationRound:
    return db.get_or_404(EvaluationRound, round_id)


def evaluation_count(session: DbSession, round_: EvaluationRound) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Evaluation).where(Evaluation.round_id == round_.id)
        )
        or 0
    )


def evaluations_of(user: User) -> Sequence[Evaluation]:
    """The evaluations ``user`` takes part in, the latest school year first (at most 100)."""
    return db.session.scalars(
        access.evaluations_query(user)
        .join(EvaluationRound, EvaluationRound.id == Evaluation.round_id)
        .options(
            selectinload(Evaluation.school),
            selectinload(Evaluation.round),
            selectinload(Evaluation.consultant),
        )
        .order_by(EvaluationRound.school_year.desc())
        .limit(100)
    ).all()


def with_answers(evaluation_id: int) -> Evaluation:
    """An evaluation (already loaded in scope) with its answers, agreements, questions, school
    and consultant."""
    return db.session.scalars(
        select(Evaluation)
        .where(Evaluation.id == evaluation_id)
        .options(
            selectinload(Evaluation.answers),
            selectinload(Evaluation.agreements),
            selectinload(Evaluation.round)
            .selectinload(EvaluationRound.question_set)
            .selectinload(QuestionSet.questions),
            selectinload(Evaluation.school),
            selectinload(Evaluation.consultant),
        )
    ).one()


def latest_question_set(session: DbSession) -> QuestionSet | None:
    return session.scalars(select(QuestionSet).order_by(QuestionSet.id.desc()).limit(1)).first()


def question_of_current_set(session: DbSession, question_id: int) -> Question | None:
    """A question of the newest set (the one the next round uses), or None."""
    question = session.get(Question, question_id)
    latest = latest_question_set(session)
    if question is None or latest is None or question.question_set_id != latest.id:
        return None
    return question


def set_in_use(session: DbSession, question_set: QuestionSet) -> bool:
    return (
        session.scalar(
            select(EvaluationRound.id).where(EvaluationRound.question_set_id == question_set.id)
        )
        is not None
    )


# --- Facts of the school year --------------------------------------------------------------------


@dataclass
class YearFacts:
    school_year: int
    reports_by_kind: Counter[ReportKind]
    reaction: ReactionFigures
    closed_by_result: Counter[ClosingResult]
    thuiszitters: ThuiszitterCounts
    transition: TransitionFigures

    @property
    def reports(self) -> int:
        return sum(self.reports_by_kind.values())

    @property
    def label(self) -> str:
        return school_year_label(self.school_year)


def facts(
    session: DbSession, school_id: int, year: int, today: date
) -> tuple[YearFacts, YearFacts]:
    """The school's figures for ``year`` (up to today) and the year before."""
    result = []
    current_transition, previous_transition = transition_figures(session, [school_id], year)
    for y, transition in ((year, current_transition), (year - 1, previous_transition)):
        first, last = school_year_bounds(y)
        last = min(last, today)
        in_year = (Report.school_id == school_id, Report.filed_on <= last)
        reports_by_kind: Counter[ReportKind] = Counter(
            dict(
                session.execute(  # type: ignore[arg-type]
                    select(Report.kind, func.count())
                    .where(Report.filed_on >= first, *in_year)
                    .group_by(Report.kind)
                ).all()
            )
        )
        # The same reaction figures as the senior's page (withdrawn reports left out).
        reaction = reaction_figures_by(session, Report.school_id, first, today, *in_year)[ALL]
        closed: Counter[ClosingResult] = Counter(
            {
                result: count
                for result, count in session.execute(
                    select(Report.result, func.count())
                    .where(
                        Report.school_id == school_id,
                        Report.closed_on >= first,
                        Report.closed_on <= last,
                        Report.result.is_not(None),
                    )
                    .group_by(Report.result)
                )
                if result is not None
            }
        )
        homes = session.execute(
            select(Thuiszitter.start_date, Thuiszitter.end_date, Thuiszitter.end_reason)
            .join(Pupil, Pupil.id == Thuiszitter.pupil_id)
            .where(Pupil.school_id == school_id)
        ).all()
        result.append(
            YearFacts(
                school_year=y,
                reports_by_kind=reports_by_kind,
                reaction=reaction,
                closed_by_result=closed,
                thuiszitters=thuiszitter_counts(
                    ((s, e, bool(reason and reason.back_to_school)) for s, e, reason in homes),
                    y,
                    today,
                ),
                transition=transition,
            )
        )
    return result[0], result[1]


def previous_evaluation(session: DbSession, evaluation: Evaluation) -> Evaluation | None:
    """Last year's evaluation of the same school, whose agreements open this one."""
    return session.scalars(
        select(Evaluation)
        .join(EvaluationRound, EvaluationRound.id == Evaluation.round_id)
        .where(
            Evaluation.school_id == evaluation.school_id,
            EvaluationRound.school_year == evaluation.round.school_year - 1,
        )
        .options(selectinload(Evaluation.agreements))
    ).first()


PROGRESS_STATES = ("niet_gestart", "bezig", "afgerond")


def progress(round_: EvaluationRound, state: str = "") -> Any:
    """The round's evaluations by school name, optionally of one state (a select to paginate)."""
    query = (
        select(Evaluation)
        .join(School, School.id == Evaluation.school_id)
        .where(Evaluation.round_id == round_.id)
        .options(
            selectinload(Evaluation.school),
            selectinload(Evaluation.consultant),
        )
        .order_by(School.name, Evaluation.id)
    )
    if state in PROGRESS_STATES:
        query = query.where(STATUS.in_([state]))
    return query


def status_counts(session: DbSession, round_: EvaluationRound) -> dict[str, int]:
    states = select(STATUS.label("state")).where(Evaluation.round_id == round_.id).subquery()
    counts: dict[str, int] = dict(
        session.execute(select(states.c.state, func.count()).group_by(states.c.state)).all()  # type: ignore[arg-type]
    )
    return {key: counts.get(key, 0) for key in PROGRESS_STATES}
