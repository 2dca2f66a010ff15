"""Each role's home page shows what that role needs, scoped by the access policy."""

import re
from datetime import timedelta

from portal import calendar, create_app
from tests.conftest import do_login


def _home(app, user) -> str:
    client = app.test_client()
    do_login(client, user)
    return client.get("/").text


def test_school_sees_its_school_and_consultant(app, region) -> None:
    html = _home(app, region.zorg_a)
    assert "School A" in html and "School B" not in html
    assert "Consulent Een" in html


def test_school_sees_the_stand_in_during_the_period(app, make, region) -> None:
    today = calendar.today()
    make.stand_in(region.c1, region.c2, today, today + timedelta(days=2))
    html = _home(app, region.zorg_a)
    assert "Consulent Twee" in html
    assert "vervangt Consulent Een" in html


def test_consultant_sees_own_schools_and_stand_ins(app, make, region) -> None:
    today = calendar.today()
    make.stand_in(region.c2, region.c1, today + timedelta(days=7), today + timedelta(days=9))
    html = _home(app, region.c1)
    assert "School A" in html and "School C (mbo)" in html and "School B" not in html
    assert "U vervangt Consulent Twee" in html


def test_senior_sees_region_and_unassigned_schools(app, make, region) -> None:
    make.school(name="School zonder consulent")
    html = _home(app, region.senior)
    # The region per consultant: Consulent Een has School A and C, Consulent Twee School B.
    assert re.search(r"Consulent Een</th><td[^>]*>2<", html)
    assert re.search(r"Consulent Twee</th><td[^>]*>1<", html)
    assert "geen vaste consulent" in html
    assert "School zonder consulent" in html


def test_swv_sees_partnership_schools_only(app, region) -> None:
    html = _home(app, region.swv_user)
    assert "SWV A" in html
    assert "School A" in html and "School B" not in html and "School C" not in html


def test_admin_home_lists_schools_without_consultant(app, make, region) -> None:
    make.school(name="Nieuwe basisschool")
    html = _home(app, region.admin)
    assert "Nieuwe basisschool" in html
    assert "Zonder vaste consulent" in html


def test_home_pages_say_what_is_to_do(app, make, region, monkeypatch) -> None:
    from datetime import date

    from portal.attendance.signals import recompute_all
    from portal.extensions import db

    today = date(2026, 11, 23)
    monkeypatch.setattr("portal.calendar.today", lambda: today)
    for day in (16, 17, 18, 19):
        make.absence(region.pupil_a, date(2026, 11, day), hours=4)
    make.report(region.pupil_a, filed_on=date(2026, 11, 9))  # overdue
    make.case_action(region.pupil_a, region.c1, follow_up_on=date(2026, 11, 26))
    with app.app_context():
        recompute_all(db.session, today)
        db.session.commit()
    school = _home(app, region.zorg_a)
    assert "1 signaal met wettelijke meldplicht" in school
    assert "1 melding wacht op een reactie van leerplicht, waarvan 1 over de termijn" in school
    consultant = _home(app, region.c1)
    assert "1 melding wacht op uw reactie" in consultant and "1 te laat" in consultant
    assert "1 actie op te volgen deze week" in consultant
    swv = _home(app, region.swv_user)  # the overstap only: no signals or reports
    assert "Geen open afspraken voor de overstapcoach" in swv
    assert "meldplicht" not in swv and "wacht op" not in swv


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
