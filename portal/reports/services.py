"""Filing reports, reacting, the conversation, status changes and deadline notices.

Functions add and flush, never commit: the route commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.orm.exc import StaleDataError

from portal import access, figures_cache, filters, request_cache
from portal.attendance.models import (
    UNAUTHORISED_KINDS,
    Absence,
    LateArrival,
    Signal,
    SignalKind,
)
from portal.attendance.services import get_settings
from portal.audit import AuditAction, record_change
from portal.auth.models import Role, User, user_schools
from portal.db import DbSession, utcnow
from portal.filters import nl_date
from portal.notifications.services import notify
from portal.pagination import count_statement
from portal.pupils.models import Pupil
from portal.reports.models import (
    OPEN_STATUSES,
    ClosingResult,
    Report,
    ReportKind,
    ReportMessage,
    ReportRead,
    ReportRegistration,
    ReportStatus,
)
from portal.reports.rules import ReactionFigures, can_transition, reaction_deadline

SIGNAL_TO_REPORT = {
    SignalKind.SIXTEEN_HOURS: ReportKind.SIXTEEN_HOURS,
    SignalKind.LONG_ABSENCE: ReportKind.LONG_ABSENCE,
    SignalKind.LATE_ARRIVALS: ReportKind.LATE,
    SignalKind.SICK_LEAVE: ReportKind.SICK_SUSPECT,
    SignalKind.WEEKDAY_PATTERN: ReportKind.OTHER,
}


def report_path(report: Report) -> str:
    """The report's address in the portal (for notifications: no request needed)."""
    return f"/meldingen/{report.id}"


class StaleReport(Exception):
    """The report changed since the form was opened."""


class TransitionNotAllowed(Exception):
    pass


@dataclass(frozen=True)
class Responsible:
    consultant: User | None
    stand_in: User | None


def responsible(session: DbSession, report: Report, today: date) -> Responsible:
    consultant = report.assigned_consultant
    stand_in = access.active_stand_in(consultant.id if consultant else None, today)
    return Responsible(consultant, stand_in.stand_in if stand_in else None)


def registrations(session: DbSession, pupil_id: int, start: date, end: date) -> list[Absence]:
    return list(
        session.scalars(
            select(Absence)
            .where(Absence.pupil_id == pupil_id, Absence.day >= start, Absence.day <= end)
            .order_by(Absence.day, Absence.kind)
        )
    )


def unauthorised_hours(rows: Iterable[Absence]) -> Decimal:
    return sum((a.hours for a in rows if a.kind in UNAUTHORISED_KINDS), Decimal(0))


def late_count(session: DbSession, pupil_id: int, start: date, end: date) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(LateArrival)
            .where(
                LateArrival.pupil_id == pupil_id, LateArrival.day >= start, LateArrival.day <= end
            )
        )
        or 0
    )


def check_report(
    session: DbSession,
    kind: ReportKind,
    pupil: Pupil,
    start: date | None,
    end: date | None,
    today: date,
) -> dict[str, str]:
    """Errors per field for a report of ``kind`` (the rules of the protocol per kind)."""
    errors: dict[str, str] = {}
    if not kind.needs_period:
        return errors
    if start is None:
        errors["period_start"] = "Vul de eerste dag van de periode in."
    if end is None:
        errors["period_end"] = "Vul de laatste dag van de periode in."
    if errors or start is None or end is None:
        return errors
    if end < start:
        errors["period_end"] = "De laatste dag ligt vóór de eerste dag."
    elif end > today:
        errors["period_end"] = "De periode mag niet in de toekomst liggen."
    elif pupil.enrolled_on and start < pupil.enrolled_on:
        errors["period_start"] = "De leerling stond toen nog niet ingeschreven."
    if errors:
        return errors
    settings = get_settings(session)
    rows = registrations(session, pupil.id, start, end)
    if kind == ReportKind.SIXTEEN_HOURS:
        hours = unauthorised_hours(rows)
        threshold = settings.sixteen_hours_threshold
        if hours < threshold:
            errors["period_start"] = (
                f"In deze periode staat {filters.hours(hours)} uur ongeoorloofd verzuim "
                f"geregistreerd; een melding 16 uur in 4 weken vraagt er minstens "
                f"{filters.hours(threshold)}. Registreer het verzuim eerst, "
                "of kies 'overig verzuim'."
            )
    elif kind == ReportKind.LATE:
        needed = settings.steps[-1] if settings.steps else 9
        count = late_count(session, pupil.id, start, end)
        if count < needed:
            errors["period_start"] = (
                f"In deze periode is de leerling {count} keer te laat geregistreerd; een melding "
                f"te laat komen vraagt er {needed}. Kies anders 'overig verzuim'."
            )
    elif kind == ReportKind.LUXURY and not any(a.kind.value == "luxe_verzuim" for a in rows):
        errors["period_start"] = "In deze periode is geen luxe verzuim geregistreerd."
    return errors


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
        filed_by_id=user.id,
        filed_at=utcnow(),
        filed_on=today,
        deadline=reaction_deadline(today, current_app.config["REACTION_WORKING_DAYS"]),
        assigned_consultant_id=pupil.school.fixed_consultant_id,
    )
    if start and end:
        rows = registrations(session, pupil.id, start, end)
        report.registrations = [
            ReportRegistration(day=a.day, kind=a.kind, hours=a.hours) for a in rows
        ]
        report.hours = unauthorised_hours(rows)
        report.late_count = late_count(session, pupil.id, start, end)
    session.add(report)
    session.flush()
    record_change(session, user, AuditAction.CREATE, "report", report.id, pupil.id)
    mark_read(session, user, report)
    who = responsible(session, report, today)
    recipients = [u for u in (who.consultant, who.stand_in) if u] or _seniors(session)
    notify(
        session,
        recipients,
        f"Nieuwe melding van {pupil.school.name}; reageer uiterlijk {nl_date(report.deadline)}.",
        report_path(report),
        current_app.config["PUBLIC_URL"],
        subject="Nieuwe melding in het Verzuimportaal",
    )
    from portal.attendance.services import recompute_signals

    recompute_signals(session, pupil, today)
    return report


def _seniors(session: DbSession) -> list[User]:
    return list(
        session.scalars(select(User).where(User.role == Role.SENIOR, User.active.is_(True)))
    )


def school_staff(session: DbSession, school_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(user_schools, user_schools.c.user_id == User.id)
            .where(user_schools.c.school_id == school_id, User.role == Role.SCHOOL)
        )
    )


def post_message(
    session: DbSession, user: User, report: Report, body: str, today: date
) -> ReportMessage:
    """A message on the report. The first one from leerplicht is the reaction: it stops the
    deadline clock and takes the report into handling."""
    from_lvs = user.role in (Role.CONSULTANT, Role.SENIOR)
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
            school_staff(session, report.school_id),
            "Leerplicht heeft gereageerd op een melding van uw school.",
            path,
            public,
            subject="Reactie van leerplicht in het Verzuimportaal",
        )
    else:
        who = responsible(session, report, today)
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
        from portal.attendance.services import recompute_signals

        recompute_signals(session, report.pupil, today)


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


def mark_read_now(user: User, report: Report) -> None:
    """Record that ``user`` opened ``report``, in a short transaction of its own (a page view
    needs no commit of the request's session, which would expire everything loaded)."""
    from sqlalchemy import insert, update

    from portal.extensions import db

    now = utcnow()
    with db.engine.begin() as conn:
        updated = conn.execute(
            update(ReportRead)
            .where(ReportRead.report_id == report.id, ReportRead.user_id == user.id)
            .values(read_at=now)
        )
        if not updated.rowcount:
            conn.execute(
                insert(ReportRead).values(report_id=report.id, user_id=user.id, read_at=now)
            )


def mark_read(session: DbSession, user: User, report: Report) -> None:
    read = session.scalars(
        select(ReportRead).where(ReportRead.report_id == report.id, ReportRead.user_id == user.id)
    ).first()
    if read is None:
        session.add(ReportRead(report_id=report.id, user_id=user.id, read_at=utcnow()))
    else:
        read.read_at = utcnow()


def check_deadlines(session: DbSession, today: date, public_url: str) -> int:
    """Notify consultant and senior one working day before a deadline and on a breach (once
    each). Run from ``flask send-mail`` and the nightly jobs."""
    from portal.reports.rules import subtract_working_days

    seniors = list(
        session.scalars(select(User).where(User.role == Role.SENIOR, User.active.is_(True)))
    )
    count = 0
    tomorrow_deadline = [
        r
        for r in session.scalars(
            select(Report).where(waiting_for_reaction(), Report.reminder_sent.is_(False))
        )
        if subtract_working_days(r.deadline, 1) <= today <= r.deadline
    ]
    for report in tomorrow_deadline:
        who = responsible(session, report, today)
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
            waiting_for_reaction(), Report.deadline < today, Report.breach_sent.is_(False)
        )
    )
    for report in breached:
        who = responsible(session, report, today)
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
    from sqlalchemy import update

    session.execute(
        update(Report)
        .where(Report.id == report.id)
        .values(**flags)
        .execution_options(synchronize_session=False)
    )


def open_signal(session: DbSession, user: User, signal_id: int) -> Signal | None:
    """A signal of a pupil in ``user``'s scope (to start a report from), or None."""
    return session.scalars(
        select(Signal).where(Signal.id == signal_id, Signal.school_id.in_(access.school_ids(user)))
    ).first()


def nav_count(session: DbSession, user: User) -> int:
    """The number in the navigation: for leerplicht the open reports still waiting for a first
    reaction; for the school the reports with a reaction of the last four weeks it has not
    read yet."""
    statement = nav_count_shape(user.role)
    return (session.scalar(statement, nav_count_params(user)) or 0) if statement is not None else 0


# The school's number in the navigation counts the reactions of the last four weeks.
NEWS_DAYS = 28


@cache
def nav_count_shape(role: Role) -> Select[Any] | None:
    """:func:`nav_count` as a statement for every user of ``role``, built once: its values
    come from :func:`nav_count_params` (the header reads it with the other counts at once)."""
    scope = access.reports_scope_shape(role)
    if role in (Role.CONSULTANT, Role.SENIOR):
        query = select(Report).where(waiting_for_reaction())
        return count_statement(query if scope is None else query.where(scope))
    if role == Role.SCHOOL:
        # Reports of the school's with a message from leerplicht of the last NEWS_DAYS days
        # that this user has not read since: read from the recent messages (an index on their
        # time), so the work follows the news, not the years of reports behind it.
        return (
            select(func.count(ReportMessage.report_id.distinct()))
            .select_from(ReportMessage)
            .join(Report, Report.id == ReportMessage.report_id)
            .outerjoin(
                ReportRead,
                (ReportRead.report_id == ReportMessage.report_id)
                & (ReportRead.user_id == bindparam("user_id", type_=Integer)),
            )
            .where(
                ReportMessage.from_lvs.is_(True),
                ReportMessage.created_at >= bindparam("news_since", type_=DateTime(timezone=True)),
                or_(ReportRead.read_at.is_(None), ReportMessage.created_at > ReportRead.read_at),
                *([scope] if scope is not None else []),
            )
        )
    return None


def nav_count_params(user: User) -> dict[str, Any]:
    """The values of :func:`nav_count_shape` for ``user``: the scope's, and for the school
    since when a reaction counts."""
    params = access.reports_scope_values(user)
    if user.role == Role.SCHOOL:
        params["user_id"] = user.id
        params["news_since"] = utcnow() - timedelta(days=NEWS_DAYS)
    return params


def reaction_figures_by(
    session: DbSession,
    group: Any,
    since: date,
    today: date,
    *where: Any,
) -> dict[Any, ReactionFigures]:
    """Reaction figures (see :func:`portal.reports.rules.reaction_figures`) per value of
    ``group`` over the reports filed from ``since`` on (withdrawn ones left out), plus the
    figures over all of them under the key ``ALL``.

    One grouped query returns, per group, how many reports took each number of working days
    (a few dozen rows per group, whatever the number of reports); the counts add up and the
    median is read off those histograms here.
    """
    rows = session.execute(
        select(
            group.label("grp"),
            Report.reaction_working_days.label("days"),
            func.count().label("reports"),
            func.count(Report.first_reaction_on).label("answered"),
            func.count(
                case((or_(Report.first_reaction_on.is_not(None), Report.deadline < today), 1))
            ).label("judged"),
            func.count(case((Report.first_reaction_on <= Report.deadline, 1))).label("on_time"),
        )
        .where(Report.filed_on >= since, Report.status != ReportStatus.WITHDRAWN, *where)
        .group_by(group, Report.reaction_working_days)
    ).all()
    groups: dict[Any, list[Any]] = {}
    for row in rows:
        groups.setdefault(row.grp, []).append(row)
    figures = {key: _figures(part) for key, part in groups.items()}
    figures[ALL] = _figures(list(rows))
    return figures


ALL = "__all__"


def _figures(rows: list[Any]) -> ReactionFigures:
    """Sum the histogram rows of one group; the median of the answered reports' days."""
    histogram: dict[int, int] = {}
    for row in rows:
        if row.days is not None:
            histogram[row.days] = histogram.get(row.days, 0) + row.answered
    answered = sum(histogram.values())
    judged = sum(row.judged for row in rows)
    return ReactionFigures(
        reports=sum(row.reports for row in rows),
        answered=answered,
        median_working_days=_median(histogram, answered),
        within_deadline_share=sum(row.on_time for row in rows) / judged if judged else None,
    )


def _median(histogram: dict[int, int], n: int) -> float | None:
    """The median of ``n`` values given as ``{value: how often}`` (as ``statistics.median``:
    the middle value, or the mean of the two middle values)."""
    if not n:
        return None
    wanted = {(n - 1) // 2, n // 2}
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        found += [value for position in sorted(wanted) if seen <= position < seen + count]
        seen += count
    return sum(found) / len(found)


def waiting_for_reaction() -> ColumnElement[bool]:
    """An open report still waiting for its first reaction (the five working days run)."""
    return and_(Report.status.in_(OPEN_STATUSES), Report.first_reaction_at.is_(None))


def waiting_counts(session: DbSession, user: User, today: date) -> tuple[int, int]:
    """Open reports in ``user``'s scope still waiting for a first reaction, and how many of
    them are past their deadline: counted once per request (home page and header), and for
    the senior, whose numbers cover the region, kept a minute."""

    def count() -> tuple[int, int]:
        waiting, late = session.execute(
            access.reports_query(user)
            .where(waiting_for_reaction())
            .with_only_columns(
                func.count(),
                func.count(case((Report.deadline < today, 1))),
                maintain_column_froms=True,
            )
        ).one()
        return waiting, late

    result: tuple[int, int] = request_cache.per_request(
        _waiting_key(user, today),
        lambda: figures_cache.region_wide(user, "waiting reports", today, count, at_most=60)[0],
    )
    return result


def waiting_window_counts(today: date | ColumnElement[date]) -> list[Any]:
    """:func:`waiting_counts` as window columns (``waiting``, ``late``) over the rows of a
    list of open reports: the unfiltered inbox counts them while it reads its page."""
    waiting = Report.first_reaction_at.is_(None)
    return [
        func.count(case((waiting, 1))).over().label("waiting"),
        func.count(case((and_(waiting, Report.deadline < today), 1))).over().label("late"),
    ]


def lend_waiting_counts(user: User, today: date, counts: tuple[int, int]) -> None:
    """Give this request :func:`waiting_counts` from a page that counted them itself (the
    unfiltered inbox)."""
    request_cache.per_request(_waiting_key(user, today), lambda: counts)


def counted_waiting(user: User, today: date) -> int | None:
    """The number :func:`waiting_counts` found in this request already, or None."""
    known = request_cache.already_known(_waiting_key(user, today))
    return known[0] if known is not None else None


def _waiting_key(user: User, today: date) -> tuple[Any, ...]:
    return ("waiting", user.id, today)
