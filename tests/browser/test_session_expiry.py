"""An expired session never loses typed text (``static/js/session.js``): the page says so
beside the form, the user logs in again in a new tab, and the next click sends what was typed,
once. For a normal form and for an htmx form (the class register)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import func, select

from portal.attendance.models import Absence
from portal.extensions import db
from portal.reports.models import Report

pytestmark = pytest.mark.browser
TODAY = date(2026, 11, 23)  # a Monday
PASSWORD = "correct-horse-battery-staple"
QUESTION = "Moeder vraagt of zij verlof kan krijgen voor een begrafenis in Marokko."


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def count(app, model) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def log_in_again_in_a_new_tab(context: BrowserContext, page: Page, email: str) -> None:
    """Follow the message's link: the login page opens in a new tab; log in, close it."""
    with context.expect_page() as opened:
        page.get_by_role("link", name="Log opnieuw in (opent een nieuw tabblad)").click()
    tab = opened.value
    tab.get_by_label("E-mailadres").fill(email)
    tab.get_by_label("Wachtwoord").fill(PASSWORD)
    tab.get_by_role("button", name="Inloggen").click()
    expect(tab.get_by_role("button", name="Uitloggen")).to_be_visible()
    tab.close()


def test_a_report_typed_before_the_session_expired_is_sent_after_logging_in_again(
    app, context: BrowserContext, page: Page, base, region, browser_login
) -> None:
    browser_login(page, region.zorg_a.email)
    page.goto(f"{base}/meldingen/nieuw?leerling={region.pupil_a.id}")
    page.get_by_label("Soort melding").select_option("vraag")
    page.get_by_label("Uw vraag").fill(QUESTION)
    context.clear_cookies()  # the session has expired
    page.get_by_role("button", name="Melding versturen").click()
    warning = page.get_by_role("alert").filter(has_text="Uw sessie is verlopen")
    expect(warning).to_be_visible()
    expect(warning).to_be_focused()
    expect(page).to_have_url(f"{base}/meldingen/nieuw?leerling={region.pupil_a.id}")
    expect(page.get_by_label("Uw vraag")).to_have_value(QUESTION)
    assert count(app, Report) == 0
    log_in_again_in_a_new_tab(context, page, region.zorg_a.email)
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_text("De melding is verstuurd.")).to_be_visible()
    assert count(app, Report) == 1


def test_the_class_register_keeps_an_entry_made_after_the_session_expired(
    app, context: BrowserContext, page: Page, base, region, browser_login
) -> None:
    pupil = region.pupil_a  # class 2B
    browser_login(page, region.zorg_a.email)
    page.goto(f"{base}/verzuim/klassenregister?klas=2B&datum=2026-11-20")
    page.wait_for_function("() => window.htmx !== undefined")
    context.clear_cookies()
    hours = page.get_by_label(f"Uren verzuim {pupil.full_name}")
    hours.fill("3")
    hours.press("Enter")
    expect(page.locator("#sessie-status")).to_contain_text("Uw sessie is verlopen")
    expect(hours).to_have_value("3")
    assert count(app, Absence) == 0
    log_in_again_in_a_new_tab(context, page, region.zorg_a.email)
    hours.press("Enter")
    expect(page.locator(f"#rij-{pupil.id}-tr").get_by_role("status")).to_have_text("Opgeslagen")
    assert count(app, Absence) == 1
    expect(page.locator("#sessie-status")).to_be_empty()
