"""Registering absence, late arrivals and 3-6-9 steps, and changing the counting rules.

Functions add and flush, never commit: the route commits once. What a screen registers brings
the pupil's signals up to date at once (:func:`portal.attendance.signals.recompute_signals`),
so the *Signalen* page is never behind; an import registers many rows with the primitives
:func:`set_absence` and :func:`set_late_arrival` and recomputes each pupil once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from portal.attendance.models import (
    Absence,
    AbsenceKind,
    AttendanceSettings,
    LateArrival,
    LateArrivalStep,
    LatePeriod,
    Signal,
)
from portal.attendance.queries import late_arrival_on
from portal.attendance.signals import recompute_all, recompute_signals
from portal.audit import AuditAction, record_change
from portal.auth.models import User
from portal.db import DbSession
from portal.pupils.models import Pupil

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
    existing.source = None  # changed by hand: a re-import no longer overwrites it
    if details is not None:
        existing.cause = details.cause
        existing.parents_reported = details.parents_reported
        existing.help_involved = details.help_involved
    session.flush()
    record_change(
        session, user, action, "absence", existing.id, pupil.id, acting_for_id=acting_for_id
    )
    return existing


# --- What the screens do: a registration, and the pupil's signals brought up to date -----------


def register_absence(
    session: DbSession, user: User, pupil: Pupil, data: dict[str, Any], today: date
) -> None:
    """The absence form of the pupil's page: hours of one kind on one day, with its details."""
    set_absence(
        session,
        user,
        pupil,
        data["day"],
        AbsenceKind(data["kind"]),
        data["hours"],
        AbsenceDetails(data["cause"], bool(data["parents_reported"]), data["help_involved"]),
    )
    recompute_signals(session, pupil, today)


def remove_absence(
    session: DbSession, user: User, pupil: Pupil, absence: Absence, today: date
) -> None:
    set_absence(session, user, pupil, absence.day, absence.kind, Decimal(0))
    recompute_signals(session, pupil, today)


def register_late_arrival(
    session: DbSession, user: User, pupil: Pupil, data: dict[str, Any], today: date
) -> None:
    """One more late arrival (the form checked that this day and lesson hour is new)."""
    add_late_arrival(session, user, pupil, data["day"], data["lesson_hour"])
    recompute_signals(session, pupil, today)


def remove_late_arrival(
    session: DbSession, user: User, pupil: Pupil, late: LateArrival, today: date
) -> None:
    """Remove this one late arrival (others of the same day stay)."""
    session.delete(late)
    session.flush()
    record_change(session, user, AuditAction.DELETE, "late_arrival", late.id, pupil.id)
    recompute_signals(session, pupil, today)


def add_late_arrival(
    session: DbSession, user: User, pupil: Pupil, day: date, lesson_hour: int | None
) -> LateArrival:
    """A late arrival on ``day`` in ``lesson_hour``, unless that one is there already."""
    existing = late_arrival_on(session, pupil.id, day, lesson_hour)
    if existing is not None:
        return existing
    late = LateArrival(pupil_id=pupil.id, day=day, lesson_hour=lesson_hour, recorded_by_id=user.id)
    session.add(late)
    session.flush()
    record_change(session, user, AuditAction.CREATE, "late_arrival", late.id, pupil.id)
    return late


def save_register_row(
    session: DbSession,
    user: User,
    pupil: Pupil,
    day: date,
    kind: AbsenceKind,
    hours: Decimal | None,
    original: AbsenceKind | None,
    late: bool,
    lesson_hour: int | None,
    today: date,
) -> None:
    """One row of the class register: the hours of ``kind`` on ``day`` (a kind changed in the
    row moves the hours of ``original``: never counted twice) and whether the pupil was late."""
    if original and original != kind:
        set_absence(session, user, pupil, day, original, Decimal(0))
    set_absence(session, user, pupil, day, kind, hours or Decimal(0))
    set_late_arrival(session, user, pupil, day, late, lesson_hour)
    recompute_signals(session, pupil, today)


def set_late_arrival(
    session: DbSession, user: User, pupil: Pupil, day: date, late: bool, lesson_hour: int | None
) -> LateArrival | None:
    """The class register's "te laat" of one day: not late removes the day's late arrivals;
    late keeps the day's first one (with this lesson hour) or adds one. Later lessons of the
    same day are registered on the pupil's page."""
    on_day = list(
        session.scalars(
            select(LateArrival)
            .where(LateArrival.pupil_id == pupil.id, LateArrival.day == day)
            .order_by(LateArrival.lesson_hour.asc().nulls_last())
        )
    )
    if not late:
        for occurrence in on_day:
            session.delete(occurrence)
            record_change(
                session, user, AuditAction.DELETE, "late_arrival", occurrence.id, pupil.id
            )
        return None
    if any(other.lesson_hour == lesson_hour for other in on_day):
        return next(other for other in on_day if other.lesson_hour == lesson_hour)
    existing: LateArrival | None = on_day[0] if on_day else None
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


def record_step(
    session: DbSession,
    user: User,
    pupil: Pupil,
    signal: Signal,
    step: int,
    data: dict[str, Any],
    today: date,
) -> None:
    """The school took a 3-6-9 step (informed the parents, a talk...) in the signal's period."""
    session.add(
        LateArrivalStep(
            pupil_id=pupil.id,
            period_start=signal.start,
            step=step,
            taken_on=data["taken_on"],
            how=data["how"] or "",
            recorded_by_id=user.id,
        )
    )
    record_change(
        session,
        user,
        AuditAction.CREATE,
        "late_arrival_step",
        None,
        pupil.id,
        detail=f"stap {step}",
    )
    recompute_signals(session, pupil, today)


def save_settings(
    session: DbSession, current: AttendanceSettings, data: dict[str, Any], today: date
) -> int:
    """Save the counting rules and recompute every pupil's signals with them; returns how many
    pupils were recomputed."""
    for name in (
        "sixteen_hours_threshold",
        "sixteen_hours_weeks",
        "long_absence_weeks",
        "unexplained_days",
        "max_hours_per_day",
        "halt_confirm_hours",
        "late_steps",
        "late_step_actions",
    ):
        setattr(current, name, data[name])
    current.late_period = LatePeriod(data["late_period"])
    session.add(current)
    session.flush()
    return recompute_all(session, today)
