"""The bad input of the robustness issue, each answered with a Dutch message or a 404, never a
500 (the fuzz test, ``test_fuzz.py``, searches for more of its kind)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.attendance.models import LateArrival
from portal.casework.models import CaseAction, Thuiszitter
from portal.extensions import db
from portal.forms import CLEANED_MESSAGE
from portal.pupils.models import Pupil
from tests.conftest import extract_csrf, logged_in

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def count(app, model) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_nul_byte_in_a_text_field_is_taken_out_and_the_form_shown_again(app, region) -> None:
    school = logged_in(app, region.zorg_a)
    token = extract_csrf(school.get("/leerlingen/nieuw").text)
    data = {
        "csrf_token": token,
        "school_id": region.school_a.id,
        "pupil_number": "700001",
        "first_name": "Sa\x00nne\x1b",
        "last_name": "de Vries",
        "date_of_birth": "2011-03-14",
        "class_name": "2B",
        "programme": "vmbo-kb",
    }
    response = school.post("/leerlingen/nieuw", data=data)
    assert response.status_code == 422
    assert CLEANED_MESSAGE in response.text
    assert 'value="Sanne"' in response.text  # the cleaned text, ready to save again
    assert count(app, Pupil) == 2  # the region's two pupils: nothing saved yet
    again = school.post("/leerlingen/nieuw", data={**data, "first_name": "Sanne"})
    assert again.status_code == 302


def test_control_characters_in_the_address_are_a_400(app, region) -> None:
    school = logged_in(app, region.zorg_a)
    assert school.get("/leerlingen/?klas=2B%00").status_code == 400
    assert school.get("/evaluatie/verslag/ab%00cd").status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/leerlingen/99999999999",
        "/leerlingen/2147483648",
        "/meldingen/9223372036854775808",
        "/overstap/leerling/99999999999999999999",
        "/evaluatie/ronde/99999999999",
    ],
)
def test_ids_beyond_the_database_are_not_found(app, region, path: str) -> None:
    assert logged_in(app, region.c1).get(path).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "?pagina=99999999999999999999",
        "?pagina=-5",
        "?school=99999999999&klas=2B",
        "?datum=0001-01-01",
        "?datum=9999-12-31",
        "?jaar=99999",
    ],
)
def test_query_arguments_out_of_range_count_as_absent(app, region, query: str) -> None:
    school = logged_in(app, region.zorg_a)
    for page in ("/leerlingen/", "/meldingen/", "/verzuim/klassenregister", "/overstap/"):
        assert school.get(page + query).status_code == 200, page + query


def test_an_import_of_random_bytes_gets_a_message(app, region) -> None:
    school = logged_in(app, region.zorg_a)
    for content in (b"\r\x00", bytes(range(256)) * 4, b"\x00\x00;\x00\n\x00"):
        token = extract_csrf(school.get("/importeren/").text)
        response = school.post(
            "/importeren/",
            data={
                "csrf_token": token,
                "kind": "verzuim",
                "school_id": region.school_a.id,
                "file": (io.BytesIO(content), "verzuim.csv"),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code in (200, 422), content
        assert any(
            message in response.text
            for message in ("kan niet worden gelezen", "mist een kolom", "bevat een NUL-teken")
        ), content


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-04"])
def test_dates_outside_2000_to_2100_are_refused(app, region, day: str) -> None:
    school = logged_in(app, region.zorg_a)
    pupil = region.pupil_a.id
    token = extract_csrf(school.get(f"/leerlingen/{pupil}").text)
    late = school.post(
        f"/leerlingen/{pupil}/te-laat",
        data={"csrf_token": token, "telaat-day": day, "telaat-lesson_hour": "1"},
    )
    assert late.status_code == 422
    consultant = logged_in(app, region.c1)
    token = extract_csrf(consultant.get(f"/dossier/{pupil}").text)
    action = consultant.post(
        f"/dossier/{pupil}/actie",
        data={"csrf_token": token, "kind": "gesprek_ouders", "day": day, "body": "x"},
    )
    assert action.status_code == 422
    thuis = consultant.post(
        f"/dossier/{pupil}/thuiszitter",
        data={"csrf_token": token, "start_date": day, "situation": "Thuis"},
    )
    assert thuis.status_code == 422
    assert "Vul een datum tussen 2000 en 2100 in." in action.text + thuis.text + late.text
    assert count(app, LateArrival) == count(app, CaseAction) == count(app, Thuiszitter) == 0


def test_a_proces_verbaal_next_year_and_a_home_visit_before_birth_are_refused(
    app, region, make
) -> None:
    pupil = make.pupil(region.school_a, date_of_birth=date(2013, 5, 1))
    consultant = logged_in(app, region.c1)
    token = extract_csrf(consultant.get(f"/dossier/{pupil.id}").text)
    pv = consultant.post(
        f"/dossier/{pupil.id}/actie",
        data={"csrf_token": token, "kind": "pv_leerling", "day": "2027-03-01", "body": "PV"},
    )
    assert pv.status_code == 422 and "Deze datum ligt in de toekomst." in pv.text
    visit = consultant.post(
        f"/dossier/{pupil.id}/actie",
        data={"csrf_token": token, "kind": "huisbezoek", "day": "2012-06-01", "body": "Bezoek"},
    )
    assert visit.status_code == 422
    assert "vóór de geboortedatum van de leerling (1 mei 2013)" in visit.text
    assert count(app, CaseAction) == 0
