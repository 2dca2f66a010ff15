"""Shared fixtures: ``app`` (SQLite, or PostgreSQL when TEST_DATABASE_URL is set), ``client``,
``make`` (factories), ``region`` (a small region with every role), ``login``, ``csrf_token``.

The schema is built once per run by the Alembic migrations (so every run exercises them) and the
tables are emptied after each test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from devdata.cli import register as register_demo_data
from portal import create_app
from portal.auth.models import User
from portal.config import normalise_database_url
from portal.extensions import db
from tests.factories import PASSWORD, Factory, Region

CHROMIUM = "/usr/bin/chromium"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_root / 'test.db'}"


def reset_schema(app: Flask) -> None:
    """Drop everything and build the schema with the migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
            with engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("portal")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": _database_url(root),
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            "ARGON2_PARALLELISM": 1,
            # The limiter stays on (it is one object shared by every app a test creates);
            # tests get a generous login limit and a reset before each test.
            "LOGIN_RATE_LIMIT": "1000 per minute",
            # Figures are computed on every view (one test checks the cache itself).
            "FIGURES_CACHE_SECONDS": 0,
            "SERVER_NAME": None,
        }
    )
    register_demo_data(app)  # as wsgi.py does
    reset_schema(app)
    _APP[:] = [app]
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Reset the rate limiter before, and empty every table after, a test that uses the app."""
    from portal.extensions import limiter

    if "app" in request.fixturenames:
        with request.getfixturevalue("app").app_context():
            limiter.reset()
    yield
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(delete(table))


@pytest.fixture()
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def make(app: Flask) -> Factory:
    return Factory(app)


@pytest.fixture()
def region(make: Factory) -> Region:
    return Region(make)


def extract_csrf(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page carries no CSRF token"
    return match.group(1) or match.group(2)


HIDDEN_RE = re.compile(r'<input[^>]*type="hidden"[^>]*>')
NAME_RE, VALUE_RE = re.compile(r'name="([^"]+)"'), re.compile(r'value="([^"]*)"')


def page_state(html: str, prefix: str = "") -> dict[str, str]:
    """What a page's form sends besides its visible fields: the CSRF token and each hidden
    field (a form's ``version``, ...) whose name starts with ``prefix``, as the browser would."""
    state = {"csrf_token": extract_csrf(html)}
    for tag in HIDDEN_RE.findall(html):
        name, value = NAME_RE.search(tag), VALUE_RE.search(tag)
        if name and name.group(1).startswith(prefix) and name.group(1) != "csrf_token":
            state.setdefault(name.group(1), value.group(1) if value else "")
    return state


@pytest.fixture()
def csrf_token() -> Callable[[FlaskClient, str], str]:
    def get(client: FlaskClient, path: str = "/login") -> str:
        return extract_csrf(client.get(path).get_data(as_text=True))

    return get


def do_login(client: FlaskClient, user: User | str, password: str = PASSWORD):  # noqa: ANN201
    email = user if isinstance(user, str) else user.email
    token = extract_csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture()
def login() -> Callable[..., object]:
    return do_login


def logged_in(app: Flask, user: User) -> FlaskClient:
    """A test client with ``user`` signed in."""
    client = app.test_client()
    assert do_login(client, user).status_code == 302
    return client


@pytest.fixture()
def admin_client(app: Flask, make: Factory) -> FlaskClient:
    """A test client of a beheerder (named "Beheerder")."""
    from portal.auth.models import Role

    return logged_in(app, make.user(Role.ADMIN, name="Beheerder"))


# --- Browser tests ----------------------------------------------------------------------------


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium, browser tests are skipped on a laptop and fail the run in CI."""
    if Path(CHROMIUM).exists():
        return
    if any("browser" in item.keywords for item in items):
        if _in_ci():
            raise pytest.UsageError("Chromium is missing under CI=true: browser tests must run")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(pytest.mark.skip(reason="Chromium is not installed"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI=true a skipped browser test is a failure."""
    if not _in_ci():
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    browser_skips = [r for r in skipped if "/browser/" in str(getattr(r, "nodeid", ""))]
    if browser_skips:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter:
            reporter.write_line(f"FAILED: {len(browser_skips)} browser test(s) skipped under CI")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        if _in_ci():
            pytest.fail("Chromium is missing under CI=true: browser tests must run in CI")
        pytest.skip("Chromium is not installed")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


def fetch(model: type, object_id: int):  # noqa: ANN201
    """Load a fresh, detached copy of a row (outside any request)."""
    from flask import current_app

    app = current_app._get_current_object() if _has_app() else _APP[0]
    with app.app_context(), Session(db.engine, expire_on_commit=False) as session:
        obj = session.get(model, object_id)
        session.expunge_all()
        return obj


_APP: list[Flask] = []


def _has_app() -> bool:
    from flask import has_app_context

    return has_app_context()
