"""Import through the client: upload, preview with per-row errors, commit valid rows or none."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.attendance.models import Absence, LateArrival, Signal
from portal.extensions import db
from portal.imports.models import ImportBatch, ImportRow, ImportRun
from portal.pupils.models import Pupil
from tests.conftest import do_login, extract_csrf, logged_in


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: date(2026, 11, 23))


@pytest.fixture()
def school(app, region):  # noqa: ANN201
    client = app.test_client()
    do_login(client, region.zorg_a)
    return client


def upload(client, kind: str, content: bytes, filename: str = "export.csv"):  # noqa: ANN201
    token = extract_csrf(client.get("/importeren/").text)
    return client.post(
        "/importeren/",
        data={
            "csrf_token": token,
            "kind": kind,
            "file": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def count(app, model, *where) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


PUPILS_CSV = (
    "Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Geboortedatum;Klas;Leerjaar;Onderwijssoort\n"
    "500001;Sanne;de;Vries;14-03-2011;2B;2;kader\n"
    "500002;Daan;;Visser;31-02-2011;2B;2;vmbo-kb\n"
    "{existing};Bijgewerkt;;Achternaam;01-01-2011;3C;3;tl\n"
)


def test_pupil_import_preview_then_commit_valid_rows(app, school, region) -> None:
    csv = PUPILS_CSV.format(existing=region.pupil_a.pupil_number).encode("cp1252")
    response = upload(school, "leerlingen", csv)
    assert response.status_code == 302
    preview = school.get(response.headers["Location"])
    html = preview.text
    assert "3 regels, waarvan <strong>2 goed</strong> en <strong>1 met een fout</strong>" in html
    assert "Geen geldige geboortedatum" in html
    assert "Bijwerken" in html and "Nieuw" in html
    assert count(app, Pupil) == 2  # nothing saved before the choice
    token = extract_csrf(html)
    done = school.post(response.headers["Location"], data={"csrf_token": token, "actie": "opslaan"})
    assert done.status_code == 302
    with app.app_context():
        new = db.session.scalars(select(Pupil).where(Pupil.pupil_number == "500001")).one()
        assert (new.last_name, new.class_name, new.programme.value) == ("de Vries", "2B", "vmbo-kb")
        updated = db.session.get(Pupil, region.pupil_a.id)
        assert (updated.first_name, updated.class_name) == ("Bijgewerkt", "3C")
    assert count(app, Pupil, Pupil.pupil_number == "500002") == 0
    assert count(app, ImportBatch) == 0  # the uploaded rows are gone


def test_cancel_saves_nothing(app, school, region) -> None:
    response = upload(school, "leerlingen", PUPILS_CSV.format(existing="1").encode())
    token = extract_csrf(school.get(response.headers["Location"]).text)
    school.post(response.headers["Location"], data={"csrf_token": token, "actie": "annuleren"})
    assert count(app, Pupil) == 2
    assert count(app, ImportBatch) == 0


def test_unknown_columns_are_mapped_once_per_school(app, school, region) -> None:
    content = b"Nummer;Naam;Voornaam;Klas;Geboren op\n500009;Jansen;Jan;1A;02-02-2013\n"
    response = upload(school, "leerlingen", content)
    assert response.status_code == 302
    page = school.get(response.headers["Location"], follow_redirects=True)
    assert "Kolommen koppelen" in page.text
    token = extract_csrf(page.text)
    location = page.request.path
    # Naam and Klas were recognised; the pupil number and the date of birth were not.
    missing = school.post(
        location, data={"csrf_token": token, "opmaak": "leerlingen", "kolom_last_name": "Naam"}
    )
    assert missing.status_code == 422
    assert "Kies de kolom met leerlingnummer." in missing.text
    done = school.post(
        location,
        data={
            "csrf_token": token,
            "opmaak": "leerlingen",
            "kolom_pupil_number": "Nummer",
            "kolom_last_name": "Naam",
            "kolom_first_name": "Voornaam",
            "kolom_class_name": "Klas",
            "kolom_date_of_birth": "Geboren op",
        },
    )
    assert done.status_code == 302, re.findall(r"fout\">(.*?)</div>", done.text)
    assert "/importeren/" in done.headers["Location"]
    assert "1 goed" in school.get(done.headers["Location"]).text
    # The next file with the same columns is read without asking.
    again = upload(school, "leerlingen", content)
    assert "kolommen" not in again.headers["Location"]
    assert "1 goed" in school.get(again.headers["Location"]).text


def run_page(client, response) -> str:  # noqa: ANN001
    assert response.status_code == 302, response.text
    return client.get(response.headers["Location"]).text


def test_absence_import_matches_pupils_and_checks_rules(app, school, region) -> None:
    number = region.pupil_a.pupil_number
    csv = (
        "Leerlingnummer,Datum,Uren,Soort,Ouders gemeld\n"
        f"{number},16-11-2026,4,spijbelen,nee\n"
        f"{number},17-11-2026,4,ongeoorloofd,nee\n"
        f"{number},18-11-2026,4,ongeoorloofd,nee\n"
        f"{number},19-11-2026,4,ongeoorloofd,nee\n"
        f"{number},19-11-2026,5,ziek,ja\n"
        f"{number},12-11-2026,6,ziek,ja\n"
        f"{number},12-11-2026,6,ongeoorloofd,ja\n"
        f"{region.pupil_b.pupil_number},19-11-2026,2,ongeoorloofd,nee\n"
        f"{number},22-11-2026,2,ongeoorloofd,nee\n"
        f"{number},24-11-2026,2,ongeoorloofd,nee\n"
        f"{number},13-11-2026,2,onbekend soort,nee\n"
        f"{number},02-03-2024,2,ongeoorloofd,nee\n"
    ).encode()
    response = upload(school, "verzuim", csv)
    html = run_page(school, response)
    assert "Uren per dag en soort (het sjabloon van het portaal)" in html
    assert "12 regels gelezen" in html
    assert "Geen leerling van deze school met dit leerlingnummer" in html  # the other school
    assert "Op zondag is er geen school." in html
    assert "Deze datum ligt in de toekomst." in html
    assert "valt buiten het schooljaar 2026-2027 en het schooljaar ervoor" in html
    # an unknown kind is a code to map, with a suggestion, not a lost row
    assert "1 code is nieuw voor uw school" in html
    assert "ONBEKEND SOORT" in html
    location = response.headers["Location"]
    token = extract_csrf(html)
    school.post(location, data={"csrf_token": token, "actie": "opslaan"})
    result = school.get(location).text
    assert "Meer uren op een dag dan een schooldag heeft: 2" in result  # 6 + 6 on the 12th
    assert "Code nog niet gekoppeld aan een soort verzuim: 1" in result
    assert count(app, Absence, Absence.pupil_id == region.pupil_a.id) == 5
    assert count(app, Absence, Absence.pupil_id == region.pupil_b.id) == 0
    # The signals were recomputed for the imported pupil.
    assert count(app, Signal, Signal.pupil_id == region.pupil_a.id) == 1
    # Importing the same file again changes nothing, never doubles.
    again = upload(school, "verzuim", csv)
    token = extract_csrf(run_page(school, again))
    school.post(again.headers["Location"], data={"csrf_token": token, "actie": "opslaan"})
    assert "<dt>Toegevoegd</dt><dd>0</dd>" in school.get(again.headers["Location"]).text
    assert count(app, Absence, Absence.pupil_id == region.pupil_a.id) == 5


def test_late_arrival_import_xlsx(app, school, region) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Stamnr", "Datum", "Lesuur"])
    sheet.append([region.pupil_a.pupil_number, date(2026, 11, 20), 1])
    sheet.append([region.pupil_a.pupil_number, date(2026, 11, 19), 25])
    out = io.BytesIO()
    workbook.save(out)
    response = upload(school, "te-laat", out.getvalue(), "te-laat.xlsx")
    html = run_page(school, response)
    assert "Een lesuur is een getal van 1 tot 20." in html
    token = extract_csrf(html)
    school.post(response.headers["Location"], data={"csrf_token": token, "actie": "opslaan"})
    assert count(app, LateArrival) == 1


def test_batches_belong_to_their_uploader(app, make, region) -> None:
    batch = make.import_batch(region.zorg_a, region.school_a)
    colleague = make.user(region.zorg_a.role, schools=[region.school_a])
    client = app.test_client()
    do_login(client, colleague)
    assert client.get(f"/importeren/{batch.id}").status_code == 404


def test_template_download(school) -> None:
    response = school.get("/importeren/sjabloon/leerlingen.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeffLeerlingnummer;Roepnaam")


def test_wrong_file_type(school) -> None:
    response = upload(school, "leerlingen", b"%PDF-1.4", "export.pdf")
    assert response.status_code == 422
    assert "Kies een CSV-bestand (.csv) of Excel (.xlsx)." in response.text


def test_a_later_file_replaces_the_day_it_covers(app, region) -> None:
    client = logged_in(app, region.zorg_a)
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

    first, second = upload("ziek"), upload("ongeoorloofd")  # read before either is saved
    for location in (first, second):
        token = extract_csrf(client.get(location).text)
        client.post(location, data={"csrf_token": token, "actie": "opslaan"})
    with app.app_context():
        saved = db.session.execute(select(Absence.kind, Absence.hours)).all()
    assert [(kind.value, hours) for kind, hours in saved] == [("ongeoorloofd", 6)]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kop.csv", b"Stamnr;Datum;Lesuur;Code\r\n", "alleen een kopregel"),
        ("leeg.csv", b"\r\n\r\n", "Het bestand is leeg."),
        ("nul.csv", b"Stamnr;Datum\n1;\x00\n", "Regel 2 bevat een NUL-teken"),
        ("kapot.csv", "Stamnr;Naam\n1;Çelik\n".encode() + b"2;\xc3\x28\n", "Regel 3"),
        ("bytes.xlsx", bytes(range(256)) * 4, "Dit Excel-bestand kan niet worden gelezen."),
    ],
)
def test_bad_registration_files_change_nothing(app, school, name, content, message) -> None:
    response = upload(school, "verzuim", content, name)
    assert response.status_code == 422
    assert message in response.text
    assert count(app, ImportRun) == 0


def test_the_worker_refuses_a_file_that_breaks_halfway(app, school, region, monkeypatch) -> None:
    """A file that turns out unreadable while the worker reads it: the run says why and
    keeps no rows."""
    number = region.pupil_a.pupil_number
    rows = "".join(f"{number};16-11-2026;{n};O\n" for n in range(1, 9))
    huge = "x" * 140_000  # beyond the csv module's field limit
    content = f"Stamnr;Datum;Lesuur;Code\n{rows}{number};17-11-2026;1;{huge}\n".encode()
    monkeypatch.setattr("portal.imports.registrations.CHUNK_ROWS", 3)
    response = upload(school, "verzuim", content, "half.csv")
    html = run_page(school, response)
    assert "Regel 10 van dit CSV-bestand kan niet worden gelezen." in html
    assert "Er is niets opgeslagen." in html
    assert count(app, ImportRow) == 0
    assert count(app, Absence) == 0


def test_an_unknown_registration_layout_is_mapped_then_read(app, school, region) -> None:
    number = region.pupil_a.pupil_number
    content = f"Nr;Wanneer;Uur;Wat\n{number};16-11-2026;2;O\n{number};16-11-2026;3;O\n".encode()
    response = upload(school, "verzuim", content, "eigen.csv")
    page = school.get(response.headers["Location"], follow_redirects=True)
    assert "Kolommen koppelen" in page.text
    location = page.request.path
    token = extract_csrf(page.text)
    chosen = school.post(
        location, data={"csrf_token": token, "opmaak": "lesuren", "actie": "opmaak-kiezen"}
    )
    assert chosen.status_code == 200
    assert "Registraties per lesuur (zoals Magister)" in chosen.text
    assert 'id="kolom_lesson_hour"' in chosen.text
    mapped = school.post(
        location,
        data={
            "csrf_token": token,
            "opmaak": "lesuren",
            "kolom_pupil_number": "Nr",
            "kolom_day": "Wanneer",
            "kolom_lesson_hour": "Uur",
            "kolom_code": "Wat",
        },
    )
    html = run_page(school, mapped)
    assert "2 registraties" in html
    assert "1 code is nieuw voor uw school" in html
    # The same columns next time: read at once.
    again = upload(school, "verzuim", content, "eigen.csv")
    assert "kolommen" not in again.headers["Location"]


def test_pupil_numbers_without_their_leading_zeros(app, school, make, region) -> None:
    """A spreadsheet drops the zeros of 001234; the pupil is found all the same."""
    make.pupil(region.school_a, pupil_number="001234")
    content = b"Stamnr;Datum;Lesuur;Absentiecode\n1234;16-11-2026;2;ongeoorloofd\n"
    html = run_page(school, upload(school, "verzuim", content, "nullen.csv"))
    assert "<strong>1 registratie</strong>" in html
    assert "met een fout" not in html


def save_run(client, location: str) -> str:  # noqa: ANN001
    token = extract_csrf(client.get(location).text)
    client.post(location, data={"csrf_token": token, "actie": "opslaan"})
    return client.get(location).text


def absences_of(app, pupil) -> dict:  # noqa: ANN001
    with app.app_context():
        return {
            (a.day, a.kind.value): a.hours
            for a in db.session.scalars(select(Absence).where(Absence.pupil_id == pupil.id))
        }


def test_a_new_code_not_mapped_yet_removes_nothing(app, school, region) -> None:
    number = region.pupil_a.pupil_number
    first = "".join(f"{number};16-11-2026;{n};Z;Ziek\n" for n in range(1, 5))
    header = "Stamnr;Datum;Lesuur;Code;Omschrijving\n"
    location = upload(school, "verzuim", (header + first).encode(), "a.csv").headers["Location"]
    token = extract_csrf(school.get(location).text)
    school.post(f"{location}/codes", data={"csrf_token": token})
    save_run(school, location)
    assert absences_of(app, region.pupil_a) == {(date(2026, 11, 16), "ziek"): 4}
    # The school's system now says "ZK" for two of those lessons; nobody mapped it yet.
    second = first.replace(";3;Z;Ziek", ";3;ZK;Ziek (kort)")
    second = second.replace(";4;Z;Ziek", ";4;ZK;Ziek (kort)")
    again = upload(school, "verzuim", (header + second).encode(), "b.csv").headers["Location"]
    html = save_run(school, again)
    assert "Code nog niet gekoppeld aan een soort verzuim: 2" in html
    assert absences_of(app, region.pupil_a) == {(date(2026, 11, 16), "ziek"): 4}


def test_notices_of_two_kinds_on_one_day_both_count(app, school, region) -> None:
    number = region.pupil_a.pupil_number
    content = (
        "Leerlingnummer;Begindatum;Einddatum;Absentiereden;Minuten gemist\n"
        f"{number};16-11-2026;16-11-2026;Dokter/tandarts;90\n"
        f"{number};16-11-2026;16-11-2026;Ziek;100\n"
        f"{number};17-11-2026;17-11-2026;Ziek;2\n"  # 0.04 lesson: nothing to count
    ).encode()
    location = upload(school, "verzuim", content, "meldingen.csv").headers["Location"]
    token = extract_csrf(school.get(location).text)
    school.post(f"{location}/codes", data={"csrf_token": token})
    save_run(school, location)
    assert absences_of(app, region.pupil_a) == {
        (date(2026, 11, 16), "overig_geoorloofd"): Decimal("1.8"),
        (date(2026, 11, 16), "ziek"): 2,
    }


def test_saving_twice_and_mapping_after_saving(app, school, region) -> None:
    number = region.pupil_a.pupil_number
    content = f"Stamnr;Datum;Lesuur;Code\n{number};16-11-2026;1;ongeoorloofd\n".encode()
    location = upload(school, "verzuim", content, "c.csv").headers["Location"]
    token = extract_csrf(school.get(location).text)
    for _ in range(2):  # a double click
        response = school.post(location, data={"csrf_token": token, "actie": "opslaan"})
        assert response.status_code == 302
    with app.app_context():
        run = db.session.get(ImportRun, int(location.rsplit("/", 1)[1]))
        assert run.summary["result"]["added"] == 1
    # mapping a code in a tab still open on the preview: the page is reloaded, no error
    late = school.post(
        f"{location}/code",
        data={"csrf_token": token, "code": "X", "target": "ziek"},
        headers={"HX-Request": "true"},
    )
    assert late.status_code == 200
    assert late.headers.get("HX-Refresh") == "true"


def test_a_place_outside_the_region_does_not_refuse_the_pupil(app, school, region) -> None:
    content = (
        b"Stamnr;Roepnaam;Achternaam;Geb.datum;Klas;Woonplaats\n"
        b"700001;Mila;Kok;02-05-2012;1A;Utrecht\n"
    )
    response = upload(school, "leerlingen", content, "leerlingen.csv")
    html = school.get(response.headers["Location"]).text
    assert "1 goed" in html
    assert "Geen gemeente van de regio: &#39;Utrecht&#39;" in html
    token = extract_csrf(html)
    school.post(response.headers["Location"], data={"csrf_token": token, "actie": "opslaan"})
    with app.app_context():
        pupil = db.session.scalar(select(Pupil).where(Pupil.pupil_number == "700001"))
        assert pupil.residence_municipality_id is None
