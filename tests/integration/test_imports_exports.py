"""The sample exports of Magister and Somtoday (tests/fixtures/imports) imported as they are:
the hours the portal saves are the hours this test computes from the files on its own, with
the meaning of each code written out here (not taken from the portal)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.attendance.models import Absence, LateArrival, Signal
from portal.auth.models import Role
from portal.extensions import db
from portal.imports.models import AbsenceCode, ImportRun, RunStatus
from portal.pupils.models import Pupil
from portal.schools.models import Municipality
from tests.conftest import extract_csrf, logged_in

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
TODAY = date(2026, 11, 30)
AUTUMN = (date(2026, 10, 17), date(2026, 10, 25))  # region midden, 2026

# What the sample school's codes mean, written from their descriptions.
MEANING = {
    "Z": "ziek",
    "ZV": "ziek",
    "O": "ongeoorloofd",
    "D": "overig_geoorloofd",
    "M": "overig_geoorloofd",
    "VL": "verlof",
    "SCH": "schorsing",
    "TL": "te_laat",
    "HV": "negeren",
}
REASONS = {
    "Ziek": "ziek",
    "Ziek, bevestigd": "ziek",
    "Medisch": "overig_geoorloofd",
    "Dokter/tandarts": "overig_geoorloofd",
    "Ongeoorloofd": "ongeoorloofd",
    "Te laat": "te_laat",
    "Verlof": "verlof",
    "Geschorst extern": "schorsing",
}


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


@pytest.fixture()
def school(app, make):  # noqa: ANN201
    with app.app_context():
        existing = {m.name for m in db.session.scalars(select(Municipality))}
    for name in ("Dordrecht", "Zwijndrecht", "Papendrecht"):
        if name not in existing:
            make.municipality(name=name)
    school = make.school()
    make.holiday(school_year=2026, start_date=AUTUMN[0], end_date=AUTUMN[1])
    user = make.user(Role.SCHOOL, schools=[school])
    client = logged_in(app, user)
    for name, enrolled in (("magister-leerlingen.csv", None),):
        location = upload(client, "leerlingen", (FIXTURES / name).read_bytes(), name)
        html = client.get(location).text
        assert "120 goed" in html, html
        client.post(location, data={"csrf_token": extract_csrf(html), "actie": "opslaan"})
        del enrolled
    with app.app_context():
        for pupil in db.session.scalars(select(Pupil).where(Pupil.school_id == school.id)):
            pupil.enrolled_on = date(2026, 8, 1)
        db.session.commit()
    return client, school


def upload(client, kind: str, content: bytes, filename: str) -> str:  # noqa: ANN001
    token = extract_csrf(client.get("/importeren/").text)
    response = client.post(
        "/importeren/",
        data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def import_file(client, kind: str, content: bytes, filename: str, accept_all: bool = True) -> str:  # noqa: ANN001
    """Upload, take the suggestions for new codes, save; the page of the run afterwards."""
    location = upload(client, kind, content, filename)
    html = client.get(location).text
    assert "Klaar om te controleren" in html or "Codes in dit bestand" in html, html
    token = extract_csrf(html)
    if accept_all and "Alle voorstellen overnemen" in html:
        client.post(f"{location}/codes", data={"csrf_token": token})
    client.post(location, data={"csrf_token": token, "actie": "opslaan"})
    return client.get(location).text


def school_days() -> set[date]:
    day, days = date(2026, 8, 1), set()
    while day <= TODAY:
        if day.weekday() < 5 and not AUTUMN[0] <= day <= AUTUMN[1]:
            days.add(day)
        day += timedelta(1)
    return days


def expected_from_lessons(text: str) -> tuple[dict, set]:
    """Hours per pupil, day and kind, and the late arrivals, from the Magister rows: one row is
    one lesson hour (a secondary school counts lesson hours)."""
    hours: Counter = Counter()
    late = set()
    for row in csv.DictReader(io.StringIO(text), delimiter=";"):
        meaning = MEANING[row["Code"]]
        day = datetime.strptime(row["Datum"], "%d-%m-%Y").date()
        if meaning == "te_laat":
            late.add((row["Stamnr"], day, int(row["Lesuur"])))
        elif meaning != "negeren":
            hours[(row["Stamnr"], day, meaning)] += 1
    return dict(hours), late


def expected_from_notices(text: str) -> tuple[dict, set]:
    """The same from Somtoday's notices: every lesson from the begin lesson on the first day to
    the end lesson on the last, eight a day, on school days only."""
    hours: Counter = Counter()
    late = set()
    days = school_days()
    for row in csv.DictReader(io.StringIO(text), delimiter=";"):
        meaning = REASONS[row["Absentiereden"]]
        begin = datetime.strptime(row["Begindatum"], "%d-%m-%Y").date()
        end = datetime.strptime(row["Einddatum"], "%d-%m-%Y").date()
        day = begin
        while day <= end:
            if day in days:
                first = int(row["Beginlesuur"]) if day == begin else 1
                last = int(row["Eindlesuur"]) if day == end else 8
                for lesson in range(first, last + 1):
                    if meaning == "te_laat":
                        late.add((row["Leerlingnummer"], day, lesson))
                    else:
                        hours[(row["Leerlingnummer"], day, meaning)] += 1
            day += timedelta(1)
    return dict(hours), late


def saved(app, school) -> tuple[dict, set]:  # noqa: ANN001
    with app.app_context():
        hours = {
            (number, day, kind.value): Decimal(value)
            for number, day, kind, value in db.session.execute(
                select(Pupil.pupil_number, Absence.day, Absence.kind, Absence.hours)
                .join(Pupil, Pupil.id == Absence.pupil_id)
                .where(Pupil.school_id == school.id)
            )
        }
        late = {
            tuple(row)
            for row in db.session.execute(
                select(Pupil.pupil_number, LateArrival.day, LateArrival.lesson_hour)
                .join(Pupil, Pupil.id == LateArrival.pupil_id)
                .where(Pupil.school_id == school.id)
            )
        }
    return hours, late


@pytest.mark.parametrize(
    "name", ["magister-absenties-lesuren.csv", "magister-absenties-lesuren.xlsx"]
)
def test_magister_lessons_import_to_the_expected_hours(app, school, name) -> None:
    client, found = school
    location = upload(client, "verzuim", (FIXTURES / name).read_bytes(), name)
    html = client.get(location).text
    assert "Registraties per lesuur (zoals Magister)" in html
    assert "9 codes zijn nieuw voor uw school" in html
    # The suggestions, from the codes' descriptions
    for code, meaning in MEANING.items():
        options = html.split(f'name="code" value="{code}"')[1].split("</select>")[0]
        assert f'<option value="{meaning}" selected>' in options, code
    client.post(f"{location}/codes", data={"csrf_token": extract_csrf(html)})
    with app.app_context():
        mapped = {
            c.code: c.target
            for c in db.session.scalars(
                select(AbsenceCode).where(AbsenceCode.school_id == found.id)
            )
        }
    assert mapped == MEANING
    client.post(location, data={"csrf_token": extract_csrf(html), "actie": "opslaan"})
    result = client.get(location).text
    assert "De import is opgeslagen" in result
    text = (FIXTURES / "magister-absenties-lesuren.csv").read_bytes().decode("cp1252")
    hours, late = expected_from_lessons(text)
    got_hours, got_late = saved(app, found)
    assert got_hours == hours
    assert got_late == late
    with app.app_context():
        # 100017 has 23 unauthorised lesson hours within four weeks: the legal signal.
        pupil = db.session.scalar(
            select(Pupil).where(Pupil.school_id == found.id, Pupil.pupil_number == "100017")
        )
        kinds = {
            s.kind.value
            for s in db.session.scalars(select(Signal).where(Signal.pupil_id == pupil.id))
        }
    assert "zestien_uur" in kinds


def test_somtoday_notices_give_the_same_hours(app, school) -> None:
    client, found = school
    content = (FIXTURES / "somtoday-absentiemeldingen.csv").read_bytes()
    html = import_file(client, "verzuim", content, "somtoday-absentiemeldingen.csv")
    assert "De import is opgeslagen" in html, html
    hours, late = expected_from_notices(content.decode("utf-8-sig"))
    got_hours, got_late = saved(app, found)
    assert got_hours == hours
    assert got_late == late
    # and the same as the Magister export of the same absences says
    magister = (FIXTURES / "magister-absenties-lesuren.csv").read_bytes().decode("cp1252")
    assert expected_from_lessons(magister) == (hours, late)
    # A remark that looks like a formula is kept as the text it is.
    with app.app_context():
        causes = set(db.session.scalars(select(Absence.cause).where(Absence.cause.is_not(None))))
    assert any(cause.startswith("=") for cause in causes), causes


def test_reimport_of_an_overlapping_period_changes_only_what_changed(app, school) -> None:
    client, found = school
    raw = (FIXTURES / "magister-absenties-lesuren.csv").read_bytes().decode("cp1252")
    import_file(client, "verzuim", raw.encode("cp1252"), "week.csv")
    # Again, unchanged: nothing added, all unchanged.
    again = import_file(client, "verzuim", raw.encode("cp1252"), "week.csv")
    lines = raw.splitlines()
    header, rows = lines[0], lines[1:]
    assert "<dt>Toegevoegd</dt><dd>0</dd>" in again
    counted = sum(1 for r in rows if r.split(";")[8] != "HV")
    assert f"<dt>Ongewijzigd (stond er al zo)</dt><dd>{counted}</dd>" in again
    before = saved(app, found)
    # The next export: one lesson explained (O -> D), one lesson gone (the pupil was there
    # after all), one lesson new; a hand entry on a day the file disagrees with.
    truant = next(i for i, r in enumerate(rows) if r.split(";")[8] == "O")
    cells = rows[truant].split(";")
    cells[8], cells[9] = "D", "Dokter/tandarts"
    rows[truant] = ";".join(cells)
    gone = next(i for i, r in enumerate(rows) if r.split(";")[8] == "Z" and i != truant)
    gone_cells = rows.pop(gone).split(";")
    new = rows[0].split(";")
    new[4], new[5], new[8], new[9] = "27-11-2026", "8", "O", "Ongeoorloofd afwezig"
    rows.append(";".join(new))
    # A day the zorgcoördinator corrected by hand in the class register (another pupil-day).
    hand_row = next(
        r.split(";")
        for r in rows
        if r.split(";")[8] == "Z" and r.split(";")[0] not in (cells[0], gone_cells[0], new[0])
    )
    hand_day = datetime.strptime(hand_row[4], "%d-%m-%Y").date()
    with app.app_context():
        pupil = db.session.scalar(
            select(Pupil).where(Pupil.school_id == found.id, Pupil.pupil_number == hand_row[0])
        )
        corrected = db.session.scalars(
            select(Absence).where(Absence.pupil_id == pupil.id, Absence.day == hand_day)
        ).first()
        corrected.source = None  # entered by hand...
        corrected.hours = Decimal(2)  # ...and it says something else than the export
        hand_kind, corrected_id = corrected.kind.value, corrected.id
        db.session.commit()
    export = "\r\n".join([header, *rows]).encode("cp1252")
    html = import_file(client, "verzuim", export, "week2.csv")
    assert "<dt>Toegevoegd</dt><dd>1</dd>" in html
    assert "<dt>Gewijzigd</dt><dd>1</dd>" in html
    assert (
        "<dt>Vervallen (stond in een eerdere import, niet meer in dit bestand)</dt><dd>1</dd>"
        in html
    )
    assert "Verschillen met wat met de hand is geregistreerd (1)" in html
    after_hours, _ = saved(app, found)
    before_hours = before[0]
    # the hand-entered day is as the zorgcoördinator left it
    assert after_hours[(hand_row[0], hand_day, hand_kind)] == 2
    # the lesson explained as a doctor's visit moved from truancy to authorised
    changed_day = datetime.strptime(cells[4], "%d-%m-%Y").date()
    truancy = after_hours.get((cells[0], changed_day, "ongeoorloofd"), Decimal(0))
    assert truancy == before_hours[(cells[0], changed_day, "ongeoorloofd")] - 1
    assert after_hours[(cells[0], changed_day, "overig_geoorloofd")] >= 1
    # the lesson that went away is no longer counted
    gone_day = datetime.strptime(gone_cells[4], "%d-%m-%Y").date()
    gone_key = (gone_cells[0], gone_day, "ziek")
    assert after_hours.get(gone_key, Decimal(0)) == before_hours[gone_key] - 1
    assert after_hours[(new[0], date(2026, 11, 27), "ongeoorloofd")] == 1
    # Once the hand entry is gone, the same export fills the day as the school's system says.
    with app.app_context():
        db.session.delete(db.session.get(Absence, corrected_id))
        db.session.commit()
    import_file(client, "verzuim", export, "week2.csv")
    assert saved(app, found)[0] == after_hours | {
        (hand_row[0], hand_day, hand_kind): before_hours[(hand_row[0], hand_day, hand_kind)]
    }


def test_a_late_arrival_list_leaves_the_absence_alone(app, school) -> None:
    """Magister's absences, then Somtoday's list of late arrivals for the same days: each
    file changes only what it holds."""
    client, found = school
    lessons = (FIXTURES / "magister-absenties-lesuren.csv").read_bytes()
    import_file(client, "verzuim", lessons, "absenties.csv")
    hours, late = saved(app, found)
    late_list = (FIXTURES / "somtoday-te-laat.csv").read_bytes()
    import_file(client, "te-laat", late_list, "te-laat.csv")
    assert saved(app, found) == (hours, late)  # the same late arrivals; no hour lost
    import_file(client, "verzuim", lessons, "absenties.csv")
    assert saved(app, found) == (hours, late)


def test_progress_page_and_the_run_belongs_to_its_uploader(app, school, make) -> None:
    client, found = school
    content = (FIXTURES / "somtoday-te-laat.csv").read_bytes()
    location = upload(client, "te-laat", content, "te-laat.csv")
    html = client.get(location).text
    assert "Te laat komen per les" in html
    # the poll of a finished run asks for the whole page
    assert client.get(f"{location}/voortgang").headers.get("HX-Refresh") == "true"
    other = logged_in(app, make.user(Role.SCHOOL, schools=[found]))
    assert other.get(location).status_code == 404
    client.post(location, data={"csrf_token": extract_csrf(html), "actie": "opslaan"})
    _, late = saved(app, found)
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert late == {
        (r["Leerlingnummer"], datetime.strptime(r["Datum"], "%d-%m-%Y").date(), int(r["Lesuur"]))
        for r in rows
    }
    with app.app_context():
        run = db.session.get(ImportRun, int(location.rsplit("/", 1)[1]))
        assert run.status == RunStatus.DONE
        assert run.data is None  # the file is not kept
