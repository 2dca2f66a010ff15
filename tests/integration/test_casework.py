"""Casework: actions, SMA referrals, follow-ups, closing - and nothing internal for the school."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.audit import AuditAction, AuditEvent
from portal.casework.models import ActionKind, CaseAction, SmaReferral, SmaStatus
from portal.extensions import db
from portal.reports.models import Report, ReportStatus
from tests.conftest import do_login, extract_csrf, fetch

TODAY = date(2026, 11, 23)
SECRET_NOTE = "Vader drinkt; dit blijft intern"
SECRET_SMA = "Onderbouwing arts: angststoornis"


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def login(app, user):  # noqa: ANN201
    client = app.test_client()
    assert do_login(client, user).status_code == 302
    return client


def test_consultant_records_actions_and_referral(app, region) -> None:
    consultant = login(app, region.c1)
    page = consultant.get(f"/dossier/{region.pupil_a.id}").text
    token = extract_csrf(page)
    response = consultant.post(
        f"/dossier/{region.pupil_a.id}/actie",
        data={
            "csrf_token": token,
            "kind": "gesprek_ouders",
            "day": "2026-11-20",
            "body": SECRET_NOTE,
            "follow_up_on": "2026-11-25",
        },
    )
    assert response.status_code == 302
    response = consultant.post(
        f"/dossier/{region.pupil_a.id}/sma",
        data={
            "csrf_token": token,
            "sma-reason": "plan_niet_nagekomen",
            "sma-requested_on": "2026-11-20",
            "sma-status": "aangevraagd",
            "sma-outcome": "",
        },
    )
    assert response.status_code == 302
    html = consultant.get(f"/dossier/{region.pupil_a.id}").text
    assert SECRET_NOTE in html and "Afspraak uiterlijk 4 december 2026" in html
    follow = consultant.get("/dossier/opvolging").text
    assert "Gesprek met de ouders" in follow and region.pupil_a.last_name in follow
    with app.app_context():
        reads = db.session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.action == AuditAction.READ, AuditEvent.user_id == region.c1.id
            )
        ).all()
    assert "dossier" in reads


def test_halt_and_pv_not_under_12(app, make, region) -> None:
    young = make.pupil(region.school_a, date_of_birth=date(2015, 6, 1))
    consultant = login(app, region.c1)
    token = extract_csrf(consultant.get(f"/dossier/{young.id}").text)
    response = consultant.post(
        f"/dossier/{young.id}/actie",
        data={"csrf_token": token, "kind": "halt", "day": "2026-11-20", "body": "x"},
    )
    assert response.status_code == 422
    assert "pas mogelijk vanaf 12 jaar" in response.text


def test_halt_with_many_hours_needs_confirmation(app, make, region) -> None:
    for day in range(2, 21):
        if date(2026, 11, day).weekday() < 5:
            make.absence(region.pupil_a, date(2026, 11, day), hours=5)
    consultant = login(app, region.c1)
    token = extract_csrf(consultant.get(f"/dossier/{region.pupil_a.id}").text)
    data = {"csrf_token": token, "kind": "halt", "day": "2026-11-20", "body": "Halt"}
    first = consultant.post(f"/dossier/{region.pupil_a.id}/actie", data=data)
    assert first.status_code == 422 and "bevestig als u toch naar Halt verwijst" in first.text
    second = consultant.post(f"/dossier/{region.pupil_a.id}/actie", data={**data, "confirm": "y"})
    assert second.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(CaseAction.kind)).all() == [ActionKind.HALT]


def test_referral_update_and_outcome_required(app, make, region) -> None:
    referral = make.sma_referral(region.pupil_a)
    consultant = login(app, region.c1)
    token = extract_csrf(consultant.get(f"/dossier/sma/{referral.id}").text)
    data = {
        "csrf_token": token,
        "sma-version": "1",
        "sma-reason": "zorgteam_oneens",
        "sma-requested_on": "2026-11-02",
        "sma-status": "advies_ontvangen",
        "sma-outcome": "",
        "sma-advice_on": "2026-11-20",
    }
    bad = consultant.post(f"/dossier/sma/{referral.id}", data=data)
    assert "Vul de uitkomst van het advies in." in bad.text
    ok = consultant.post(
        f"/dossier/sma/{referral.id}",
        data={**data, "sma-outcome": "onvoldoende_reden", "sma-cost": "590"},
    )
    assert ok.status_code == 302
    stored = fetch(SmaReferral, referral.id)
    assert stored.status == SmaStatus.ADVICE and stored.cost == 590


def test_referral_of_another_school_is_404(app, make, region) -> None:
    referral = make.sma_referral(region.pupil_b)
    assert login(app, region.c1).get(f"/dossier/sma/{referral.id}").status_code == 404
    assert login(app, region.c2).get(f"/dossier/sma/{referral.id}").status_code == 200


def test_school_never_sees_internal_casework(app, make, region) -> None:
    report = make.report(
        region.pupil_a, status=ReportStatus.IN_PROGRESS, first_reaction_on=date(2026, 11, 17)
    )
    make.case_action(region.pupil_a, region.c1, body=SECRET_NOTE, report_id=report.id)
    make.sma_referral(region.pupil_a, justification=SECRET_SMA)
    school = login(app, region.zorg_a)
    for path in (
        "/",
        f"/leerlingen/{region.pupil_a.id}",
        "/verzuim/signalen",
        "/meldingen/",
        f"/meldingen/{report.id}",
        "/berichten/",
    ):
        html = school.get(path).text
        for secret in (SECRET_NOTE, SECRET_SMA, "SMA", "Dossier", "/dossier/"):
            assert secret not in html, (path, secret)
    assert school.get(f"/dossier/{region.pupil_a.id}").status_code == 403
    assert school.get("/dossier/opvolging").status_code == 403


def test_closing_with_a_result_and_a_message_for_the_school(app, make, region) -> None:
    report = make.report(region.pupil_a, status=ReportStatus.IN_PROGRESS)
    consultant = login(app, region.c1)
    page = consultant.get(f"/meldingen/{report.id}").text
    response = consultant.post(
        f"/meldingen/{report.id}/status",
        data={
            "csrf_token": extract_csrf(page),
            "target": "afgesloten",
            "version": "1",
            "result": "waarschuwing",
            "message": "Officiële waarschuwing gegeven aan de ouders.",
        },
    )
    assert response.status_code == 302
    stored = fetch(Report, report.id)
    assert stored.status == ReportStatus.CLOSED
    html = login(app, region.zorg_a).get(f"/meldingen/{report.id}").text
    assert "Afgesloten: Waarschuwing" in html
    assert "Officiële waarschuwing gegeven aan de ouders." in html


def test_thuiszitter_from_start_to_back_at_school(app, make, region) -> None:
    from portal.casework.models import Thuiszitter, ThuiszitterEnd

    consultant = login(app, region.c1)
    token = extract_csrf(consultant.get(f"/dossier/{region.pupil_a.id}").text)
    future = consultant.post(
        f"/dossier/{region.pupil_a.id}/thuiszitter",
        data={
            "csrf_token": token,
            "tz-start_date": "2026-12-01",
            "tz-enrolled": "y",
            "tz-situation": "Angst",
        },
    )
    assert "Deze datum ligt in de toekomst." in future.text
    consultant.post(
        f"/dossier/{region.pupil_a.id}/thuiszitter",
        data={
            "csrf_token": token,
            "tz-start_date": "2026-08-20",
            "tz-enrolled": "y",
            "tz-situation": "Angstklachten sinds de zomer",
        },
    )
    with app.app_context():
        item_id = db.session.scalars(select(Thuiszitter.id)).one()
    consultant.post(
        f"/dossier/thuiszitter/{item_id}/actietafel",
        data={
            "csrf_token": token,
            "at-day": "2026-11-10",
            "at-participants": "Ouders, school, GGZ",
            "at-plan": "Opbouw: twee ochtenden per week",
        },
    )
    early = consultant.post(
        f"/dossier/thuiszitter/{item_id}/einde",
        data={
            "csrf_token": token,
            "eind-version": "1",
            "eind-end_date": "2026-08-01",
            "eind-end_reason": "terug_naar_school",
        },
    )
    assert "De einddatum ligt vóór de startdatum." in early.text
    consultant.post(
        f"/dossier/thuiszitter/{item_id}/einde",
        data={
            "csrf_token": token,
            "eind-version": "1",
            "eind-end_date": "2026-11-20",
            "eind-end_reason": "terug_naar_school",
        },
    )
    stored = fetch(Thuiszitter, item_id)
    assert stored.end_reason == ThuiszitterEnd.BACK_TO_SCHOOL
    html = consultant.get("/dossier/thuiszitters").text
    assert "Twee ochtenden" not in html  # the overview lists, the file holds the plan
    assert region.pupil_a.last_name in html and "Terug naar school" in html
    counts = html[html.index("<tbody") : html.index("</tbody>")]
    assert counts.count(">1<") >= 2 and ">0<" in counts  # new 1, back 1, at start 0
    assert "Opbouw: twee ochtenden per week" in consultant.get(f"/dossier/{region.pupil_a.id}").text


def test_thuiszitters_are_paged_and_counted_over_all_pages(app, make, region, login) -> None:
    """The annual counts cover every thuiszitter in scope, the list shows 25 a page."""
    for n in range(27):
        pupil = make.pupil(region.school_a, last_name=f"Thuis {n:02d}")
        make.thuiszitter(pupil, start_date=date(2025, 6, 2) if n < 3 else date(2026, 9, 1))
    client = app.test_client()
    login(client, region.c1)
    first = client.get("/dossier/thuiszitters").text
    counts = first[first.index("<tbody") : first.index("</tbody>")]
    assert ">3<" in counts and ">24<" in counts  # at the start 3, new 24
    assert "Thuiszitters dit schooljaar: 27 (pagina 1 van 2)" in first
    assert "Thuis 00" in first and "Thuis 26" not in first
    second = client.get("/dossier/thuiszitters?pagina=2").text
    assert "Thuis 26" in second and "Thuis 00" not in second


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


def test_a_stored_date_at_the_end_of_time_does_not_break_the_lists(app, region, make) -> None:
    """A referral dated 9999-12-31 (stored before the forms bounded dates, or by hand) made
    every consultant's follow-up list answer 500: its deadline lies past ``date.max``."""
    make.sma_referral(region.pupil_a, requested_on=date(9999, 12, 31))
    make.sma_referral(region.pupil_b, requested_on=date(1, 1, 1))
    for user in (region.c1, region.senior):
        client = login(app, user)
        for path in ("/dossier/opvolging", f"/dossier/{region.pupil_a.id}", "/"):
            assert client.get(path).status_code == 200, (user.name, path)
