"""Overstap: lists, tables, agreements, outcomes, exports, figures - and the swv role that sees
transition data only, for its own partnership."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.audit import AuditAction, AuditEvent
from portal.extensions import db
from portal.pupils.models import Programme
from portal.reports.models import Report, ReportKind
from portal.transition.models import (
    ApplicationStatus,
    Outcome,
    Party,
    TableRound,
    TransitionAgreement,
    TransitionEntry,
)
from tests.conftest import do_login, extract_csrf, fetch

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def login(app, user):  # noqa: ANN201
    client = app.test_client()
    assert do_login(client, user).status_code == 302
    return client


def final_year(make, school, **kw):  # noqa: ANN001, ANN201
    kw.setdefault("year", 4)
    kw.setdefault("programme", Programme.VMBO_KB)
    kw.setdefault("class_name", "4K")
    return make.pupil(school, **kw)


def count(app, model, *where) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- Putting pupils on the list ----------------------------------------------------------------


def test_school_puts_a_final_year_pupil_on_the_list(app, make, region) -> None:
    pupil = final_year(make, region.school_a, last_name="Overstap")
    client = login(app, region.zorg_a)
    page = client.get("/overstap/toevoegen").text
    assert "Overstap, Leerling" in page and region.pupil_a.last_name not in page  # 2nd year
    response = client.post(
        "/overstap/toevoegen",
        data={
            "csrf_token": extract_csrf(page),
            "pupil_id": pupil.id,
            "risks": ["geen_aanmelding", "verzuim"],
            "application_status": "geen_aanmelding",
            "mbo_institution": "Da Vinci College",
            "coach_id": region.swv_user.id,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalars(select(TransitionEntry)).one()
        assert entry.school_year == 2026 and entry.school_id == region.school_a.id
        assert {r.value for r in entry.risk_reasons} == {"geen_aanmelding", "verzuim"}
        assert entry.coach_id == region.swv_user.id
        assert db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.action == AuditAction.CREATE,
                AuditEvent.object_type == "transition_entry",
                AuditEvent.pupil_id == pupil.id,
            )
        )
    assert "Overstap, Leerling" in client.get("/overstap/").text


def test_pupil_not_in_final_year_or_other_school_is_refused_with_input_kept(
    app, make, region
) -> None:
    client = login(app, region.zorg_a)
    token = extract_csrf(client.get("/overstap/toevoegen").text)
    data = {
        "csrf_token": token,
        "pupil_id": region.pupil_a.id,  # second year, no programme
        "risks": ["twijfel_keuze"],
        "application_status": "aanmelding_ontvangen",
        "mbo_institution": "Albeda Zorgcollege",
    }
    response = client.post("/overstap/toevoegen", data=data)
    assert response.status_code == 422
    assert "niet in het laatste leerjaar" in response.text
    assert 'value="Albeda Zorgcollege"' in response.text
    assert re.search(r"<input checked[^>]*value=\"twijfel_keuze\"", response.text)
    other = final_year(make, region.school_b)
    response = client.post("/overstap/toevoegen", data={**data, "pupil_id": other.id})
    assert response.status_code == 422
    assert "niet ingeschreven op uw school" in response.text
    response = client.post("/overstap/toevoegen", data={**data, "risks": []})
    assert response.status_code == 422 and "Kies minstens één risico" in response.text
    assert count(app, TransitionEntry) == 0


def test_coach_from_another_partnership_is_refused(app, make, region) -> None:
    pupil = final_year(make, region.school_a)
    stranger = make.user(region.swv_user.role, partnership=region.swv_b)
    client = login(app, region.zorg_a)
    token = extract_csrf(client.get("/overstap/toevoegen").text)
    response = client.post(
        "/overstap/toevoegen",
        data={
            "csrf_token": token,
            "pupil_id": pupil.id,
            "risks": ["geen_aanmelding"],
            "application_status": "geen_aanmelding",
            "coach_id": stranger.id,
        },
    )
    assert response.status_code == 422 and "overstapcoach van het samenwerkingsverband" in (
        response.text
    )


def test_bulk_add_is_all_or_nothing_with_a_reason_per_number(app, make, region) -> None:
    ok = final_year(make, region.school_a, pupil_number="40001")
    second_year = make.pupil(region.school_a, pupil_number="40002", year=2)
    client = login(app, region.zorg_a)
    token = extract_csrf(client.get("/overstap/toevoegen").text)
    response = client.post(
        "/overstap/toevoegen/meerdere",
        data={
            "csrf_token": token,
            "bulk-school_id": region.school_a.id,
            "bulk-pupil_numbers": "40001\n40002\n99999\n",
        },
    )
    assert response.status_code == 422
    assert "40002: Deze leerling zit niet in het laatste leerjaar" in response.text
    assert "99999: geen leerling van School A" in response.text
    assert "40001\n40002\n99999" in response.text  # what was typed stays
    assert count(app, TransitionEntry) == 0
    response = client.post(
        "/overstap/toevoegen/meerdere",
        data={"csrf_token": token, "bulk-school_id": region.school_a.id,
              "bulk-pupil_numbers": "40001"},
    )  # fmt: skip
    assert response.status_code == 302
    assert count(app, TransitionEntry, TransitionEntry.pupil_id == ok.id) == 1
    assert count(app, TransitionEntry, TransitionEntry.pupil_id == second_year.id) == 0
    # The same pupil twice is refused.
    response = client.post(
        "/overstap/toevoegen/meerdere",
        data={"csrf_token": token, "bulk-school_id": region.school_a.id,
              "bulk-pupil_numbers": "40001"},
    )  # fmt: skip
    assert response.status_code == 422 and "staat al op de overstaplijst" in response.text


def test_school_may_remove_an_entry_only_before_it_was_discussed(app, make, region) -> None:
    entry = make.transition_entry(final_year(make, region.school_a))
    discussed = make.transition_entry(
        final_year(make, region.school_a), first_discussed_on=date(2026, 11, 2)
    )
    client = login(app, region.zorg_a)
    token = extract_csrf(client.get(f"/overstap/leerling/{entry.id}").text)
    client.post(f"/overstap/leerling/{discussed.id}/verwijderen", data={"csrf_token": token})
    client.post(f"/overstap/leerling/{entry.id}/verwijderen", data={"csrf_token": token})
    assert fetch(TransitionEntry, entry.id) is None
    assert fetch(TransitionEntry, discussed.id) is not None


# --- The table -----------------------------------------------------------------------------------


def test_swv_schedules_a_table_for_schools_of_its_own_partnership(app, make, region) -> None:
    client = login(app, region.swv_user)
    page = client.get("/overstap/tafels/nieuw").text
    assert "School A" in page and "School B" not in page
    token = extract_csrf(page)
    data = {"csrf_token": token, "round": "voorjaar", "held_on": "2027-03-18",
            "starts_at": "14:00", "location": "Stadskantoor"}  # fmt: skip
    refused = client.post("/overstap/tafels/nieuw", data={**data, "schools": [region.school_b.id]})
    assert refused.status_code == 422
    response = client.post("/overstap/tafels/nieuw", data={**data, "schools": [region.school_a.id]})
    assert response.status_code == 302
    assert "Eerste tafel (voorjaar)" in client.get("/overstap/tafels").text
    # The school sees the table of its school; the other partnership's staff do not.
    assert "donderdag 18 maart 2027" in login(app, region.zorg_a).get("/overstap/tafels").text
    assert "18 maart 2027" not in login(app, region.zorg_b).get("/overstap/tafels").text


def test_first_table_agenda_is_pupils_without_application_later_tables_all_open(
    app, make, region
) -> None:
    without = make.transition_entry(final_year(make, region.school_a, last_name="Qzonder"))
    applied = make.transition_entry(
        final_year(make, region.school_a, last_name="Qaangemeld"),
        application_status=ApplicationStatus.RECEIVED,
    )
    done = make.transition_entry(
        final_year(make, region.school_a, last_name="Qklaar"),
        application_status=ApplicationStatus.ENROLLED,
        first_discussed_on=date(2026, 10, 1),
        outcome=Outcome.STARTED_MBO,
        outcome_on=date(2026, 10, 1),
    )
    first = make.transition_table(region.swv_a, [region.school_a])
    second = make.transition_table(region.swv_a, [region.school_a], round=TableRound.BEFORE_SUMMER)
    client = login(app, region.c1)
    agenda = client.get(f"/overstap/tafels/{first.id}").text
    assert "Qzonder" in agenda and "Qaangemeld" not in agenda and "Qklaar" not in agenda
    agenda = client.get(f"/overstap/tafels/{second.id}").text
    assert "Qzonder" in agenda and "Qaangemeld" in agenda and "Qklaar" not in agenda
    printable = client.get(f"/overstap/tafels/{second.id}/agenda").text
    assert "Qzonder" in printable and "Vertrouwelijk" in printable
    assert without.id and applied.id and done.id


def test_table_with_several_schools_takes_them_one_at_a_time(app, make, region) -> None:
    school_d = make.school(name="Aa-school D", partnership=region.swv_a, fixed_consultant=region.c1)
    make.transition_entry(final_year(make, region.school_a, last_name="Qvan-a"))
    make.transition_entry(final_year(make, school_d, last_name="Qvan-d"))
    make.transition_entry(final_year(make, school_d, last_name="Qook-d"))
    table = make.transition_table(region.swv_a, [region.school_a, school_d])
    client = login(app, region.swv_user)
    page = client.get(f"/overstap/tafels/{table.id}").text
    # The schools by name with their numbers; the first one's pupils on the page.
    assert page.index("Aa-school D (2)") < page.index("School A (1)")
    assert "Agenda van Aa-school D: 2 leerlingen" in page
    assert "Qvan-d" in page and "Qook-d" in page and "Qvan-a" not in page
    other = client.get(f"/overstap/tafels/{table.id}?school={region.school_a.id}").text
    assert "Agenda van School A: 1 leerling" in other and "Qvan-a" in other
    assert "Qvan-d" not in other and 'aria-current="page">School A (1)' in other
    # A school that is not at this table falls back to the first one.
    assert "Qvan-d" in client.get(f"/overstap/tafels/{table.id}?school={region.school_b.id}").text
    printable = client.get(f"/overstap/tafels/{table.id}/agenda").text
    assert all(name in printable for name in ("Qvan-a", "Qvan-d", "Qook-d"))
    # The school sees its own pupils only, and no list of the other school.
    school_view = login(app, region.zorg_a).get(f"/overstap/tafels/{table.id}").text
    assert "Qvan-a" in school_view and "Qvan-d" not in school_view
    assert "Aa-school D (" not in school_view


def test_long_agenda_is_taken_in_parts(app, make, region) -> None:
    for n in range(31):
        make.transition_entry(final_year(make, region.school_a, last_name=f"Qdeel{n:02d}"))
    table = make.transition_table(region.swv_a, [region.school_a])
    client = login(app, region.swv_user)
    first = client.get(f"/overstap/tafels/{table.id}").text
    assert "Agenda: 31 leerlingen, 1 tot en met 30" in first
    assert "Qdeel00" in first and "Qdeel29" in first and "Qdeel30" not in first
    second = client.get(f"/overstap/tafels/{table.id}?pagina=2").text
    assert "31 tot en met 31" in second and "Qdeel30" in second and "Qdeel00" not in second
    printable = client.get(f"/overstap/tafels/{table.id}/agenda").text
    assert "Qdeel00" in printable and "Qdeel30" in printable


def test_swv_records_status_and_agreement_which_reach_each_party(app, make, region) -> None:
    entry = make.transition_entry(final_year(make, region.school_a, last_name="Tafel"))
    table = make.transition_table(region.swv_a, [region.school_a])
    coach = login(app, region.swv_user)
    page = coach.get(f"/overstap/tafels/{table.id}").text
    due = TODAY + timedelta(days=14)
    response = coach.post(
        f"/overstap/tafels/{table.id}/leerling/{entry.id}",
        data={
            "csrf_token": extract_csrf(page),
            f"p{entry.id}-version": "1",
            f"p{entry.id}-application_status": "aanmelding_ontvangen",
            f"p{entry.id}-note": "Aangemeld bij Da Vinci, intake volgt.",
            f"p{entry.id}-description": "Intakegesprek samen voorbereiden",
            f"p{entry.id}-party": "overstapcoach",
            f"p{entry.id}-due_on": due.isoformat(),
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "Opgeslagen" in response.text
    stored = fetch(TransitionEntry, entry.id)
    assert stored.application_status == ApplicationStatus.RECEIVED
    assert stored.first_discussed_on == table.held_on
    todo = coach.get("/overstap/afspraken").text
    assert "Intakegesprek samen voorbereiden" in todo and "Tafel" in todo
    # The consultant sees it for their school; the school's own to-do list holds only the
    # school's agreements.
    consultant = login(app, region.c1).get(f"/overstap/leerling/{entry.id}").text
    assert "Intakegesprek samen voorbereiden" in consultant and "Overstapcoach" in consultant
    assert "Intakegesprek" not in login(app, region.zorg_a).get("/overstap/afspraken").text
    # Ticking it off removes it from the open list.
    agreement = db_first(app, TransitionAgreement)
    coach.post(
        f"/overstap/afspraak/{agreement.id}/klaar",
        data={"csrf_token": extract_csrf(todo), "terug": "taken"},
    )
    assert fetch(TransitionAgreement, agreement.id).done_on == TODAY
    assert "Intakegesprek" not in coach.get("/overstap/afspraken").text
    assert "Intakegesprek" in coach.get("/overstap/afspraken?weergave=klaar").text


def db_first(app, model):  # noqa: ANN001, ANN201
    with app.app_context():
        obj = db.session.scalars(select(model)).first()
        db.session.expunge_all()
        return obj


def test_agreement_in_the_past_and_incomplete_agreement_are_refused(app, make, region) -> None:
    entry = make.transition_entry(final_year(make, region.school_a))
    table = make.transition_table(region.swv_a, [region.school_a])
    client = login(app, region.c1)
    token = extract_csrf(client.get(f"/overstap/leerling/{entry.id}").text)
    response = client.post(
        f"/overstap/leerling/{entry.id}/afspraak",
        data={
            "csrf_token": token,
            "afspraak-description": "Huisbezoek",
            "afspraak-party": "leerplicht",
            "afspraak-due_on": "2026-11-01",
        },
    )
    assert response.status_code == 422
    assert "Deze datum ligt in het verleden" in response.text
    assert 'value="Huisbezoek"' in response.text
    response = client.post(
        f"/overstap/tafels/{table.id}/leerling/{entry.id}",
        data={
            "csrf_token": token,
            f"p{entry.id}-version": "1",
            f"p{entry.id}-application_status": "geen_aanmelding",
            f"p{entry.id}-description": "Bellen",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Kies wie de afspraak uitvoert" in response.text
    assert "Vul de datum in waarop de afspraak klaar moet zijn" in response.text
    assert fetch(TransitionEntry, entry.id).first_discussed_on is None
    assert count(app, TransitionAgreement) == 0


def test_table_in_the_future_or_completed_takes_no_discussion(app, make, region) -> None:
    entry = make.transition_entry(final_year(make, region.school_a))
    future = make.transition_table(region.swv_a, [region.school_a], held_on=date(2027, 3, 1))
    client = login(app, region.swv_user)
    page = client.get(f"/overstap/tafels/{future.id}").text
    assert "leg besprekingen vast op of na die dag" in page
    response = client.post(
        f"/overstap/tafels/{future.id}/leerling/{entry.id}",
        data={"csrf_token": extract_csrf(page), f"p{entry.id}-version": "1",
              f"p{entry.id}-application_status": "aanmelding_ontvangen"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 422
    assert fetch(TransitionEntry, entry.id).application_status == ApplicationStatus.NONE


def test_stale_form_does_not_overwrite_a_newer_status(app, make, region) -> None:
    entry = make.transition_entry(final_year(make, region.school_a), version=3)
    table = make.transition_table(region.swv_a, [region.school_a])
    client = login(app, region.swv_user)
    token = extract_csrf(client.get(f"/overstap/tafels/{table.id}").text)
    response = client.post(
        f"/overstap/tafels/{table.id}/leerling/{entry.id}",
        data={"csrf_token": token, f"p{entry.id}-version": "2",
              f"p{entry.id}-application_status": "ingetrokken"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 409 and "heeft dit intussen gewijzigd" in response.text
    assert fetch(TransitionEntry, entry.id).application_status == ApplicationStatus.NONE


# --- Outcomes ------------------------------------------------------------------------------------


def test_outcome_needs_a_discussion_first(app, make, region) -> None:
    entry = make.transition_entry(final_year(make, region.school_a))
    client = login(app, region.zorg_a)
    token = extract_csrf(client.get(f"/overstap/leerling/{entry.id}").text)
    response = client.post(
        f"/overstap/leerling/{entry.id}/uitkomst",
        data={"csrf_token": token, "uitkomst-version": "1", "uitkomst-outcome": "werk",
              "uitkomst-outcome_on": "2026-11-20", "uitkomst-outcome_note": "Bij de bakker"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "nog niet aan een overstaptafel besproken" in response.text
    assert "Bij de bakker" in response.text
    assert fetch(TransitionEntry, entry.id).outcome is None


def test_handover_to_leerplicht_files_one_report_in_the_consultants_inbox(
    app, make, region
) -> None:
    pupil = final_year(make, region.school_a, last_name="Overdracht")
    entry = make.transition_entry(pupil, first_discussed_on=date(2026, 10, 15))
    make.transition_agreement(entry, description="Gezin bellen", party=Party.LEERPLICHT)
    client = login(app, region.swv_user)
    token = extract_csrf(client.get(f"/overstap/leerling/{entry.id}").text)
    data = {"csrf_token": token, "uitkomst-version": "1", "uitkomst-outcome": "leerplicht",
            "uitkomst-outcome_on": "2026-11-20",
            "uitkomst-outcome_note": "Geen plek gevonden"}  # fmt: skip
    assert client.post(f"/overstap/leerling/{entry.id}/uitkomst", data=data).status_code == 302
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert report.kind == ReportKind.DROPOUT and report.pupil_id == pupil.id
        assert report.assigned_consultant_id == region.c1.id
        assert "Overgedragen vanuit de overstaptafel" in report.school_actions
        assert "Gezin bellen" in report.school_actions
    stored = fetch(TransitionEntry, entry.id)
    assert stored.outcome == Outcome.HANDED_OVER and stored.handover_report_id == report.id
    inbox = login(app, region.c1).get("/meldingen/").text
    assert "Overdracht" in inbox
    # A second save of the same outcome does not file a second report.
    data["uitkomst-version"] = str(stored.version)
    client.post(f"/overstap/leerling/{entry.id}/uitkomst", data=data)
    assert count(app, Report) == 1
    # The swv staff member does not see the report itself.
    page = client.get(f"/overstap/leerling/{entry.id}").text
    assert "Melding bij leerplicht" not in page and "/meldingen/" not in page
    assert client.get(f"/meldingen/{report.id}").status_code == 403


def test_pupils_without_outcome_on_1_october_are_flagged(app, make, region) -> None:
    make.transition_entry(final_year(make, region.school_a, last_name="Zonderuitkomst"),
                          school_year=2025)  # fmt: skip
    client = login(app, region.zorg_a)
    page = client.get("/overstap/?jaar=2025&weergave=zonder_uitkomst").text
    assert "Zonderuitkomst" in page and "Geen uitkomst op 1 oktober" in page


# --- Access: swv sees transition data only, for its own partnership ------------------------------


def test_swv_sees_its_partnership_only_and_no_absence_data(app, make, region) -> None:
    mine = make.transition_entry(final_year(make, region.school_a, last_name="Eigen"))
    theirs = make.transition_entry(final_year(make, region.school_b, last_name="Ander"))
    other_table = make.transition_table(region.swv_b, [region.school_b])
    client = login(app, region.swv_user)
    listing = client.get("/overstap/").text
    assert "Eigen" in listing and "Ander" not in listing
    assert client.get(f"/overstap/leerling/{theirs.id}").status_code == 404
    assert client.get(f"/overstap/tafels/{other_table.id}").status_code == 404
    assert "Ander" not in client.get("/overstap/export.csv").text
    page = client.get(f"/overstap/leerling/{mine.id}").text
    assert "Leerlingkaart" not in page and "/leerlingen/" not in page
    for path in (f"/leerlingen/{mine.pupil_id}", "/meldingen/", f"/dossier/{mine.pupil_id}",
                 "/verzuim/signalen"):  # fmt: skip
        assert client.get(path).status_code == 403, path
    # A consultant of another school and the other partnership's school see nothing of it.
    assert login(app, region.c2).get(f"/overstap/leerling/{mine.id}").status_code == 404
    assert login(app, region.zorg_b).get(f"/overstap/leerling/{mine.id}").status_code == 404
    # The read was logged against the pupil.
    with app.app_context():
        assert db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.object_type == "transition_entry",
                AuditEvent.pupil_id == mine.pupil_id,
                AuditEvent.user_id == region.swv_user.id,
            )
        )


def test_swv_without_partnership_sees_nothing(app, make, region) -> None:
    make.transition_entry(final_year(make, region.school_a, last_name="Geheim"))
    loose = make.user(region.swv_user.role)
    client = login(app, loose)
    assert "Geheim" not in client.get("/overstap/").text
    assert client.get("/overstap/tafels/nieuw").status_code == 403


# --- Exports and figures -------------------------------------------------------------------------


def test_exports_hold_the_list_and_are_logged(app, make, region) -> None:
    make.transition_entry(final_year(make, region.school_a, last_name="Export"),
                          mbo_institution="Albeda")  # fmt: skip
    client = login(app, region.c1)
    csv_response = client.get(f"/overstap/export.csv?jaar=2026&school={region.school_a.id}")
    assert csv_response.headers["Content-Disposition"].endswith('.csv"')
    text = csv_response.data.decode("utf-8")
    assert text.startswith("\ufeffSchool;Leerlingnummer;Achternaam")
    assert "Export" in text and "Albeda" in text
    xlsx = client.get("/overstap/export.xlsx?jaar=2026")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["C2"].value == "Export" and sheet["A1"].value == "School"
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.detail == "export overstaplijst")
            )
            == 2
        )


def test_figures_count_the_lists_and_compare_with_last_year(app, make, region) -> None:
    for status in (ApplicationStatus.NONE, ApplicationStatus.NONE, ApplicationStatus.RECEIVED):
        make.transition_entry(final_year(make, region.school_a), application_status=status)
    for outcome in (Outcome.STARTED_MBO, Outcome.WORK, None):
        make.transition_entry(
            final_year(make, region.school_a),
            school_year=2025,
            first_discussed_on=date(2026, 3, 1),
            outcome=outcome,
            outcome_on=date(2026, 9, 15) if outcome else None,
        )
    late = make.transition_entry(  # an outcome after 1 October does not count for that date
        final_year(make, region.school_a), school_year=2025, outcome=Outcome.INTAKE,
        outcome_on=date(2026, 10, 20),
    )  # fmt: skip
    make.transition_entry(final_year(make, region.school_b))  # other partnership
    from portal.transition import queries

    with app.app_context():
        now, before = queries.figures(db.session, [region.school_a.id], 2026)
        rows = queries.figures_per_school(db.session, [region.school_a.id], 2026)
    assert now.total == 3 and now.statuses[ApplicationStatus.NONE] == 2
    assert before.total == 4 and before.outcomes[Outcome.STARTED_MBO] == 1
    assert before.outcomes.get(Outcome.INTAKE, 0) == 0 and before.without_outcome == 2
    assert rows[region.school_a.id].previous_total == 4
    assert rows[region.school_a.id].previous_with_outcome == 2
    page = login(app, region.swv_user).get("/overstap/cijfers?jaar=2025").text
    assert "Gestart in het mbo" in page and "SWV A" in page and "School B" not in page
    assert late.id
