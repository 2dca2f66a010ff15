"""The beheerder's master-data screens (municipalities, partnerships, schools, stand-ins,
holidays), through the test client."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.extensions import db
from portal.schools.models import HolidayRegion, Municipality, School, SchoolHoliday, StandIn
from tests.conftest import extract_csrf, fetch


def post(client, path: str, data: dict):  # noqa: ANN201
    token = extract_csrf(client.get(path).text)
    return client.post(path, data={"csrf_token": token, **data})


def test_create_school_with_fixed_consultant(app, admin_client, make) -> None:
    municipality = make.municipality(name="Dordrecht")
    consultant = make.user(Role.CONSULTANT, name="Marieke Jansen")
    response = post(
        admin_client,
        "/beheer/scholen/nieuw",
        {
            "name": "Merwede College",
            "brin": "20xa",
            "location_code": "00",
            "school_type": "VO",
            "location": "Noordendijk 10, Dordrecht",
            "municipality_id": municipality.id,
            "partnership_id": "",
            "fixed_consultant_id": consultant.id,
            "management_email": "Directie@School.NL",
            "active": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        school = db.session.scalars(select(School)).one()
        assert school.brin == "20XA"
        assert school.fixed_consultant_id == consultant.id
        assert school.management_email == "directie@school.nl"
        assert school.partnership_id is None
    assert "Merwede College" in admin_client.get("/beheer/scholen").text


@pytest.mark.parametrize("brin", ["2XA", "ABCD", "20XA1", "2OXA", ""])
def test_invalid_brin_is_refused_with_dutch_message_and_input_kept(admin_client, make, brin):
    municipality = make.municipality()
    response = post(
        admin_client,
        "/beheer/scholen/nieuw",
        {
            "name": "Een school die blijft staan",
            "brin": brin,
            "location_code": "00",
            "school_type": "VO",
            "location": "Straat 1",
            "municipality_id": municipality.id,
        },
    )
    assert response.status_code == 422
    html = response.text
    assert "BRIN-code" in html
    assert ("twee cijfers en twee letters" in html) or ("Dit veld is verplicht." in html)
    assert 'value="Een school die blijft staan"' in html
    assert 'aria-invalid="true"' in html


def test_duplicate_brin_and_location_is_refused(admin_client, make) -> None:
    school = make.school(brin="30AB", location_code="00")
    response = post(
        admin_client,
        "/beheer/scholen/nieuw",
        {
            "name": "Dubbel",
            "brin": "30AB",
            "location_code": "00",
            "school_type": "PO",
            "location": "Straat 1",
            "municipality_id": school.municipality_id,
        },
    )
    assert response.status_code == 422
    assert "Er is al een school met deze BRIN-code" in response.text


def test_stand_in_period(app, admin_client, make) -> None:
    absent = make.user(Role.CONSULTANT, name="Afwezig")
    stand_in = make.user(Role.CONSULTANT, name="Vervanger")
    data = {
        "absent_consultant_id": absent.id,
        "stand_in_id": stand_in.id,
        "start_date": "2026-12-01",
        "end_date": "2026-12-18",
        "note": "Verlof",
    }
    assert post(admin_client, "/beheer/vervangingen/nieuw", data).status_code == 302
    with app.app_context():
        row = db.session.scalars(select(StandIn)).one()
        assert (row.start_date, row.end_date) == (date(2026, 12, 1), date(2026, 12, 18))
    overlap = post(
        admin_client,
        "/beheer/vervangingen/nieuw",
        {
            **data,
            "start_date": "2026-12-10",
            "end_date": "2027-01-10",
        },
    )
    assert overlap.status_code == 422
    assert "al een vervanging geregeld" in overlap.text
    same = post(admin_client, "/beheer/vervangingen/nieuw", {**data, "stand_in_id": absent.id})
    assert "De vervanger moet een andere consulent zijn." in same.text
    backwards = post(
        admin_client,
        "/beheer/vervangingen/nieuw",
        {
            **data,
            "start_date": "2027-02-10",
            "end_date": "2027-02-01",
        },
    )
    assert "De laatste dag ligt vóór de eerste dag." in backwards.text
    bad_date = post(admin_client, "/beheer/vervangingen/nieuw", {**data, "start_date": "31-02"})
    assert bad_date.status_code == 422
    assert "Not a valid" not in bad_date.text


def test_editing_a_stand_in_that_would_overlap_keeps_the_saved_one(app, admin_client, make):
    absent = make.user(Role.CONSULTANT)
    one = make.user(Role.CONSULTANT)
    first = make.stand_in(absent, one, date(2026, 12, 1), date(2026, 12, 5))
    make.stand_in(absent, one, date(2026, 12, 10), date(2026, 12, 12))
    response = post(
        admin_client,
        f"/beheer/vervangingen/{first.id}",
        {
            "absent_consultant_id": absent.id,
            "stand_in_id": one.id,
            "start_date": "2026-12-01",
            "end_date": "2026-12-11",
        },
    )
    assert response.status_code == 422
    assert fetch(StandIn, first.id).end_date == date(2026, 12, 5)


def test_delete_stand_in(app, admin_client, make) -> None:
    row = make.stand_in(
        make.user(Role.CONSULTANT), make.user(Role.CONSULTANT), date(2026, 12, 1), date(2026, 12, 5)
    )
    token = extract_csrf(admin_client.get("/beheer/vervangingen").text)
    response = admin_client.post(
        f"/beheer/vervangingen/{row.id}/verwijderen", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert fetch(StandIn, row.id) is None


def test_municipality_and_holiday(app, admin_client) -> None:
    assert (
        post(
            admin_client,
            "/beheer/gemeenten/nieuw",
            {
                "name": "Sliedrecht",
                "cbs_code": "gm0610",
                "holiday_region": "zuid",
            },
        ).status_code
        == 302
    )
    bad = post(
        admin_client,
        "/beheer/gemeenten/nieuw",
        {
            "name": "Sliedrecht",
            "cbs_code": "0610",
            "holiday_region": "zuid",
        },
    )
    assert "Er is al een gemeente met deze naam." in bad.text
    assert "GM gevolgd door vier cijfers" in bad.text
    with app.app_context():
        m = db.session.scalars(select(Municipality)).one()
        assert (m.cbs_code, m.holiday_region) == ("GM0610", HolidayRegion.ZUID)
    assert (
        post(
            admin_client,
            "/beheer/vakanties/nieuw",
            {
                "school_year": "2026",
                "region": "midden",
                "name": "Herfstvakantie",
                "start_date": "2026-10-17",
                "end_date": "2026-10-25",
            },
        ).status_code
        == 302
    )
    wrong_year = post(
        admin_client,
        "/beheer/vakanties/nieuw",
        {
            "school_year": "2025",
            "region": "midden",
            "name": "Herfstvakantie",
            "start_date": "2026-10-17",
            "end_date": "2026-10-25",
        },
    )
    assert wrong_year.status_code == 422
    with app.app_context():
        assert len(db.session.scalars(select(SchoolHoliday)).all()) == 1


def test_admin_pages_never_show_pupils(admin_client, region) -> None:
    for path in (
        "/",
        "/beheer/scholen",
        "/beheer/accounts",
        f"/beheer/scholen/{region.school_a.id}",
    ):
        html = admin_client.get(path).text
        assert region.pupil_a.last_name not in html
