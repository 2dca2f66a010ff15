"""Changes of the April evaluation: the question set, opening a round, reminders, saving parts
and the conclusion, confirming and locking, reopening, and sending the report (a link for the
school's management). Functions add and flush, never commit: the route (or the job) commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.audit import AuditAction, record_change
from portal.auth.models import Role, User
from portal.calendar import school_year_label
from portal.db import DbSession, utcnow
from portal.evaluation import links, queries, rules
from portal.evaluation.models import (
    AgreementOwner,
    Answer,
    Evaluation,
    EvaluationAgreement,
    EvaluationRound,
    Part,
    Question,
    QuestionKind,
    QuestionSet,
)
from portal.notifications.models import OutboxMail
from portal.notifications.services import next_office_moment, notify
from portal.schools.models import School
from portal.schools.queries import staff_of

# --- Question sets ------------------------------------------------------------------------------


def current_question_set(session: DbSession) -> QuestionSet:
    """The newest question set; the default set of the protocol's pillars when there is none."""
    latest = queries.latest_question_set(session)
    if latest is not None:
        return latest
    default = QuestionSet(
        name="Standaardvragenlijst (pijlers van het verzuimprotocol)",
        questions=[
            Question(position=i, topic=topic, text=text, kind=kind)
            for i, (topic, text, kind) in enumerate(rules.DEFAULT_QUESTIONS, start=1)
        ],
    )
    session.add(default)
    session.flush()
    return default


def editable_question_set(session: DbSession, user: User) -> QuestionSet:
    """The set the next round will use. A set a round already uses stays as it is: editing
    starts a copy, so an archived evaluation always shows the questions it was answered with."""
    current = current_question_set(session)
    if not queries.set_in_use(session, current):
        return current
    copy = QuestionSet(
        name=f"Vragenlijst vanaf {date.today().year}",
        created_by_id=user.id,
        questions=[
            Question(position=q.position, topic=q.topic, text=q.text, kind=q.kind)
            for q in current.questions
        ],
    )
    session.add(copy)
    session.flush()
    return copy


def add_question(session: DbSession, user: User, data: dict[str, Any]) -> None:
    """A question at the end of the set for the next round."""
    target = editable_question_set(session, user)
    target.questions.append(
        Question(
            position=len(target.questions) + 1,
            topic=data["topic"],
            text=data["text"],
            kind=QuestionKind(data["kind"]),
        )
    )


def _in_editable_set(
    session: DbSession, user: User, question: Question
) -> tuple[QuestionSet, Question]:
    """The set for the next round and ``question`` in it (a set in use is copied first, so the
    question is looked up again by its position)."""
    position = question.position
    target = editable_question_set(session, user)
    return target, next(q for q in target.questions if q.position == position)


def update_question(
    session: DbSession, user: User, question: Question, data: dict[str, Any]
) -> None:
    _, question = _in_editable_set(session, user, question)
    question.topic, question.text = data["topic"], data["text"]
    question.kind = QuestionKind(data["kind"])


def move_question(session: DbSession, user: User, question: Question, up: bool) -> None:
    """One place up or down (the first stays first, the last last)."""
    target, question = _in_editable_set(session, user, question)
    items = list(target.questions)
    i = items.index(question)
    j = i - 1 if up else i + 1
    if 0 <= j < len(items):
        items[i].position, items[j].position = items[j].position, items[i].position


def remove_question(session: DbSession, user: User, question: Question) -> None:
    target, question = _in_editable_set(session, user, question)
    target.questions.remove(question)
    for i, q in enumerate(target.questions, start=1):
        q.position = i


# --- Rounds -------------------------------------------------------------------------------------


def open_round(
    session: DbSession, school_year: int, today: date, user: User | None = None
) -> EvaluationRound:
    """Open the round: an evaluation for every active school with a fixed consultant, and a
    notice to each school's staff and consultant."""
    round_ = EvaluationRound(
        school_year=school_year,
        opened_on=today,
        opened_by_id=user.id if user else None,
        question_set_id=current_question_set(session).id,
    )
    session.add(round_)
    session.flush()
    schools = session.scalars(
        select(School)
        .where(School.active.is_(True), School.fixed_consultant_id.is_not(None))
        .options(selectinload(School.fixed_consultant))
        .order_by(School.name)
    ).all()
    for school in schools:
        evaluation = Evaluation(
            round_id=round_.id, school_id=school.id, consultant_id=school.fixed_consultant_id
        )
        session.add(evaluation)
        session.flush()
        _notify_parties(
            session,
            evaluation,
            school,
            [Part.SCHOOL, Part.CONSULTANT],
            f"De jaarlijkse evaluatie van de samenwerking ({school_year_label(school_year)}) "
            "staat klaar. Vul uw deel in vóór 1 mei.",
        )
    if user is not None:
        record_change(
            session, user, AuditAction.CREATE, "evaluation_round", round_.id, None,
            detail=f"ronde {school_year_label(school_year)} geopend",
        )  # fmt: skip
    return round_


def evaluation_path(evaluation: Evaluation) -> str:
    return f"/evaluatie/{evaluation.id}"


def _notify_parties(
    session: DbSession, evaluation: Evaluation, school: School, parts: list[Part], text: str
) -> None:
    users: list[User] = []
    if Part.SCHOOL in parts:
        users += [u for u in staff_of(session, school.id) if u.active]
    if Part.CONSULTANT in parts and evaluation.consultant is not None:
        users.append(evaluation.consultant)
    notify(
        session,
        users,
        text,
        evaluation_path(evaluation),
        current_app.config["PUBLIC_URL"],
        subject="Evaluatie samenwerking leerplicht",
    )


def remind_all(session: DbSession, round_: EvaluationRound) -> int:
    """Remind every evaluation of the round that is not finished; returns how many."""
    return sum(
        1 for evaluation in session.scalars(queries.progress(round_)) if remind(session, evaluation)
    )


def remind(session: DbSession, evaluation: Evaluation) -> int:
    """A reminder (without content) to whoever has not finished; returns how many parties."""
    parts = rules.unfinished_parts(evaluation)
    if not parts:
        return 0
    _notify_parties(
        session,
        evaluation,
        evaluation.school,
        parts,
        "Herinnering: de jaarlijkse evaluatie van de samenwerking met leerplicht is nog niet "
        "afgerond.",
    )
    evaluation.reminded_at = utcnow()
    return len(parts)


def run_schedule(session: DbSession, today: date) -> str | None:
    """Open the round on 1 April and send the mid- and end-of-April reminders once. Run by
    ``flask send-mail`` (cron or loop). Returns what it did, for the log."""
    year = rules.due_round(today)
    if year is None:
        return None
    round_ = queries.round_for(session, year)
    if round_ is None:
        open_round(session, year, today)
        return f"evaluatieronde {school_year_label(year)} geopend"
    mid, end = rules.reminders_due(year, today)
    flag = None
    if end and not round_.end_reminder_sent:
        round_.end_reminder_sent = round_.mid_reminder_sent = True
        flag = "eind april"
    elif mid and not round_.mid_reminder_sent:
        round_.mid_reminder_sent = True
        flag = "half april"
    if flag is None:
        return None
    evaluations = session.scalars(
        select(Evaluation)
        .where(Evaluation.round_id == round_.id, Evaluation.locked_at.is_(None))
        .options(selectinload(Evaluation.school), selectinload(Evaluation.consultant))
    ).all()
    reminded = sum(1 for e in evaluations if remind(session, e))
    return f"herinnering {flag}: {reminded} evaluaties"


# --- Parts, conclusion, confirming, reopening ---------------------------------------------------


def save_part(
    session: DbSession,
    user: User,
    evaluation: Evaluation,
    part: Part,
    values: dict[int, tuple[int | None, str]],
) -> None:
    """Store the part's answers as they are (a draft): ``{question_id: (score, remark)}``."""
    existing = {(a.question_id, a.part): a for a in evaluation.answers}
    for question_id, (score, remark) in values.items():
        answer = existing.get((question_id, part))
        if answer is None:
            if score is None and not remark:
                continue
            answer = Answer(question_id=question_id, part=part)
            evaluation.answers.append(answer)
        answer.score, answer.remark, answer.updated_by_id = score, remark, user.id
    evaluation.updated_at = utcnow()


def reopen_part(evaluation: Evaluation, part: Part) -> None:
    """Take a finished part back to edit: the confirmations of the conclusion lapse."""
    finish_part(evaluation, part, done=False)
    evaluation.school_confirmed_at = evaluation.consultant_confirmed_at = None


def finish_part(evaluation: Evaluation, part: Part, done: bool) -> None:
    now = utcnow() if done else None
    if part == Part.SCHOOL:
        evaluation.school_done_at = now
    else:
        evaluation.consultant_done_at = now


@dataclass
class AgreementInput:
    description: str
    owner: AgreementOwner
    due_on: date | None


def save_conclusion(
    evaluation: Evaluation, conclusion: str, agreements: list[AgreementInput]
) -> bool:
    """Store the joint conclusion; returns True when it changed, which withdraws earlier
    confirmations: both confirm the text as it finally is."""
    before = (
        evaluation.conclusion,
        [(a.description, a.owner, a.due_on) for a in evaluation.agreements],
    )
    after = (conclusion, [(a.description, a.owner, a.due_on) for a in agreements])
    if before == after:
        return False
    evaluation.conclusion = conclusion
    evaluation.agreements = [
        EvaluationAgreement(position=i, description=a.description, owner=a.owner, due_on=a.due_on)
        for i, a in enumerate(agreements, start=1)
    ]
    evaluation.school_confirmed_at = evaluation.consultant_confirmed_at = None
    evaluation.school_confirmed_by_id = evaluation.consultant_confirmed_by_id = None
    return True


def confirm(session: DbSession, user: User, evaluation: Evaluation, part: Part) -> bool:
    """Confirm the conclusion for ``part``; returns True when this locks the evaluation."""
    now = utcnow()
    if part == Part.SCHOOL:
        evaluation.school_confirmed_at, evaluation.school_confirmed_by_id = now, user.id
    else:
        evaluation.consultant_confirmed_at, evaluation.consultant_confirmed_by_id = now, user.id
    record_change(
        session, user, AuditAction.UPDATE, "evaluation", evaluation.id, None,
        detail=f"conclusie bevestigd ({part.label})",
    )  # fmt: skip
    if evaluation.school_confirmed_at and evaluation.consultant_confirmed_at:
        evaluation.locked_at = now
        send_report(session, evaluation)
        return True
    return False


def reopen(session: DbSession, senior: User, evaluation: Evaluation) -> None:
    """A new version: unlocked, both confirmations withdrawn, the old report link invalid."""
    evaluation.locked_at = None
    evaluation.school_confirmed_at = evaluation.consultant_confirmed_at = None
    evaluation.school_confirmed_by_id = evaluation.consultant_confirmed_by_id = None
    evaluation.report_version += 1
    record_change(
        session, senior, AuditAction.UPDATE, "evaluation", evaluation.id, None,
        detail=f"heropend (versie {evaluation.report_version})",
    )  # fmt: skip
    _notify_parties(
        session,
        evaluation,
        evaluation.school,
        [Part.SCHOOL, Part.CONSULTANT],
        "De senior consulent heeft de evaluatie van de samenwerking heropend. Pas de conclusie "
        "aan en bevestig opnieuw.",
    )


# --- The report ---------------------------------------------------------------------------------


def send_report(session: DbSession, evaluation: Evaluation) -> None:
    """The report as a link: to the seniors in the portal and by mail, and to the school's
    management address with a link that works without an account. No content in the mail."""
    public_url = current_app.config["PUBLIC_URL"].rstrip("/")
    school = evaluation.school
    label = school_year_label(evaluation.round.school_year)
    seniors = session.scalars(
        select(User).where(User.role == Role.SENIOR, User.active.is_(True))
    ).all()
    notify(
        session,
        seniors,
        f"Het evaluatieverslag {label} van {school.name} is klaar.",
        f"{evaluation_path(evaluation)}/verslag",
        public_url,
        subject="Evaluatieverslag samenwerking leerplicht",
    )
    if school.management_email:
        now = utcnow()
        link = f"{public_url}/evaluatie/verslag/{links.report_token(evaluation)}"
        session.add(
            OutboxMail(
                to=school.management_email,
                subject="Evaluatieverslag samenwerking leerplicht",
                body=(
                    "Geachte directie,\n\n"
                    f"De school en leerplicht hebben de samenwerking in schooljaar {label} "
                    "geëvalueerd. Het verslag staat klaar:\n"
                    f"{link}\n\n"
                    f"De link werkt {links.REPORT_LINK_DAYS} dagen. Het verslag bevat geen "
                    "gegevens van leerlingen.\n-- \nVerzuimportaal, Leerplicht en Voortijdig "
                    "Schoolverlaten\n"
                ),
                created_at=now,
                not_before=next_office_moment(now),
            )
        )
