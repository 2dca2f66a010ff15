"""Registering absence and late arrivals, and the signals that follow, through the client."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.attendance.models import Absence, AbsenceKind, LateArrival, Signal, SignalKind
from portal.attendance.signals import recompute_all
from portal.extensions import db
from portal.reports.models import ReportKind
from tests.conftest import do_login, extract_csrf, logged_in

TODAY = date(2026, 11, 23)  # Monday


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


@pytest.fixture()
def school(app, region):  # noqa: ANN201
    client = app.test_client()
    do_login(client, region.zorg_a)
    return client


def absence(client, pupil_id: int, **data):  # noqa: ANN201
    token = extract_csrf(client.get(f"/leerlingen/{pupil_id}").text)
    payload = {"day": "2026-11-20", "hours": "2", "kind": "ongeoorloofd"}
    payload.update(data)
    payload = {f"verzuim-{key}": value for key, value in payload.items()}
    payload["csrf_token"] = token
    return client.post(f"/leerlingen/{pupil_id}/verzuim", data=payload)


def register_row(
    client,
    pupil_id: int,
    day: str,
    *,
    hours: str = "",
    kind: str = "ongeoorloofd",
    original: str = "",
    late: bool = False,
    lesson: str = "",
    htmx: bool = True,
):  # noqa: ANN201
    token = extract_csrf(client.get("/verzuim/klassenregister").text)
    p = f"p{pupil_id}-"
    data = {
        "csrf_token": token,
        "datum": day,
        p + "hours": hours,
        p + "kind": kind,
        p + "original_kind": original,
        p + "lesson_hour": lesson,
    }
    if late:
        data[p + "late"] = "y"
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/verzuim/klassenregister/{pupil_id}", data=data, headers=headers)


def rows(app, model, pupil_id):  # noqa: ANN201
    with app.app_context():
        return db.session.scalars(select(model).where(model.pupil_id == pupil_id)).all()


def signals(app, pupil_id):  # noqa: ANN201
    with app.app_context():
        return db.session.scalars(select(Signal).where(Signal.pupil_id == pupil_id)).all()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "2026-11-24"}, "Deze datum ligt in de toekomst."),
        ({"day": "2023-07-03"}, "nog niet ingeschreven"),
        ({"day": "2026-11-21"}, "Op zaterdag is er geen school."),
        ({"day": "2026-05-14"}, "feestdag (Hemelvaartsdag)"),
        ({"hours": "11"}, "Een schooldag heeft hoogstens 10 uur"),
        ({"hours": "0"}, "Vul een aantal uren groter dan 0 in."),
        ({"hours": "1,25"}, "Vul hele of halve uren in"),
        ({"hours": "veel"}, "Vul een aantal uren in, bijvoorbeeld 2 of 1,5."),
    ],
)
def test_bad_absence_input_gets_dutch_message_and_keeps_input(app, school, region, data, message):
    response = absence(school, region.pupil_a.id, cause="Bleef thuis na ruzie", **data)
    assert response.status_code == 422
    assert message in response.text
    assert 'value="Bleef thuis na ruzie"' in response.text
    assert rows(app, Absence, region.pupil_a.id) == []


def test_planned_leave_may_be_in_the_future(app, school, region) -> None:
    response = absence(school, region.pupil_a.id, day="2026-12-01", kind="verlof", hours="6")
    assert response.status_code == 302


def test_school_holiday_is_refused(app, make, school, region) -> None:
    make.holiday(school_year=2026, start_date=date(2026, 10, 17), end_date=date(2026, 10, 25))
    response = absence(school, region.pupil_a.id, day="2026-10-20")
    assert "valt in een schoolvakantie" in response.text


def test_second_registration_of_same_kind_is_never_doubled(app, school, region) -> None:
    assert absence(school, region.pupil_a.id, hours="2").status_code == 302
    again = absence(school, region.pupil_a.id, hours="3")
    assert again.status_code == 422
    assert "staat al 2 uur" in again.text
    # Another kind on the same day is fine, within the day's maximum.
    assert absence(school, region.pupil_a.id, hours="3", kind="ziek").status_code == 302
    too_much = absence(school, region.pupil_a.id, hours="6", kind="schorsing")
    assert "komt deze dag op 11 uur" in too_much.text
    assert sorted(a.hours for a in rows(app, Absence, region.pupil_a.id)) == [2, 3]


def test_register_row_saves_updates_moves_and_removes(app, school, region) -> None:
    pid = region.pupil_a.id
    response = register_row(school, pid, "2026-11-20", hours="2")
    assert response.status_code == 200
    assert "Opgeslagen" in response.text and "<html" not in response.text
    assert [(a.kind, a.hours) for a in rows(app, Absence, pid)] == [(AbsenceKind.ONGEOORLOOFD, 2)]
    register_row(school, pid, "2026-11-20", hours="3", original="ongeoorloofd")
    assert [a.hours for a in rows(app, Absence, pid)] == [3]
    # Changing the kind in the row moves the hours; nothing is counted twice.
    register_row(school, pid, "2026-11-20", hours="3", kind="ziek", original="ongeoorloofd")
    assert [(a.kind, a.hours) for a in rows(app, Absence, pid)] == [(AbsenceKind.ZIEK, 3)]
    register_row(school, pid, "2026-11-20", hours="", kind="ziek", original="ziek")
    assert rows(app, Absence, pid) == []


def test_register_row_records_late_arrival(app, school, region) -> None:
    pid = region.pupil_a.id
    register_row(school, pid, "2026-11-20", late=True, lesson="2")
    assert [(r.day, r.lesson_hour) for r in rows(app, LateArrival, pid)] == [
        (date(2026, 11, 20), 2)
    ]
    register_row(school, pid, "2026-11-20", late=False)
    assert rows(app, LateArrival, pid) == []


def test_register_row_error_keeps_typed_value(app, school, region) -> None:
    response = register_row(school, region.pupil_a.id, "2026-11-20", hours="12")
    assert response.status_code == 422
    assert 'value="12"' in response.text
    assert "hoogstens 10 uur" in response.text
    assert rows(app, Absence, region.pupil_a.id) == []


def test_register_row_without_javascript_redirects_back(app, school, region) -> None:
    response = register_row(school, region.pupil_a.id, "2026-11-20", hours="1", htmx=False)
    assert response.status_code == 302
    assert "/verzuim/klassenregister?" in response.headers["Location"]


def test_register_page_lists_the_class(app, make, school, region) -> None:
    make.pupil(region.school_a, first_name="Kees", last_name="Klasgenoot", class_name="2B")
    make.pupil(region.school_a, first_name="Ander", last_name="Klas", class_name="3C")
    make.pupil(region.school_b, first_name="Niet", last_name="Zichtbaar", class_name="2B")
    html = school.get("/verzuim/klassenregister?klas=2B&datum=2026-11-20").text
    assert "Klasgenoot, Kees" in html and "Klas, Ander" not in html and "Zichtbaar" not in html
    weekend = school.get("/verzuim/klassenregister?klas=2B&datum=2026-11-22").text
    assert "Op zondag is er geen school." in weekend


def test_sixteen_hours_signal_appears_with_the_fourth_day(app, school, region) -> None:
    pid = region.pupil_a.id
    for day in ("2026-11-17", "2026-11-18", "2026-11-19"):
        register_row(school, pid, day, hours="4")
    assert [s.kind for s in signals(app, pid)] == []
    register_row(school, pid, "2026-11-20", hours="4")
    found = signals(app, pid)
    assert [(s.kind, s.start, s.reached_on, s.hours, s.legal_duty) for s in found] == [
        (SignalKind.SIXTEEN_HOURS, date(2026, 11, 17), date(2026, 11, 20), Decimal(16), True)
    ]
    page = school.get("/verzuim/signalen").text
    assert "16 uur ongeoorloofd verzuim" in page and "Wettelijke meldplicht" in page
    assert "uiterlijk 27 november 2026" in page
    # The working: the period (28 days from the first day) and each day's hours.
    assert "Zo is dit geteld" in page
    assert "Periode van 17 november 2026 tot en met 14 december 2026: 28 dagen" in page
    assert "dinsdag 17 november 2026: 4 uur" in page
    # Removing a day takes the signal away again.
    register_row(school, pid, "2026-11-20", hours="", original="ongeoorloofd")
    assert signals(app, pid) == []


def test_signals_are_scoped(app, make, region) -> None:
    for pupil in (region.pupil_a, region.pupil_b):
        for day in (16, 17, 18, 19):
            make.absence(pupil, date(2026, 11, day), hours=4)
    with app.app_context():
        from portal.attendance.signals import recompute_all

        recompute_all(db.session, TODAY)
        db.session.commit()
    for user, visible, hidden in (
        (region.zorg_a, region.pupil_a, region.pupil_b),
        (region.c2, region.pupil_b, region.pupil_a),
    ):
        client = app.test_client()
        do_login(client, user)
        html = client.get("/verzuim/signalen").text
        assert visible.last_name in html and hidden.last_name not in html
    senior = app.test_client()
    do_login(senior, region.senior)
    html = senior.get("/verzuim/signalen").text
    assert region.pupil_a.last_name in html and region.pupil_b.last_name in html


def test_late_arrivals_and_the_3_6_9_steps(app, make, school, region) -> None:
    pid = region.pupil_a.id
    for day in (2, 3, 4):
        make.late_arrival(region.pupil_a, date(2026, 11, day))
    register_row(school, pid, "2026-11-20", late=True)  # the 4th: recompute
    late = [s for s in signals(app, pid) if s.kind == SignalKind.LATE_ARRIVALS]
    assert late and late[0].detail["due"] == [3] and not late[0].resolved
    page = school.get(f"/leerlingen/{pid}").text
    assert "Stap 3 vastleggen" in page and "Ouders informeren" in page
    token = extract_csrf(page)
    future = school.post(
        f"/leerlingen/{pid}/stap",
        data={
            "csrf_token": token,
            "stap-step": "3",
            "stap-taken_on": "2026-11-30",
            "stap-how": "Gebeld",
        },
    )
    assert "Deze datum ligt in de toekomst." in future.text
    wrong = school.post(
        f"/leerlingen/{pid}/stap",
        data={
            "csrf_token": token,
            "stap-step": "6",
            "stap-taken_on": "2026-11-20",
            "stap-how": "Brief",
        },
    )
    assert wrong.status_code == 400
    ok = school.post(
        f"/leerlingen/{pid}/stap",
        data={
            "csrf_token": token,
            "stap-step": "3",
            "stap-taken_on": "2026-11-20",
            "stap-how": "Moeder gebeld",
        },
    )
    assert ok.status_code == 302
    late = [s for s in signals(app, pid) if s.kind == SignalKind.LATE_ARRIVALS]
    assert late[0].resolved
    assert "Moeder gebeld" in school.get(f"/leerlingen/{pid}").text


def test_changing_the_rules_recomputes_signals(app, make, region) -> None:
    for day in (16, 17, 18):
        make.absence(region.pupil_a, date(2026, 11, day), hours=4)
    admin = app.test_client()
    do_login(admin, region.admin)
    token = extract_csrf(admin.get("/beheer/verzuimregels").text)
    response = admin.post(
        "/beheer/verzuimregels",
        data={
            "csrf_token": token,
            "sixteen_hours_threshold": "12",
            "sixteen_hours_weeks": "4",
            "long_absence_weeks": "4",
            "unexplained_days": "2",
            "halt_confirm_hours": "60",
            "max_hours_per_day": "10",
            "late_steps": "3,6,9,12",
            "late_step_actions": "Ouders\nBrief\nMelden\nProces",
            "late_period": "school_year",
        },
    )
    assert response.status_code == 302
    assert [s.kind for s in signals(app, region.pupil_a.id)] == [SignalKind.SIXTEEN_HOURS]
    bad = admin.post(
        "/beheer/verzuimregels",
        data={
            "csrf_token": token,
            "sixteen_hours_threshold": "16",
            "sixteen_hours_weeks": "4",
            "long_absence_weeks": "4",
            "unexplained_days": "2",
            "halt_confirm_hours": "60",
            "max_hours_per_day": "10",
            "late_steps": "3,6,5",
            "late_step_actions": "a\nb\nc",
            "late_period": "school_year",
        },
    )
    assert "De stappen moeten oplopen" in bad.text


def test_timeline_shows_totals(app, make, school, region) -> None:
    make.absence(region.pupil_a, date(2026, 11, 16), hours=2)
    make.absence(region.pupil_a, date(2026, 11, 17), hours=6, kind=AbsenceKind.ZIEK)
    make.late_arrival(region.pupil_a, date(2026, 11, 18))
    html = school.get(f"/leerlingen/{region.pupil_a.id}").text
    assert "Totaal ongeoorloofd: <strong>2 lesuren</strong>" in html
    assert "geoorloofd: 6 lesuren; te laat: 1 keer" in html
    last_year = school.get(f"/leerlingen/{region.pupil_a.id}?schooljaar=2025").text
    assert (
        "Schooljaar 2025-2026" in last_year
        and "Totaal ongeoorloofd: <strong>0 lesuren" in last_year
    )


def test_list_pages_log_which_pupils_were_shown(app, make, region) -> None:
    from portal.audit import AuditAction, AuditEvent

    for day in (16, 17, 18, 19):
        make.absence(region.pupil_b, date(2026, 11, day), hours=4)
    make.stand_in(region.c2, region.c1, TODAY, TODAY)
    with app.app_context():
        from portal.attendance.signals import recompute_all

        recompute_all(db.session, TODAY)
        db.session.commit()
    client = app.test_client()
    do_login(client, region.c1)  # standing in for c2 today
    assert region.pupil_b.last_name in client.get("/verzuim/signalen").text
    school = app.test_client()
    do_login(school, region.zorg_a)
    school.get("/verzuim/klassenregister?klas=2B&datum=2026-11-20")
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.READ).order_by(AuditEvent.id)
        ).all()
    assert [(e.user_id, e.pupil_id, e.acting_for_id, e.detail) for e in events] == [
        (region.c1.id, region.pupil_b.id, region.c2.id, "signalen"),
        (region.zorg_a.id, region.pupil_a.id, None, "klassenregister"),
    ]


def test_late_arrival_report_keeps_the_last_step_settled(app, make, region) -> None:
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


def test_unexpected_values_do_not_crash(app, region) -> None:
    client = logged_in(app, region.zorg_a)
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


def test_signals_page_shows_one_row_per_pupil_and_kind(app, make, school, region) -> None:
    # Three times 16 hours with a school day present in between: three 16-hour signals.
    for week in (2, 9, 16):
        for day in range(week, week + 2):
            make.absence(region.pupil_a, date(2026, 11, day), hours=8)
    with app.app_context():
        recompute_all(db.session, TODAY)
        db.session.commit()
    found = sorted(
        (s for s in signals(app, region.pupil_a.id) if s.kind == SignalKind.SIXTEEN_HOURS),
        key=lambda s: s.reached_on,
    )
    assert [s.reached_on.day for s in found] == [3, 10, 17]
    assert [(s.latest, s.latest_open) for s in found] == [
        (False, False),
        (False, False),
        (True, True),
    ]
    page = school.get("/verzuim/signalen").text
    kinds = {s.kind for s in signals(app, region.pupil_a.id) if not s.resolved}
    assert len(kinds) < len([s for s in signals(app, region.pupil_a.id) if not s.resolved])
    name = f"{region.pupil_a.last_name}, {region.pupil_a.first_name}"
    assert page.count(name) == len(kinds)  # one row per kind (16 hours, the Monday pattern)
    assert "en 2 eerdere vervolgmeldingen, samen 3 open" in page
    assert "Melden bij leerplicht (3 samen)" in page
    # The deadline is that of the earliest open one: 3 November + 5 working days, long past.
    assert "te laat" in page and "(uiterlijk 10 november 2026)" in page
    # One report for the three together: from the first day of the first through the third.
    form = school.get(f"/meldingen/nieuw?signaal={found[-1].id}").text
    assert 'value="2026-11-02"' in form and 'value="2026-11-17"' in form
    token = extract_csrf(form)
    filed = school.post(
        f"/meldingen/nieuw?signaal={found[-1].id}",
        data={
            "csrf_token": token,
            "kind": "zestien_uur",
            "pupil_number": region.pupil_a.pupil_number,
            "period_start": "2026-11-02",
            "period_end": "2026-11-17",
            "school_actions": "Gesprek met ouders op 18-11.",
        },
    )
    assert filed.status_code == 302
    assert all(s.resolved for s in signals(app, region.pupil_a.id) if s.legal_duty)
    assert "uur ongeoorloofd verzuim" not in school.get("/verzuim/signalen").text
    shown = school.get("/verzuim/signalen?afgehandeld=1").text
    assert "en 2 eerdere vervolgmeldingen" in shown and "(gemeld)" in shown


def test_late_arrivals_count_per_lesson(app, school, region) -> None:
    pid = region.pupil_a.id

    def late(day: str, lesson: str):  # noqa: ANN202
        token = extract_csrf(school.get(f"/leerlingen/{pid}").text)
        return school.post(
            f"/leerlingen/{pid}/te-laat",
            data={"csrf_token": token, "telaat-day": day, "telaat-lesson_hour": lesson},
        )

    assert late("2026-11-20", "1").status_code == 302
    assert late("2026-11-20", "4").status_code == 302  # a second lesson the same day counts
    again = late("2026-11-20", "4")
    assert again.status_code == 422
    assert "al als te laat in lesuur 4" in again.text
    assert late("2026-11-19", "").status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(LateArrival).where(LateArrival.pupil_id == pid)).all()
        assert sorted((r.day.day, r.lesson_hour or 0) for r in rows) == [(19, 0), (20, 1), (20, 4)]
    [signal] = [s for s in signals(app, pid) if s.kind == SignalKind.LATE_ARRIVALS]
    assert signal.detail["count"] == 3 and signal.detail["reached"] == [3]
    # Unticking "te laat" in the class register takes the day's late arrivals away.
    register_row(school, pid, "2026-11-20", late=False)
    with app.app_context():
        assert (
            db.session.scalar(
                select(LateArrival).where(
                    LateArrival.pupil_id == pid, LateArrival.day == date(2026, 11, 20)
                )
            )
            is None
        )


def test_absence_not_explained_yet_is_no_legal_signal_until_the_term_passes(
    app, make, school, region, monkeypatch
) -> None:
    pid = region.pupil_a.id
    # The class register proposes "nog niet verantwoord" for a new row.
    page = school.get("/verzuim/klassenregister").text
    assert 'value="onverantwoord" selected' in page
    for day in ("2026-11-20", "2026-11-23"):
        register_row(school, pid, day, hours="8", kind="onverantwoord")
    found = signals(app, pid)
    assert [s.kind for s in found] == [SignalKind.UNEXPLAINED]  # no 16-hour duty yet
    assert found[0].hours == Decimal(16) and not found[0].legal_duty
    html = school.get("/verzuim/signalen").text
    assert "16 uur nog niet verantwoord" in html
    # Friday counts from Tuesday (two school days on), Monday from Wednesday 25 November.
    assert "vanaf 24 november 2026 als ongeoorloofd" in html
    monkeypatch.setattr("portal.calendar.today", lambda: date(2026, 11, 25))
    with app.app_context():
        recompute_all(db.session, date(2026, 11, 25))
        db.session.commit()
    kinds = {s.kind for s in signals(app, pid)}
    assert SignalKind.SIXTEEN_HOURS in kinds and SignalKind.UNEXPLAINED not in kinds
    sixteen = next(s for s in signals(app, pid) if s.kind == SignalKind.SIXTEEN_HOURS)
    assert (sixteen.start, sixteen.reached_on) == (date(2026, 11, 20), date(2026, 11, 23))
    # Explained as ill in time: no signal at all.
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)
    for day in ("2026-11-20", "2026-11-23"):
        register_row(school, pid, day, hours="8", kind="ziek", original="onverantwoord")
    assert [s.kind for s in signals(app, pid)] == []
