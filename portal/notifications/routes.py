"""In-app notifications ("Berichten")."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from portal import access, lifecycle
from portal.extensions import db
from portal.notifications import queries, services

bp = Blueprint("notifications", __name__)


@bp.get("/")
@login_required
def index() -> str:
    items = queries.latest(db.session, access.signed_in())
    unread = [n.id for n in items if n.read_at is None]
    html = render_template("notifications/index.html", items=items, unread=set(unread))
    if unread:  # seen now: no longer counted in the header
        services.mark_read(db.session, unread)
        lifecycle.commit()
    return html
