"""A zorgcoördinator imports a Magister export as it is, in Chromium: the portal recognises the
layout, the school's new codes are mapped in the preview (htmx) and the result says what
happened; a background import's progress bar polls until the preview is ready."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.extensions import db
from portal.imports.models import ImportRun, RunStatus

pytestmark = pytest.mark.browser
TODAY = date(2026, 11, 23)  # a Monday


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def test_a_magister_export_with_new_codes(
    browser: Browser, make, region, browser_login, axe, tmp_path: Path
) -> None:
    context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    page.set_default_timeout(5000)
    numbers = []
    for n, name in enumerate(("Noor", "Sem", "Lotte")):
        pupil = make.pupil(region.school_a, first_name=name, pupil_number=f"7700{n}")
        numbers.append(pupil.pupil_number)
    rows = [f"{numbers[0]};17-11-2026;{lesson};Z;Ziek;Ja" for lesson in range(1, 9)] + [
        f"{numbers[1]};18-11-2026;3;O;Ongeoorloofd afwezig;Nee",
        f"{numbers[1]};18-11-2026;4;O;Ongeoorloofd afwezig;Nee",
        f"{numbers[2]};19-11-2026;1;TL;Te laat;Nee",
        f"{numbers[2]};19-11-2026;5;HV;Huiswerk vergeten;",
    ]
    export = tmp_path / "absenties.csv"
    export.write_bytes(
        ("Stamnr;Datum;Lesuur;Code;Omschrijving;Geoorloofd\r\n" + "\r\n".join(rows)).encode(
            "cp1252"
        )
    )
    browser_login(page, region.zorg_a.email)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Importeren").click()
    page.get_by_label("Verzuim").check()
    page.get_by_label("Bestand").set_input_files(str(export))
    page.get_by_role("button", name="Bestand controleren").click()
    expect(page.get_by_text("Registraties per lesuur (zoals Magister)")).to_be_visible()
    expect(page.get_by_text("4 codes zijn nieuw voor uw school")).to_be_visible()
    assert axe(page) == []
    page.wait_for_function("() => window.htmx !== undefined")
    # The suggestion for "huiswerk vergeten" is to ignore it; map the truancy code by hand.
    expect(page.get_by_label("Betekenis van code HV")).to_have_value("negeren")
    expect(page.get_by_label("Betekenis van code O")).to_have_value("ongeoorloofd")
    page.locator("tr", has_text="Ongeoorloofd afwezig").get_by_role(
        "button", name="Koppelen"
    ).click()
    expect(page.get_by_text("3 codes zijn nieuw voor uw school")).to_be_visible()
    # the pressed button keeps the focus (now "Wijzigen"), the counts are announced in place
    expect(
        page.locator("tr", has_text="Ongeoorloofd afwezig").get_by_role("button")
    ).to_be_focused()
    expect(page.locator("tr", has_text="Ongeoorloofd afwezig").get_by_role("button")).to_have_text(
        "Wijzigen"
    )
    expect(page.get_by_role("status").filter(has_text="worden opgeslagen")).to_contain_text(
        "2 registraties worden opgeslagen"
    )
    page.get_by_role("button", name="Alle voorstellen overnemen").click()
    expect(page.get_by_text("nieuw voor uw school")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="worden opgeslagen")).to_contain_text(
        "11 registraties worden opgeslagen, 1 genegeerd"
    )
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_text("De import is opgeslagen")).to_be_visible()
    expect(page.locator("dl.result-counts")).to_contain_text("Toegevoegd11")
    assert axe(page) == []
    # the late arrival and the sick day are where the school expects them
    page.get_by_role("link", name="Naar de signalen").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    context.close()


def test_the_progress_bar_polls_until_the_preview_is_ready(
    page: Page, app, base, make, region, browser_login
) -> None:
    run = make.import_run(
        region.zorg_a, region.school_a, status=RunStatus.READING, done=40, total=100
    )
    browser_login(page, region.zorg_a.email)
    page.goto(f"{base}/importeren/bestand/{run.id}")
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("value", "40")
    expect(page.get_by_text("Bestand lezen: 40%")).to_be_visible()
    with app.app_context():
        saved = db.session.get(ImportRun, run.id)
        saved.done = 80
        db.session.commit()
    expect(page.get_by_text("Bestand lezen: 80%")).to_be_visible(timeout=5000)
    with app.app_context():
        saved = db.session.get(ImportRun, run.id)
        saved.status = RunStatus.PREVIEW
        db.session.commit()
    expect(page.get_by_role("heading", name="Codes in dit bestand")).to_be_visible(timeout=5000)
