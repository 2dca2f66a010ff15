"""Each pupil's signals: computed by the rules (:mod:`portal.attendance.rules`) from the
registrations and from what the reports about the pupil settle, and recomputed for the pupil on
every change of either, so the *Signalen* page is never behind.

Reports sit above attendance (a report is filed from the registrations), so this module does
not read them itself: the reports feature says what they settle through a reader that
``create_app`` connects once (:func:`read_settlements_with`,
:func:`portal.reports.queries.settlements`). Functions add and flush, never commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import delete, insert, select

from portal.attendance import rules
from portal.attendance.models import (
    UNAUTHORISED_KINDS,
    Absence,
    AbsenceKind,
    AttendanceSettings,
    LateArrival,
    LateArrivalStep,
    Signal,
    SignalKind,
)
from portal.attendance.queries import get_settings
from portal.calendar import SchoolCalendar, school_year_bounds, school_year_of
from portal.db import DbSession
from portal.pupils.models import Pupil
from portal.schools.models import School
from portal.schools.queries import school_calendar

# Kinds that count as "absent that day" for long absence: unauthorised only (suspension and
# sick leave are authorised absence and end a run; absence not explained in time counts as
# unauthorised), and for weekday patterns. Sick leave has its own rule (M@ZL); granted leave is
# not a signal.
PATTERN_KINDS = frozenset(UNAUTHORISED_KINDS | {AbsenceKind.ZIEK})


# --- What reports settle -------------------------------------------------------------------------


@dataclass(frozen=True)
class Settlements:
    """What the reports filed about a pupil settle: ``periods`` holds ``(signal kind, first
    day, last day)`` for each report (not withdrawn) of the kind that meets the duty to report
    that signal; ``filed_on`` the filing dates of the pupil's reports (not withdrawn), for
    recidivism."""

    periods: Sequence[tuple[SignalKind, date, date]] = ()
    filed_on: Sequence[date] = ()

    def settle(self, kind: SignalKind, day: date) -> bool:
        """A report answering ``kind`` covers ``day``."""
        return any(k == kind and start <= day <= end for k, start, end in self.periods)


SettlementReader = Callable[[DbSession, Sequence[int], date], dict[int, Settlements]]
_settlements: list[SettlementReader] = []


def read_settlements_with(reader: SettlementReader) -> None:
    """How to read what pupils' reports settle: ``reader(session, pupil_ids, since)`` with
    ``since`` the first day a signal of today can reach back to, one statement for all of
    them. Connected once by ``create_app`` (the reports feature's
    :func:`portal.reports.queries.settlements`)."""
    _settlements[:] = [reader]


def _settlements_of(
    session: DbSession, pupil_ids: Sequence[int], since: date
) -> dict[int, Settlements]:
    if not _settlements:
        raise RuntimeError("no settlement reader: create_app connects the reports' one")
    return _settlements[0](session, pupil_ids, since)


@dataclass(frozen=True)
class PupilHistory:
    """What the signal rules need to know about one pupil (see :func:`compute_signals`).

    ``absences`` and ``late_days`` cover the current school year and the weeks before it that a
    window can reach back into; ``settled`` what the pupil's reports settle;
    ``steps_taken(period_start)`` the 3-6-9 steps already taken.
    """

    absences: Sequence[tuple[date, Decimal, AbsenceKind]]
    late_days: Sequence[date]
    settled: Settlements
    steps_taken: Callable[[date], set[int]]


def signal_window_start(today: date) -> date:
    """The first day of registrations that can matter for today's signals."""
    return school_year_bounds(school_year_of(today))[0] - timedelta(weeks=12)


def recompute_signals(session: DbSession, pupil: Pupil, today: date) -> list[Signal]:
    """Replace the pupil's signals with what the rules say about the registrations now.

    Bounded work: one pupil, the current school year plus the weeks before it that a window
    can reach back into.
    """
    calendar = school_calendar(session, pupil.school)
    return _recompute(session, [(pupil.id, pupil.school_id)], {pupil.school_id: calendar}, today)


def _steps_of(steps: dict[tuple[int, date], set[int]], pupil_id: int, start: date) -> set[int]:
    return set(steps.get((pupil_id, start), ()))


def _recompute(
    session: DbSession,
    pupils: Sequence[tuple[int, int]],
    calendars: dict[int, SchoolCalendar],
    today: date,
) -> list[Signal]:
    """Recompute the signals of ``pupils`` (``(pupil id, school id)``) with one statement per
    kind of registration for all of them, not one round per pupil."""
    settings = get_settings(session)
    since = signal_window_start(today)
    ids = [pupil_id for pupil_id, _school in pupils]
    absences: dict[int, list[tuple[date, Decimal, AbsenceKind]]] = {i: [] for i in ids}
    for row in session.execute(
        select(Absence.pupil_id, Absence.day, Absence.hours, Absence.kind).where(
            Absence.pupil_id.in_(ids), Absence.day >= since, Absence.day <= today
        )
    ):
        absences[row.pupil_id].append((row.day, row.hours, row.kind))
    late_days: dict[int, list[date]] = {i: [] for i in ids}
    for late in session.execute(
        select(LateArrival.pupil_id, LateArrival.day).where(
            LateArrival.pupil_id.in_(ids), LateArrival.day >= since, LateArrival.day <= today
        )
    ):
        late_days[late.pupil_id].append(late.day)
    steps: dict[tuple[int, date], set[int]] = {}
    for taken in session.execute(
        select(LateArrivalStep.pupil_id, LateArrivalStep.period_start, LateArrivalStep.step).where(
            LateArrivalStep.pupil_id.in_(ids), LateArrivalStep.period_start >= since
        )
    ):
        steps.setdefault((taken.pupil_id, taken.period_start), set()).add(taken.step)
    # Reports already filed settle the signals they cover (the duty to report is met).
    settled = _settlements_of(session, ids, since)

    signals: list[Signal] = []
    for pupil_id, school_id in pupils:
        history = PupilHistory(
            absences=absences[pupil_id],
            late_days=late_days[pupil_id],
            settled=settled.get(pupil_id, Settlements()),
            steps_taken=partial(_steps_of, steps, pupil_id),
        )
        signals += compute_signals(
            pupil_id, school_id, history, settings, calendars[school_id], today
        )
    session.execute(delete(Signal).where(Signal.pupil_id.in_(ids)))
    if signals:
        # One executemany for the batch (the ORM would insert row by row when the rows differ
        # in which attributes are set).
        session.execute(insert(Signal), [_row(signal) for signal in signals])
    return signals


_SIGNAL_FIELDS = ("pupil_id", "school_id", "kind", "start", "reached_on", "hours")
_SIGNAL_FLAGS = ("legal_duty", "follow_up", "resolved", "latest", "latest_open")


def _row(signal: Signal) -> dict[str, Any]:
    """A computed (unsaved) signal as the values of its INSERT."""
    row: dict[str, Any] = {name: getattr(signal, name) for name in _SIGNAL_FIELDS}
    row.update({name: bool(getattr(signal, name)) for name in _SIGNAL_FLAGS})
    row["detail"] = signal.detail or {}
    return row


def recompute_pupils(session: DbSession, pupils: Iterable[Pupil], today: date) -> int:
    """Recompute the signals of ``pupils`` (an import's touched pupils) in bulk."""
    rows = [(pupil.id, pupil.school_id) for pupil in pupils]
    calendars: dict[int, SchoolCalendar] = {}
    for pupil in pupils:
        if pupil.school_id not in calendars:
            calendars[pupil.school_id] = school_calendar(session, pupil.school)
    for first in range(0, len(rows), 500):
        _recompute(session, rows[first : first + 500], calendars, today)
    return len(rows)


def compute_signals(
    pupil_id: int,
    school_id: int,
    history: PupilHistory,
    settings: AttendanceSettings,
    calendar: SchoolCalendar,
    today: date,
) -> list[Signal]:
    """The signals the rules give for one pupil's registrations (new, unsaved objects).

    Pure: no database access beyond ``history.steps_taken``; the region generator uses it to
    build signals exactly as the portal computes them.
    """
    year_start = school_year_bounds(school_year_of(today))[0]
    absences = history.absences
    settle = history.settled.settle

    signals: list[Signal] = []

    def add(kind: SignalKind, start: date, reached: date, **kw: Any) -> None:
        if reached >= year_start:
            signals.append(
                Signal(
                    pupil_id=pupil_id,
                    school_id=school_id,
                    kind=kind,
                    start=start,
                    reached_on=reached,
                    **kw,
                )
            )

    # Absence not explained yet counts as unauthorised once the school has had its term (the
    # setting's number of school days after the day) to explain it; until then it is its own
    # signal ("12 uur nog niet verantwoord").
    term = settings.unexplained_days if settings.unexplained_days is not None else 2

    def counts(day: date, kind: AbsenceKind) -> bool:
        return kind in UNAUTHORISED_KINDS or (
            kind == AbsenceKind.ONVERANTWOORD
            and rules.school_days_after(day, today, calendar, at_least=term) >= term
        )

    unauthorised = [(day, float(hours)) for day, hours, kind in absences if counts(day, kind)]
    unexplained = [
        (day, float(hours))
        for day, hours, kind in absences
        if kind == AbsenceKind.ONVERANTWOORD and not counts(day, kind)
    ]
    if unexplained:
        days = sorted({day for day, _hours in unexplained})
        add(
            SignalKind.UNEXPLAINED,
            days[0],
            days[-1],
            hours=Decimal(str(sum(hours for _day, hours in unexplained))),
            detail={
                "days": [d.isoformat() for d in days],
                "counts_from": rules.school_day_after(days[0], term, calendar).isoformat(),
            },
        )
    hours_by_day: dict[date, float] = {}
    for day, hours in unauthorised:
        hours_by_day[day] = hours_by_day.get(day, 0.0) + hours
    for s in rules.sixteen_hours(
        unauthorised,
        calendar,
        threshold=float(settings.sixteen_hours_threshold),
        weeks=settings.sixteen_hours_weeks,
        today=today,
    ):
        if s.long_absence:
            continue  # a continuous run past its repeats: long relative absence, not reported
        add(
            SignalKind.SIXTEEN_HOURS,
            s.start,
            s.reached_on,
            legal_duty=True,
            resolved=settle(SignalKind.SIXTEEN_HOURS, s.reached_on),
            follow_up=s.follow_up,
            hours=Decimal(str(s.hours)),
            detail={
                "days": [[d.isoformat(), hours_by_day[d]] for d in s.days],
                "window_end": s.window_end.isoformat() if s.window_end else None,
                "continuous": s.continuous,
                "repeats": s.repeats,
                "holidays": _holidays_inside(calendar, s.start, s.window_end),
            },
        )

    absent_days = [day for day, _hours in unauthorised]
    runs = rules.long_absence(
        absent_days,
        calendar,
        today,
        weeks=settings.long_absence_weeks,
        not_known_yet=[day for day, _hours in unexplained],
    )
    for run in runs:
        add(
            SignalKind.LONG_ABSENCE,
            run.start,
            run.reached_on,
            legal_duty=True,
            resolved=settle(SignalKind.LONG_ABSENCE, run.reached_on),
            detail={
                "days": run.days,
                "last": run.last.isoformat(),
                "ongoing": run.ongoing,
                "holidays": _holidays_inside(calendar, run.start, run.last),
            },
        )
    long = runs[-1] if runs and runs[-1].ongoing else None

    sick_days = [day for day, _hours, kind in absences if kind == AbsenceKind.ZIEK]
    sick_signals = rules.worrying_sick_leave(sick_days, calendar, today)
    # Each new sick report inside the window qualifies again; one open signal (the latest) says
    # all the school needs to know.
    frequent = [s for s in sick_signals if s.kind == rules.SICK_LEAVE_FREQUENT][-1:]
    for sick in [s for s in sick_signals if s.kind != rules.SICK_LEAVE_FREQUENT] + frequent:
        add(
            SignalKind.SICK_LEAVE,
            sick.start,
            sick.end,
            detail={"kind": sick.kind, "episodes": sick.episodes},
        )

    pattern_days = [
        day
        for day, _hours, kind in absences
        if kind in PATTERN_KINDS or kind == AbsenceKind.ONVERANTWOORD
    ]
    patterns = rules.weekday_patterns(pattern_days, today)
    # A pattern is one weekday standing out; absence on most weekdays is no pattern but plain
    # (long) absence, which has its own signal.
    if long is not None or len(patterns) > 2:
        patterns = []
    for pattern in patterns:
        add(
            SignalKind.WEEKDAY_PATTERN,
            pattern.dates[0],
            pattern.dates[-1],
            detail={"weekday": pattern.weekday, "dates": [d.isoformat() for d in pattern.dates]},
        )

    status = rules.late_arrival_steps(
        history.late_days, today, steps=settings.steps, period=settings.late_period.value
    )
    if status.reached:
        taken = history.steps_taken(status.period_start)
        if settle(SignalKind.LATE_ARRIVALS, status.dates[status.reached[-1] - 1]):
            taken.add(status.reached[-1])  # the last step is the report to leerplicht
        due = [step for step in status.reached if step not in taken]
        highest = status.reached[-1]
        add(
            SignalKind.LATE_ARRIVALS,
            status.period_start,
            status.dates[highest - 1],
            resolved=not due,
            detail={
                "count": status.count,
                "reached": list(status.reached),
                "due": due,
                "dates": [d.isoformat() for d in status.dates],
            },
        )

    # One row per kind: the latest signal heads it, and the latest one still open.
    by_kind: dict[SignalKind, list[Signal]] = {}
    for signal in signals:
        by_kind.setdefault(signal.kind, []).append(signal)
    for same_kind in by_kind.values():
        same_kind.sort(key=lambda s: (s.reached_on, s.start))
        for signal in same_kind:
            signal.latest = signal is same_kind[-1]
            signal.latest_open = False
        open_ones = [s for s in same_kind if not s.resolved]
        if open_ones:
            open_ones[-1].latest_open = True

    # Recidivism: a new signal within six months of an earlier report about the pupil.
    for signal in signals:
        earlier = [d for d in history.settled.filed_on if d < signal.start]
        if earlier and rules.is_recidivism(signal.reached_on, earlier):
            signal.detail = {**signal.detail, "recidive": max(earlier).isoformat()}
    return signals


def _holidays_inside(calendar: SchoolCalendar, start: date, end: date | None) -> int:
    """School-holiday days from ``start`` through ``end`` (they do not count in a period)."""
    if end is None:
        return 0
    return sum(1 for day in calendar.holiday_days if start <= day <= end)


def recompute_all(
    session: DbSession,
    today: date,
    school_ids: Iterable[int] | None = None,
    *,
    batch: int = 500,
    after_batch: Callable[[], None] | None = None,
) -> int:
    """Recompute the signals of every pupil with registrations or signals this school year
    (after the counting rules change, and nightly: some signals depend on the date itself).

    In bulk: pupils in batches of ``batch``, each batch read with one statement per kind of
    registration (``_recompute``); ``after_batch`` (e.g. a commit) runs after each. At region
    scale (70,000 pupils) that is about 140 batches instead of 280,000 statements. Measured on
    PostgreSQL at region scale (2 vCPU, 2026-12-01): 20 schools' 3,500 pupils in 3.3 s against
    27.9 s one pupil at a time (8.4x); the whole region's 68,000 pupils in 57 s.
    """
    since = signal_window_start(today)
    with_absence = select(Absence.pupil_id).where(Absence.day >= since)
    with_late = select(LateArrival.pupil_id).where(LateArrival.day >= since)
    with_signal = select(Signal.pupil_id)
    query = select(Pupil.id, Pupil.school_id).where(
        Pupil.id.in_(with_absence.union(with_late, with_signal).scalar_subquery())
    )
    if school_ids is not None:
        query = query.where(Pupil.school_id.in_(list(school_ids)))
    pupils = [(row.id, row.school_id) for row in session.execute(query.order_by(Pupil.id))]
    calendars: dict[int, SchoolCalendar] = {}
    for school in session.scalars(
        select(School).where(School.id.in_({school_id for _pupil, school_id in pupils}))
    ):
        calendars[school.id] = school_calendar(session, school)
    for first in range(0, len(pupils), batch):
        _recompute(session, pupils[first : first + batch], calendars, today)
        if after_batch is not None:
            after_batch()
    return len(pupils)


def recompute_if_rules_changed(
    session: DbSession, today: date, after_batch: Callable[[], None] | None = None
) -> int | None:
    """Recompute every pupil's signals once when the counting rules in the code are newer
    than those the stored signals were computed with (:data:`rules.RULES_VERSION`); returns
    how many pupils, or None when they were current. Run by the worker every round."""
    settings = get_settings(session)
    if (settings.rules_version or 0) >= rules.RULES_VERSION:
        return None
    count = recompute_all(session, today, after_batch=after_batch)
    mark_rules_current(session)
    return count


def mark_rules_current(session: DbSession) -> None:
    """The stored signals follow the rules of this code (after a full recompute)."""
    settings = get_settings(session)
    settings.rules_version = rules.RULES_VERSION
    session.add(settings)
    session.flush()
