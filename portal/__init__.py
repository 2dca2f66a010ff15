"""Verzuimportaal: the application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from portal import lifecycle
from portal.config import PROJECT_ROOT, load_config
from portal.extensions import csrf, db, htmx, limiter, login_manager, migrate

# Models must be imported so that the metadata (and Alembic) know every table.
from portal import audit as _audit  # noqa: F401  isort: skip, calendar
from portal.attendance import models as _attendance_models  # noqa: F401  isort: skip
from portal.auth import models as _auth_models  # noqa: F401  isort: skip
from portal.casework import models as _casework_models  # noqa: F401  isort: skip
from portal.imports import models as _import_models  # noqa: F401  isort: skip
from portal.notifications import models as _notification_models  # noqa: F401  isort: skip
from portal.reports import models as _report_models  # noqa: F401  isort: skip
from portal.pupils import models as _pupil_models  # noqa: F401  isort: skip
from portal.schools import models as _school_models  # noqa: F401  isort: skip
from portal.transition import models as _transition_models  # noqa: F401  isort: skip
from portal.evaluation import models as _evaluation_models  # noqa: F401  isort: skip

# A strict policy: no inline script or style, nothing from other hosts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(config))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        (PROJECT_ROOT / "instance").mkdir(exist_ok=True)
    proxies = int(app.config.get("PROXY_FIX_X_FOR", 0) or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    db.init_app(app)
    # After Flask-SQLAlchemy's own teardown, so it runs first (teardowns run in reverse).
    app.teardown_appcontext(lifecycle.end_read_only_transaction)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    _configure_sqlite(app)
    _configure_login(app)

    from portal.admin.routes import bp as admin_bp
    from portal.attendance.routes import bp as attendance_bp
    from portal.auth.routes import bp as auth_bp
    from portal.casework.routes import bp as casework_bp
    from portal.evaluation.routes import bp as evaluation_bp
    from portal.evaluation.routes import public_bp as evaluation_public_bp
    from portal.imports.routes import bp as imports_bp
    from portal.main.routes import bp as main_bp
    from portal.notifications.routes import bp as notifications_bp
    from portal.pupils.routes import bp as pupils_bp
    from portal.reports.routes import bp as reports_bp
    from portal.transition.routes import bp as transition_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(pupils_bp, url_prefix="/leerlingen")
    app.register_blueprint(attendance_bp, url_prefix="/verzuim")
    app.register_blueprint(imports_bp, url_prefix="/importeren")
    app.register_blueprint(reports_bp, url_prefix="/meldingen")
    app.register_blueprint(notifications_bp, url_prefix="/berichten")
    app.register_blueprint(casework_bp, url_prefix="/dossier")
    app.register_blueprint(transition_bp, url_prefix="/overstap")
    app.register_blueprint(evaluation_bp, url_prefix="/evaluatie")
    app.register_blueprint(evaluation_public_bp, url_prefix="/evaluatie")
    app.register_blueprint(admin_bp, url_prefix="/beheer")

    from portal.cli import register_cli

    register_cli(app)
    _register_template_helpers(app)
    _register_errors(app)
    _register_security_headers(app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING if app.testing else logging.INFO)
    return app


def _configure_sqlite(app: Flask) -> None:
    """Foreign keys on, WAL for concurrent readers, and a busy timeout for the embedded DB."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL is safe against corruption and skips an fsync per commit (the
            # read log is written on every page); production runs on PostgreSQL.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()


def session_expired() -> tuple[str, int, dict[str, str]]:
    """For an htmx request without a (valid) session: a message in the page's status area, so
    the form and what was typed stay on the screen (no redirect to the login page)."""
    headers = {"HX-Retarget": "#sessie-status", "HX-Reswap": "innerHTML"}
    return render_template("_session_expired.html"), 401, headers


def _configure_login(app: Flask) -> None:

    from portal.auth.models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om deze pagina te zien."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.unauthorized_handler
    def unauthorized() -> Any:
        """An expired session: a page goes to the login form; an htmx request (an autosave)
        gets a message in place, so the form and what was typed stay on the screen."""
        from flask import flash, redirect
        from flask_login import login_url

        if request.headers.get("HX-Request"):
            return session_expired()
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(login_url(login_manager.login_view, next_url=request.url))

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        # By primary key: SQLAlchemy keeps that statement ready instead of building one.
        return db.session.get(User, int(user_id))


def _register_template_helpers(app: Flask) -> None:
    from portal import filters
    from portal.navigation import navigation_for

    app.jinja_env.filters.update(filters.FILTERS)
    app.jinja_env.globals["navigation_for"] = navigation_for
    app.jinja_env.globals["weekday_plural"] = filters.weekday_plural

    @app.context_processor
    def header_counts() -> dict[str, object]:
        """Counts in the header and navigation: one small query each, only when logged in."""
        from portal import access, calendar

        # The user object itself instead of Flask-Login's proxy: templates read it dozens of
        # times per page (role, name, navigation).
        user = access.signed_in()
        if not user.is_authenticated:
            return {"current_user": user}
        from portal.auth.models import Role
        from portal.navigation import header_statement
        from portal.reports import services as reports

        # Both counts in one statement: one round trip to the database on every page. For
        # leerplicht the number is the waiting reports: lent by a page that counted them already
        # (the home page), and for the senior, whose number covers the region, kept a minute.
        today = calendar.today()
        waiting: int | None = None
        if user.role in (Role.CONSULTANT, Role.SENIOR):
            waiting = reports.counted_waiting(user, today)
            if waiting is None and access.sees_whole_region(user):
                waiting = reports.waiting_counts(db.session, user, today)[0]
        with_count = waiting is None and reports.nav_count_shape(user.role) is not None
        unread, counted = db.session.execute(
            header_statement(user.role, with_count),
            {**(reports.nav_count_params(user) if with_count else {}), "user_id": user.id},
        ).one()
        return {
            "current_user": user,
            "unread_notifications": unread or 0,
            "nav_counts": {"reports.index": waiting if waiting is not None else counted or 0},
        }

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


ERROR_TITLES = {
    400: "Ongeldig verzoek",
    401: "Niet ingelogd",
    403: "Geen toegang",
    404: "Pagina niet gevonden",
    405: "Methode niet toegestaan",
    413: "Bestand te groot",
    429: "Te veel verzoeken",
    500: "Er ging iets mis",
    503: "Tijdelijk niet beschikbaar",
}


def _register_errors(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    def render_error(code: int) -> tuple[str, int]:
        return render_template(
            "errors/error.html", code=code, title=ERROR_TITLES.get(code, "Er ging iets mis")
        ), code

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        app.logger.info("CSRF refused: %s", _error.description)
        if request.headers.get("HX-Request"):  # an autosave after the session expired
            return session_expired()  # type: ignore[return-value]
        return render_template(
            "errors/error.html", code=400, title="Formulier verlopen", csrf=True
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static":
            # Pages hold pupil data: never keep them in a shared or browser cache.
            headers.setdefault("Cache-Control", "no-store")
        return response
