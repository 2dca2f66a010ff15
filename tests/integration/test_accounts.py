"""The beheerder's account screens, through the test client."""

from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import Role, User
from portal.extensions import db
from portal.schools.queries import schools_of
from tests.conftest import do_login, page_state


def post(client, path: str, data: dict):  # noqa: ANN201
    return client.post(path, data={**page_state(client.get(path).text), **data})


def test_create_school_account_with_start_password(app, admin_client, make, client) -> None:
    school = make.school(name="Drechtlyceum")
    response = post(
        admin_client,
        "/beheer/accounts/nieuw",
        {
            "name": "Jeroen de Wit",
            "email": "Jeroen@Lyceum.example.nl",
            "role": "school",
            "school_ids": [school.id],
            "partnership_id": "",
            "password": "start-wachtwoord-1",
            "active": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalars(
            select(User).where(User.email == "jeroen@lyceum.example.nl")
        ).one()
        assert user.role == Role.SCHOOL
        assert [s.name for s in schools_of(db.session, user.id)] == ["Drechtlyceum"]
        assert user.must_change_password
    login = do_login(client, "jeroen@lyceum.example.nl", "start-wachtwoord-1")
    assert login.headers["Location"] == "/account/wachtwoord"


def test_school_account_needs_a_school_and_swv_account_a_partnership(admin_client) -> None:
    response = post(
        admin_client,
        "/beheer/accounts/nieuw",
        {
            "name": "Zonder school",
            "email": "z@example.nl",
            "role": "school",
            "password": "start-wachtwoord-1",
        },
    )
    assert "Kies minstens één school voor een zorgcoördinator." in response.text
    response = post(
        admin_client,
        "/beheer/accounts/nieuw",
        {
            "name": "Coach",
            "email": "coach@example.nl",
            "role": "swv",
            "partnership_id": "",
            "password": "start-wachtwoord-1",
        },
    )
    assert "Kies het samenwerkingsverband van deze medewerker." in response.text


def test_duplicate_email_is_refused(admin_client, make) -> None:
    make.user(Role.CONSULTANT, email="bestaat@lvs.example.nl")
    response = post(
        admin_client,
        "/beheer/accounts/nieuw",
        {
            "name": "Dubbel",
            "email": "Bestaat@lvs.example.nl",
            "role": "consultant",
            "password": "start-wachtwoord-1",
        },
    )
    assert response.status_code == 422
    assert "Er is al een account met dit e-mailadres." in response.text


def test_changing_role_drops_attributes_of_the_old_role(app, admin_client, make) -> None:
    school = make.school()
    user = make.user(Role.SCHOOL, schools=[school])
    response = post(
        admin_client,
        f"/beheer/accounts/{user.id}",
        {
            "name": user.name,
            "email": user.email,
            "role": "consultant",
            "school_ids": [school.id],
            "active": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        changed = db.session.get(User, user.id)
        assert changed.role == Role.CONSULTANT
        assert schools_of(db.session, changed.id) == []


def test_admin_cannot_revoke_own_admin_role(admin_client, app) -> None:
    with app.app_context():
        me = db.session.scalars(select(User).where(User.name == "Beheerder")).one()
        me_id, email = me.id, me.email
    response = post(
        admin_client,
        f"/beheer/accounts/{me_id}",
        {
            "name": "Beheerder",
            "email": email,
            "role": "senior",
            "active": "y",
        },
    )
    assert response.status_code == 422
    assert "eigen beheerdersrechten" in response.text


def test_account_search_full_page_and_htmx_partial(admin_client, make) -> None:
    make.user(Role.CONSULTANT, name="Marieke Jansen")
    make.user(Role.SCHOOL, name="Jeroen de Wit", schools=[make.school()])
    page = admin_client.get("/beheer/accounts", query_string={"zoek": "marieke"})
    assert "<html" in page.text and "Marieke Jansen" in page.text and "Jeroen" not in page.text
    partial = admin_client.get(
        "/beheer/accounts", query_string={"rol": "school"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.text
    assert "Jeroen de Wit" in partial.text and "Marieke" not in partial.text
    assert "1 account gevonden." in partial.text
    wildcard = admin_client.get("/beheer/accounts", query_string={"zoek": "%"})
    assert "0 accounts gevonden." in wildcard.text
