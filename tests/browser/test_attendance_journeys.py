"""Journeys of a zorgcoördinator in Chromium: the class register raising the 16-hour signal,
an import with a bad row, and finding a pupil."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from portal.attendance.models import AbsenceKind
from portal.attendance.signals import recompute_all
from portal.extensions import db

pytestmark = pytest.mark.browser
TODAY = date(2026, 11, 23)  # a Monday


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def recompute(app, pupil) -> None:  # noqa: ANN001
    """The pupil's signals as of the (patched) day, as the nightly job brings them."""
    from portal import calendar

    with app.app_context():
        recompute_all(db.session, calendar.today(), school_ids=[pupil.school_id])
        db.session.commit()


def test_class_register_raises_the_sixteen_hour_signal(
    page: Page, base, make, region, browser_login
) -> None:
    make.pupil(region.school_a, first_name="Klaas", last_name="Klasgenoot", class_name="2B")
    pupil = region.pupil_a  # class 2B
    browser_login(page, region.zorg_a.email)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Klassenregister"
    ).click()
    page.get_by_label("Klas", exact=True).select_option("2B")
    for day in ("2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"):
        page.get_by_label("Datum", exact=True).fill(day)
        page.get_by_role("button", name="Toon klas").click()
        page.wait_for_load_state("load")  # htmx (deferred) is active once the page has loaded
        page.wait_for_function("() => window.htmx !== undefined")
        hours = page.get_by_label(f"Uren verzuim {pupil.full_name}")
        expect(hours).to_be_visible()
        kind = page.get_by_label(f"Soort verzuim {pupil.full_name}")
        if day == "2026-11-17":  # a new row is not explained yet: no legal signal by default
            expect(kind).to_have_value("onverantwoord")
        kind.select_option("ongeoorloofd")  # the school knows: truancy
        hours.fill("4")
        hours.press("Enter")  # saves this row only
        row = page.locator(f"#rij-{pupil.id}-tr")
        expect(row.get_by_role("status")).to_have_text("Opgeslagen")
        expect(page.get_by_label(f"Uren verzuim {pupil.full_name}")).to_have_value("4")
    expect(page.locator(f"#rij-{pupil.id}-tr")).to_contain_text("1 signaal")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Signalen").click()
    row = page.get_by_role("row").filter(has_text=pupil.last_name)
    expect(row).to_contain_text("16 uur ongeoorloofd verzuim")
    expect(row).to_contain_text("van 17 november 2026 tot en met 20 november 2026")
    expect(row).to_contain_text("Wettelijke meldplicht")
    row.get_by_role("link", name=f"{pupil.last_name}, {pupil.first_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(pupil.full_name)
    expect(page.locator(".signal--legal")).to_contain_text("16 uur in 4 weken")


def test_hours_not_explained_count_after_the_term_and_one_report_answers_the_follow_ups(
    app, page: Page, base, make, region, browser_login, monkeypatch
) -> None:
    pupil = region.pupil_a
    # Not explained on Friday and Monday: its own signal, no legal duty yet.
    for day in (date(2026, 11, 20), date(2026, 11, 23)):
        make.absence(pupil, day, hours=8, kind=AbsenceKind.ONVERANTWOORD)
    recompute(app, pupil)
    browser_login(page, region.zorg_a.email)
    page.goto(f"{base}/verzuim/signalen")
    row = page.get_by_role("row").filter(has_text=pupil.last_name)
    expect(row).to_contain_text("16 uur nog niet verantwoord")
    expect(row).not_to_contain_text("Wettelijke meldplicht")
    page.get_by_role("link", name="Zo telt het portaal").click()
    expect(page.get_by_role("heading", name="Nog niet verantwoord")).to_be_visible()
    # Two school days on, still not explained: they count, with the working shown.
    monkeypatch.setattr("portal.calendar.today", lambda: date(2026, 11, 25))
    recompute(app, pupil)
    page.goto(f"{base}/verzuim/signalen")
    row = page.get_by_role("row").filter(has_text="16 uur ongeoorloofd verzuim")
    expect(row).to_contain_text("Wettelijke meldplicht")
    row.get_by_text("Zo is dit geteld").click()
    expect(row).to_contain_text("vrijdag 20 november 2026: 8 uur")
    row.get_by_role("link", name="Melden bij leerplicht").click()
    expect(page.get_by_label("Eerste dag van de periode")).to_have_value("2026-11-20")
    page.get_by_label("Wat heeft de school al gedaan?").fill("Moeder gebeld op 24 november.")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_text("De melding is verstuurd.")).to_be_visible()
    # The legal duty is the report in DUO's register: the school records its number.
    page.get_by_label("Gemeld in het verzuimregister van DUO op").fill("2026-11-24")
    page.get_by_label("Meldingsnummer van DUO").fill("VZ-2026-001")
    page.get_by_role("button", name="Melding bij DUO vastleggen").click()
    expect(page.get_by_text("meldingsnummer VZ-2026-001")).to_be_visible()


def test_register_row_error_is_shown_next_to_the_field(page: Page, region, browser_login) -> None:
    pupil = region.pupil_a
    browser_login(page, region.zorg_a.email)
    page.goto(page.url + "verzuim/klassenregister?klas=2B&datum=2026-11-20")
    hours = page.get_by_label(f"Uren verzuim {pupil.full_name}")
    hours.fill("14")
    hours.press("Enter")
    expect(page.locator(f"#rij-{pupil.id}-tr")).to_contain_text("hoogstens 10 uur")
    expect(page.get_by_label(f"Uren verzuim {pupil.full_name}")).to_have_value("14")
    expect(page.get_by_label(f"Uren verzuim {pupil.full_name}")).to_have_attribute(
        "aria-invalid", "true"
    )


def test_import_with_one_bad_row(page: Page, region, browser_login, tmp_path: Path) -> None:
    export = tmp_path / "magister-export.csv"
    export.write_text(
        "Stamnr;Roepnaam;Achternaam;Geb.datum;Klas;Leerweg\n"
        "610001;Yara;Kaya;02-05-2012;1A;basis\n"
        "610002;Milan;Smit;30-02-2012;1A;kader\n"
        "610003;Isa;Brouwer;17-09-2012;1A;tl\n",
        encoding="utf-8",
    )
    browser_login(page, region.zorg_a.email)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Importeren").click()
    page.get_by_label("Leerlingen").check()
    page.get_by_label("Bestand").set_input_files(str(export))
    page.get_by_role("button", name="Bestand controleren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer de import")
    bad_row = page.get_by_role("row").filter(has_text="610002")
    expect(bad_row).to_contain_text("Fout")
    expect(bad_row).to_contain_text("Geen geldige geboortedatum")
    page.get_by_role("button", name="2 goede regels opslaan").click()
    expect(page.get_by_text("2 regels zijn opgeslagen.")).to_be_visible()
    expect(page.get_by_role("link", name="Kaya, Yara")).to_be_visible()
    expect(page.get_by_role("link", name="Brouwer, Isa")).to_be_visible()
    expect(page.get_by_text("Smit")).to_have_count(0)


def test_active_search_keeps_names_out_of_the_address(
    page: Page, base, make, region, browser_login
) -> None:
    make.pupil(region.school_a, first_name="Zoë", last_name="Zoekmij", class_name="4K")
    browser_login(page, region.zorg_a.email)
    page.goto(f"{base}/leerlingen/")
    with page.expect_request(lambda r: r.method == "POST" and "/leerlingen/zoeken" in r.url) as req:
        page.get_by_label("Zoek op naam of leerlingnummer").fill("zoekmij")
    assert req.value.headers.get("x-csrftoken")
    expect(page.get_by_role("link", name="Zoekmij, Zoë")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="gevonden")).to_have_text(
        "1 leerling gevonden."
    )
    assert "zoekmij" not in page.url.lower()
