"""Verzuimportaal: the application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, request
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from portal import cli, errors, filters, lifecycle, models, navigation, request_args, worker
from portal.accounts.routes import bp as accounts_bp
from portal.attendance.routes import bp as attendance_bp
from portal.attendance.signals import read_settlements_with
from portal.auth import sessions
from portal.auth.routes import bp as auth_bp
from portal.calendar import school_year_label
from portal.casework.routes import bp as casework_bp
from portal.config import PROJECT_ROOT, load_config
from portal.db import Base
from portal.evaluation.routes import bp as evaluation_bp
from portal.evaluation.routes import public_bp as evaluation_public_bp
from portal.extensions import csrf, db, htmx, limiter, migrate
from portal.imports.routes import bp as imports_bp
from portal.main.routes import bp as main_bp
from portal.notifications.routes import bp as notifications_bp
from portal.pupils.routes import bp as pupils_bp
from portal.reports.queries import settlements
from portal.reports.routes import bp as reports_bp
from portal.schools.routes import bp as schools_bp
from portal.transition.routes import bp as transition_bp

# A strict policy: no inline script or style, nothing from other hosts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)

# Blueprints and where they live. Master data screens share the beheerder's /beheer; the
# attendance blueprint has full paths (/verzuim, a pupil's page under /leerlingen, /beheer).
BLUEPRINTS = (
    (auth_bp, None),
    (main_bp, None),
    (pupils_bp, "/leerlingen"),
    (attendance_bp, None),
    (imports_bp, "/importeren"),
    (reports_bp, "/meldingen"),
    (notifications_bp, "/berichten"),
    (casework_bp, "/dossier"),
    (transition_bp, "/overstap"),
    (evaluation_bp, "/evaluatie"),
    (evaluation_public_bp, "/evaluatie"),
    (accounts_bp, "/beheer"),
    (schools_bp, "/beheer"),
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
    sessions.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    _configure_sqlite(app)
    # Reports sit above attendance: they tell the signals what they settle.
    read_settlements_with(settlements)

    app.before_request(request_args.clean_input)
    # Ids in paths are PostgreSQL integers: a larger number is a 404, not a database error.
    app.url_map.converters["int"] = request_args.BoundedIntConverter
    for blueprint, prefix in BLUEPRINTS:
        app.register_blueprint(blueprint, url_prefix=prefix)
    cli.register_cli(app)
    worker.bind(app)  # the background tasks run in this application
    app.jinja_env.filters.update(filters.FILTERS)
    app.jinja_env.globals["weekday_plural"] = filters.weekday_plural
    app.jinja_env.globals["school_year_label"] = school_year_label
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.context_processor(navigation.header_context)
    errors.register(app)
    _register_security_headers(app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING if app.testing else logging.INFO)
    return app


def _configure_sqlite(app: Flask) -> None:
    """Foreign keys on, WAL for concurrent readers, and a busy timeout for the embedded DB."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
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


# The metadata holds every table (portal.models) before Alembic or a test asks for it.
__all__ = ["Base", "create_app", "models"]
