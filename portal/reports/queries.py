"""Reads of reports: the inbox and the school's list, the counts of reports waiting for a
reaction (home page, header), who answers a report, the registrations of a report's period,
and the reaction-time figures.

The lists and counts are the busiest statements of the portal. Three speed techniques live
here, each beside the statement it speeds up, with its measured gain:

* statements built once per shape (:func:`list_shape`, :func:`nav_count_shape`,
  :func:`scope_shape`): every value a request brings is a bound parameter;
* the inbox in one statement with window counts (:func:`list_page`), which also counts the
  waiting reports for the header (:func:`waiting_counts` and the request cache);
* the senior's region-wide numbers kept a minute (:mod:`portal.figures_cache`).

The reaction-time figures are in :mod:`portal.reports.figures`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from types import SimpleNamespace
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.orm import joinedload, selectinload

from portal import access, figures_cache, request_cache
from portal.attendance.models import (
    UNAUTHORISED_KINDS,
    Absence,
    AbsenceKind,
    LateArrival,
    Signal,
    SignalKind,
)
from portal.attendance.signals import Settlements
from portal.auth.models import Role, User
from portal.db import DbSession, UTCDateTime, utcnow
from portal.extensions import db
from portal.pagination import Page, Pagination, count_statement, paginate
from portal.pupils.models import Pupil
from portal.reports.models import (
    OPEN_STATUSES,
    Report,
    ReportKind,
    ReportMessage,
    ReportRead,
    ReportStatus,
)
from portal.reports.rules import DUO_DUTY, SETTLES
from portal.schools import queries as schools
from portal.schools.models import School

PER_PAGE = 25
# The school's number in the navigation counts the reactions of the last four weeks.
NEWS_DAYS = 28


def waiting_for_reaction() -> ColumnElement[bool]:
    """An open report still waiting for its first reaction (the five working days run)."""
    return and_(Report.status.in_(OPEN_STATUSES), Report.first_reaction_at.is_(None))


@cache
def scope_shape(role: Role) -> ColumnElement[bool] | None:
    """:func:`portal.access.reports_condition` for ``role`` without values, built once: the
    statements below are built on it once per shape and run with each user's values
    (:func:`portal.access.reports_scope_values`)."""
    return access.reports_condition(role)


# --- The lists -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilters:
    """What a list shows: one school, one kind, one status ("" for any)."""

    school_id: int | None
    kind: str
    status: str

    @property
    def any(self) -> bool:
        return bool(self.school_id or self.kind or self.status)


class ListShape(NamedTuple):
    page: Select[Any]
    count_all: Select[Any]


def list_page(user: User, filters: ListFilters, page_number: int, today: date) -> Page[Any]:
    """One page of the inbox (leerplicht: open reports, the most urgent first) or the school's
    list (all its reports, newest first), read in one statement.

    A subquery picks the page's reports in the list's order and counts them all (a window
    count); the outer query joins those 25 by key with what a row shows, including when the
    user last read each report and the latest message from the other side (the markers).
    Plain rows, no ORM objects. With the statement built once per shape (:func:`list_shape`)
    the inbox runs four statements instead of nine, and a request costs 3.4-3.6 ms of Python
    instead of 5.2-5.9 ms (PostgreSQL, region scale): 330 requests/s under ``wrk`` against
    209-257 before (README, "Prestaties").

    The unfiltered inbox holds every open report in scope: it also counts those waiting for a
    first reaction, and lends the numbers to the header (:func:`lend_waiting_counts`).
    """
    params = access.reports_scope_values(user)
    status_filter = "status" if filters.status else ("open" if user.role != Role.SCHOOL else "")
    lend_waiting = user.role != Role.SCHOOL and not filters.any
    shape = list_shape(
        user.role, bool(filters.school_id), bool(filters.kind), status_filter, lend_waiting
    )
    # Only the values the shape asks for: a shape and its values that disagree fail loudly.
    params["user_id"] = user.id
    if lend_waiting:
        params["today"] = today
    if filters.school_id:
        params["school_id"] = filters.school_id
    if filters.kind:
        params["kind"] = ReportKind(filters.kind)
    if filters.status:
        params["status"] = ReportStatus(filters.status)

    def fetch(limit: int, offset: int) -> list[Any]:
        result = db.session.execute(shape.page, {**params, "limit": limit, "offset": offset})
        # Plain objects for the template: reading a column of a Row by name costs several times
        # an attribute lookup, and a page reads about 300 of them.
        rows = [SimpleNamespace(**row._mapping) for row in result]
        if lend_waiting and (rows or offset == 0):
            lend_waiting_counts(user, today, (rows[0].waiting, rows[0].late) if rows else (0, 0))
        return rows

    def count_all() -> int:
        return db.session.execute(shape.count_all, params).scalar_one()  # type: ignore[no-any-return]

    return Page.of_rows(page_number, PER_PAGE, fetch, lambda row: row.total, count_all)


@cache
def list_shape(
    role: Role,
    school_filter: bool,
    kind_filter: bool,
    status_filter: str,
    lend_waiting: bool,
) -> ListShape:
    """The list's statements for one shape, with bound parameters for every value (a handful of
    shapes: building the statement costs more than running it). The shapes hold no user's
    values (``tests/integration/test_reports_statement_shapes.py``)."""
    scope = scope_shape(role)
    query = select(Report) if scope is None else select(Report).where(scope)
    if school_filter:
        query = query.where(Report.school_id == bindparam("school_id"))
    if kind_filter:
        query = query.where(Report.kind == bindparam("kind"))
    if status_filter == "status":
        query = query.where(Report.status == bindparam("status"))
    elif status_filter == "open":
        # The inbox: open reports, those still waiting for a first reaction first, by deadline.
        query = query.where(Report.status.in_(OPEN_STATUSES))
    # The list's order: (expression, descending), the same inside and outside the subquery.
    keys: list[tuple[Any, bool]]
    if role == Role.SCHOOL:
        keys = [(Report.filed_at, True), (Report.id, True)]
    else:
        keys = [
            (Report.first_reaction_at.is_not(None), False),
            (Report.deadline, False),
            (Report.id, False),
        ]

    def ordered(columns: list[Any]) -> list[Any]:
        return [
            column.desc() if descending else column
            for column, (_, descending) in zip(columns, keys, strict=True)
        ]

    counts = waiting_window_counts(bindparam("today", type_=Date)) if lend_waiting else []
    # The subquery carries the columns a row shows, so the outer query need not read report
    # again (PostgreSQL plans it in 0.38 instead of 0.6 ms). Over the whole region (the
    # senior: a thousand open reports sorted and counted) it carries only the ids, and the
    # page's 25 are read by key (55 -> 33 ms on PostgreSQL at region scale).
    shown = (
        Report.id,
        Report.kind,
        Report.status,
        Report.filed_on,
        Report.deadline,
        Report.first_reaction_on,
        Report.pupil_id,
        Report.school_id,
        Report.assigned_consultant_id,
    )
    narrow = scope is None
    chosen = (
        query.with_only_columns(
            *(shown[:1] if narrow else shown),
            *(key.label(f"sort_{n}") for n, (key, _) in enumerate(keys)),
            func.count().over().label("total"),
            *counts,
        )
        .order_by(*ordered([key for key, _ in keys]))
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery("chosen")
    )
    report: Any = Report.__table__ if narrow else chosen
    rows_from = chosen.join(report, report.c.id == chosen.c.id) if narrow else chosen
    other_side = role == Role.SCHOOL  # the school waits for leerplicht, and vice versa
    read_at = (
        select(ReportRead.read_at)
        .where(ReportRead.report_id == chosen.c.id, ReportRead.user_id == bindparam("user_id"))
        .scalar_subquery()
    )
    latest_message_at = (
        select(func.max(ReportMessage.created_at))
        .where(ReportMessage.report_id == chosen.c.id, ReportMessage.from_lvs.is_(other_side))
        .scalar_subquery()
    )
    page = (
        select(
            *(chosen.c[c.name] for c in counts),
            chosen.c.total,
            report.c.id,
            report.c.kind,
            report.c.status,
            report.c.filed_on,
            report.c.deadline,
            report.c.first_reaction_on,
            report.c.pupil_id,
            Pupil.last_name,
            Pupil.first_name,
            School.name.label("school_name"),
            # Whom a stand-in acts for: as on the report's own page (the assigned consultant,
            # else the school's).
            func.coalesce(report.c.assigned_consultant_id, School.fixed_consultant_id).label(
                "responsible_id"
            ),
            User.name.label("consultant_name"),
            read_at.label("read_at"),
            latest_message_at.label("latest_message_at"),
        )
        .select_from(rows_from)
        .join(Pupil, Pupil.id == report.c.pupil_id)
        .join(School, School.id == report.c.school_id)
        .outerjoin(User, User.id == report.c.assigned_consultant_id)
        .order_by(*ordered([chosen.c[f"sort_{n}"] for n in range(len(keys))]))
    )
    return ListShape(page=page, count_all=count_statement(query))


def marker(user: User, row: Any) -> str | None:
    """ "Nieuw" for a report the user never opened, "Nieuwe reactie" for a message from the other
    side after the user's last visit."""
    if row.read_at is None and user.role != Role.SCHOOL:
        return "Nieuw"
    if row.latest_message_at is not None and (
        row.read_at is None or row.latest_message_at > row.read_at
    ):
        return "Nieuwe reactie" if user.role == Role.SCHOOL else "Nieuw bericht"
    return None


def overdue_per_consultant(session: DbSession, today: date) -> list[dict[str, Any]]:
    """Unanswered open reports per responsible consultant: late, due today, still in time.
    Counted by the database (one row per consultant, joined with the name)."""
    rows = session.execute(
        select(
            User.name,
            func.count().label("open"),
            func.count(case((Report.deadline < today, 1))).label("late"),
            func.count(case((Report.deadline == today, 1))).label("today"),
        )
        .select_from(Report)
        .outerjoin(User, User.id == Report.assigned_consultant_id)
        .where(waiting_for_reaction())
        .group_by(Report.assigned_consultant_id, User.name)
    ).all()
    return sorted(
        (
            {
                "name": row.name or "Niet toegewezen",
                "late": row.late,
                "today": row.today,
                "open": row.open,
            }
            for row in rows
        ),
        key=lambda r: (-r["late"], -r["today"], r["name"]),
    )


# --- Waiting reports: the home page and the header -----------------------------------------------


def waiting_counts(session: DbSession, user: User, today: date) -> tuple[int, int]:
    """Open reports in ``user``'s scope still waiting for a first reaction, and how many of
    them are past their deadline: counted once per request (home page and header), and for
    the senior, whose numbers cover the region, kept a minute (senior home 5.4 -> 2.9 ms at
    region scale on SQLite)."""

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

    return request_cache.per_request(
        _waiting_key(user, today),
        lambda: figures_cache.region_wide(user, "waiting reports", today, count, at_most=60)[0],
    )


def waiting_window_counts(today: date | ColumnElement[date]) -> list[Any]:
    """:func:`waiting_counts` as window columns (``waiting``, ``late``) over the rows of a
    list of open reports: the unfiltered inbox counts them while it reads its page, which
    saves the header its own count on the page consultants use most."""
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


@cache
def nav_count_shape(role: Role) -> Select[Any] | None:
    """The number in the navigation as a statement for every user of ``role``, built once (the
    header reads it with the unread notifications at once, :mod:`portal.navigation`); its
    values come from :func:`nav_count_params`.

    For leerplicht the open reports still waiting for a first reaction; for the school the
    reports with a reaction of the last four weeks it has not read yet."""
    scope = scope_shape(role)
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
                ReportMessage.created_at >= bindparam("news_since", type_=UTCDateTime()),
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


def nav_count(session: DbSession, user: User) -> int:
    """The number in the navigation on its own (:func:`nav_count_shape`)."""
    statement = nav_count_shape(user.role)
    return (session.scalar(statement, nav_count_params(user)) or 0) if statement is not None else 0


# --- One report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Responsible:
    consultant: User | None
    stand_in: User | None


def responsible(session: DbSession, report: Report, today: date) -> Responsible:
    """Who answers ``report`` today: the assigned consultant, and who stands in for them."""
    consultant = report.assigned_consultant
    stand_in = schools.active_stand_in(session, consultant.id if consultant else None, today)
    return Responsible(consultant, stand_in.stand_in if stand_in else None)


def reassign_choices(session: DbSession) -> list[tuple[int, str]]:
    """The consultants a report can be assigned to (active, by name)."""
    return schools.consultant_choices(session)


def consultant(session: DbSession, consultant_id: int) -> User:
    """An active consultant (the reassign form offers only those)."""
    return session.scalars(
        select(User).where(
            User.id == consultant_id, User.role == Role.CONSULTANT, User.active.is_(True)
        )
    ).one()


def active_seniors(session: DbSession) -> list[User]:
    return list(
        session.scalars(select(User).where(User.role == Role.SENIOR, User.active.is_(True)))
    )


def registrations(session: DbSession, pupil_id: int, start: date, end: date) -> list[Absence]:
    """The pupil's absence registrations of a report's period."""
    return list(
        session.scalars(
            select(Absence)
            .where(Absence.pupil_id == pupil_id, Absence.day >= start, Absence.day <= end)
            .order_by(Absence.day, Absence.kind)
        )
    )


def unauthorised_hours(rows: Iterable[Absence]) -> Decimal:
    # Hours still not explained when the school reports them count as unauthorised.
    counted = UNAUTHORISED_KINDS | {AbsenceKind.ONVERANTWOORD}
    return sum((a.hours for a in rows if a.kind in counted), Decimal(0))


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


@dataclass(frozen=True)
class PeriodPreview:
    """What a report of a period will carry: its registrations as they are now."""

    rows: list[Absence]
    hours: Decimal
    late: int


def period_preview(pupil: Pupil, start: date | None, end: date | None) -> PeriodPreview | None:
    """The registrations of ``pupil`` over ``start``..``end`` (None without both days)."""
    if not (start and end):
        return None
    rows = registrations(db.session, pupil.id, start, end)
    return PeriodPreview(
        rows, unauthorised_hours(rows), late_count(db.session, pupil.id, start, end)
    )


def open_signal(session: DbSession, user: User, signal_id: int) -> Signal | None:
    """A signal of a pupil in ``user``'s scope (to start a report from), or None."""
    return session.scalars(
        select(Signal).where(Signal.id == signal_id, Signal.school_id.in_(access.school_ids(user)))
    ).first()


def settlements(
    session: DbSession, pupil_ids: Sequence[int], since: date
) -> dict[int, Settlements]:
    """What the pupils' reports settle (read by the signals, see
    :func:`portal.attendance.signals.read_settlements_with`), one statement for all of them:
    per pupil the periods of the reports, not withdrawn, that end on or after ``since`` and
    answer a signal, and the filing dates of all reports not withdrawn."""
    periods: dict[int, list[tuple[SignalKind, date, date]]] = {}
    filed_on: dict[int, list[date]] = {}
    rows = session.execute(
        select(
            Report.pupil_id, Report.kind, Report.period_start, Report.period_end, Report.filed_on
        )
        .where(Report.pupil_id.in_(list(pupil_ids)), Report.status != ReportStatus.WITHDRAWN)
        .order_by(Report.pupil_id, Report.filed_on)
    )
    for pupil_id, kind, start, end, filed in rows:
        filed_on.setdefault(pupil_id, []).append(filed)
        if kind in SETTLES and start is not None and end is not None and end >= since:
            periods.setdefault(pupil_id, []).append((SETTLES[kind], start, end))
    return {
        pupil_id: Settlements(periods=periods.get(pupil_id, []), filed_on=dates)
        for pupil_id, dates in filed_on.items()
    }


def pupil_reports(session: DbSession, pupil_id: int) -> list[Report]:
    """Every report about a pupil, newest first, with its consultant (the case file)."""
    return list(
        session.scalars(
            select(Report)
            .where(Report.pupil_id == pupil_id)
            .options(selectinload(Report.assigned_consultant))
            .order_by(Report.filed_on.desc())
        )
    )


def latest_report_id(session: DbSession, pupil_id: int) -> int | None:
    """The pupil's most recently filed report (a case action belongs to it)."""
    return session.scalar(
        select(Report.id)
        .where(Report.pupil_id == pupil_id)
        .order_by(Report.filed_on.desc())
        .limit(1)
    )


MISSING_DUO_PER_PAGE = 50


def missing_duo_reports(user: User, page_number: int) -> Pagination:
    """Reports of a legal duty (16 hours, long relative absence, luxe verzuim), not withdrawn,
    without DUO's number: the school may not have reported them in DUO's verzuimregister.
    Oldest first, within ``user``'s scope."""
    query = (
        access.reports_query(user)
        .where(
            Report.kind.in_(list(DUO_DUTY)),
            Report.status != ReportStatus.WITHDRAWN,
            Report.duo_reference.is_(None),
        )
        .options(joinedload(Report.pupil), joinedload(Report.school))
        .order_by(Report.filed_on, Report.id)
    )
    return paginate(query, page_number, MISSING_DUO_PER_PAGE)
