"""Changes on the overstap pages: entries, discussions at a table, agreements, outcomes (a
handover to leerplicht files a report) and the tables. Each change is logged in the audit trail
against the pupil. Functions add and flush, never commit: the route commits once."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from portal import access
from portal.audit import AuditAction, record_change
from portal.auth.models import User
from portal.db import DbSession, utcnow
from portal.filters import nl_date
from portal.pupils.models import Pupil
from portal.reports.models import Report, ReportKind
from portal.reports.services import file_report
from portal.schools.models import School
from portal.transition import rules
from portal.transition.models import (
    ApplicationStatus,
    Outcome,
    Party,
    RiskReason,
    TableRound,
    TransitionAgreement,
    TransitionDiscussion,
    TransitionEntry,
    TransitionRisk,
    TransitionTable,
)


def update_entry(
    session: DbSession, user: User, entry: TransitionEntry, data: dict[str, Any]
) -> None:
    """New details of an entry (risks, application, institution, programme, coach)."""
    set_details(entry, data)
    log_change(session, user, AuditAction.UPDATE, entry)


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


def add_entries(
    session: DbSession, user: User, pupils: list[Pupil], year: int
) -> list[TransitionEntry]:
    """Several pupils at once (pasted pupil numbers): each with the risk 'no MBO application'."""
    data = {"risks": [RiskReason.NO_APPLICATION.value], "application_status": "geen_aanmelding"}
    return [add_entry(session, user, pupil, year, data) for pupil in pupils]


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


def remove_entry(session: DbSession, user: User, entry: TransitionEntry) -> None:
    log_change(session, user, AuditAction.DELETE, entry)
    session.delete(entry)


def save_table(
    session: DbSession, user: User, table: TransitionTable | None, data: dict[str, Any]
) -> TransitionTable:
    """Plan a table of the swv's partnership, or change one: its round, day, time, place and
    schools; its school year follows from the day."""
    if table is None:
        table = TransitionTable(partnership_id=user.partnership_id, created_by_id=user.id)
        session.add(table)
    table.round = TableRound(data["round"])
    table.held_on = data["held_on"]
    table.school_year = rules.season_year(data["held_on"])
    table.starts_at = data["starts_at"]
    table.location = data["location"] or ""
    table.schools = list(session.scalars(select(School).where(School.id.in_(data["schools"]))))
    session.flush()
    return table


def complete_table(table: TransitionTable, done: bool) -> None:
    """Close a table's records (or open them again)."""
    table.completed_at = utcnow() if done else None
