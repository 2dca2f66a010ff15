"""Home page per role and the health check."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select, text
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from portal import access, calendar, figures_cache
from portal.auth.models import Role, User
from portal.extensions import db
from portal.schools.models import School, StandIn
from portal.schools.services import responsible_for

bp = Blueprint("main", __name__)

# Pages a user who must choose a new password may still reach.
_PASSWORD_EXEMPT = {"auth.change_password", "auth.logout", "static", "main.healthz"}


@bp.before_app_request
def force_password_change() -> Response | None:
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _PASSWORD_EXEMPT
    ):
        return redirect(url_for("auth.change_password"))
    return None


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


@bp.get("/")
@login_required
def home() -> str:
    user = access.signed_in()
    today = calendar.today()
    ctx: dict[str, object] = {"today": today}
    if user.role == Role.ADMIN:
        ctx["role_counts"] = dict(
            db.session.execute(select(User.role, func.count()).group_by(User.role)).all()
        )
        ctx["school_count"] = db.session.scalar(select(func.count()).select_from(School))
        ctx["schools_without_consultant"] = db.session.scalars(
            select(School)
            .where(School.fixed_consultant_id.is_(None), School.active.is_(True))
            .order_by(School.name)
        ).all()
        return render_template("main/home_admin.html", **ctx)

    if user.role == Role.SENIOR:
        # The region in a few rows: schools per consultant and the schools without one (a list
        # of every school of the region would grow with it; the figures pages have them all).
        ctx["unassigned"] = db.session.scalars(
            select(School)
            .where(School.fixed_consultant_id.is_(None), School.active.is_(True))
            .order_by(School.name)
        ).all()
        ctx["per_consultant"] = db.session.execute(
            select(User.name, func.count(School.id))
            .join(School, School.fixed_consultant_id == User.id)
            .where(School.active.is_(True))
            .group_by(User.id, User.name)
            .order_by(User.name)
        ).all()
    else:
        schools = db.session.scalars(
            access.schools_query(user, today)
            .where(School.active.is_(True))
            .options(selectinload(School.fixed_consultant), selectinload(School.municipality))
            .order_by(School.name)
        ).all()
        ctx["schools"] = schools
        ctx["responsible"] = responsible_for(db.session, schools, today)
    ctx.update(_todo(user, today))
    if user.role == Role.CONSULTANT:
        ctx["standing_in"] = db.session.scalars(
            select(StandIn)
            .options(joinedload(StandIn.absent_consultant))
            .where(StandIn.stand_in_id == user.id, StandIn.end_date >= today)
            .order_by(StandIn.start_date)
        ).all()
        ctx["stood_in_for"] = db.session.scalars(
            select(StandIn)
            .options(joinedload(StandIn.stand_in))
            .where(StandIn.absent_consultant_id == user.id, StandIn.end_date >= today)
            .order_by(StandIn.start_date)
        ).all()
    if user.role == Role.SWV:
        ctx.update(_transition_todo(user, today))
        ctx["next_tables"] = _next_tables(user, today)
    if user.role == Role.SENIOR:
        ctx["active_stand_ins"] = db.session.scalars(
            select(StandIn)
            .options(joinedload(StandIn.stand_in), joinedload(StandIn.absent_consultant))
            .where(StandIn.start_date <= today, StandIn.end_date >= today)
            .order_by(StandIn.end_date)
        ).all()
    return render_template(f"main/home_{user.role.value}.html", **ctx)


def _todo(user: User, today: date) -> dict[str, object]:
    """The counts behind "Vandaag te doen" on the home page: a few small count queries."""
    from portal.attendance.models import Signal
    from portal.casework.models import CaseAction
    from portal.pupils.models import Pupil
    from portal.pupils.services import left_pupil_ids
    from portal.reports.services import waiting_counts

    if not access.can_view_pupils(user):
        return {}
    # One pass over the open signals (an index-only count; pupils who left are few). Leerplicht
    # sees only the signals with a legal duty to report: counting the many others of every
    # school in scope (the senior: the whole region) would grow with the region for a number
    # the page does not show.
    conditions = [
        access.in_school_scope(Signal.school_id, user),
        Signal.resolved.is_(False),
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
    todo: dict[str, object] = {
        "legal_signals": signals.get(True, 0),
        "other_signals": signals.get(False, 0),
    }
    todo["waiting"], todo["waiting_late"] = waiting_counts(db.session, user, today)
    if access.can_edit_transition(user):
        todo.update(_transition_todo(user, today))
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
        todo["follow_ups"], _ = figures_cache.region_wide(
            user, "follow-ups this week", end_of_week, count_follow_ups, at_most=60
        )
    return todo


def _transition_todo(user: User, today: date) -> dict[str, object]:
    from portal.transition.services import open_todo_counts

    total, late = open_todo_counts(db.session, user, today)
    return {"transition_todo": total, "transition_todo_late": late}


def _next_tables(user: User, today: date) -> list[object]:
    from portal.transition.models import TransitionTable

    return list(
        db.session.scalars(
            access.transition_tables_query(user)
            .where(TransitionTable.held_on >= today, TransitionTable.completed_at.is_(None))
            .options(selectinload(TransitionTable.schools))
            .order_by(TransitionTable.held_on)
            .limit(3)
        )
    )
