"""Login, logout and changing one's password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from portal.auth.forms import ChangePasswordForm, LoginForm
from portal.auth.models import User
from portal.auth.passwords import burn_time, hash_password, needs_rehash, verify_password
from portal.db import utcnow
from portal.extensions import db, limiter

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "Onbekend e-mailadres of onjuist wachtwoord."


def _safe_next(target: str | None) -> str | None:
    """Only a local path is followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], error_message="Te veel inlogpogingen.")
def login() -> Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        password = form.password.data or ""
        user = db.session.scalars(select(User).where(func.lower(User.email) == email)).first()
        if user is None:
            burn_time(password)
        if user is not None and user.active and verify_password(user.password_hash, password):
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            user.last_login_at = utcnow()
            db.session.commit()
            session.clear()  # a fresh session on login (no fixation)
            login_user(user)
            session.permanent = True
            if user.must_change_password:
                flash("Kies eerst een eigen wachtwoord.", "info")
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
        error = LOGIN_FAILED
    status = 200 if error is None and not form.errors else 422 if form.errors else 401
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    logout_user()
    session.clear()
    flash("U bent uitgelogd.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password() -> Response | tuple[str, int]:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data or ""):
            form.current_password.errors.append("Het huidige wachtwoord klopt niet.")
        else:
            current_user.password_hash = hash_password(form.new_password.data or "")
            current_user.must_change_password = False
            db.session.commit()
            flash("Uw wachtwoord is gewijzigd.", "success")
            return redirect(url_for("main.home"))
    status = 422 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status
