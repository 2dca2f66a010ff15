"""When the April evaluation opens and reminds, and what a finished part needs."""

from __future__ import annotations

from datetime import date

import pytest

from portal.evaluation import rules
from portal.evaluation.models import Answer, Question, QuestionKind


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (date(2027, 3, 31), None),  # the day before
        (date(2027, 4, 1), 2026),  # 1 April opens the round of 2026-27
        (date(2027, 7, 31), 2026),
        (date(2026, 8, 1), None),  # a new school year: its round opens next April
        (date(2026, 11, 23), None),
    ],
)
def test_round_is_due_from_1_april(today: date, due: int | None) -> None:
    assert rules.due_round(today) == due


def test_reminders_mid_and_end_of_april() -> None:
    assert rules.reminders_due(2026, date(2027, 4, 14)) == (False, False)
    assert rules.reminders_due(2026, date(2027, 4, 15)) == (True, False)
    assert rules.reminders_due(2026, date(2027, 4, 28)) == (True, True)


def test_a_part_needs_every_scale_question_scored() -> None:
    scale = Question(id=1, kind=QuestionKind.SCALE)
    other = Question(id=2, kind=QuestionKind.SCALE)
    open_question = Question(id=3, kind=QuestionKind.TEXT)
    answers = [Answer(question_id=1, score=4), Answer(question_id=2, score=None, remark="x")]
    assert rules.unanswered([scale, other, open_question], answers) == [other]


@pytest.mark.parametrize(
    ("raw", "score"),
    [("1", 1), ("5", 5), (" 3 ", 3), ("0", None), ("6", None), ("", None), (None, None),
     ("abc", None), ("-2", None)],
)  # fmt: skip
def test_scores_are_1_to_5(raw: str | None, score: int | None) -> None:
    assert rules.valid_score(raw) == score
