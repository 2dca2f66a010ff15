"""User journeys in real Chromium: log in and out as every role, keyboard use, htmx + CSRF."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from portal import calendar
from portal.auth.models import Role

pytestmark = pytest.mark.browser

NAV_BY_ROLE = {
    "school": [
        "Overzicht",
        "Leerlingen",
        "Klassenregister",
        "Signalen",
        "Meldingen",
        "Overstap",
        "Evaluatie",
        "Importeren",
    ],
    "consultant": [
        "Overzicht",
        "Leerlingen",
        "Signalen",
        "Meldingen",
        "Opvolging",
        "Thuiszitters",
        "Overstap",
        "Evaluatie",
    ],
    "senior": [
        "Overzicht",
        "Leerlingen",
        "Signalen",
        "Meldingen",
        "Opvolging",
        "Thuiszitters",
        "Overstap",
        "Evaluatie",
    ],
    "swv": ["Overzicht", "Overstap"],
    "admin": [
        "Overzicht",
        "Accounts",
        "Scholen",
        "Vervangingen",
        "Gemeenten",
        "Samenwerkingsverbanden",
        "Schoolvakanties",
        "Verzuimregels",
        "Achtergrondtaken",
    ],
}


@pytest.mark.parametrize("role", list(NAV_BY_ROLE))
def test_log_in_and_out_as_every_role(page: Page, base, region, browser_login, role) -> None:
    user = region.by_role()[role]
    browser_login(page, user.email)
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".site-account__who")).to_contain_text(user.name)
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    expect(nav.get_by_role("link")).to_have_text(NAV_BY_ROLE[role])
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(f"{base}/login")
    expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/login?next=%2F")


def test_wrong_password_shows_one_generic_message(page: Page, base, region) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mailadres").fill(region.zorg_a.email)
    page.get_by_label("Wachtwoord").fill("verkeerd-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_have_text("Onbekend e-mailadres of onjuist wachtwoord.")
    expect(page.get_by_label("E-mailadres")).to_have_value(region.zorg_a.email)
    expect(page.get_by_label("Wachtwoord")).to_have_value("")


def test_keyboard_only_login_and_skip_link(page: Page, base, region) -> None:
    page.goto(f"{base}/login")
    # The e-mail field has focus on arrival; type, tab to the password, Enter submits.
    expect(page.get_by_label("E-mailadres")).to_be_focused()
    page.keyboard.type(region.c1.email)
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery-staple")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#inhoud")).to_be_focused()


def test_school_sees_who_answers_during_a_stand_in(page: Page, make, region, browser_login):
    today = calendar.today()
    make.stand_in(region.c1, region.c2, today, today + timedelta(days=4))
    browser_login(page, region.zorg_a.email)
    row = page.locator("tr", has=page.get_by_role("rowheader", name="School A", exact=True))
    expect(row).to_contain_text("Consulent Twee")
    expect(row).to_contain_text("vervangt Consulent Een")


def test_admin_plans_a_stand_in_and_the_consultant_sees_it(
    page: Page, browser, base, region, browser_login
) -> None:
    browser_login(page, region.admin.email)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Vervangingen"
    ).click()
    page.get_by_role("link", name="Nieuwe vervanging").click()
    page.get_by_label("Afwezige consulent").select_option(label="Consulent Twee")
    page.get_by_label("Vervanger").select_option(label="Consulent Een")
    start = calendar.today()
    page.get_by_label("Eerste dag").fill(start.isoformat())
    # A mistake first: the end before the start. The message sits next to the field and
    # the entered values stay.
    page.get_by_label("Laatste dag").fill((start - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De laatste dag ligt vóór de eerste dag.").first).to_be_visible()
    expect(page.get_by_label("Eerste dag")).to_have_value(start.isoformat())
    page.get_by_label("Laatste dag").fill((start + timedelta(days=5)).isoformat())
    page.get_by_label("Toelichting").fill("Verlof")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De vervanging is opgeslagen.")).to_be_visible()
    expect(page.get_by_role("row", name="Consulent Twee")).to_contain_text("Loopt nu")

    consultant = browser.new_page()
    consultant.goto(f"{base}/login")
    consultant.get_by_label("E-mailadres").fill(region.c1.email)
    consultant.get_by_label("Wachtwoord").fill("correct-horse-battery-staple")
    consultant.get_by_role("button", name="Inloggen").click()
    expect(consultant.get_by_text("U vervangt Consulent Twee")).to_be_visible()
    expect(consultant.get_by_role("rowheader", name="School B", exact=True)).to_be_visible()
    consultant.close()


def test_htmx_search_sends_the_csrf_token_and_updates_the_list(
    page: Page, base, make, region, browser_login
) -> None:
    make.user(Role.CONSULTANT, name="Zoeken Naar Mij")
    browser_login(page, region.admin.email)
    page.goto(f"{base}/beheer/accounts")
    with page.expect_request(lambda r: r.headers.get("hx-request") == "true") as info:
        page.get_by_label("Zoek op naam of e-mailadres").fill("zoeken naar")
    request = info.value
    assert request.headers.get("x-csrftoken"), "htmx request without CSRF header"
    expect(page.get_by_role("status").filter(has_text="gevonden")).to_have_text(
        "1 account gevonden."
    )
    expect(page.get_by_role("link", name="Zoeken Naar Mij")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/beheer/accounts\?zoek=zoeken(\+|%20)naar"))


def test_forced_password_change_journey(page: Page, base, make) -> None:
    user = make.user(Role.SCHOOL, must_change_password=True, schools=[make.school()])
    page.goto(f"{base}/login")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord", exact=True).fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{base}/account/wachtwoord")
    page.get_by_label("Huidig wachtwoord").fill("correct-horse-battery-staple")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("een-eigen-wachtwoord")
    page.get_by_label("Herhaal nieuw wachtwoord").fill("een-ander-wachtwoord")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_text("De twee wachtwoorden zijn niet gelijk.").first).to_be_visible()
    page.get_by_label("Huidig wachtwoord").fill("correct-horse-battery-staple")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("een-eigen-wachtwoord")
    page.get_by_label("Herhaal nieuw wachtwoord").fill("een-eigen-wachtwoord")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_text("Uw wachtwoord is gewijzigd.")).to_be_visible()
    expect(page).to_have_url(f"{base}/")
