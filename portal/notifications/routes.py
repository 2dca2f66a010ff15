"""In-app notifications ("Berichten")."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select, update

from portal.db import utcnow
from portal.extensions import db
from portal.notifications.models import Notification

bp = Blueprint("notifications", __name__)


@bp.get("/")
@login_required
def index() -> str:
    items = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(50)
    ).all()
    unread = [n.id for n in items if n.read_at is None]
    html = render_template("notifications/index.html", items=items, unread=set(unread))
    if unread:  # seen now: no longer counted in the header
        db.session.execute(
            update(Notification).where(Notification.id.in_(unread)).values(read_at=utcnow())
        )
        db.session.commit()
    return html
