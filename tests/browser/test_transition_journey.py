"""A season at the overstaptafel in Chromium: the VMBO zorgcoördinator puts a pupil on the list;
the overstapcoach opens the table, records "aanmelding ontvangen" and an agreement for the coach
due in two weeks; the agreement is on the coach's to-do list; the consultant sees it for their
school. Every page on the way passes axe-core."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.pupils.models import Programme
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
TODAY = date(2026, 11, 23)


def login(browser: Browser, base: str, email: str) -> Page:
    """A page of its own per person; CSP bypassed only so that axe can be injected."""
    page = browser.new_context(bypass_csp=True).new_page()
    page.set_default_timeout(5000)
    page.goto(f"{base}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    return page


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def test_a_pupil_goes_from_the_list_to_the_table_and_the_todo_lists(
    browser: Browser, base, make, region, axe
) -> None:
    make.pupil(
        region.school_a,
        first_name="Sanne",
        last_name="Overstap",
        year=4,
        programme=Programme.VMBO_BB,
        class_name="4B",
    )
    table = make.transition_table(region.swv_a, [region.school_a], held_on=TODAY)

    school = login(browser, base, region.zorg_a.email)
    school.get_by_role("link", name="Overstap", exact=True).click()
    school.get_by_role("link", name="Leerlingen op de lijst zetten").click()
    school.get_by_label("Leerling", exact=True).select_option(label="Overstap, Sanne – 4B")
    school.get_by_label("Geen mbo-aanmelding op 1 april").check()
    school.get_by_label("Twijfel over de opleidingskeuze").check()
    school.get_by_label("Overstapcoach").select_option(label=region.swv_user.name)
    school.get_by_role("button", name="Op de lijst zetten", exact=True).click()
    expect(school.get_by_text("Sanne Overstap staat op de overstaplijst.")).to_be_visible()
    assert axe(school) == []

    coach = login(browser, base, region.swv_user.email)
    coach.get_by_role("link", name="Overstap", exact=True).click()
    coach.get_by_role("link", name="Overstaptafels").click()
    coach.get_by_role("link", name="Eerste tafel (voorjaar)").click()
    coach.wait_for_function("() => window.htmx !== undefined")
    item = coach.locator(".agenda-item", has_text="Overstap, Sanne")
    item.get_by_text("Bespreking vastleggen").click()
    item.get_by_label("Stand van de aanmelding").select_option(label="Aanmelding ontvangen")
    item.get_by_label("Besproken").fill("Aangemeld bij Da Vinci; intake in januari.")
    item.get_by_label("Afspraak").fill("Intakegesprek samen voorbereiden")
    item.get_by_label("Wie").select_option(label="Overstapcoach")
    item.get_by_label("Klaar op").fill((TODAY + timedelta(days=14)).isoformat())
    item.get_by_role("button", name="Bespreking opslaan").click()
    saved = coach.locator(".agenda-item", has_text="Overstap, Sanne")
    expect(saved.get_by_text("Opgeslagen.")).to_be_visible()
    expect(saved.get_by_text("besproken", exact=True)).to_be_visible()
    assert axe(coach) == []
    coach.get_by_role("link", name="Afspraken").click()
    row = coach.get_by_role("row", name="Overstap, Sanne")
    expect(row).to_contain_text("Intakegesprek samen voorbereiden")
    expect(row).to_contain_text("7 december 2026")
    assert axe(coach) == []

    consultant = login(browser, base, region.c1.email)
    consultant.get_by_role("link", name="Overstap", exact=True).click()
    consultant.get_by_role("link", name="Overstap, Sanne").click()
    expect(consultant.get_by_text("Aangemeld bij Da Vinci; intake in januari.")).to_be_visible()
    expect(consultant.get_by_role("row", name="Intakegesprek samen voorbereiden")).to_contain_text(
        "Overstapcoach"
    )
    assert axe(consultant) == []
    # The consultant's own to-do list holds leerplicht's agreements, not the coach's.
    consultant.get_by_role("link", name="Afspraken").click()
    expect(consultant.get_by_text("Geen open afspraken.")).to_be_visible()
    assert table.id
