"""The region-wide figures cache: kept for FIGURES_CACHE_SECONDS, per key, then computed again."""

from __future__ import annotations

from datetime import date

import pytest

from portal import figures_cache
from portal.extensions import db
from tests.conftest import do_login


@pytest.fixture()
def caching(app):
    app.config["FIGURES_CACHE_SECONDS"] = 600
    with app.app_context():
        figures_cache.clear()
    yield app
    app.config["FIGURES_CACHE_SECONDS"] = 0
    with app.app_context():
        figures_cache.clear()


def test_values_are_kept_per_key_until_they_expire(caching, monkeypatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(figures_cache.time, "monotonic", lambda: clock[0])
    calls: list[str] = []

    def compute(value: str):
        def run() -> str:
            calls.append(value)
            return value

        return run

    with caching.app_context():
        first, at = figures_cache.cached("test", 1, compute("a"))
        again, at_again = figures_cache.cached("test", 1, compute("b"))
        other, _ = figures_cache.cached("test", 2, compute("c"))
        assert (first, again, other) == ("a", "a", "c") and at_again == at
        clock[0] += 601
        assert figures_cache.cached("test", 1, compute("d"))[0] == "d"
    assert calls == ["a", "c", "d"]


def test_the_store_is_bounded(caching) -> None:
    with caching.app_context():
        for n in range(figures_cache.MAX_ENTRIES + 10):
            figures_cache.cached("bounded", n, lambda n=n: n)
        assert len(caching.extensions["figures_cache"]) == figures_cache.MAX_ENTRIES


def _region_row(html: str) -> str:
    return html[html.index("Alle consulenten") :][:300]


def test_reaction_figures_say_when_they_were_computed(caching, make, region) -> None:
    make.report(region.pupil_a, filed_on=date(2026, 11, 2))
    senior = caching.test_client()
    do_login(senior, region.senior)
    html = senior.get("/meldingen/cijfers").text
    assert "Berekend op" in html and "elke 10 minuten opnieuw berekend" in html
    assert '<td class="utrecht-table__cell">1</td>' in _region_row(html)
    # A report filed after the figures were computed counts once they are computed again.
    make.report(region.pupil_b, filed_on=date(2026, 11, 3))
    kept = senior.get("/meldingen/cijfers").text
    assert '<td class="utrecht-table__cell">1</td>' in _region_row(kept)
    with caching.app_context():
        figures_cache.clear()
    fresh = senior.get("/meldingen/cijfers").text
    assert '<td class="utrecht-table__cell">2</td>' in _region_row(fresh)


def test_only_the_whole_region_is_kept(caching, region) -> None:
    calls: list[str] = []

    def compute() -> int:
        calls.append("x")
        return len(calls)

    with caching.test_request_context(), caching.app_context():
        senior = db.session.merge(region.senior)
        consultant = db.session.merge(region.c1)
        first, at = figures_cache.region_wide(senior, "scope", 1, compute)
        assert figures_cache.region_wide(senior, "scope", 1, compute) == (first, at)
        assert at is not None
        fresh = [figures_cache.region_wide(consultant, "scope", 1, compute) for _ in range(2)]
        assert fresh == [(2, None), (3, None)]


def test_the_seniors_waiting_reports_are_kept_a_minute(caching, make, region, monkeypatch):
    clock = [5000.0]
    monkeypatch.setattr(figures_cache.time, "monotonic", lambda: clock[0])
    make.report(region.pupil_a, filed_on=date(2026, 11, 2))
    senior, consultant = caching.test_client(), caching.test_client()
    do_login(senior, region.senior)
    do_login(consultant, region.c1)
    assert "1 melding wacht op uw reactie" in senior.get("/").text
    assert '<span class="nav-count">1' in senior.get("/verzuim/signalen").text
    make.report(region.pupil_a, filed_on=date(2026, 11, 3))
    # The consultant counts afresh; the senior's region-wide number (home and header) is kept.
    assert "2 meldingen wachten op uw reactie" in consultant.get("/").text
    assert "1 melding wacht op uw reactie" in senior.get("/").text
    assert '<span class="nav-count">1' in senior.get("/verzuim/signalen").text
    clock[0] += 61
    assert "2 meldingen wachten op uw reactie" in senior.get("/").text
    assert '<span class="nav-count">2' in senior.get("/verzuim/signalen").text


def test_the_overdue_view_per_consultant_is_kept_a_minute(caching, make, region, monkeypatch):
    clock = [9000.0]
    monkeypatch.setattr(figures_cache.time, "monotonic", lambda: clock[0])
    make.report(region.pupil_a, filed_on=date(2026, 11, 2))  # long past its deadline
    senior = caching.test_client()
    do_login(senior, region.senior)

    def late_for_c1() -> str:
        html = senior.get("/meldingen/").text
        assert "Stand van" in html and "elke minuut bijgewerkt" in html
        row = html[html.index("Reacties per consulent") :]
        return row[row.index("Consulent Een") :][:300]

    assert '<strong class="deadline--late">1</strong>' in late_for_c1()
    make.report(region.pupil_a, filed_on=date(2026, 11, 3))
    assert '<strong class="deadline--late">1</strong>' in late_for_c1()
    clock[0] += 61
    assert '<strong class="deadline--late">2</strong>' in late_for_c1()
