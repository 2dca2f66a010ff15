"""Reads of the overstap: the lists with their filters, one entry with its history, the pupils
who can go on a list, the tables and their agendas, the to-do lists of agreements, and the
figures. Every read of entries goes through the access policy's scope
(:func:`portal.access.transition_entries_query`): swv staff reach pupils only this way."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload

from portal import access
from portal.auth.models import Role, User
from portal.db import DbSession
from portal.extensions import db
from portal.pupils.models import Pupil
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

# --- The lists -----------------------------------------------------------------------------------

VIEWS = ("open", "alle", "zonder_uitkomst")


@dataclass(frozen=True)
class ListFilters:
    """A list, its export or its figures: which school year, which school (None: all the user
    sees), and which entries (``open``, ``alle``, ``zonder_uitkomst``)."""

    today: date
    schools: Sequence[School]
    years: list[int]
    year: int
    school_id: int | None
    view: str

    def context(self) -> dict[str, Any]:
        return {
            "today": self.today,
            "schools": self.schools,
            "years": self.years,
            "year": self.year,
            "school_id": self.school_id,
            "view": self.view,
        }


def list_filters(
    user: User,
    today: date,
    year: int | None,
    school_id: int | None,
    view: str,
    views: Sequence[str] = VIEWS,
) -> ListFilters:
    """The filters asked for, each checked against what ``user`` may choose."""
    schools = transition_schools(user)
    years = list_years(user, today)
    return ListFilters(
        today=today,
        schools=schools,
        years=years,
        year=year if year in years else rules.season_year(today),
        school_id=school_id if any(s.id == school_id for s in schools) else None,
        view=view if view in views else views[0],
    )


def transition_schools(user: User) -> list[School]:
    """The VO and VSO schools whose lists ``user`` sees, by name."""
    return list(
        db.session.scalars(
            access.schools_query(user)
            .where(School.school_type.in_(list(rules.TRANSITION_SCHOOL_TYPES)))
            .order_by(School.name)
        )
    )


def list_years(user: User, today: date) -> list[int]:
    """The school years with lists the user sees, and this season's, newest first."""
    stored = db.session.scalars(
        select(TransitionEntry.school_year)
        .where(TransitionEntry.school_id.in_(access.transition_school_ids(user)))
        .distinct()
    ).all()
    return sorted({rules.season_year(today), *stored}, reverse=True)


def entries(user: User, filters: ListFilters) -> Select[Any]:
    """The entries of a list, with what a row shows (a select to order and paginate)."""
    query = access.transition_entries_query(user).where(TransitionEntry.school_year == filters.year)
    if filters.school_id:
        query = query.where(TransitionEntry.school_id == filters.school_id)
    if filters.view in ("open", "zonder_uitkomst"):
        query = query.where(TransitionEntry.outcome.is_(None))
    return query.join(Pupil, Pupil.id == TransitionEntry.pupil_id).options(
        selectinload(TransitionEntry.pupil),
        selectinload(TransitionEntry.school),
        selectinload(TransitionEntry.coach),
        selectinload(TransitionEntry.risks),
    )


def by_name(query: Select[Any]) -> Select[Any]:
    return query.order_by(Pupil.last_name, Pupil.first_name, TransitionEntry.id)


def by_school_and_name(query: Select[Any]) -> Select[Any]:
    return query.order_by(
        TransitionEntry.school_id, Pupil.last_name, Pupil.first_name, TransitionEntry.id
    )


def export_entries(user: User, filters: ListFilters) -> Sequence[TransitionEntry]:
    """Every entry of the list, by school and name (the spreadsheet)."""
    return db.session.scalars(by_school_and_name(entries(user, filters))).all()


def open_agreements(entry_ids: list[int]) -> dict[int, int]:
    """The number of open agreements per entry."""
    if not entry_ids:
        return {}
    rows = db.session.execute(
        select(TransitionAgreement.entry_id, func.count())
        .where(TransitionAgreement.entry_id.in_(entry_ids), TransitionAgreement.done_on.is_(None))
        .group_by(TransitionAgreement.entry_id)
    ).all()
    return {int(entry_id): int(count) for entry_id, count in rows}


# --- One entry -----------------------------------------------------------------------------------


def entry_with_history(entry_id: int) -> TransitionEntry:
    """An entry (already loaded in scope) with its discussions, agreements, risks and coach."""
    return db.session.scalars(
        select(TransitionEntry)
        .where(TransitionEntry.id == entry_id)
        .options(
            selectinload(TransitionEntry.discussions).selectinload(TransitionDiscussion.table),
            selectinload(TransitionEntry.discussions).selectinload(
                TransitionDiscussion.recorded_by
            ),
            selectinload(TransitionEntry.agreements).selectinload(TransitionAgreement.done_by),
            selectinload(TransitionEntry.risks),
            selectinload(TransitionEntry.coach),
        )
    ).one()


def agenda_item(entry_id: int) -> TransitionEntry:
    """An entry as a table's agenda shows it (after a discussion was recorded)."""
    return db.session.scalars(
        select(TransitionEntry)
        .where(TransitionEntry.id == entry_id)
        .options(
            selectinload(TransitionEntry.discussions).selectinload(TransitionDiscussion.table),
            selectinload(TransitionEntry.agreements),
            selectinload(TransitionEntry.risks),
        )
    ).one()


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


def coach_choices(schools: Sequence[School]) -> list[tuple[Any, str]]:
    """The coaches of every partnership of ``schools``, by name, after "Nog niemand"."""
    seen: dict[int, str] = {}
    for school in schools:
        for coach in coaches(db.session, school):
            seen[coach.id] = coach.name
    return [("", "Nog niemand")] + sorted(seen.items(), key=lambda kv: kv[1])


# --- Putting pupils on the list ------------------------------------------------------------------


def editable_schools(user: User) -> list[School]:
    """The VO and VSO schools where ``user`` puts pupils on the list."""
    return list(
        db.session.scalars(
            access.editable_schools_query(user)
            .where(School.school_type.in_(list(rules.TRANSITION_SCHOOL_TYPES)))
            .order_by(School.name)
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


def pupil_in_editable_school(user: User, pupil_id: int | None) -> Pupil | None:
    if pupil_id is None:
        return None
    return db.session.scalars(
        access.pupils_query(user).where(
            Pupil.id == pupil_id,
            Pupil.school_id.in_(access.editable_schools_query(user).with_only_columns(School.id)),
        )
    ).one_or_none()


def already_listed(pupil_id: int, year: int) -> bool:
    return (
        db.session.scalar(
            select(TransitionEntry.id).where(
                TransitionEntry.pupil_id == pupil_id, TransitionEntry.school_year == year
            )
        )
        is not None
    )


def pupils_by_number(school: School, numbers: list[str]) -> dict[str, Pupil]:
    """The school's pupils with these pupil numbers, by number."""
    return {
        p.pupil_number: p
        for p in db.session.scalars(
            select(Pupil).where(Pupil.school_id == school.id, Pupil.pupil_number.in_(numbers))
        )
    }


def listed_pupil_ids(pupil_ids: list[int], year: int) -> set[int]:
    """Which of these pupils are on a list of ``year`` already."""
    return set(
        db.session.scalars(
            select(TransitionEntry.pupil_id).where(
                TransitionEntry.school_year == year, TransitionEntry.pupil_id.in_(pupil_ids)
            )
        )
    )


# --- Tables and their agendas --------------------------------------------------------------------


def tables(user: User) -> Sequence[TransitionTable]:
    """The tables ``user`` sees, the latest first (at most 200)."""
    return db.session.scalars(
        access.transition_tables_query(user)
        .options(selectinload(TransitionTable.schools), selectinload(TransitionTable.partnership))
        .order_by(TransitionTable.held_on.desc(), TransitionTable.id.desc())
        .limit(200)
    ).all()


def next_tables(user: User, today: date) -> list[TransitionTable]:
    """The next three tables still to be held."""
    return list(
        db.session.scalars(
            access.transition_tables_query(user)
            .where(TransitionTable.held_on >= today, TransitionTable.completed_at.is_(None))
            .options(selectinload(TransitionTable.schools))
            .order_by(TransitionTable.held_on)
            .limit(3)
        )
    )


def table_school_choices(user: User) -> list[tuple[int, str]]:
    """The active VO and VSO schools of the swv's partnership, for a table."""
    return [
        (s.id, s.name)
        for s in db.session.scalars(
            select(School)
            .where(
                School.partnership_id == user.partnership_id,
                School.school_type.in_(list(rules.TRANSITION_SCHOOL_TYPES)),
                School.active.is_(True),
            )
            .order_by(School.name)
        )
    ]


def schools_by_id(ids: list[int]) -> list[School]:
    return list(db.session.scalars(select(School).where(School.id.in_(ids))))


def agenda(
    user: User, table: TransitionTable, school_ids: list[int] | None = None
) -> list[TransitionEntry]:
    """The table's agenda (of ``school_ids``, by default all its schools): the pupils within
    the user's scope that this round discusses (:func:`rules.on_agenda`, here in SQL), plus
    those it already discussed."""
    return list(db.session.scalars(agenda_statement(user, table, school_ids)))


def agenda_statement(
    user: User, table: TransitionTable, school_ids: list[int] | None = None
) -> Select[Any]:
    """:func:`agenda` as a select, in agenda order, with what each item shows."""
    return (
        _agenda_query(user, table, school_ids)
        .join(Pupil, Pupil.id == TransitionEntry.pupil_id)
        .options(
            selectinload(TransitionEntry.pupil),
            selectinload(TransitionEntry.school),
            selectinload(TransitionEntry.risks),
            selectinload(TransitionEntry.coach),
            selectinload(TransitionEntry.discussions).joinedload(TransitionDiscussion.table),
            selectinload(TransitionEntry.agreements),
        )
        .order_by(Pupil.last_name, Pupil.first_name, TransitionEntry.id)
    )


def _agenda_query(
    user: User, table: TransitionTable, school_ids: list[int] | None = None
) -> Select[Any]:
    """The agenda filtered in SQL (not by :func:`rules.on_agenda` over every entry of the
    schools): a table's page reads only what it shows."""
    discussed_here = (
        select(TransitionDiscussion.id)
        .where(
            TransitionDiscussion.entry_id == TransitionEntry.id,
            TransitionDiscussion.table_id == table.id,
        )
        .exists()
    )
    open_: Any = TransitionEntry.outcome.is_(None)
    if table.round == TableRound.SPRING:
        open_ = open_ & (TransitionEntry.application_status == ApplicationStatus.NONE)
    if school_ids is None:
        school_ids = [s.id for s in table.schools]
    return access.transition_entries_query(user).where(
        TransitionEntry.school_year == table.school_year,
        TransitionEntry.school_id.in_(school_ids),
        open_ | discussed_here,
    )


def agenda_per_school(user: User, table: TransitionTable) -> list[tuple[School, int]]:
    """The table's schools with pupils on its agenda (within the user's scope) by name, each
    with their number: a table with several schools takes them one at a time."""
    counts = dict(
        db.session.execute(
            _agenda_query(user, table)
            .with_only_columns(TransitionEntry.school_id, func.count())
            .group_by(TransitionEntry.school_id)
        ).all()
    )
    return [
        (s, counts[s.id]) for s in sorted(table.schools, key=lambda s: s.name) if s.id in counts
    ]


# --- To-do lists ---------------------------------------------------------------------------------


def party_of(user: User) -> Party | None:
    return rules.PARTY_OF_ROLE.get(user.role.value)


def todo_query(user: User) -> Select[Any]:
    """Open and done agreements of the user's party (all parties for the senior)."""
    party = party_of(user)
    query = access.transition_agreements_query(user)
    return query.where(TransitionAgreement.party == party) if party is not None else query


def todo_list(user: User, show_done: bool) -> Select[Any]:
    """The user's to-do list (or what was ticked off), with what a row shows."""
    query = todo_query(user).options(
        selectinload(TransitionAgreement.entry).selectinload(TransitionEntry.pupil),
        selectinload(TransitionAgreement.entry).selectinload(TransitionEntry.school),
        selectinload(TransitionAgreement.done_by),
    )
    if show_done:
        return query.where(TransitionAgreement.done_on.is_not(None)).order_by(
            TransitionAgreement.done_on.desc(), TransitionAgreement.id.desc()
        )
    return query.where(TransitionAgreement.done_on.is_(None)).order_by(
        TransitionAgreement.due_on, TransitionAgreement.id
    )


def open_todo_counts(session: DbSession, user: User, today: date) -> tuple[int, int]:
    """Open agreements of the user's party, and how many of them are past their date."""
    open_ = todo_query(user).where(TransitionAgreement.done_on.is_(None)).subquery()
    total, late = session.execute(
        select(func.count(), func.count(case((open_.c.due_on < today, 1)))).select_from(open_)
    ).one()
    return total or 0, late or 0


# --- Figures -------------------------------------------------------------------------------------


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
    schools: Sequence[School], per_school: dict[int, SchoolRow]
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
