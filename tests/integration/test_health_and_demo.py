from sqlalchemy import func, select

from devdata.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from portal import create_app
from portal.auth.models import Role, User
from portal.extensions import db
from portal.schools.models import School, SchoolHoliday, StandIn
from tests.conftest import do_login


def test_healthz_ok(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(tmp_path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_security_headers(client) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_demo_data_command(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(School)) == 3
        assert db.session.scalar(select(func.count()).select_from(User)) == 7
        assert db.session.scalar(select(func.count()).select_from(SchoolHoliday)) == 10
        assert db.session.scalar(select(func.count()).select_from(StandIn)) == 1
        roles = dict(db.session.execute(select(User.email, User.role)).all())
        assert roles == {email: role for email, (_, role) in DEMO_ACCOUNTS.items()}
        coach = db.session.scalars(select(User).where(User.role == Role.SWV)).one()
        assert coach.partnership_id is not None
    # Running it again changes nothing.
    again = runner.invoke(args=["demo-data"])
    assert again.exit_code == 0
    assert "already holds accounts" in again.output
    # Every demo account logs in with the documented password.
    for email in DEMO_ACCOUNTS:
        client = app.test_client()
        assert do_login(client, email, DEMO_PASSWORD).status_code == 302, email
        assert client.get("/").status_code == 200


def test_demo_data_refuses_production(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "PORTAL_ENV", "production")
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code != 0
    assert "production" in result.output


def test_create_admin_command(app) -> None:
    runner = app.test_cli_runner()
    short = runner.invoke(args=["create-admin", "b@lvs.nl", "B", "--password", "kort"])
    assert short.exit_code != 0
    ok = runner.invoke(
        args=["create-admin", "Beheer@LVS.nl", "Beheer", "--password", "een-lang-startwachtwoord"]
    )
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "beheer@lvs.nl")).one()
        assert user.role == Role.ADMIN and user.must_change_password
    again = runner.invoke(
        args=["create-admin", "beheer@lvs.nl", "B", "--password", "een-lang-startwachtwoord"]
    )
    assert again.exit_code != 0 and "already exists" in again.output
