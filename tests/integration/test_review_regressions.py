"""Regression tests for problems found in review (each failed before its fix)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from portal.attendance.models import Absence, Signal, SignalKind
from portal.auth.models import Role
from portal.extensions import db
from portal.reports.models import Report, ReportKind, ReportStatus
from tests.conftest import do_login, extract_csrf, fetch

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def login(app, user):  # noqa: ANN201
    client = app.test_client()
    assert do_login(client, user).status_code == 302
    return client


def test_report_is_filed_about_the_pupil_it_was_started_from(app, make, region) -> None:
    twin = make.pupil(region.school_b, pupil_number=region.pupil_a.pupil_number)
    both = make.user(Role.SCHOOL, schools=[region.school_a, region.school_b])
    client = login(app, both)
    page = client.get(f"/meldingen/nieuw?leerling={twin.id}").text
    response = client.post(
        f"/meldingen/nieuw?leerling={twin.id}",
        data={
            "csrf_token": extract_csrf(page),
            "kind": "overig",
            "pupil_number": twin.pupil_number,
            "period_start": "2026-11-16",
            "period_end": "2026-11-20",
            "school_actions": "Gesprek.",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Report.pupil_id)).one() == twin.id
    # Without a starting pupil an ambiguous number is refused, not guessed.
    ambiguous = client.post(
        "/meldingen/nieuw",
        data={
            "csrf_token": extract_csrf(page),
            "kind": "overig",
            "pupil_number": twin.pupil_number,
            "period_start": "2026-11-16",
            "period_end": "2026-11-20",
            "school_actions": "Gesprek.",
        },
    )
    assert "komt op meer van uw scholen voor" in ambiguous.text


def test_a_pupil_is_registered_as_thuiszitter_once(app, make, region) -> None:
    make.thuiszitter(region.pupil_a)
    client = login(app, region.c1)
    token = extract_csrf(client.get(f"/dossier/{region.pupil_a.id}").text)
    response = client.post(
        f"/dossier/{region.pupil_a.id}/thuiszitter",
        data={"csrf_token": token, "tz-start_date": "2026-10-01", "tz-situation": "Weer thuis"},
    )
    assert response.status_code == 422
    assert "staat al als thuiszitter geregistreerd" in response.text


def test_late_arrival_report_keeps_the_last_step_settled(app, make, region) -> None:
    from portal.attendance.signals import recompute_all

    days = [date(2026, 11, d) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12)]
    for day in days:
        make.late_arrival(region.pupil_a, day)
    make.report(region.pupil_a, kind=ReportKind.LATE, period_start=days[0], period_end=days[-1])
    make.late_arrival(region.pupil_a, date(2026, 11, 13))  # a 10th after the report
    with app.app_context():
        recompute_all(db.session, TODAY)
        db.session.commit()
        signal = db.session.scalars(
            select(Signal).where(Signal.kind == SignalKind.LATE_ARRIVALS)
        ).one()
        assert 9 not in signal.detail["due"]


def test_import_commit_checks_rows_again(app, region) -> None:
    client = login(app, region.zorg_a)
    number = region.pupil_a.pupil_number

    def upload(kind: str) -> str:
        token = extract_csrf(client.get("/importeren/").text)
        content = f"Leerlingnummer;Datum;Uren;Soort\n{number};20-11-2026;6;{kind}\n".encode()
        response = client.post(
            "/importeren/",
            data={"csrf_token": token, "kind": "verzuim", "file": (io.BytesIO(content), "v.csv")},
            content_type="multipart/form-data",
        )
        return response.headers["Location"]

    first, second = upload("ziek"), upload("ongeoorloofd")  # each fine on its own
    for location in (first, second):
        token = extract_csrf(client.get(location).text)
        client.post(location, data={"csrf_token": token, "actie": "opslaan"})
    with app.app_context():
        hours = db.session.scalars(select(Absence.hours)).all()
    assert sum(hours) <= 10


def test_unexpected_values_do_not_crash(app, region) -> None:
    client = login(app, region.zorg_a)
    pid = region.pupil_a.id
    token = extract_csrf(client.get("/verzuim/klassenregister").text)
    for hours, original in (("NaN", ""), ("Infinity", ""), ("2", "bestaat-niet")):
        response = client.post(
            f"/verzuim/klassenregister/{pid}",
            headers={"HX-Request": "true"},
            data={
                "csrf_token": token,
                "datum": "2026-11-20",
                f"p{pid}-hours": hours,
                f"p{pid}-kind": "ongeoorloofd",
                f"p{pid}-original_kind": original,
            },
        )
        assert response.status_code in (200, 422), (hours, original)
    page = client.get(f"/leerlingen/{pid}").text
    response = client.post(
        f"/leerlingen/{pid}/verzuim",
        data={
            "csrf_token": extract_csrf(page),
            "verzuim-day": "2026-11-19",
            "verzuim-hours": "NaN",
            "verzuim-kind": "ongeoorloofd",
        },
    )
    assert response.status_code == 422


def test_deadline_notices_do_not_invalidate_open_forms(app, make, region) -> None:
    from portal.reports.services import check_deadlines

    report = make.report(region.pupil_a, filed_on=date(2026, 11, 9))  # overdue
    client = login(app, region.c1)
    page = client.get(f"/meldingen/{report.id}").text
    with app.app_context():
        assert check_deadlines(db.session, TODAY, "https://portal.example") == 1
        db.session.commit()
    response = client.post(
        f"/meldingen/{report.id}/status",
        data={"csrf_token": extract_csrf(page), "target": "in_behandeling", "version": "1"},
    )
    assert response.status_code == 302
    assert fetch(Report, report.id).status == ReportStatus.IN_PROGRESS


def test_report_without_fixed_consultant_reaches_the_senior(app, make, region) -> None:
    from portal.notifications.models import OutboxMail

    orphan_school = make.school(name="School zonder consulent")
    pupil = make.pupil(orphan_school)
    zorg = make.user(Role.SCHOOL, schools=[orphan_school])
    client = login(app, zorg)
    page = client.get("/meldingen/nieuw").text
    client.post(
        "/meldingen/nieuw",
        data={
            "csrf_token": extract_csrf(page),
            "kind": "vraag",
            "pupil_number": pupil.pupil_number,
            "question": "Wie is onze consulent?",
        },
    )
    with app.app_context():
        assert [m.to for m in db.session.scalars(select(OutboxMail))] == [region.senior.email]


def test_inactive_school_is_read_only(app, make, region) -> None:
    from portal.schools.models import School

    batch = make.import_batch(region.zorg_a, region.school_a)
    with app.app_context():
        db.session.get(School, region.school_a.id).active = False
        db.session.commit()
    client = login(app, region.zorg_a)
    assert client.get(f"/leerlingen/{region.pupil_a.id}").status_code == 200  # still readable
    assert client.get(f"/leerlingen/{region.pupil_a.id}/bewerken").status_code == 403
    assert client.get(f"/importeren/{batch.id}").status_code == 404
