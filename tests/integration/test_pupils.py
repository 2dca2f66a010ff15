"""Pupils through the client: list, search without names in URLs, add, edit, leave, scoping."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.audit import AuditAction, AuditEvent
from portal.extensions import db
from portal.pupils.models import Programme, Pupil
from portal.schools.models import School
from tests.conftest import do_login, extract_csrf, fetch, page_state


@pytest.fixture()
def today(monkeypatch) -> date:
    fixed = date(2026, 11, 23)  # a Monday
    monkeypatch.setattr("portal.calendar.today", lambda: fixed)
    return fixed


def client_for(app, user):  # noqa: ANN201
    client = app.test_client()
    assert do_login(client, user).status_code == 302
    return client


def post(client, path: str, data: dict, page: str | None = None):  # noqa: ANN201
    return client.post(path, data={**page_state(client.get(page or path).text), **data})


PUPIL_ROUTES = [
    ("GET", "/leerlingen/{id}"),
    ("GET", "/leerlingen/{id}/bewerken"),
    ("GET", "/leerlingen/{id}/uitschrijven"),
    ("POST", "/leerlingen/{id}/verzuim"),
    ("POST", "/leerlingen/{id}/te-laat"),
    ("POST", "/leerlingen/{id}/stap"),
    ("POST", "/verzuim/klassenregister/{id}"),
]


@pytest.mark.parametrize(("method", "path"), PUPIL_ROUTES)
def test_pupil_of_another_school_is_404(app, region, method, path) -> None:
    client = client_for(app, region.zorg_a)
    url = path.format(id=region.pupil_b.id)
    if method == "GET":
        response = client.get(url)
    else:
        token = extract_csrf(client.get("/").text)
        response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "path"), PUPIL_ROUTES[:1])
def test_consultant_of_another_school_gets_404(app, region, method, path) -> None:
    client = client_for(app, region.c2)
    assert client.get(path.format(id=region.pupil_a.id)).status_code == 404
    assert client.get(path.format(id=region.pupil_b.id)).status_code == 200


def test_list_shows_only_own_school(app, make, region) -> None:
    make.pupil(region.school_a, first_name="Anna", last_name="Alfa", class_name="1A")
    make.pupil(region.school_b, first_name="Bert", last_name="Bravo", class_name="1A")
    html = client_for(app, region.zorg_a).get("/leerlingen/").text
    assert "Alfa, Anna" in html and "Bravo" not in html
    # Asking for the other school's id falls back to one's own school.
    html = client_for(app, region.zorg_a).get(f"/leerlingen/?school={region.school_b.id}").text
    assert "Bravo" not in html


def test_class_filter_and_left_pupils(app, make, region, today) -> None:
    make.pupil(region.school_a, first_name="In", last_name="Eenb", class_name="1B")
    make.pupil(region.school_a, first_name="In", last_name="Tweeb", class_name="2B")
    make.pupil(
        region.school_a,
        first_name="Weg",
        last_name="Gegaan",
        class_name="2B",
        left_on=date(2026, 10, 1),
    )
    client = client_for(app, region.zorg_a)
    html = client.get("/leerlingen/?klas=1B").text
    assert "Eenb" in html and "Tweeb" not in html
    html = client.get("/leerlingen/?status=uitgeschreven").text
    assert "Gegaan" in html and "Eenb" not in html


def test_search_is_a_post_and_finds_by_name_or_number(app, make, region) -> None:
    make.pupil(region.school_a, first_name="Sanne", last_name="de Vries", pupil_number="777001")
    make.pupil(region.school_a, first_name="Daan", last_name="Visser", pupil_number="777002")
    client = client_for(app, region.zorg_a)
    assert client.get("/leerlingen/zoeken").status_code == 405  # never a name in a URL
    html = post(client, "/leerlingen/zoeken", {"zoek": "vries"}, page="/leerlingen/").text
    assert "de Vries, Sanne" in html and "Visser" not in html
    partial = client.post(
        "/leerlingen/zoeken",
        headers={"HX-Request": "true"},
        data={"csrf_token": extract_csrf(client.get("/leerlingen/").text), "zoek": "777002"},
    )
    assert "<html" not in partial.text and "Visser, Daan" in partial.text


def test_add_pupil_with_validation(app, region, today) -> None:
    client = client_for(app, region.zorg_a)
    bad = post(
        client,
        "/leerlingen/nieuw",
        {
            "school_id": region.school_a.id,
            "pupil_number": region.pupil_a.pupil_number,
            "first_name": "Nieuwe",
            "last_name": "Leerling",
            "date_of_birth": "2030-01-01",
            "class_name": "1A",
            "programme": "vmbo-kb",
            "enrolled_on": "2026-08-01",
        },
    )
    assert bad.status_code == 422
    assert "Deze school heeft al een leerling met dit nummer." in bad.text
    assert "Controleer de geboortedatum" in bad.text
    assert 'value="Nieuwe"' in bad.text
    good = post(
        client,
        "/leerlingen/nieuw",
        {
            "school_id": region.school_a.id,
            "pupil_number": "900001",
            "first_name": "Nieuwe",
            "last_name": "Leerling",
            "date_of_birth": "2012-05-01",
            "class_name": "1A",
            "year": "1",
            "programme": "vmbo-kb",
            "enrolled_on": "2024-08-01",
        },
    )
    assert good.status_code == 302
    with app.app_context():
        pupil = db.session.scalars(select(Pupil).where(Pupil.pupil_number == "900001")).one()
        assert pupil.programme == Programme.VMBO_KB and pupil.school_id == region.school_a.id
        event = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.pupil_id == pupil.id, AuditEvent.action == AuditAction.CREATE
            )
        ).one()
        assert event.user_id == region.zorg_a.id


def test_school_user_cannot_add_to_another_school(app, region) -> None:
    client = client_for(app, region.zorg_a)
    response = post(
        client,
        "/leerlingen/nieuw",
        {
            "school_id": region.school_b.id,
            "pupil_number": "1",
            "first_name": "X",
            "last_name": "Y",
            "date_of_birth": "2012-05-01",
            "class_name": "1A",
            "programme": "havo",
        },
    )
    assert response.status_code == 422
    assert "Not a valid choice" not in response.text


def test_edit_and_leave(app, region, today) -> None:
    client = client_for(app, region.zorg_a)
    pid = region.pupil_a.id
    response = post(
        client,
        f"/leerlingen/{pid}/bewerken",
        {
            "pupil_number": region.pupil_a.pupil_number,
            "first_name": "Gewijzigd",
            "last_name": "Naam",
            "date_of_birth": "2011-03-14",
            "class_name": "3C",
            "programme": "vmbo-tl",
        },
    )
    assert response.status_code == 302
    assert fetch(Pupil, pid).class_name == "3C"
    early = post(
        client,
        f"/leerlingen/{pid}/uitschrijven",
        {"left_on": "2020-01-01", "leaving_destination": "Andere school"},
    )
    assert "vóór de inschrijving" in early.text
    left = post(
        client,
        f"/leerlingen/{pid}/uitschrijven",
        {"left_on": "2026-11-20", "leaving_destination": "Verhuisd naar Rotterdam"},
    )
    assert left.status_code == 302
    assert fetch(Pupil, pid).left_on == date(2026, 11, 20)
    # After leaving, no absence can be registered after the leaving date.
    after = post(
        client,
        f"/leerlingen/{pid}/verzuim",
        {"day": "2026-11-23", "hours": "2", "kind": "ongeoorloofd"},
        page=f"/leerlingen/{pid}",
    )
    assert "uitgeschreven" in after.text


def test_reading_a_pupil_page_is_logged(app, region) -> None:
    client = client_for(app, region.c1)
    assert client.get(f"/leerlingen/{region.pupil_a.id}").status_code == 200
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.READ)
        ).all()
    assert [(e.user_id, e.pupil_id) for e in events] == [(region.c1.id, region.pupil_a.id)]


def test_consultant_reads_but_cannot_change(app, region) -> None:
    client = client_for(app, region.c1)
    html = client.get(f"/leerlingen/{region.pupil_a.id}").text
    assert "Verzuim registreren" not in html and "Gegevens wijzigen" not in html
    token = extract_csrf(html)
    response = client.post(
        f"/leerlingen/{region.pupil_a.id}/verzuim",
        data={"csrf_token": token, "day": "2026-11-20", "hours": "2", "kind": "ongeoorloofd"},
    )
    assert response.status_code == 403


def test_inactive_school_is_read_only(app, make, region) -> None:
    batch = make.import_batch(region.zorg_a, region.school_a)
    with app.app_context():
        db.session.get(School, region.school_a.id).active = False
        db.session.commit()
    client = client_for(app, region.zorg_a)
    assert client.get(f"/leerlingen/{region.pupil_a.id}").status_code == 200  # still readable
    assert client.get(f"/leerlingen/{region.pupil_a.id}/bewerken").status_code == 403
    assert client.get(f"/importeren/{batch.id}").status_code == 404
