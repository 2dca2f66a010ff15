"""Demo evaluation: last year's completed evaluation of the VMBO school, and this year's round
opened early by the senior, with the VMBO school's evaluation in progress."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from portal.auth.models import User
from portal.calendar import school_year_of
from portal.db import DbSession
from portal.evaluation.models import (
    AgreementOwner,
    Answer,
    Evaluation,
    EvaluationAgreement,
    EvaluationRound,
    Part,
    QuestionKind,
)
from portal.evaluation.services import current_question_set, open_round
from portal.schools.models import School

SCHOOL_LAST_YEAR = [4, 4, 3, 4, 3, 4, 3]
CONSULTANT_LAST_YEAR = [3, 4, 4, 4, 3, 3, 4]
REMARKS = {
    Part.SCHOOL: "Mentoren registreren nog niet overal dezelfde dag; dat pakken we op.",
    Part.CONSULTANT: "Meldingen zijn volledig; soms komt de melding pas na twee weken.",
}
OPEN_ANSWERS = {
    Part.SCHOOL: [
        "Snelle reacties van de consulent en goede huisbezoeken. Beter: terugkoppeling na een "
        "gesprek met ouders.",
        "Vaste overlegmomenten per periode in het ZAT.",
    ],
    Part.CONSULTANT: [
        "Korte lijnen met de zorgcoördinator. Beter: eerder melden bij oplopend verzuim in "
        "leerjaar 3.",
        "Preventief spreekuur op school, één keer per maand.",
    ],
}


def _answers(questions: list, part: Part, scores: list[int] | None, user: User) -> list[Answer]:
    answers = []
    scale = [q for q in questions if q.kind == QuestionKind.SCALE]
    text = [q for q in questions if q.kind == QuestionKind.TEXT]
    for i, q in enumerate(scale):
        if scores is None or i >= len(scores):
            continue
        answers.append(
            Answer(
                question_id=q.id,
                part=part,
                score=scores[i],
                remark=REMARKS[part] if i == 0 else "",
                updated_by_id=user.id,
            )
        )
    if scores is not None and len(scores) >= len(scale):
        for q, body in zip(text, OPEN_ANSWERS[part], strict=False):
            answers.append(Answer(question_id=q.id, part=part, remark=body, updated_by_id=user.id))
    return answers


def load_demo_evaluation(
    session: DbSession, school: School, users: dict[str, User], today: date
) -> None:
    zorg, consultant = users["zorg@vmbo.example.nl"], users["consulent@lvs.example.nl"]
    senior = users["senior@lvs.example.nl"]
    year = school_year_of(today)
    question_set = current_question_set(session)
    questions = list(question_set.questions)

    last = EvaluationRound(
        school_year=year - 1,
        opened_on=date(year, 4, 1),
        question_set_id=question_set.id,
        mid_reminder_sent=True,
        end_reminder_sent=True,
    )
    session.add(last)
    session.flush()
    locked = datetime(year, 4, 23, 14, 30, tzinfo=UTC)
    session.add(
        Evaluation(
            round_id=last.id,
            school_id=school.id,
            consultant_id=consultant.id,
            school_done_at=locked - timedelta(days=9),
            consultant_done_at=locked - timedelta(days=6),
            conclusion=(
                "De samenwerking is goed: de consulent reageert snel en de school meldt "
                "volledig. Aandachtspunten zijn het eerder melden bij oplopend verzuim in "
                "leerjaar 3 en de terugkoppeling na gesprekken met ouders."
            ),
            agreements=[
                EvaluationAgreement(
                    position=1,
                    description="Mentoren leerjaar 3 melden bij 10 uur ongeoorloofd verzuim "
                    "bij de zorgcoördinator",
                    owner=AgreementOwner.SCHOOL,
                    due_on=date(year, 10, 1),
                ),
                EvaluationAgreement(
                    position=2,
                    description="De consulent koppelt binnen een week terug na een gesprek met "
                    "ouders",
                    owner=AgreementOwner.LEERPLICHT,
                    due_on=None,
                ),
                EvaluationAgreement(
                    position=3,
                    description="Maandelijks preventief spreekuur van leerplicht op school",
                    owner=AgreementOwner.TOGETHER,
                    due_on=date(year, 9, 1),
                ),
            ],
            school_confirmed_at=locked - timedelta(days=1),
            school_confirmed_by_id=zorg.id,
            consultant_confirmed_at=locked,
            consultant_confirmed_by_id=consultant.id,
            locked_at=locked,
            answers=_answers(questions, Part.SCHOOL, SCHOOL_LAST_YEAR, zorg)
            + _answers(questions, Part.CONSULTANT, CONSULTANT_LAST_YEAR, consultant),
        )
    )
    session.flush()

    # This year: the senior opened the round early; the school finished its part, the
    # consultant has a draft.
    current = open_round(session, year, today - timedelta(days=7), senior)
    evaluation = next(
        e for e in session.query(Evaluation).filter_by(round_id=current.id, school_id=school.id)
    )
    evaluation.answers = _answers(questions, Part.SCHOOL, [4, 4, 4, 3, 4, 3, 4], zorg) + (
        _answers(questions, Part.CONSULTANT, [4, 3, 4], consultant)
    )
    evaluation.school_done_at = datetime.now(UTC) - timedelta(days=2)
    session.flush()
