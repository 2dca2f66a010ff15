"""A full April evaluation in Chromium: zorg@ fills in the school's part, the consultant fills
in theirs and writes the conclusion, both confirm, and the senior opens the report and its PDF.
Every page on the way passes axe-core."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_transition_journey import login

pytestmark = pytest.mark.browser
TODAY = date(2027, 4, 12)


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def fill_part(page: Page, score: str, remark: str) -> None:
    questions = page.locator("fieldset.question")
    for i in range(questions.count()):
        question = questions.nth(i)
        radio = question.get_by_label(score, exact=True)
        if radio.count():
            radio.check()
    page.get_by_label("Toelichting").first.fill(remark)
    page.get_by_role("button", name="Mijn deel afronden").click()


def test_school_and_consultant_evaluate_and_the_senior_reads_the_report(
    browser: Browser, base, make, region, axe
) -> None:
    evaluation = make.evaluation(region.school_a)

    school = login(browser, base, region.zorg_a.email)
    school.get_by_role("link", name="Evaluatie", exact=True).click()
    school.get_by_role("link", name="2026-2027").click()
    assert axe(school) == []
    fill_part(school, "4", "Mentoren registreren nu dagelijks.")
    expect(school.get_by_text("Uw deel is afgerond.")).to_be_visible()

    consultant = login(browser, base, region.c1.email)
    consultant.goto(f"{base}/evaluatie/{evaluation.id}")
    expect(consultant.get_by_text("Mentoren registreren nu dagelijks.")).to_be_visible()
    fill_part(consultant, "3", "Meldingen komen op tijd.")
    consultant.get_by_label("Conclusie").fill(
        "De samenwerking loopt goed; het melden in leerjaar 3 kan eerder."
    )
    consultant.locator("#afspraak-0-wat").fill("Spreekuur leerplicht op school, maandelijks")
    consultant.locator("#afspraak-0-wie").select_option(label="Samen")
    consultant.locator("#afspraak-0-wanneer").fill("2027-09-01")
    assert axe(consultant) == []
    consultant.get_by_role("button", name="Opslaan en bevestigen").click()
    expect(consultant.get_by_text("Nu de andere partij nog.")).to_be_visible()

    school.reload()
    expect(school.get_by_label("Conclusie")).to_have_value(
        "De samenwerking loopt goed; het melden in leerjaar 3 kan eerder."
    )
    school.get_by_role("button", name="Opslaan en bevestigen").click()
    expect(school.get_by_text("Beide partijen hebben bevestigd.")).to_be_visible()

    senior = login(browser, base, region.senior.email)
    senior.get_by_role("link", name="Evaluatie", exact=True).click()
    row = senior.get_by_role("row", name="School A")
    expect(row).to_contain_text("Afgerond")
    assert axe(senior) == []
    row.get_by_role("link", name="verslag").click()
    expect(senior.get_by_role("heading", level=1)).to_contain_text("School A")
    expect(senior.get_by_text("Spreekuur leerplicht op school, maandelijks")).to_be_visible()
    assert axe(senior) == []
    pdf = senior.request.get(f"{base}/evaluatie/{evaluation.id}/verslag.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
