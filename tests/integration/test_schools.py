"""The beheerder's master-data screens (municipalities, partnerships, schools, stand-ins,
holidays), through the test client."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from portal.auth.models import Role, User
from portal.extensions import db
from portal.schools.models import HolidayRegion, Municipality, School, SchoolHoliday, StandIn
from tests.conftest import extract_csrf, fetch, page_state


def post(client, path: str, data: dict):  # noqa: ANN201
    """Post ``data`` through the form of ``path`` as the browser would (its hidden fields)."""
    return client.post(path, data={**page_state(client.get(path).text), **data})


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


def _period(absent, stand_in, start: str, end: str) -> dict:
    return {
        "absent_consultant_id": absent.id,
        "stand_in_id": stand_in.id,
        "start_date": start,
        "end_date": end,
    }


def test_stand_ins_that_cancel_out_are_refused_with_the_conflict_named(app, admin_client, make):
    anna = make.user(Role.CONSULTANT, name="Anna Smit")
    bram = make.user(Role.CONSULTANT, name="Bram Visser")
    cees = make.user(Role.CONSULTANT, name="Cees Bakker")
    make.stand_in(anna, bram, date(2026, 12, 7), date(2026, 12, 11))

    # The cycle of the issue: B absent with A standing in, overlapping A's absence.
    cycle = post(
        admin_client, "/beheer/vervangingen/nieuw", _period(bram, anna, "2026-12-11", "2026-12-18")
    )
    assert cycle.status_code == 422
    assert (
        "Bram Visser en Anna Smit zouden elkaar vervangen: Anna Smit is van 7 december 2026 tot "
        "en met 11 december 2026 zelf afwezig" in cycle.text
    )
    # A chain: C stands in for B while B stands in for A: A's schools would have nobody.
    chain = post(
        admin_client, "/beheer/vervangingen/nieuw", _period(bram, cees, "2026-12-01", "2026-12-07")
    )
    assert chain.status_code == 422
    assert "niemand de meldingen van de scholen van Anna Smit" in chain.text
    # The other end of a chain: C absent, with A (absent then) standing in.
    absent_stand_in = post(
        admin_client, "/beheer/vervangingen/nieuw", _period(cees, anna, "2026-12-10", "2026-12-20")
    )
    assert absent_stand_in.status_code == 422
    assert "Anna Smit is van 7 december 2026 tot en met 11 december 2026 zelf afwezig" in (
        absent_stand_in.text
    )
    assert "(vervangen door Bram Visser)" in absent_stand_in.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StandIn)) == 1

    # Next to each other, not overlapping, both are fine; so is a third consultant.
    assert (
        post(
            admin_client,
            "/beheer/vervangingen/nieuw",
            _period(bram, anna, "2026-12-12", "2026-12-18"),
        ).status_code
        == 302
    )
    assert (
        post(
            admin_client,
            "/beheer/vervangingen/nieuw",
            _period(cees, bram, "2026-12-01", "2026-12-06"),
        ).status_code
        == 302
    )


def test_editing_a_stand_in_is_not_its_own_conflict(app, admin_client, make) -> None:
    anna = make.user(Role.CONSULTANT)
    bram = make.user(Role.CONSULTANT)
    row = make.stand_in(anna, bram, date(2026, 12, 7), date(2026, 12, 11))
    data = _period(anna, bram, "2026-12-07", "2026-12-14")
    response = post(admin_client, f"/beheer/vervangingen/{row.id}", data)
    assert response.status_code == 302
    assert fetch(StandIn, row.id).end_date == date(2026, 12, 14)


_DAY0 = date(2026, 12, 1)
_proposals = st.lists(
    st.tuples(
        st.integers(0, 3),  # absent
        st.integers(0, 3),  # stand-in
        st.integers(0, 20),  # first day after _DAY0
        st.integers(0, 6),  # length
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(proposals=_proposals)
def test_accepted_stand_ins_always_leave_someone_answering(app, admin_client, make, proposals):
    """Reference from the rule: a period is accepted exactly when, with the accepted ones, every
    absent consultant has one stand-in who is not absent that day; nothing accepted breaks that."""
    with app.app_context():
        db.session.execute(delete(StandIn))
        db.session.commit()
        people = list(db.session.scalars(select(User).where(User.role == Role.CONSULTANT)))
    while len(people) < 4:
        people.append(make.user(Role.CONSULTANT))
    people = people[:4]
    accepted: list[tuple[int, int, date, date]] = []

    def fine(periods: list[tuple[int, int, date, date]]) -> bool:
        for day in (_DAY0 + timedelta(n) for n in range(30)):
            covering = [(a, s) for a, s, first, last in periods if first <= day <= last]
            absent = [a for a, _ in covering]
            if len(absent) != len(set(absent)):
                return False  # two stand-ins at once for one consultant
            if any(s in absent for _, s in covering):
                return False  # a stand-in who is away: their schools have nobody
        return True

    for a, s, offset, length in proposals:
        first = _DAY0 + timedelta(offset)
        last = first + timedelta(length)
        candidate = (people[a].id, people[s].id, first, last)
        expected = a != s and fine([*accepted, candidate])
        response = post(
            admin_client,
            "/beheer/vervangingen/nieuw",
            _period(people[a], people[s], first.isoformat(), last.isoformat()),
        )
        assert response.status_code == (302 if expected else 422), (candidate, accepted)
        if expected:
            accepted.append(candidate)


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


def test_official_holidays_are_loaded_in_one_step_and_edits_are_kept(app, admin_client) -> None:
    page = admin_client.get("/beheer/vakanties")
    assert "Officiële vakanties laden" in page.text and "2026-2027, regio Midden" in page.text

    def load(value: str):  # noqa: ANN202  the form of the holidays page
        state = page_state(admin_client.get("/beheer/vakanties").text)
        return admin_client.post(
            "/beheer/vakanties/officieel", data={**state, "year_region": value}
        )

    first = load("2026:midden")
    assert first.status_code == 302
    with app.app_context():
        rows = db.session.scalars(
            select(SchoolHoliday).where(SchoolHoliday.school_year == 2026)
        ).all()
        assert {(h.name, h.start_date, h.end_date) for h in rows} == {
            ("Herfstvakantie", date(2026, 10, 17), date(2026, 10, 25)),
            ("Kerstvakantie", date(2026, 12, 19), date(2027, 1, 3)),
            ("Voorjaarsvakantie", date(2027, 2, 20), date(2027, 2, 28)),
            ("Meivakantie", date(2027, 4, 24), date(2027, 5, 2)),
            ("Zomervakantie", date(2027, 7, 17), date(2027, 8, 29)),
        }
        assert all(h.region == HolidayRegion.MIDDEN for h in rows)
        # A school's margin day: the beheerder edits a loaded holiday.
        autumn = next(h for h in rows if h.name == "Herfstvakantie")
        autumn.end_date = date(2026, 10, 26)
        db.session.commit()
    again = load("2026:midden")
    assert again.status_code == 302
    assert "stonden er al; niets gewijzigd" in admin_client.get("/beheer/vakanties").text
    with app.app_context():
        rows = db.session.scalars(
            select(SchoolHoliday).where(SchoolHoliday.school_year == 2026)
        ).all()
        assert len(rows) == 5
        assert next(h for h in rows if h.name == "Herfstvakantie").end_date == date(2026, 10, 26)
    refused = load("1999:midden")
    assert refused.status_code == 422 and "Not a valid choice" not in refused.text


def test_official_holidays_run_from_saturday_to_sunday() -> None:
    from portal.schools.official_holidays import OFFICIAL_HOLIDAYS

    for regions in OFFICIAL_HOLIDAYS.values():
        for holidays in regions.values():
            for holiday in holidays:
                assert holiday.start_date.weekday() == 5, holiday
                assert holiday.end_date.weekday() == 6, holiday
