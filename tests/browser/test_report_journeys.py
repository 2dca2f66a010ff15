"""The report journey in Chromium: the VMBO school files a report from a signal, the consultant
finds it at the top of the inbox and reacts, the school reads the reaction; an overdue report
shows up for the senior."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.attendance.signals import recompute_all
from portal.extensions import db

pytestmark = pytest.mark.browser
TODAY = date(2026, 11, 23)  # a Monday
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def login(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_page()
    page.set_default_timeout(5000)
    page.goto(f"{base}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    return page


def test_school_files_from_a_signal_and_reads_the_reaction(
    app, browser: Browser, base, make, region
) -> None:
    pupil = region.pupil_a
    make.report(region.pupil_b, filed_on=date(2026, 11, 18))  # another consultant's
    for day in (16, 17, 18, 19):
        make.absence(pupil, date(2026, 11, day), hours=4)
    with app.app_context():
        recompute_all(db.session, TODAY)
        db.session.commit()

    school = login(browser, base, region.zorg_a.email)
    school.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Signalen").click()
    school.get_by_role("link", name="Melden bij leerplicht").first.click()
    expect(school.get_by_role("heading", level=1)).to_have_text(
        f"Nieuwe melding over {pupil.full_name}"
    )
    expect(school.get_by_label("Soort melding")).to_have_value("zestien_uur")
    expect(school.get_by_role("status")).to_contain_text("16 uur ongeoorloofd verzuim")
    school.get_by_label("Wat heeft de school al gedaan?").fill(
        "Gesprek met leerling op 18-11 en met moeder op 19-11."
    )
    school.get_by_label("De ouders weten dat de school deze melding doet").check()
    school.get_by_role("button", name="Melding versturen").click()
    expect(school.get_by_text("De melding is verstuurd.")).to_be_visible()
    expect(school.get_by_text("nog 5 werkdagen")).to_be_visible()

    consultant = login(browser, base, region.c1.email)
    nav = consultant.get_by_role("navigation", name="Hoofdmenu")
    expect(nav.get_by_role("link", name="Meldingen")).to_contain_text("1")
    nav.get_by_role("link", name="Meldingen").click()
    first_row = consultant.get_by_role("row").nth(1)
    expect(first_row).to_contain_text("16 uur ongeoorloofd verzuim in 4 weken")
    expect(first_row).to_contain_text("nog 5 werkdagen")
    expect(first_row).to_contain_text("Nieuw")
    first_row.get_by_role("link").click()
    consultant.get_by_label("Bericht", exact=True).fill(
        "Dank voor de melding. Ik nodig leerling en ouders uit."
    )
    consultant.get_by_role("button", name="Reactie plaatsen").click()
    expect(consultant.get_by_text("Uw bericht is geplaatst.")).to_be_visible()
    expect(consultant.get_by_text("In behandeling").first).to_be_visible()

    school.goto(f"{base}/meldingen/")
    expect(school.get_by_text("Nieuwe reactie")).to_be_visible()
    school.get_by_role("link", name=f"{pupil.last_name}, {pupil.first_name}").first.click()
    expect(school.get_by_text("Ik nodig leerling en ouders uit.")).to_be_visible()
    school.close()
    consultant.close()


def test_overdue_report_shows_up_for_the_senior(browser: Browser, base, make, region) -> None:
    overdue = make.report(region.pupil_b, filed_on=date(2026, 11, 9))  # deadline 16 Nov
    senior = login(browser, base, region.senior.email)
    senior.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Meldingen").click()
    row = senior.get_by_role("row").filter(has_text="Consulent Twee")
    expect(row.first).to_contain_text("1")
    report_row = senior.get_by_role("row").filter(has_text=region.pupil_b.last_name)
    expect(report_row).to_contain_text("5 werkdagen te laat")
    report_row.get_by_role("link").click()
    senior.get_by_label("Toewijzen aan").select_option(label="Consulent Een")
    senior.get_by_role("button", name="Toewijzen").click()
    expect(senior.get_by_text("De melding is toegewezen aan Consulent Een.")).to_be_visible()
    assert overdue.id
    senior.close()
