"""The April evaluation: opening rounds, reminders, saving parts and the conclusion, locking,
reopening, the facts of the school year, and the report link for school management."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.audit import AuditAction, record_change
from portal.auth.models import Role, User
from portal.calendar import school_year_bounds, school_year_label
from portal.casework.models import Thuiszitter
from portal.casework.rules import ThuiszitterCounts, thuiszitter_counts
from portal.db import DbSession, utcnow
from portal.evaluation import rules
from portal.evaluation.models import (
    STATUS,
    AgreementOwner,
    Answer,
    Evaluation,
    EvaluationAgreement,
    EvaluationRound,
    Part,
    Question,
    QuestionSet,
)
from portal.notifications.models import OutboxMail
from portal.notifications.services import next_office_moment, notify
from portal.pupils.models import Pupil
from portal.reports.models import ClosingResult, Report, ReportKind
from portal.reports.rules import ReactionFigures
from portal.reports.services import ALL, reaction_figures_by, school_staff
from portal.schools.models import School
from portal.transition.services import Figures as TransitionFigures
from portal.transition.services import figures as transition_figures

REPORT_LINK_DAYS = 90  # the management's link to the report works this long


# --- Question sets ------------------------------------------------------------------------------


def current_question_set(session: DbSession) -> QuestionSet:
    """The newest question set; the default set of the protocol's pillars when there is none."""
    latest = session.scalars(select(QuestionSet).order_by(QuestionSet.id.desc()).limit(1)).first()
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


def set_in_use(session: DbSession, question_set: QuestionSet) -> bool:
    return (
        session.scalar(
            select(EvaluationRound.id).where(EvaluationRound.question_set_id == question_set.id)
        )
        is not None
    )


def editable_question_set(session: DbSession, user: User) -> QuestionSet:
    """The set the next round will use. A set a round already uses stays as it is: editing
    starts a copy, so an archived evaluation always shows the questions it was answered with."""
    current = current_question_set(session)
    if not set_in_use(session, current):
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


# --- Rounds -------------------------------------------------------------------------------------


def round_for(session: DbSession, school_year: int) -> EvaluationRound | None:
    return session.scalars(
        select(EvaluationRound).where(EvaluationRound.school_year == school_year)
    ).first()


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
        users += [u for u in school_staff(session, school.id) if u.active]
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


def unfinished_parts(evaluation: Evaluation) -> list[Part]:
    """Who still has something to do: their part, or confirming the conclusion."""
    if evaluation.is_locked:
        return []
    return [
        part
        for part in Part
        if evaluation.done_at(part) is None or evaluation.confirmed_at(part) is None
    ]


def remind(session: DbSession, evaluation: Evaluation) -> int:
    """A reminder (without content) to whoever has not finished; returns how many parties."""
    parts = unfinished_parts(evaluation)
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
    round_ = round_for(session, year)
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


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="evaluatieverslag")


def report_token(evaluation: Evaluation) -> str:
    return _serializer().dumps([evaluation.id, evaluation.report_version])


def evaluation_from_token(session: DbSession, token: str) -> Evaluation | None:
    """The locked evaluation a management link points to, if the link is genuine, not older
    than REPORT_LINK_DAYS and still of the current version (a reopening invalidates it)."""
    try:
        evaluation_id, version = _serializer().loads(token, max_age=REPORT_LINK_DAYS * 86400)
    except (BadSignature, ValueError, TypeError):
        return None
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None or not evaluation.is_locked or evaluation.report_version != version:
        return None
    return evaluation


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
        link = f"{public_url}/evaluatie/verslag/{report_token(evaluation)}"
        session.add(
            OutboxMail(
                to=school.management_email,
                subject="Evaluatieverslag samenwerking leerplicht",
                body=(
                    "Geachte directie,\n\n"
                    f"De school en leerplicht hebben de samenwerking in schooljaar {label} "
                    "geëvalueerd. Het verslag staat klaar:\n"
                    f"{link}\n\n"
                    f"De link werkt {REPORT_LINK_DAYS} dagen. Het verslag bevat geen gegevens "
                    "van leerlingen.\n-- \nVerzuimportaal, Leerplicht en Voortijdig "
                    "Schoolverlaten\n"
                ),
                created_at=now,
                not_before=next_office_moment(now),
            )
        )


# --- Facts of the school year -------------------------------------------------------------------


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


def form_values(form: Any, questions: list[Question]) -> dict[int, tuple[int | None, str]]:
    """``{question_id: (score, remark)}`` from the posted form (fields score-N, remark-N)."""
    values = {}
    for q in questions:
        score = rules.valid_score(form.get(f"score-{q.id}"))
        remark = (form.get(f"remark-{q.id}") or "").strip()[:4000]
        values[q.id] = (score, remark)
    return values
