from datetime import UTC, datetime

import pytest

from portal.auth.models import Role, User
from portal.extensions import db
from tests.conftest import do_login, extract_csrf, fetch, logged_in
from tests.factories import PASSWORD

GENERIC = "Onbekend e-mailadres of onjuist wachtwoord."


def test_login_page_is_accessible_form(client) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert '<label class="utrecht-form-label" for="email">E-mailadres</label>' in html
    assert '<label class="utrecht-form-label" for="password">Wachtwoord</label>' in html
    assert 'name="csrf_token"' in html


@pytest.mark.parametrize("role", list(Role))
def test_every_role_logs_in_and_lands_home(client, make, role) -> None:
    user = make.user(role)
    response = do_login(client, user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert user.name in home.get_data(as_text=True)
    assert fetch(User, user.id).last_login_at is not None


def test_wrong_password_and_unknown_email_give_the_same_message(client, make) -> None:
    user = make.user(Role.SCHOOL)
    wrong = do_login(client, user, "not-the-password")
    unknown = do_login(client, "nobody@example.nl", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 401
        body = response.get_data(as_text=True)
        assert GENERIC in body
    # The typed e-mail address is kept, the password is not.
    assert 'value="nobody@example.nl"' in unknown.get_data(as_text=True)
    assert PASSWORD not in unknown.get_data(as_text=True)


def test_email_is_case_insensitive(client, make) -> None:
    user = make.user(Role.CONSULTANT, email="marieke@lvs.example.nl")
    assert do_login(client, "Marieke@LVS.example.nl").status_code == 302
    assert user.id


def test_deactivated_account_cannot_log_in(client, make) -> None:
    user = make.user(Role.SCHOOL, active=False)
    response = do_login(client, user)
    assert response.status_code == 401
    assert GENERIC in response.get_data(as_text=True)


def test_deactivation_ends_an_open_session(app, client, make) -> None:
    user = make.user(Role.SCHOOL)
    do_login(client, user)
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.get("/").status_code == 302


def test_empty_fields_get_dutch_messages(client) -> None:
    token = extract_csrf(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    body = response.get_data(as_text=True)
    assert "Vul uw e-mailadres in." in body
    assert "Vul uw wachtwoord in." in body


def test_login_without_csrf_token_is_refused(client, make) -> None:
    user = make.user(Role.SCHOOL)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Formulier verlopen" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account/wachtwoord", "/account/wachtwoord"),
        ("https://evil.example.com/", "/"),
        ("//evil.example.com/", "/"),
        ("/\\evil.example.com", "/"),
    ],
)
def test_next_only_follows_local_paths(client, make, target, expected) -> None:
    user = make.user(Role.SCHOOL)
    token = extract_csrf(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == expected


def test_session_cookie_flags(client, make) -> None:
    user = make.user(Role.SCHOOL)
    response = do_login(client, user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_logout_needs_post_with_token(client, make) -> None:
    user = make.user(Role.SCHOOL)
    do_login(client, user)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    token = extract_csrf(client.get("/").get_data(as_text=True))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_change_password(client, make) -> None:
    user = make.user(Role.CONSULTANT)
    do_login(client, user)
    token = extract_csrf(client.get("/account/wachtwoord").get_data(as_text=True))
    bad = client.post(
        "/account/wachtwoord",
        data={
            "csrf_token": token,
            "current_password": "wrong",
            "new_password": "a-new-long-password",
            "confirm_password": "a-new-long-password",
        },
    )
    assert "Het huidige wachtwoord klopt niet." in bad.get_data(as_text=True)
    short = client.post(
        "/account/wachtwoord",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "kort",
            "confirm_password": "kort",
        },
    )
    assert "minstens 12 tekens" in short.get_data(as_text=True)
    ok = client.post(
        "/account/wachtwoord",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "a-new-long-password",
            "confirm_password": "a-new-long-password",
        },
    )
    assert ok.status_code == 302
    client.post(
        "/logout", data={"csrf_token": extract_csrf(client.get("/").get_data(as_text=True))}
    )
    assert do_login(client, user).status_code == 401
    assert do_login(client, user, "a-new-long-password").status_code == 302


def test_start_password_must_be_changed_first(client, make) -> None:
    user = make.user(Role.SCHOOL, must_change_password=True)
    response = do_login(client, user)
    assert response.headers["Location"] == "/account/wachtwoord"
    assert client.get("/").headers["Location"] == "/account/wachtwoord"
    token = extract_csrf(client.get("/account/wachtwoord").get_data(as_text=True))
    client.post(
        "/account/wachtwoord",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "my-own-password-2026",
            "confirm_password": "my-own-password-2026",
        },
    )
    assert client.get("/").status_code == 200


def test_passwords_are_argon2id(make) -> None:
    user = make.user(Role.ADMIN)
    stored = fetch(User, user.id).password_hash
    assert stored.startswith("$argon2id$")


def test_login_is_rate_limited(tmp_path) -> None:
    from portal import create_app
    from portal.extensions import limiter

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'limit.db'}",
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            "ARGON2_PARALLELISM": 1,
        }
    )
    with app.app_context():
        db.create_all()
        limiter.reset()
    client = app.test_client()
    statuses = []
    for _ in range(4):
        token = extract_csrf(client.get("/login").get_data(as_text=True))
        statuses.append(
            client.post(
                "/login",
                data={
                    "email": "x@example.nl",
                    "password": "whatever-password",
                    "csrf_token": token,
                },
            ).status_code
        )
    assert statuses == [401, 401, 401, 429]
    with app.app_context():
        db.engine.dispose()
    assert datetime.now(UTC)


def test_the_session_state_for_the_pages_script(app, client, make) -> None:
    """``GET /sessie``: 401 without a session; with one, the user and a CSRF token that a
    form typed before the session expired can be sent with (``static/js/session.js``)."""
    response = client.get("/sessie")
    assert response.status_code == 401 and response.json == {"ingelogd": False}
    user = make.user(Role.ADMIN)
    signed_in = logged_in(app, user)
    state = signed_in.get("/sessie")
    assert state.status_code == 200
    assert state.json["ingelogd"] is True and state.json["gebruiker"] == user.id
    assert state.headers["Cache-Control"] == "no-store"
    posted = signed_in.post(
        "/beheer/gemeenten/nieuw",
        data={"csrf_token": state.json["csrf"], "name": "Hendrik-Ido-Ambacht"},
    )
    assert posted.status_code in (302, 422)  # past the CSRF check
    assert "Formulier verlopen" not in posted.text
