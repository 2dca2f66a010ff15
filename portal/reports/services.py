"""Filing reports, reacting, the conversation, status changes, reassigning, read markers and
the deadline notices.

Functions add and flush, never commit: the route (or the job) commits once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import insert, select, update
from sqlalchemy.orm.exc import StaleDataError

from portal import access
from portal.attendance import signals
from portal.audit import AuditAction, record_change
from portal.auth.models import User
from portal.db import DbSession, utcnow
from portal.filters import nl_date
from portal.notifications.services import notify
from portal.pupils.models import Pupil
from portal.reports import queries
from portal.reports.models import (
    ClosingResult,
    Report,
    ReportKind,
    ReportMessage,
    ReportRead,
    ReportRegistration,
    ReportStatus,
)
from portal.reports.rules import can_transition, reaction_deadline, subtract_working_days
from portal.schools import queries as schools


def report_path(report: Report) -> str:
    """The report's address in the portal (for notifications: no request needed)."""
    return f"/meldingen/{report.id}"


class StaleReport(Exception):
    """The report changed since the form was opened."""


class TransitionNotAllowed(Exception):
    pass


def file_report(
    session: DbSession,
    user: User,
    pupil: Pupil,
    kind: ReportKind,
    data: dict[str, Any],
    today: date,
) -> Report:
    """Create the report, keep the registrations of the period as they are now, route it to the
    school's fixed consultant, and notify whoever answers for them."""
    start, end = data.get("period_start"), data.get("period_end")
    report = Report(
        pupil_id=pupil.id,
        school_id=pupil.school_id,
        kind=kind,
        status=ReportStatus.REGISTERED,
        period_start=start,
        period_end=end,
        school_actions=data.get("school_actions") or "",
        causes=data.get("causes"),
        help_involved=data.get("help_involved"),
        parents_informed=bool(data.get("parents_informed")),
        question=data.get("question"),
        duo_reported_on=data.get("duo_reported_on"),
        duo_reference=data.get("duo_reference"),
        filed_by_id=user.id,
        filed_at=utcnow(),
        filed_on=today,
        deadline=reaction_deadline(today, current_app.config["REACTION_WORKING_DAYS"]),
        assigned_consultant_id=pupil.school.fixed_consultant_id,
    )
    if start and end:
        rows = queries.registrations(session, pupil.id, start, end)
        report.registrations = [
            ReportRegistration(day=a.day, kind=a.kind, hours=a.hours) for a in rows
        ]
        report.hours = queries.unauthorised_hours(rows)
        report.late_count = queries.late_count(session, pupil.id, start, end)
    session.add(report)
    session.flush()
    record_change(session, user, AuditAction.CREATE, "report", report.id, pupil.id)
    mark_read(session, user, report)
    who = queries.responsible(session, report, today)
    recipients = [u for u in (who.consultant, who.stand_in) if u] or queries.active_seniors(session)
    notify(
        session,
        recipients,
        f"Nieuwe melding van {pupil.school.name}; reageer uiterlijk {nl_date(report.deadline)}.",
        report_path(report),
        current_app.config["PUBLIC_URL"],
        subject="Nieuwe melding in het Verzuimportaal",
    )
    # The report settles the signals it covers (the duty to report is met).
    signals.recompute_signals(session, pupil, today)
    return report


def post_message(
    session: DbSession, user: User, report: Report, body: str, today: date
) -> ReportMessage:
    """A message on the report. The first one from leerplicht is the reaction: it stops the
    deadline clock and takes the report into handling."""
    from_lvs = access.works_for_leerplicht(user)
    message = ReportMessage(
        report_id=report.id,
        author_id=user.id,
        from_lvs=from_lvs,
        body=body,
        acting_for_id=access.report_acting_for_id(user, report),
        created_at=utcnow(),
    )
    session.add(message)
    if from_lvs and report.first_reaction_at is None:
        report.first_reaction_at = message.created_at
        report.first_reaction_on = today
        if report.status == ReportStatus.REGISTERED:
            report.status = ReportStatus.IN_PROGRESS
    session.flush()
    record_change(
        session,
        user,
        AuditAction.CREATE,
        "report_message",
        message.id,
        report.pupil_id,
        acting_for_id=message.acting_for_id,
    )
    mark_read(session, user, report)
    path = report_path(report)
    public = current_app.config["PUBLIC_URL"]
    if from_lvs:
        notify(
            session,
            schools.staff_of(session, report.school_id),
            "Leerplicht heeft gereageerd op een melding van uw school.",
            path,
            public,
            subject="Reactie van leerplicht in het Verzuimportaal",
        )
    else:
        who = queries.responsible(session, report, today)
        notify(
            session,
            [u for u in (who.consultant, who.stand_in) if u],
            f"De school {report.school.name} heeft gereageerd op een melding.",
            path,
            public,
            subject="Nieuw bericht van een school in het Verzuimportaal",
        )
    return message


def change_status(
    session: DbSession,
    user: User,
    report: Report,
    target: ReportStatus,
    version: int,
    result: ClosingResult | None,
    today: date,
) -> None:
    """Move the report to ``target``; a form showing an older version is refused."""
    if version != report.version:
        raise StaleReport
    if not can_transition(report.status, target, user.role):
        raise TransitionNotAllowed
    report.status = target
    if target in (ReportStatus.CLOSED, ReportStatus.NOTED, ReportStatus.WITHDRAWN):
        report.closed_on = today
    report.result = result if target == ReportStatus.CLOSED else None
    try:
        session.flush()
    except StaleDataError as error:  # changed by someone else between load and save
        raise StaleReport from error
    record_change(
        session,
        user,
        AuditAction.UPDATE,
        "report",
        report.id,
        report.pupil_id,
        detail=f"status {target.value}",
    )
    if target == ReportStatus.WITHDRAWN:
        # A withdrawn report no longer settles the signals it covered.
        signals.recompute_signals(session, report.pupil, today)


def reassign(session: DbSession, user: User, report: Report, consultant: User, today: date) -> None:
    report.assigned_consultant_id = consultant.id
    session.flush()
    record_change(
        session,
        user,
        AuditAction.UPDATE,
        "report",
        report.id,
        report.pupil_id,
        detail=f"toegewezen aan {consultant.id}",
    )
    notify(
        session,
        [consultant],
        "Een melding is aan u toegewezen.",
        report_path(report),
        current_app.config["PUBLIC_URL"],
        subject="Melding aan u toegewezen in het Verzuimportaal",
    )


def mark_read(session: DbSession, user: User, report: Report) -> None:
    """Record that ``user`` has seen ``report`` as it is now (the list's markers): one UPDATE
    on every visit but the first, which INSERTs."""
    now = utcnow()
    updated = session.execute(
        update(ReportRead)
        .where(ReportRead.report_id == report.id, ReportRead.user_id == user.id)
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    if not updated.rowcount:  # type: ignore[attr-defined]
        session.execute(
            insert(ReportRead).values(report_id=report.id, user_id=user.id, read_at=now)
        )


def check_deadlines(session: DbSession, today: date, public_url: str) -> int:
    """Notify consultant and senior one working day before a deadline and on a breach (once
    each). Run from ``flask send-mail`` and the nightly jobs."""
    seniors = queries.active_seniors(session)
    count = 0
    tomorrow_deadline = [
        r
        for r in session.scalars(
            select(Report).where(queries.waiting_for_reaction(), Report.reminder_sent.is_(False))
        )
        if subtract_working_days(r.deadline, 1) <= today <= r.deadline
    ]
    for report in tomorrow_deadline:
        who = queries.responsible(session, report, today)
        notify(
            session,
            [u for u in (who.consultant, who.stand_in) if u] + seniors,
            f"Een melding van {report.school.name} moet uiterlijk {nl_date(report.deadline)} "
            "een reactie hebben.",
            report_path(report),
            public_url,
            subject="Herinnering: reactie op een melding",
        )
        _set_flags(session, report, reminder_sent=True)
        count += 1
    breached = session.scalars(
        select(Report).where(
            queries.waiting_for_reaction(), Report.deadline < today, Report.breach_sent.is_(False)
        )
    )
    for report in breached:
        who = queries.responsible(session, report, today)
        notify(
            session,
            [u for u in (who.consultant, who.stand_in) if u] + seniors,
            f"De reactietermijn van een melding van {report.school.name} is verstreken "
            f"({nl_date(report.deadline)}).",
            report_path(report),
            public_url,
            subject="Termijn verstreken: reactie op een melding",
        )
        _set_flags(session, report, reminder_sent=True, breach_sent=True)
        count += 1
    session.flush()
    return count


def _set_flags(session: DbSession, report: Report, **flags: bool) -> None:
    """Bookkeeping that must not count as a change of the report (no version bump, so a form
    the consultant has open stays valid)."""
    session.execute(
        update(Report)
        .where(Report.id == report.id)
        .values(**flags)
        .execution_options(synchronize_session=False)
    )


def record_duo_report(
    session: DbSession, user: User, report: Report, reported_on: date, reference: str
) -> None:
    """The school's report of this case in DUO's verzuimregister: when, and DUO's number."""
    report.duo_reported_on = reported_on
    report.duo_reference = reference
    session.flush()
    record_change(session, user, AuditAction.UPDATE, "report", report.id, report.pupil_id)
