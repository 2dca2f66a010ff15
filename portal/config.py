"""Settings from the environment.

Development defaults are only safe on localhost; ``PORTAL_ENV=production`` refuses to start
with the development secret key or without an explicit database.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "instance" / "portal.db"


class UnsafeConfigError(RuntimeError):
    """Raised when a production configuration would be unsafe."""


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way (``postgres://``...)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask configuration from the environment, then apply ``overrides``."""
    env = os.environ.get("PORTAL_ENV", "development").strip().lower()
    production = env == "production"
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
    cfg: dict[str, Any] = {
        "PORTAL_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or DEV_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        # hide_parameters: a database error's message never carries the values of a statement
        # (pupil data) into a log, an error page or the beheerder's list of failed tasks.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "SESSION_COOKIE_NAME": "verzuimportaal_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(os.environ.get("SESSION_COOKIE_SECURE"), production),
        "PERMANENT_SESSION_LIFETIME": timedelta(
            minutes=int(os.environ.get("SESSION_MINUTES", "480"))
        ),
        # Flask-Login's remember-me cookie is not offered; the session cookie is all there is.
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,  # token lives as long as the session
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        # WTForms' own Dutch messages (PortalForm.Meta.locales), not Flask-Babel.
        "WTF_I18N_ENABLED": False,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_BYTES", str(40 * 1024 * 1024))),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(os.environ.get("RATELIMIT_ENABLED"), True),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        # argon2id cost; tests lower it to stay fast.
        "ARGON2_TIME_COST": int(os.environ.get("ARGON2_TIME_COST", "3")),
        "ARGON2_MEMORY_COST": int(os.environ.get("ARGON2_MEMORY_COST", "65536")),
        "ARGON2_PARALLELISM": int(os.environ.get("ARGON2_PARALLELISM", "2")),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool(os.environ.get("MAIL_USE_TLS"), False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Verzuimportaal <noreply@verzuimportaal.example>"),
        # smtp, console (development default: mails are printed) or file (MAIL_FILE).
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "smtp" if production else "console"),
        "MAIL_FILE": os.environ.get("MAIL_FILE", str(PROJECT_ROOT / "instance" / "mail.log")),
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        # Where `flask backup` writes when no file is named.
        "BACKUP_DIR": os.environ.get("BACKUP_DIR", str(PROJECT_ROOT / "instance" / "backups")),
        # Working-day deadlines: the number of working days a consultant has to react.
        "REACTION_WORKING_DAYS": int(os.environ.get("REACTION_WORKING_DAYS", "5")),
        # How long a worker keeps the region-wide figures (portal/figures_cache.py).
        "FIGURES_CACHE_SECONDS": int(os.environ.get("FIGURES_CACHE_SECONDS", "600")),
        "TESTING": False,
        "DEBUG": False,
    }
    if overrides:
        cfg.update(overrides)
    if cfg["PORTAL_ENV"] == "production":
        check_production(cfg)
    return cfg


def check_production(cfg: dict[str, Any]) -> None:
    """Refuse an unsafe production configuration."""
    problems = []
    key = cfg.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if cfg.get("SQLALCHEMY_DATABASE_URI") == f"sqlite:///{DEFAULT_SQLITE_PATH}":
        problems.append("DATABASE_URL must be set (the embedded SQLite file is for development)")
    if not cfg.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE must be on (serve over HTTPS)")
    if problems:
        raise UnsafeConfigError("Refusing to start in production: " + "; ".join(problems))
