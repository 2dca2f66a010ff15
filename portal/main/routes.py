"""The home page per role, and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import login_required
from werkzeug.wrappers import Response

from portal import access, calendar
from portal.auth.models import Role
from portal.extensions import db
from portal.main import queries
from portal.schools.queries import partnership_of
from portal.transition.queries import next_tables

bp = Blueprint("main", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    if not queries.database_reachable():
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


@bp.get("/")
@login_required
def home() -> str:
    """Each role its own page (``main/home_<role>.html``): what there is to do today first."""
    user = access.signed_in()
    today = calendar.today()
    ctx: dict[str, object] = {"today": today, "files_reports": access.can_file_reports(user)}
    if user.role == Role.ADMIN:
        return render_template("main/home_admin.html", **ctx, **queries.admin_overview())
    if access.sees_whole_region(user):
        ctx.update(queries.senior_overview(today))
    else:
        ctx.update(queries.my_schools(user, today))
    ctx.update(queries.todo(user, today))
    if user.role == Role.CONSULTANT:
        ctx.update(queries.consultant_stand_ins(user, today))
    if access.works_for_partnership(user):
        ctx["partnership"] = partnership_of(db.session, user)
        ctx.update(queries.transition_todo(user, today))
        ctx["next_tables"] = next_tables(user, today)
    return render_template(f"main/home_{user.role.value}.html", **ctx)
