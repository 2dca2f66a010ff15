"""Home page per role and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from portal import access
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
    user: User = current_user  # type: ignore[assignment]
    today = access.today()
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

    schools = db.session.scalars(
        access.schools_query(user, today)
        .where(School.active.is_(True))
        .options(selectinload(School.fixed_consultant), selectinload(School.municipality))
        .order_by(School.name)
    ).all()
    ctx["schools"] = schools
    ctx["responsible"] = responsible_for(db.session, schools, today)
    if user.role == Role.CONSULTANT:
        ctx["standing_in"] = db.session.scalars(
            select(StandIn)
            .options(selectinload(StandIn.absent_consultant))
            .where(StandIn.stand_in_id == user.id, StandIn.end_date >= today)
            .order_by(StandIn.start_date)
        ).all()
        ctx["stood_in_for"] = db.session.scalars(
            select(StandIn)
            .options(selectinload(StandIn.stand_in))
            .where(StandIn.absent_consultant_id == user.id, StandIn.end_date >= today)
            .order_by(StandIn.start_date)
        ).all()
    if user.role == Role.SENIOR:
        ctx["active_stand_ins"] = db.session.scalars(
            select(StandIn)
            .options(selectinload(StandIn.stand_in), selectinload(StandIn.absent_consultant))
            .where(StandIn.start_date <= today, StandIn.end_date >= today)
            .order_by(StandIn.end_date)
        ).all()
    return render_template(f"main/home_{user.role.value}.html", **ctx)
