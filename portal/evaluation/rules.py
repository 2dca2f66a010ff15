"""When the April evaluation opens and reminds, and what makes a part or the whole complete."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from portal.calendar import school_year_of
from portal.evaluation.models import Answer, Evaluation, Part, Question, QuestionKind

OPENS = (4, 1)  # 1 April
MID_REMINDER = (4, 15)
END_REMINDER = (4, 28)  # the last week of April, before the May holiday

# The default questionnaire: the pillars of the verzuimprotocol (topic, question, kind).
DEFAULT_QUESTIONS: list[tuple[str, str, QuestionKind]] = [
    (
        "Verzuimbeleid en registratie",
        "Het verzuimbeleid van de school is bekend bij leerlingen, ouders en medewerkers, en "
        "verzuim wordt dagelijks, volledig en eenduidig geregistreerd.",
        QuestionKind.SCALE,
    ),
    (
        "Melden op tijd en volledig",
        "De school meldt verzuim op tijd (binnen vijf werkdagen na het bereiken van de norm) en "
        "volledig: verzuimoverzicht, wat de school al deed, contact met ouders.",
        QuestionKind.SCALE,
    ),
    (
        "Reactie en bereikbaarheid van de consulent",
        "De consulent leerplicht reageert binnen vijf werkdagen op een melding en is goed "
        "bereikbaar voor overleg en advies.",
        QuestionKind.SCALE,
    ),
    (
        "Samenwerking in de zorgstructuur",
        "Leerplicht en school werken goed samen in het zorgadviesteam (ZAT) of "
        "ondersteuningsteam; afspraken over leerlingen worden nagekomen.",
        QuestionKind.SCALE,
    ),
    (
        "Aanpak van thuiszitters",
        "Voor thuiszitters en dreigende thuiszitters wordt snel en samen een plan gemaakt.",
        QuestionKind.SCALE,
    ),
    (
        "Preventie en voorlichting",
        "Ouders en leerlingen worden goed geïnformeerd over leerplicht en verzuim "
        "(voorlichting, ouderavonden, preventieve gesprekken).",
        QuestionKind.SCALE,
    ),
    (
        "De overstap naar het mbo",
        "Leerlingen die de overstap naar het mbo mogelijk niet halen, zijn tijdig in beeld en "
        "worden aan de overstaptafel goed besproken.",
        QuestionKind.SCALE,
    ),
    (
        "Wat gaat goed, wat kan beter",
        "Wat ging dit schooljaar goed in de samenwerking, en wat moet beter?",
        QuestionKind.TEXT,
    ),
    (
        "Afspraken voor volgend jaar",
        "Welke afspraken stelt u voor het volgende schooljaar voor?",
        QuestionKind.TEXT,
    ),
]


def opens_on(school_year: int) -> date:
    """The round of school year ``school_year`` (2025 = 2025-26) opens on 1 April 2026."""
    return date(school_year + 1, *OPENS)


def due_round(today: date) -> int | None:
    """The school year whose round should be open on ``today``, or None before 1 April."""
    year = school_year_of(today)
    return year if today >= opens_on(year) else None


def reminders_due(school_year: int, today: date) -> tuple[bool, bool]:
    """(mid-April reminder due, end-of-April reminder due) on ``today``."""
    spring = school_year + 1
    return today >= date(spring, *MID_REMINDER), today >= date(spring, *END_REMINDER)


def unanswered(questions: Iterable[Question], answers: Iterable[Answer]) -> list[Question]:
    """Questions a part still needs before it can be finished: every scale question needs a
    score; open questions may stay empty."""
    scored = {a.question_id for a in answers if a.score is not None}
    return [q for q in questions if q.kind == QuestionKind.SCALE and q.id not in scored]


def valid_score(value: str | None) -> int | None:
    """A score from the form: 1 to 5, anything else is no score."""
    if value is None or not value.strip().isdigit():
        return None
    score = int(value)
    return score if 1 <= score <= 5 else None


def unfinished_parts(evaluation: Evaluation) -> list[Part]:
    """Who still has something to do: their part, or confirming the conclusion."""
    if evaluation.is_locked:
        return []
    return [
        part
        for part in Part
        if evaluation.done_at(part) is None or evaluation.confirmed_at(part) is None
    ]
