"""Registering absence and late arrivals, and keeping each pupil's signals up to date.

Functions add and flush, never commit: the route commits once. Signals are recomputed for the
pupil on every registration change, so the *Signalen* page is never behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select

from portal import filters
from portal.attendance import rules
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
from portal.audit import AuditAction, record_change
from portal.auth.models import User
from portal.calendar import (
    SchoolCalendar,
    public_holiday_name,
    school_year_bounds,
    school_year_of,
)
from portal.db import DbSession
from portal.filters import WEEKDAYS, nl_date
from portal.pupils.models import Pupil
from portal.schools.models import School, SchoolHoliday

# Kinds that count as "absent that day" for long absence and weekday patterns. Sick leave has
# its own rule (M@ZL); granted leave is not a signal.
LONG_ABSENCE_KINDS = frozenset(UNAUTHORISED_KINDS | {AbsenceKind.SCHORSING})
PATTERN_KINDS = frozenset(UNAUTHORISED_KINDS | {AbsenceKind.ZIEK})


def get_settings(session: DbSession) -> AttendanceSettings:
    """The region's counting rules (the defaults until the beheerder saves them)."""
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
    )


def calendar_for(session: DbSession, school: School) -> SchoolCalendar:
    """The school holidays of the school's holiday region (every school year on record)."""
    rows = session.execute(
        select(SchoolHoliday.start_date, SchoolHoliday.end_date).where(
            SchoolHoliday.region == school.municipality.holiday_region
        )
    )
    return SchoolCalendar.from_ranges((row.start_date, row.end_date) for row in rows)


def hours_unit(school: School) -> str:
    """Primary and special schools count clock hours, the others lesson hours."""
    return "klokuren" if school.school_type.counts_clock_hours else "lesuren"


# --- Validation ----------------------------------------------------------------------------------


def check_day(
    pupil: Pupil, day: date, calendar: SchoolCalendar, today: date, *, allow_future: bool = False
) -> str | None:
    """Why ``day`` cannot hold a registration for ``pupil``, or None."""
    if day > today and not allow_future:
        return "Deze datum ligt in de toekomst. Alleen verleend verlof kunt u vooruit registreren."
    if pupil.enrolled_on and day < pupil.enrolled_on:
        enrolled = nl_date(pupil.enrolled_on)
        return f"De leerling stond toen nog niet ingeschreven (ingeschreven op {enrolled})."
    if pupil.left_on and day > pupil.left_on:
        return f"De leerling is uitgeschreven op {nl_date(pupil.left_on)}."
    if day.weekday() >= 5:
        return f"Op {WEEKDAYS[day.weekday()]} is er geen school."
    holiday = public_holiday_name(day)
    if holiday:
        return f"{nl_date(day)} is een feestdag ({holiday}): geen schooldag."
    if calendar.is_holiday(day):
        return f"{nl_date(day)} valt in een schoolvakantie."
    return None


def check_hours(hours: Decimal, other_hours_that_day: Decimal, max_hours: Decimal) -> str | None:
    """Why ``hours`` cannot be registered on a day that already holds ``other_hours_that_day``."""
    if hours <= 0:
        return "Vul een aantal uren groter dan 0 in."
    if hours * 2 != int(hours * 2):
        return "Vul hele of halve uren in, bijvoorbeeld 2 of 1,5."
    total = hours + other_hours_that_day
    if total > max_hours:
        return (
            f"Een schooldag heeft hoogstens {fmt_hours(max_hours)} uur; met deze registratie "
            f"komt deze dag op {fmt_hours(total)} uur."
        )
    return None


def fmt_hours(value: Decimal | float | int) -> str:
    """Dutch notation: 2, 1,5."""
    return filters.hours(value)


def other_hours(
    session: DbSession, pupil_id: int, day: date, except_kinds: Iterable[AbsenceKind]
) -> Decimal:
    rows = session.scalars(
        select(Absence.hours).where(
            Absence.pupil_id == pupil_id,
            Absence.day == day,
            Absence.kind.not_in(list(except_kinds)),
        )
    )
    return sum(rows, Decimal(0))


# --- Changes -------------------------------------------------------------------------------------


@dataclass
class AbsenceDetails:
    cause: str | None = None
    parents_reported: bool = False
    help_involved: str | None = None


def set_absence(
    session: DbSession,
    user: User,
    pupil: Pupil,
    day: date,
    kind: AbsenceKind,
    hours: Decimal,
    details: AbsenceDetails | None = None,
    *,
    acting_for_id: int | None = None,
) -> Absence | None:
    """Set the hours of one kind on one day (0 removes it). Never doubles: an existing
    registration of the same pupil, day and kind is updated."""
    existing = session.scalars(
        select(Absence).where(
            Absence.pupil_id == pupil.id, Absence.day == day, Absence.kind == kind
        )
    ).first()
    if hours <= 0:
        if existing is not None:
            session.delete(existing)
            record_change(
                session,
                user,
                AuditAction.DELETE,
                "absence",
                existing.id,
                pupil.id,
                acting_for_id=acting_for_id,
            )
        return None
    action = AuditAction.UPDATE
    if existing is None:
        existing = Absence(pupil_id=pupil.id, day=day, kind=kind, hours=hours)
        session.add(existing)
        action = AuditAction.CREATE
    existing.hours = hours
    existing.recorded_by_id = user.id
    if details is not None:
        existing.cause = details.cause
        existing.parents_reported = details.parents_reported
        existing.help_involved = details.help_involved
    session.flush()
    record_change(
        session, user, action, "absence", existing.id, pupil.id, acting_for_id=acting_for_id
    )
    return existing


def set_late_arrival(
    session: DbSession, user: User, pupil: Pupil, day: date, late: bool, lesson_hour: int | None
) -> LateArrival | None:
    existing = session.scalars(
        select(LateArrival).where(LateArrival.pupil_id == pupil.id, LateArrival.day == day)
    ).first()
    if not late:
        if existing is not None:
            session.delete(existing)
            record_change(session, user, AuditAction.DELETE, "late_arrival", existing.id, pupil.id)
        return None
    action = AuditAction.UPDATE
    if existing is None:
        existing = LateArrival(pupil_id=pupil.id, day=day)
        session.add(existing)
        action = AuditAction.CREATE
    existing.lesson_hour = lesson_hour
    existing.recorded_by_id = user.id
    session.flush()
    record_change(session, user, action, "late_arrival", existing.id, pupil.id)
    return existing


# --- Signals -------------------------------------------------------------------------------------


def _period_start(today: date, period: LatePeriod) -> date:
    if period == LatePeriod.MONTH:
        return today.replace(day=1)
    return school_year_bounds(school_year_of(today))[0]


@dataclass(frozen=True)
class PupilHistory:
    """What the signal rules need to know about one pupil (see :func:`compute_signals`).

    ``absences`` and ``late_days`` cover the current school year and the weeks before it that a
    window can reach back into; ``filed`` holds ``(kind, period_start, period_end)`` of the
    pupil's reports that are not withdrawn and have a period; ``report_dates`` the filing dates
    of those not withdrawn; ``steps_taken(period_start)`` the 3-6-9 steps already taken.
    """

    absences: Sequence[tuple[date, Decimal, AbsenceKind]]
    late_days: Sequence[date]
    filed: Sequence[tuple[Any, date, date]]
    report_dates: Sequence[date]
    steps_taken: Callable[[date], set[int]]


def signal_window_start(today: date) -> date:
    """The first day of registrations that can matter for today's signals."""
    return school_year_bounds(school_year_of(today))[0] - timedelta(weeks=12)


def recompute_signals(session: DbSession, pupil: Pupil, today: date) -> list[Signal]:
    """Replace the pupil's signals with what the rules say about the registrations now.

    Bounded work: one pupil, the current school year plus the weeks before it that a window
    can reach back into.
    """
    settings = get_settings(session)
    calendar = calendar_for(session, pupil.school)
    since = signal_window_start(today)
    absences = session.execute(
        select(Absence.day, Absence.hours, Absence.kind).where(
            Absence.pupil_id == pupil.id, Absence.day >= since, Absence.day <= today
        )
    ).all()
    late_days = list(
        session.scalars(
            select(LateArrival.day).where(
                LateArrival.pupil_id == pupil.id, LateArrival.day >= since, LateArrival.day <= today
            )
        )
    )
    from portal.reports.models import Report, ReportStatus

    # Reports already filed settle the signals they cover (the duty to report is met).
    filed = session.execute(
        select(Report.kind, Report.period_start, Report.period_end).where(
            Report.pupil_id == pupil.id,
            Report.status != ReportStatus.WITHDRAWN,
            Report.period_end.is_not(None),
            Report.period_end >= since,
        )
    ).all()
    report_dates = list(
        session.scalars(
            select(Report.filed_on).where(
                Report.pupil_id == pupil.id, Report.status != ReportStatus.WITHDRAWN
            )
        )
    )

    def steps_taken(period_start: date) -> set[int]:
        return set(
            session.scalars(
                select(LateArrivalStep.step).where(
                    LateArrivalStep.pupil_id == pupil.id,
                    LateArrivalStep.period_start == period_start,
                )
            )
        )

    history = PupilHistory(
        absences=[(a.day, a.hours, a.kind) for a in absences],
        late_days=late_days,
        filed=[(r.kind, r.period_start, r.period_end) for r in filed],
        report_dates=report_dates,
        steps_taken=steps_taken,
    )
    signals = compute_signals(pupil.id, pupil.school_id, history, settings, calendar, today)
    session.execute(delete(Signal).where(Signal.pupil_id == pupil.id))
    session.add_all(signals)
    session.flush()
    return signals


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
    from portal.reports.models import ReportKind

    year_start = school_year_bounds(school_year_of(today))[0]
    absences = history.absences
    filed = history.filed

    def reported(kind: ReportKind, day: date) -> bool:
        return any(k == kind and start <= day <= end for k, start, end in filed)

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

    unauthorised = [
        (day, float(hours)) for day, hours, kind in absences if kind in UNAUTHORISED_KINDS
    ]
    hours_by_day: dict[date, float] = {}
    for day, hours in unauthorised:
        hours_by_day[day] = hours_by_day.get(day, 0.0) + hours
    for s in rules.sixteen_hours(
        unauthorised,
        calendar,
        threshold=float(settings.sixteen_hours_threshold),
        weeks=settings.sixteen_hours_weeks,
    ):
        add(
            SignalKind.SIXTEEN_HOURS,
            s.start,
            s.reached_on,
            legal_duty=True,
            resolved=reported(ReportKind.SIXTEEN_HOURS, s.reached_on),
            follow_up=s.follow_up,
            hours=Decimal(str(s.hours)),
            detail={"days": [[d.isoformat(), hours_by_day[d]] for d in s.days]},
        )

    absent_days = [day for day, _hours, kind in absences if kind in LONG_ABSENCE_KINDS]
    long = rules.long_absence(absent_days, calendar, today, weeks=settings.long_absence_weeks)
    if long is not None:
        add(
            SignalKind.LONG_ABSENCE,
            long.start,
            long.last,
            resolved=reported(ReportKind.LONG_ABSENCE, long.last),
            detail={"school_days": long.school_days},
        )

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

    pattern_days = [day for day, _hours, kind in absences if kind in PATTERN_KINDS]
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
        if reported(ReportKind.LATE, status.dates[status.reached[-1] - 1]):
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

    # Recidivism: a new signal within six months of an earlier report about the pupil.
    for signal in signals:
        earlier = [d for d in history.report_dates if d < signal.start]
        if earlier and rules.is_recidivism(signal.reached_on, earlier):
            signal.detail = {**signal.detail, "recidive": max(earlier).isoformat()}
    return signals


def recompute_all(session: DbSession, today: date, school_ids: Iterable[int] | None = None) -> int:
    """Recompute the signals of every pupil with registrations this school year (after the
    counting rules change, and nightly: some signals depend on the date itself)."""
    since = signal_window_start(today)
    with_absence = select(Absence.pupil_id).where(Absence.day >= since)
    with_late = select(LateArrival.pupil_id).where(LateArrival.day >= since)
    with_signal = select(Signal.pupil_id)
    query = select(Pupil).where(
        Pupil.id.in_(with_absence.union(with_late, with_signal).scalar_subquery())
    )
    if school_ids is not None:
        query = query.where(Pupil.school_id.in_(list(school_ids)))
    count = 0
    for pupil in session.scalars(query.order_by(Pupil.id)):
        recompute_signals(session, pupil, today)
        count += 1
    return count
