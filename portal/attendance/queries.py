"""Reads of registrations and signals: the counting rules in force, what a day already holds,
the class register, the signals list and one pupil's school year at a glance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import selectinload

from portal import access, figures_cache, request_cache
from portal.attendance.models import (
    UNAUTHORISED_KINDS,
    Absence,
    AbsenceKind,
    AttendanceSettings,
    LateArrival,
    LateArrivalStep,
    LatePeriod,
    Signal,
    SignalKind,
)
from portal.auth.models import User
from portal.calendar import SchoolCalendar, public_holiday_name, school_year_bounds
from portal.db import DbSession
from portal.extensions import db
from portal.pupils.models import Pupil
from portal.pupils.queries import left_pupil_ids
from portal.schools.models import School

SIGNALS_PER_PAGE = 50


def get_settings(session: DbSession) -> AttendanceSettings:
    """The region's counting rules (the defaults until the beheerder saves them), the same
    object all through a request (saving the defaults saves that object)."""
    return request_cache.per_request(("attendance settings",), lambda: _read_settings(session))


def _read_settings(session: DbSession) -> AttendanceSettings:
    saved = session.scalars(select(AttendanceSettings).order_by(AttendanceSettings.id)).first()
    if saved is not None:
        return saved
    return AttendanceSettings(
        sixteen_hours_threshold=Decimal(16),
        sixteen_hours_weeks=4,
        long_absence_weeks=4,
        max_hours_per_day=Decimal(10),
        late_steps="3,6,9",
        late_step_actions=(
            "Ouders informeren\nBrief of gesprek met de schoolleiding\nMelden bij leerplicht"
        ),
        late_period=LatePeriod.SCHOOL_YEAR,
        halt_confirm_hours=Decimal(60),
        unexplained_days=2,
        rules_version=0,
    )


# --- One pupil, one day --------------------------------------------------------------------------


def other_hours(
    session: DbSession, pupil_id: int, day: date, except_kinds: Iterable[AbsenceKind]
) -> Decimal:
    """The hours registered on ``day`` of other kinds than ``except_kinds``."""
    rows = session.scalars(
        select(Absence.hours).where(
            Absence.pupil_id == pupil_id,
            Absence.day == day,
            Absence.kind.not_in(list(except_kinds)),
        )
    )
    return sum(rows, Decimal(0))


def absence_on(session: DbSession, pupil_id: int, day: date, kind: AbsenceKind) -> Absence | None:
    return session.scalars(
        select(Absence).where(
            Absence.pupil_id == pupil_id, Absence.day == day, Absence.kind == kind
        )
    ).first()


def absences_on(session: DbSession, pupil_id: int, day: date) -> list[Absence]:
    return list(
        session.scalars(select(Absence).where(Absence.pupil_id == pupil_id, Absence.day == day))
    )


def first_late_arrival(session: DbSession, pupil_id: int, day: date) -> LateArrival | None:
    """The day's first late arrival (lowest lesson hour): what the class register shows."""
    return session.scalars(
        select(LateArrival)
        .where(LateArrival.pupil_id == pupil_id, LateArrival.day == day)
        .order_by(LateArrival.lesson_hour.asc().nulls_last())
    ).first()


def late_arrival_on(
    session: DbSession, pupil_id: int, day: date, lesson_hour: int | None
) -> LateArrival | None:
    """The pupil's late arrival on ``day`` in ``lesson_hour`` (None: without a lesson hour)."""
    hour = (
        LateArrival.lesson_hour.is_(None)
        if lesson_hour is None
        else LateArrival.lesson_hour == lesson_hour
    )
    return session.scalars(
        select(LateArrival).where(LateArrival.pupil_id == pupil_id, LateArrival.day == day, hour)
    ).first()


def absence_of(pupil: Pupil, absence_id: int) -> Absence:
    """One absence registration of ``pupil`` (already loaded in scope), or 404."""
    return db.one_or_404(  # type: ignore[no-any-return]
        select(Absence).where(Absence.id == absence_id, Absence.pupil_id == pupil.id)
    )


def late_arrival_of(pupil: Pupil, late_id: int) -> LateArrival:
    """One late arrival of ``pupil`` (already loaded in scope), or 404."""
    return db.one_or_404(  # type: ignore[no-any-return]
        select(LateArrival).where(LateArrival.id == late_id, LateArrival.pupil_id == pupil.id)
    )


def late_arrival_signal(session: DbSession, pupil_id: int) -> Signal | None:
    """The pupil's 3-6-9 signal (its steps due), if any."""
    return session.scalars(
        select(Signal).where(Signal.pupil_id == pupil_id, Signal.kind == SignalKind.LATE_ARRIVALS)
    ).first()


def open_signal_count(session: DbSession, pupil_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Signal)
            .where(Signal.pupil_id == pupil_id, Signal.resolved.is_(False))
        )
        or 0
    )


# --- The class register --------------------------------------------------------------------------


@dataclass
class RegisterDay:
    """A class on one day: its pupils, what each already holds, and their open signals."""

    pupils: Sequence[Pupil]
    absences: dict[int, list[Absence]]
    late: dict[int, LateArrival]
    open_signals: dict[int, int]


def register_day(
    session: DbSession, user: User, school: School, class_name: str, day: date
) -> RegisterDay:
    """The class register of ``class_name`` on ``day``: four statements, whatever the size."""
    pupils = session.scalars(
        access.pupils_query(user)
        .where(
            Pupil.school_id == school.id, Pupil.class_name == class_name, Pupil.left_on.is_(None)
        )
        .order_by(Pupil.last_name, Pupil.first_name)
    ).all()
    ids = [p.id for p in pupils]
    absences: dict[int, list[Absence]] = {}
    for a in session.scalars(select(Absence).where(Absence.pupil_id.in_(ids), Absence.day == day)):
        absences.setdefault(a.pupil_id, []).append(a)
    late = {
        row.pupil_id: row
        for row in session.scalars(
            select(LateArrival)
            .where(LateArrival.pupil_id.in_(ids), LateArrival.day == day)
            # The row shows the day's first late arrival (a later lesson is on the pupil's page).
            .order_by(LateArrival.lesson_hour.desc().nulls_first())
        )
    }
    open_signals = dict(
        session.execute(
            select(Signal.pupil_id, func.count())
            .where(Signal.pupil_id.in_(ids), Signal.resolved.is_(False))
            .group_by(Signal.pupil_id)
        ).all()
    )
    return RegisterDay(pupils, absences, late, open_signals)  # type: ignore[arg-type]


# --- The signals list ----------------------------------------------------------------------------


def signals_page(user: User, kind: str | None, show_resolved: bool, page: int) -> Pagination:
    """The signals of the pupils in ``user``'s scope, one row per pupil and kind (its latest
    signal, or its latest open one), those with a legal duty to report first, the newest
    first; a page at a time. :func:`earlier_signals` reads what folds under each row.

    Pupils who left are few: leaving them out needs no join with every pupil. A user who sees
    every school (the senior) needs no school filter either, so the list is read in page order
    from ``ix_signal_open_order`` and the count from that index alone. For the senior the
    region's tens of thousands of open signals are counted once every few minutes
    (:mod:`portal.figures_cache`); the rows themselves are always read fresh.
    """
    conditions: list[ColumnElement[bool]] = [Signal.pupil_id.not_in(left_pupil_ids())]
    if not access.sees_every_school(user):
        conditions.append(Signal.school_id.in_(access.school_ids(user)))
    if kind in {k.value for k in SignalKind}:
        conditions.append(Signal.kind == SignalKind(kind))
    if show_resolved:
        conditions.append(Signal.latest.is_(True))
    else:
        conditions += [Signal.resolved.is_(False), Signal.latest_open.is_(True)]
    query = (
        select(Signal)
        .where(*conditions)
        .options(selectinload(Signal.pupil).selectinload(Pupil.school))
        .order_by(Signal.legal_duty.desc(), Signal.reached_on.desc(), Signal.id)
    )
    result = db.paginate(query, page=page, per_page=SIGNALS_PER_PAGE, error_out=False, count=False)
    result.total, _ = figures_cache.region_wide(
        user,
        "signal count",
        (kind, show_resolved),
        lambda: db.session.scalar(select(func.count(Signal.id)).where(*conditions)) or 0,
    )
    return result


def earlier_signals(heads: Sequence[Signal], show_resolved: bool) -> dict[int, list[Signal]]:
    """The earlier signals of each row's pupil and kind (open ones only, unless
    ``show_resolved``), newest first, by the id of the row's signal: one statement a page."""
    if not heads:
        return {}
    by_pupil_kind = {(s.pupil_id, s.kind): s.id for s in heads}
    conditions: list[ColumnElement[bool]] = [
        Signal.pupil_id.in_({s.pupil_id for s in heads}),
        Signal.id.not_in([s.id for s in heads]),
    ]
    if not show_resolved:
        conditions.append(Signal.resolved.is_(False))
    earlier: dict[int, list[Signal]] = {s.id: [] for s in heads}
    for signal in db.session.scalars(
        select(Signal).where(*conditions).order_by(Signal.reached_on.desc(), Signal.id.desc())
    ):
        head = by_pupil_kind.get((signal.pupil_id, signal.kind))
        if head is not None:
            earlier[head].append(signal)
    return earlier


def open_signals_like(session: DbSession, signal: Signal) -> list[Signal]:
    """The pupil's open signals of the same kind as ``signal``, oldest first (one report can
    answer them together)."""
    return list(
        session.scalars(
            select(Signal)
            .where(
                Signal.pupil_id == signal.pupil_id,
                Signal.kind == signal.kind,
                Signal.resolved.is_(False),
            )
            .order_by(Signal.start)
        )
    )


# --- One pupil's school year ---------------------------------------------------------------------


@dataclass
class DayCell:
    day: date | None
    school_day: bool = False
    note: str = ""  # why it is no school day
    absences: list[tuple[AbsenceKind, Decimal]] = field(default_factory=list)
    late: bool = False


@dataclass
class Timeline:
    school_year: int
    months: list[tuple[date, list[DayCell]]]
    totals: dict[AbsenceKind, Decimal]
    late_count: int
    registrations: list[Absence]
    late_arrivals: list[LateArrival]

    @property
    def unauthorised_total(self) -> Decimal:
        return sum((h for k, h in self.totals.items() if not k.authorised), Decimal(0))

    @property
    def authorised_total(self) -> Decimal:
        return sum((h for k, h in self.totals.items() if k.authorised), Decimal(0))


def timeline(
    session: DbSession, pupil: Pupil, school_year: int, calendar: SchoolCalendar
) -> Timeline:
    """The school year at a glance: a month-by-day grid with totals per kind."""
    first, last = school_year_bounds(school_year)
    absences = list(
        session.scalars(
            select(Absence)
            .where(Absence.pupil_id == pupil.id, Absence.day >= first, Absence.day <= last)
            .order_by(Absence.day, Absence.kind)
        )
    )
    lates = list(
        session.scalars(
            select(LateArrival)
            .where(
                LateArrival.pupil_id == pupil.id, LateArrival.day >= first, LateArrival.day <= last
            )
            .order_by(LateArrival.day)
        )
    )
    by_day: dict[date, list[tuple[AbsenceKind, Decimal]]] = defaultdict(list)
    totals: dict[AbsenceKind, Decimal] = {}
    for a in absences:
        by_day[a.day].append((a.kind, a.hours))
        totals[a.kind] = totals.get(a.kind, Decimal(0)) + a.hours
    late_days = {late.day for late in lates}

    months: list[tuple[date, list[DayCell]]] = []
    month = first
    while month <= last:
        cells = []
        for day_number in range(1, 32):
            try:
                day = month.replace(day=day_number)
            except ValueError:
                cells.append(DayCell(None))
                continue
            note = ""
            if day.weekday() >= 5:
                note = "weekend"
            elif public_holiday_name(day):
                note = "feestdag"
            elif calendar.is_holiday(day):
                note = "vakantie"
            cells.append(DayCell(day, not note, note, by_day.get(day, []), day in late_days))
        months.append((month, cells))
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return Timeline(
        school_year, months, dict(sorted(totals.items())), len(late_days), absences, lates
    )


def signals_of(session: DbSession, pupil_id: int) -> Sequence[Signal]:
    """A pupil's signals, the newest first."""
    return session.scalars(
        select(Signal).where(Signal.pupil_id == pupil_id).order_by(Signal.reached_on.desc())
    ).all()


def steps_taken(session: DbSession, pupil_id: int) -> Sequence[LateArrivalStep]:
    """The 3-6-9 steps the school recorded for a pupil, the newest first."""
    return session.scalars(
        select(LateArrivalStep)
        .where(LateArrivalStep.pupil_id == pupil_id)
        .order_by(LateArrivalStep.taken_on.desc())
    ).all()


def unauthorised_hours_total(session: DbSession, pupil_id: int) -> Decimal:
    """Every unauthorised hour ever registered for a pupil (the Halt confirmation)."""
    rows = session.scalars(
        select(Absence.hours).where(
            Absence.pupil_id == pupil_id, Absence.kind.in_(list(UNAUTHORISED_KINDS))
        )
    )
    return sum(rows, Decimal(0))


def long_absence_signal(session: DbSession, pupil_id: int) -> Signal | None:
    """The pupil's latest long-absence signal, if any (a possible thuiszitter)."""
    return session.scalars(
        select(Signal)
        .where(Signal.pupil_id == pupil_id, Signal.kind == SignalKind.LONG_ABSENCE)
        .order_by(Signal.reached_on.desc(), Signal.id.desc())
    ).first()
