"""Browser fixtures: the portal served on a free loopback port, for Playwright in Chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.factories import PASSWORD

AXE_DEFAULT = Path(__file__).resolve().parents[2] / ".cache" / "axe-core-4.14.1" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture()
def base(live_server: str) -> str:
    return live_server


@pytest.fixture()
def browser_login(base: str) -> Callable[..., None]:
    def login(page: Page, email: str, password: str = PASSWORD) -> None:
        page.goto(f"{base}/login")
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Wachtwoord").fill(password)
        page.get_by_role("button", name="Inloggen").click()
        expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    return login


@pytest.fixture(scope="session")
def axe_path() -> Path:
    path = Path(os.environ.get("AXE_PATH") or AXE_DEFAULT).resolve()
    if not path.exists():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"axe-core is missing at {path} under CI=true (make axe fetches it)")
        pytest.skip("axe-core is not fetched: run `make axe`")
    return path


@pytest.fixture()
def axe(axe_path: Path) -> Callable[[Page], list[dict]]:
    """Run axe-core (WCAG 2.1 A/AA) on the page; returns the violations."""

    def run(page: Page) -> list[dict]:
        page.add_script_tag(path=str(axe_path))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "targets": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
        ]

    return run


@pytest.fixture(autouse=True)
def _fail_fast(page: Page) -> None:
    """Five seconds is plenty on loopback; a missing element should fail quickly."""
    page.set_default_timeout(5000)
    page.set_default_navigation_timeout(10000)
