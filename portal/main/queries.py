"""Reads of the home pages: per role what is there to do today, and the region, the schools
or the stand-ins behind it. A few small counts each, whatever the size of the region."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from portal import access, figures_cache, jobs
from portal.attendance.models import Signal
from portal.auth.models import Role, User
from portal.casework.models import CaseAction
from portal.extensions import db
from portal.pupils.models import Pupil
from portal.pupils.queries import left_pupil_ids
from portal.reports.queries import waiting_counts
from portal.schools import queries as schools
from portal.schools.models import School
from portal.transition.queries import open_todo_counts


def database_reachable() -> bool:
    """The health check: the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        db.session.rollback()
        return False
    return True


def admin_overview() -> dict[str, Any]:
    """The beheerder's start: accounts per role, schools, and schools without a consultant."""
    return {
        "role_counts": dict(
            db.session.execute(select(User.role, func.count()).group_by(User.role)).all()
        ),
        "school_count": db.session.scalar(select(func.count()).select_from(School)),
        "schools_without_consultant": _unassigned(),
        "jobs_failing": jobs.any_failing(db.session),
    }


def _unassigned() -> Sequence[School]:
    return db.session.scalars(
        select(School)
        .where(School.fixed_consultant_id.is_(None), School.active.is_(True))
        .order_by(School.name)
    ).all()


def senior_overview(today: date) -> dict[str, Any]:
    """The region in a few rows: schools per consultant, the schools without one, and the
    running stand-ins (a list of every school of the region would grow with it; the figures
    pages have them all)."""
    return {
        "unassigned": _unassigned(),
        "per_consultant": db.session.execute(
            select(User.name, func.count(School.id))
            .join(School, School.fixed_consultant_id == User.id)
            .where(School.active.is_(True))
            .group_by(User.id, User.name)
            .order_by(User.name)
        ).all(),
        "active_stand_ins": schools.running_stand_ins(db.session, today),
    }


def my_schools(user: User, today: date) -> dict[str, Any]:
    """The user's active schools, each with who answers for it today."""
    rows = db.session.scalars(
        access.schools_query(user, today)
        .where(School.active.is_(True))
        .options(selectinload(School.fixed_consultant), selectinload(School.municipality))
        .order_by(School.name)
    ).all()
    return {"schools": rows, "responsible": schools.responsible_for(db.session, rows, today)}


def consultant_stand_ins(user: User, today: date) -> dict[str, Any]:
    standing_in, stood_in_for = schools.stand_ins_of(db.session, user.id, today)
    return {"standing_in": standing_in, "stood_in_for": stood_in_for}


def todo(user: User, today: date) -> dict[str, Any]:
    """The counts behind "Te doen" on the home page: a few small count queries."""
    if not access.can_view_pupils(user):
        return {}
    # One pass over the open signals (an index-only count; pupils who left are few). Leerplicht
    # sees only the signals with a legal duty to report: counting the many others of every
    # school in scope (the senior: the whole region) would grow with the region for a number
    # the page does not show.
    conditions = [
        access.in_school_scope(Signal.school_id, user),
        Signal.resolved.is_(False),
        Signal.latest_open.is_(True),  # one per pupil and kind, as the signals page shows
        Signal.pupil_id.not_in(left_pupil_ids()),
    ]
    if user.role != Role.SCHOOL:
        conditions.append(Signal.legal_duty.is_(True))

    def count_signals() -> dict[bool, int]:
        return dict(
            db.session.execute(  # type: ignore[arg-type]
                select(Signal.legal_duty, func.count())
                .where(*conditions)
                .group_by(Signal.legal_duty)
            ).all()
        )

    signals, _ = figures_cache.region_wide(user, "open legal signals", today, count_signals)
    counts: dict[str, Any] = {
        "legal_signals": signals.get(True, 0),
        "other_signals": signals.get(False, 0),
    }
    counts["waiting"], counts["waiting_late"] = waiting_counts(db.session, user, today)
    if access.can_edit_transition(user):
        counts.update(transition_todo(user, today))
    if access.can_view_casework(user):
        end_of_week = today + timedelta(days=6 - today.weekday())

        def count_follow_ups() -> int:
            return (
                db.session.scalar(
                    # Scoped by school: the few open follow-ups are checked against the schools
                    # in scope instead of listing every pupil the user may see.
                    select(func.count())
                    .select_from(CaseAction)
                    .join(Pupil, Pupil.id == CaseAction.pupil_id)
                    .where(
                        CaseAction.follow_up_done.is_(False),
                        CaseAction.follow_up_on <= end_of_week,
                        access.in_school_scope(Pupil.school_id, user),
                    )
                )
                or 0
            )

        # The senior's number covers the region: kept a minute, like the waiting reports.
        counts["follow_ups"], _ = figures_cache.region_wide(
            user, "follow-ups this week", end_of_week, count_follow_ups, at_most=60
        )
    return counts


def transition_todo(user: User, today: date) -> dict[str, int]:
    total, late = open_todo_counts(db.session, user, today)
    return {"transition_todo": total, "transition_todo_late": late}
