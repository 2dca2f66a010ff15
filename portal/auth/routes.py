"""Login, logout and changing one's password; a start password must be replaced first."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from portal import lifecycle
from portal.auth import services
from portal.auth.forms import ChangePasswordForm, LoginForm
from portal.auth.sessions import signed_in
from portal.extensions import db, limiter

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "Onbekend e-mailadres of onjuist wachtwoord."
# Pages a user who must choose a new password may still reach.
PASSWORD_EXEMPT = {
    "auth.change_password",
    "auth.logout",
    "auth.session_state",
    "static",
    "main.healthz",
}


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


@bp.before_app_request
def force_password_change() -> Response | None:
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in PASSWORD_EXEMPT
    ):
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], error_message="Te veel inlogpogingen.")
def login() -> Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data or "", form.password.data or "")
        if user is not None:
            lifecycle.commit()
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


@bp.get("/sessie")
def session_state() -> tuple[Response, int]:
    """Whether the session is still there, for the page's script before it sends a form
    (``static/js/session.js``): the user and the session's CSRF token, or 401. A form typed
    before the session expired is sent only after logging in again, with the new token."""
    if not current_user.is_authenticated:
        return jsonify(ingelogd=False), 401
    return jsonify(ingelogd=True, gebruiker=current_user.id, csrf=generate_csrf()), 200


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    logout_user()
    session.clear()
    flash("U bent uitgelogd.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password() -> Response | tuple[str, int]:
    user = signed_in()
    form = ChangePasswordForm(user=user)
    if form.validate_on_submit():
        services.set_password(user, form.new_password.data or "")
        return lifecycle.saved("Uw wachtwoord is gewijzigd.", url_for("main.home"))
    return lifecycle.form_page("auth/change_password.html", form, form=form)
