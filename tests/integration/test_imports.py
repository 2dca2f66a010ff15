"""Import through the client: upload, preview with per-row errors, commit valid rows or none."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.attendance.models import Absence, LateArrival, Signal
from portal.extensions import db
from portal.imports.models import ImportBatch
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


def test_missing_columns_are_named(school) -> None:
    response = upload(school, "leerlingen", b"Naam;Klas\nJan;1A\n")
    assert response.status_code == 422
    assert "Het bestand mist een kolom voor: Leerlingnummer, Roepnaam" in response.text


def test_absence_import_matches_pupils_and_checks_rules(app, school, region) -> None:
    number = region.pupil_a.pupil_number
    csv = (
        "Leerlingnummer,Datum,Uren,Soort,Ouders gemeld\n"
        f"{number},16-11-2026,4,spijbelen,nee\n"
        f"{number},17-11-2026,4,ongeoorloofd,nee\n"
        f"{number},18-11-2026,4,ongeoorloofd,nee\n"
        f"{number},19-11-2026,4,ongeoorloofd,nee\n"
        f"{number},19-11-2026,7,ziek,ja\n"
        f"{region.pupil_b.pupil_number},19-11-2026,2,ongeoorloofd,nee\n"
        f"{number},22-11-2026,2,ongeoorloofd,nee\n"
        f"{number},24-11-2026,2,ongeoorloofd,nee\n"
        f"{number},16-11-2026,2,onbekend,nee\n"
    ).encode()
    response = upload(school, "verzuim", csv)
    html = school.get(response.headers["Location"]).text
    assert "9 regels, waarvan <strong>4 goed</strong>" in html
    assert "komt deze dag op 11 uur" in html  # 4 + 7 hours on the 19th
    assert "Geen leerling van deze school met dit leerlingnummer." in html  # the other school
    assert "Op zondag is er geen school." in html
    assert "Deze datum ligt in de toekomst." in html
    assert "Onbekende soort verzuim" in html
    token = extract_csrf(html)
    school.post(response.headers["Location"], data={"csrf_token": token, "actie": "opslaan"})
    assert count(app, Absence, Absence.pupil_id == region.pupil_a.id) == 4
    assert count(app, Absence, Absence.pupil_id == region.pupil_b.id) == 0
    # The signals were recomputed for the imported pupil.
    assert count(app, Signal, Signal.pupil_id == region.pupil_a.id) == 1
    # Importing the same file again updates, never doubles.
    again = upload(school, "verzuim", csv)
    assert "Bijwerken" in school.get(again.headers["Location"]).text


def test_late_arrival_import_xlsx(app, school, region) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Stamnr", "Datum", "Lesuur"])
    sheet.append([region.pupil_a.pupil_number, date(2026, 11, 20), 1])
    sheet.append([region.pupil_a.pupil_number, date(2026, 11, 19), 15])
    out = io.BytesIO()
    workbook.save(out)
    response = upload(school, "te-laat", out.getvalue(), "te-laat.xlsx")
    html = school.get(response.headers["Location"]).text
    assert "Een lesuur is een getal van 1 tot 12." in html
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


def test_import_commit_checks_rows_again(app, region) -> None:
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

    first, second = upload("ziek"), upload("ongeoorloofd")  # each fine on its own
    for location in (first, second):
        token = extract_csrf(client.get(location).text)
        client.post(location, data={"csrf_token": token, "actie": "opslaan"})
    with app.app_context():
        hours = db.session.scalars(select(Absence.hours)).all()
    assert sum(hours) <= 10
