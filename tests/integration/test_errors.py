"""Error pages: Dutch, with the security headers, and never a bare 500 (the database gone, a
failed statement before the page, a page whose own queries fail)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from portal import create_app
from portal.auth.models import Role, User
from portal.extensions import db
from tests.conftest import extract_csrf, logged_in

SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options")


def _sibling(app: Flask, url: str, **config: object) -> Flask:
    """A second app like the test app (same secret key, so its session cookies are valid)."""
    settings = {
        key: app.config[key]
        for key in ("SECRET_KEY", "ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM")
    }
    return create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None, **settings, **config}
    )


def _signed_in(app: Flask, other: Flask, user: User) -> FlaskClient:
    """A client of ``other`` carrying the session cookie of ``user`` signed in on ``app``."""
    cookie = logged_in(app, user).get_cookie("verzuimportaal_session")
    assert cookie is not None
    client = other.test_client()
    client.set_cookie("verzuimportaal_session", cookie.value)
    return client


@pytest.fixture()
def unreachable(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The portal with its database away: PostgreSQL on a closed port, SQLite in a directory
    that is not there (both raise OperationalError on connect, as during a restart)."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        url = "postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=2"
    else:
        url = f"sqlite:///{tmp_path}/gone/portal.db"
    down = _sibling(app, url)
    yield down
    with down.app_context():
        db.engine.dispose()


def _assert_unavailable_page(response) -> None:  # noqa: ANN001
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Het portaal is even niet bereikbaar" in page
    assert "Niets van wat u opsloeg is verloren" in page
    assert "Internal Server Error" not in page
    assert response.headers["Retry-After"] == "30"
    for header in SECURITY_HEADERS:
        assert header in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_a_signed_in_user_gets_the_dutch_503_page_when_the_database_is_away(
    app, make, unreachable
) -> None:
    client = _signed_in(app, unreachable, make.user(Role.CONSULTANT))
    for path in ("/", "/meldingen", "/leerlingen/1", "/berichten"):
        _assert_unavailable_page(client.get(path))
    # A form post as well (its CSRF token is valid: it lives in the session).
    page = logged_in(app, make.user(Role.ADMIN)).get("/beheer/gemeenten/nieuw").text
    admin = _signed_in(app, unreachable, make.user(Role.ADMIN))
    token = extract_csrf(page)
    _assert_unavailable_page(
        admin.post("/beheer/gemeenten/nieuw", data={"csrf_token": token, "name": "Zwijndrecht"})
    )


def test_healthz_says_unreachable(unreachable) -> None:
    response = unreachable.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}


def test_a_failed_statement_is_rolled_back_before_the_error_page(app, make) -> None:
    """On PostgreSQL a failed statement aborts the transaction: the 500 page's menu queries
    would fail in it (the bare English page of the issue) without the rollback first."""
    broken = _sibling(app, app.config["SQLALCHEMY_DATABASE_URI"], PROPAGATE_EXCEPTIONS=False)

    @broken.get("/_fout")
    def fails() -> str:
        # The view swallows the error; on PostgreSQL the transaction stays aborted.
        with contextlib.suppress(Exception):
            db.session.execute(text("SELECT no_such_column FROM no_such_table"))
        raise RuntimeError("a bug after a failed statement")

    client = _signed_in(app, broken, make.user(Role.CONSULTANT, name="Carla Consulent"))
    response = client.get("/_fout")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Er ging iets mis" in page
    assert "Carla Consulent" in page  # the full layout: the menu's queries ran after rollback
    for header in SECURITY_HEADERS:
        assert header in response.headers
    with broken.app_context():
        db.engine.dispose()


def test_an_error_page_whose_own_queries_fail_falls_back_to_the_plain_page(app, make) -> None:
    broken = _sibling(app, app.config["SQLALCHEMY_DATABASE_URI"], PROPAGATE_EXCEPTIONS=False)

    @broken.context_processor
    def menu_that_fails() -> dict[str, object]:
        raise RuntimeError("the menu's query failed")

    @broken.get("/_fout")
    def fails() -> str:
        raise RuntimeError("a bug")

    client = _signed_in(app, broken, make.user(Role.SCHOOL))
    for path, code in (("/_fout", 500), ("/bestaat-niet", 404)):
        response = client.get(path)
        assert response.status_code == code
        assert "Verzuimportaal" in response.get_data(as_text=True)
        assert "Content-Security-Policy" in response.headers
    with broken.app_context():
        db.engine.dispose()
