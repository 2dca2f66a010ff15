"""The command line of the portal: ``flask create-admin``."""

from sqlalchemy import select

from portal.auth.models import Role, User
from portal.extensions import db


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
