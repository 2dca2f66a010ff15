"""Sessions: who is signed in (Flask-Login's user loader) and what happens when a session has
expired or was never there."""

from __future__ import annotations

from typing import Any

from flask import Flask, flash, redirect, render_template, request
from flask_login import current_user, login_url

from portal.auth.models import User
from portal.extensions import db, login_manager


def init_app(app: Flask) -> None:
    """Configure Flask-Login for ``app``."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om deze pagina te zien."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.user_loader(_load_user)


def signed_in() -> User:
    """The signed-in user itself. Flask-Login's ``current_user`` is a proxy that looks the user
    up again on every attribute read; a list page reads it hundreds of times."""
    return current_user._get_current_object()  # type: ignore[attr-defined, no-any-return]


def session_expired() -> tuple[str, int, dict[str, str]]:
    """For an htmx request without a (valid) session: a message in the page's status area, so
    the form and what was typed stay on the screen (no redirect to the login page)."""
    headers = {"HX-Retarget": "#sessie-status", "HX-Reswap": "innerHTML"}
    return render_template("_session_expired.html"), 401, headers


def _unauthorized() -> Any:
    """An expired session: a page goes to the login form; an htmx request (an autosave) gets a
    message in place, so the form and what was typed stay on the screen."""
    if request.headers.get("HX-Request"):
        return session_expired()
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def _load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    # By primary key: SQLAlchemy keeps that statement ready instead of building one.
    return db.session.get(User, int(user_id))
