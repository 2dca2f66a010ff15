"""A case from report to result in Chromium: the consultant records a talk, a warning and an
SMA referral and closes with "waarschuwing"; the school sees the result and the message, and
no trace of the referral."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, expect

from portal.reports.models import ReportStatus
from tests.browser.test_report_journeys import login

pytestmark = pytest.mark.browser
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def test_consultant_runs_a_case_and_the_school_sees_only_the_result(
    browser: Browser, base, make, region
) -> None:
    report = make.report(region.pupil_a, filed_on=date(2026, 11, 18))
    consultant = login(browser, base, region.c1.email)
    consultant.goto(f"{base}/meldingen/{report.id}")
    consultant.get_by_label("Bericht", exact=True).fill("Ik pak dit op en spreek de ouders.")
    consultant.get_by_role("button", name="Reactie plaatsen").click()
    consultant.get_by_role("link", name="Dossier van de leerling").click()
    for kind, note in (
        ("Gesprek met de ouders", "Vader zegt dat de zoon slecht slaapt."),
        ("Officiële waarschuwing", "Waarschuwing uitgereikt op kantoor."),
    ):
        consultant.get_by_label("Soort", exact=True).select_option(label=kind)
        consultant.get_by_label("Toelichting").fill(note)
        consultant.get_by_role("button", name="Actie vastleggen").click()
        expect(consultant.get_by_text(f"{kind} is vastgelegd.")).to_be_visible()
    consultant.get_by_label("Reden").select_option(
        label="Leerling of ouders houden zich niet aan het re-integratieplan"
    )
    consultant.get_by_role("button", name="Verwijzing vastleggen").click()
    expect(consultant.get_by_text("De SMA-verwijzing is vastgelegd.")).to_be_visible()
    consultant.goto(f"{base}/meldingen/{report.id}")
    consultant.get_by_label("Nieuwe status").select_option(label="Afgesloten")
    consultant.get_by_label("Resultaat bij afsluiten").select_option(label="Waarschuwing")
    consultant.get_by_label("Bericht aan de school").fill(
        "Afgesloten met een officiële waarschuwing. Meld het als het verzuim terugkomt."
    )
    consultant.get_by_role("button", name="Status opslaan").click()
    expect(consultant.get_by_text("De status is nu: Afgesloten.")).to_be_visible()

    school = login(browser, base, region.zorg_a.email)
    school.goto(f"{base}/meldingen/{report.id}")
    expect(school.get_by_text("Afgesloten: Waarschuwing")).to_be_visible()
    expect(school.get_by_text("Meld het als het verzuim terugkomt.")).to_be_visible()
    html = school.content()
    for secret in ("SMA", "re-integratieplan", "slecht slaapt", "Dossier", "/dossier/"):
        assert secret not in html, secret
    assert report.status == ReportStatus.REGISTERED  # the factory copy; the page shows the rest
    consultant.close()
    school.close()
