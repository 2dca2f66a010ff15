"""What happens on the overstap pages: entries, discussions at a table, agreements, outcomes
(a handover to leerplicht files a report), the to-do lists and the figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload

from portal import access
from portal.audit import AuditAction, record_change
from portal.auth.models import Role, User
from portal.db import DbSession, utcnow
from portal.filters import nl_date
from portal.pupils.models import Pupil
from portal.reports.models import Report, ReportKind
from portal.schools.models import School
from portal.transition import rules
from portal.transition.models import (
    ApplicationStatus,
    Outcome,
    Party,
    RiskReason,
    TransitionAgreement,
    TransitionDiscussion,
    TransitionEntry,
    TransitionRisk,
    TransitionTable,
)


def coaches(session: DbSession, school: School) -> list[User]:
    """The swv staff of the school's partnership: who can be the pupil's overstapcoach."""
    if school.partnership_id is None:
        return []
    return list(
        session.scalars(
            select(User)
            .where(
                User.role == Role.SWV,
                User.partnership_id == school.partnership_id,
                User.active.is_(True),
            )
            .order_by(User.name)
        )
    )


def eligible_pupils(session: DbSession, user: User, year: int, today: date) -> list[Pupil]:
    """Final-year pupils of the user's editable VO/VSO schools who are not on the list yet."""
    on_list = select(TransitionEntry.pupil_id).where(TransitionEntry.school_year == year)
    candidates = session.scalars(
        access.editable_schools_query(user)
        .where(School.school_type.in_(list(rules.TRANSITION_SCHOOL_TYPES)))
        .with_only_columns(School.id)
    ).all()
    pupils = session.scalars(
        select(Pupil)
        .where(
            Pupil.school_id.in_(candidates),
            Pupil.id.not_in(on_list),
            Pupil.programme.in_(list(rules.VMBO | rules.OPEN_ENDED)),
            Pupil.year >= rules.OPEN_ENDED_FROM_YEAR,
            (Pupil.left_on.is_(None)) | (Pupil.left_on >= today),
        )
        .options(selectinload(Pupil.school))
        .order_by(Pupil.last_name, Pupil.first_name)
    ).all()
    return [p for p in pupils if rules.is_final_year(p)]


def set_details(entry: TransitionEntry, data: dict[str, Any]) -> None:
    entry.risks = [TransitionRisk(reason=RiskReason(r)) for r in dict.fromkeys(data["risks"])]
    entry.risk_note = data.get("risk_note")
    entry.application_status = ApplicationStatus(data["application_status"])
    entry.mbo_institution = data.get("mbo_institution")
    entry.mbo_programme = data.get("mbo_programme")
    entry.coach_id = data.get("coach_id")


def log_change(
    session: DbSession,
    user: User,
    action: AuditAction,
    entry: TransitionEntry,
    *,
    agreement: TransitionAgreement | None = None,
    detail: str | None = None,
) -> None:
    """The audit record of a change to an entry or one of its agreements: against the pupil,
    and on whose behalf a stand-in consultant acted."""
    record_change(
        session,
        user,
        action,
        "transition_agreement" if agreement else "transition_entry",
        agreement.id if agreement else entry.id,
        entry.pupil_id,
        acting_for_id=access.acting_for_id(user, entry.school),
        detail=detail,
    )


def add_entry(
    session: DbSession, user: User, pupil: Pupil, year: int, data: dict[str, Any]
) -> TransitionEntry:
    entry = TransitionEntry(
        school_id=pupil.school_id, school_year=year, pupil_id=pupil.id, added_by_id=user.id
    )
    set_details(entry, data)
    session.add(entry)
    session.flush()
    log_change(session, user, AuditAction.CREATE, entry)
    return entry


def record_discussion(
    session: DbSession,
    user: User,
    table: TransitionTable,
    entry: TransitionEntry,
    status: ApplicationStatus,
    note: str,
) -> TransitionDiscussion:
    """The table's record of one pupil: one per table (a second save updates it)."""
    discussion = next((d for d in entry.discussions if d.table_id == table.id), None)
    if discussion is None:
        discussion = TransitionDiscussion(table_id=table.id, application_status=status, note=note)
        entry.discussions.append(discussion)
    discussion.application_status = status
    discussion.note = note
    discussion.recorded_by_id = user.id
    entry.application_status = status
    if entry.first_discussed_on is None or table.held_on < entry.first_discussed_on:
        entry.first_discussed_on = table.held_on
    entry.updated_at = utcnow()  # bumps the version even when only the discussion changed
    log_change(session, user, AuditAction.UPDATE, entry, detail="besproken aan overstaptafel")
    return discussion


def add_agreement(
    session: DbSession,
    user: User,
    entry: TransitionEntry,
    description: str,
    party: Party,
    due_on: date,
    table: TransitionTable | None = None,
) -> TransitionAgreement:
    agreement = TransitionAgreement(
        description=description,
        party=party,
        due_on=due_on,
        table_id=table.id if table else None,
        created_by_id=user.id,
    )
    entry.agreements.append(agreement)
    session.flush()
    log_change(session, user, AuditAction.CREATE, entry, agreement=agreement)
    return agreement


def toggle_agreement(
    session: DbSession, user: User, agreement: TransitionAgreement, today: date
) -> None:
    if agreement.done_on is None:
        agreement.done_on, agreement.done_by_id = today, user.id
    else:
        agreement.done_on, agreement.done_by_id = None, None
    log_change(
        session,
        user,
        AuditAction.UPDATE,
        agreement.entry,
        agreement=agreement,
        detail="afgevinkt" if agreement.done_on else "weer open",
    )


def set_outcome(
    session: DbSession,
    user: User,
    entry: TransitionEntry,
    outcome: Outcome,
    outcome_on: date,
    note: str | None,
    today: date,
) -> Report | None:
    """Record the outcome. A handover to leerplicht files a report for the school's fixed
    consultant (once per entry), so the pupil lands in the consultant's inbox."""
    entry.outcome, entry.outcome_on, entry.outcome_note = outcome, outcome_on, note
    log_change(session, user, AuditAction.UPDATE, entry, detail=f"uitkomst: {outcome.label}")
    if outcome != Outcome.HANDED_OVER or entry.handover_report_id is not None:
        return None
    from portal.reports.services import file_report

    report = file_report(
        session,
        user,
        entry.pupil,
        ReportKind.DROPOUT,
        {
            "period_start": entry.first_discussed_on,
            "period_end": min(outcome_on, today),
            "school_actions": handover_text(entry),
            "causes": note,
            "parents_informed": False,
        },
        today,
    )
    entry.handover_report_id = report.id
    return report


def handover_text(entry: TransitionEntry) -> str:
    """What leerplicht needs to know, from the list: risks, status, the tables and agreements."""
    lines = [
        f"Overgedragen vanuit de overstaptafel (schooljaar {entry.school_year}-"
        f"{entry.school_year + 1}).",
        "Risico's: " + ", ".join(r.label for r in entry.risk_reasons) + ".",
        f"Aanmeldstatus mbo: {entry.application_status.label}.",
    ]
    if entry.mbo_institution or entry.mbo_programme:
        lines.append(
            "Mbo: " + " – ".join(x for x in (entry.mbo_institution, entry.mbo_programme) if x)
        )
    for d in entry.discussions:
        lines.append(f"Besproken {nl_date(d.table.held_on)}: {d.note or '(geen notitie)'}")
    for a in entry.agreements:
        state = (
            f"klaar {nl_date(a.done_on)}" if a.done_on else f"open, uiterlijk {nl_date(a.due_on)}"
        )
        lines.append(f"Afspraak ({a.party.label}, {state}): {a.description}")
    return "\n".join(lines)


# --- To-do lists --------------------------------------------------------------------------------


def party_of(user: User) -> Party | None:
    return rules.PARTY_OF_ROLE.get(user.role.value)


def agreements_query(user: User) -> Select[Any]:
    """Agreements on the lists ``user`` may see."""
    return (
        select(TransitionAgreement)
        .join(TransitionEntry, TransitionEntry.id == TransitionAgreement.entry_id)
        .where(TransitionEntry.school_id.in_(access.transition_school_ids(user)))
    )


def todo_query(user: User) -> Select[Any]:
    """Open and done agreements of the user's party (all parties for the senior)."""
    party = party_of(user)
    query = agreements_query(user)
    return query.where(TransitionAgreement.party == party) if party is not None else query


def open_todo_counts(session: DbSession, user: User, today: date) -> tuple[int, int]:
    """Open agreements of the user's party, and how many of them are past their date."""
    open_ = todo_query(user).where(TransitionAgreement.done_on.is_(None)).subquery()
    total, late = session.execute(
        select(func.count(), func.count(case((open_.c.due_on < today, 1)))).select_from(open_)
    ).one()
    return total or 0, late or 0


# --- Figures ----------------------------------------------------------------------


def _in_time(years: tuple[int, ...]) -> Any:
    """1 when the entry's outcome was there by its own school year's reference date."""
    return case(
        *[
            (
                (TransitionEntry.school_year == y)
                & (TransitionEntry.outcome_on <= rules.reference_date(y)),
                1,
            )
            for y in years
        ],
        else_=0,
    )


@dataclass
class Figures:
    total: int = 0
    risks: Counter[RiskReason] = field(default_factory=Counter)
    statuses: Counter[ApplicationStatus] = field(default_factory=Counter)
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    without_outcome: int = 0  # no outcome on the reference date (1 October)
    discussed: int = 0


def figures(session: DbSession, school_ids: list[int], year: int) -> tuple[Figures, Figures]:
    """Figures of the lists of ``school_ids`` for ``year`` and the year before: two GROUP BY
    queries, whatever the number of pupils."""
    years = (year, year - 1)
    result = {y: Figures() for y in years}
    in_time = _in_time(years)
    rows = session.execute(
        select(
            TransitionEntry.school_year,
            TransitionEntry.application_status,
            TransitionEntry.outcome,
            in_time,
            func.count(),
            func.count(TransitionEntry.first_discussed_on),
        )
        .where(TransitionEntry.school_year.in_(years), TransitionEntry.school_id.in_(school_ids))
        .group_by(
            TransitionEntry.school_year,
            TransitionEntry.application_status,
            TransitionEntry.outcome,
            in_time,
        )
    ).all()
    for school_year, status, outcome, on_time, total, discussed in rows:
        figures_ = result[school_year]
        figures_.total += total
        figures_.discussed += discussed
        figures_.statuses[status] += total
        if outcome is not None and on_time:
            figures_.outcomes[outcome] += total
    for school_year, reason, total in session.execute(
        select(TransitionEntry.school_year, TransitionRisk.reason, func.count())
        .join(TransitionEntry, TransitionEntry.id == TransitionRisk.entry_id)
        .where(TransitionEntry.school_year.in_(years), TransitionEntry.school_id.in_(school_ids))
        .group_by(TransitionEntry.school_year, TransitionRisk.reason)
    ):
        result[school_year].risks[reason] += total
    for figures_ in result.values():
        figures_.without_outcome = figures_.total - sum(figures_.outcomes.values())
    return result[year], result[year - 1]


@dataclass
class SchoolRow:
    """One school's line in the figures: this year beside the previous one."""

    total: int = 0
    previous_total: int = 0
    discussed: int = 0
    with_outcome: int = 0  # by the reference date
    previous_with_outcome: int = 0
    handed_over: int = 0


def figures_per_school(
    session: DbSession, school_ids: list[int], year: int
) -> dict[int, SchoolRow]:
    """Per school, one GROUP BY over both years."""
    rows: dict[int, SchoolRow] = {}
    if not school_ids:
        return rows
    years = (year, year - 1)
    in_time = _in_time(years)
    result = session.execute(
        select(
            TransitionEntry.school_id,
            TransitionEntry.school_year,
            func.count(),
            func.count(TransitionEntry.first_discussed_on),
            func.sum(in_time),
            func.sum(case((TransitionEntry.outcome == Outcome.HANDED_OVER, 1), else_=0)),
        )
        .where(TransitionEntry.school_year.in_(years), TransitionEntry.school_id.in_(school_ids))
        .group_by(TransitionEntry.school_id, TransitionEntry.school_year)
    ).all()
    for school_id, school_year, total, discussed, outcome_count, handed_over in result:
        row = rows.setdefault(school_id, SchoolRow())
        if school_year == year:
            row.total, row.discussed = total, discussed
            row.with_outcome, row.handed_over = int(outcome_count or 0), int(handed_over or 0)
        else:
            row.previous_total, row.previous_with_outcome = total, int(outcome_count or 0)
    return rows


def group_by_partnership(
    schools: list[School], per_school: dict[int, SchoolRow]
) -> list[tuple[str, SchoolRow]]:
    """Totals per samenwerkingsverband (schools without one under "Geen")."""
    totals: dict[str, SchoolRow] = {}
    for school in schools:
        row = per_school.get(school.id)
        if row is None:
            continue
        name = school.partnership.name if school.partnership else "Geen samenwerkingsverband"
        total = totals.setdefault(name, SchoolRow())
        for attribute in vars(row):
            setattr(total, attribute, getattr(total, attribute) + getattr(row, attribute))
    return sorted(totals.items())


def remove_entry(session: DbSession, user: User, entry: TransitionEntry) -> None:
    log_change(session, user, AuditAction.DELETE, entry)
    session.delete(entry)
