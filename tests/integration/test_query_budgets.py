"""Query budgets: each main page runs a bounded number of SQL statements, and the number does
not grow with the data (an N+1 fails here)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from portal.attendance.models import AbsenceKind
from portal.extensions import db
from portal.pupils.models import Programme
from portal.transition.models import Party, TableRound
from tests.conftest import do_login

BUDGET = 15
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


@contextmanager
def counting(app) -> Iterator[list[str]]:  # noqa: ANN001
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def grow(app, make, region, n: int) -> dict[str, int]:  # noqa: ANN001
    """``n`` pupils per school with absence, late arrivals, signals and reports."""
    from portal.attendance.signals import recompute_all

    ids: dict[str, int] = {}
    for school in (region.school_a, region.school_b):
        for i in range(n):
            pupil = make.pupil(school, class_name="2B")
            for day in (16, 17, 18, 19):
                make.absence(pupil, date(2026, 11, day), hours=4)
            make.absence(pupil, date(2026, 11, 20), hours=6, kind=AbsenceKind.ZIEK)
            make.late_arrival(pupil, date(2026, 11, 20))
            report = make.report(pupil, filed_on=date(2026, 11, 10 + i % 5))
            make.report_message(report, region.c1, "Reactie")
            ids.setdefault(f"pupil_{school.name}", pupil.id)
            ids.setdefault(f"report_{school.name}", report.id)
            # The overstap: a final-year pupil on the list with agreements for two parties.
            leaver = make.pupil(school, class_name="4K", year=4, programme=Programme.VMBO_KB)
            entry = make.transition_entry(leaver, first_discussed_on=date(2026, 11, 2))
            make.transition_agreement(entry)
            make.transition_agreement(entry, party=Party.SCHOOL)
            ids.setdefault(f"entry_{school.name}", entry.id)
    ids["table"] = make.transition_table(
        region.swv_a, [region.school_a], round=TableRound.BEFORE_SUMMER
    ).id
    with app.app_context():
        recompute_all(db.session, TODAY)
        db.session.commit()
    return ids


PAGES = {
    "school": [
        "/",
        "/leerlingen/",
        "/leerlingen/{pupil}",
        "/verzuim/klassenregister?klas=2B",
        "/verzuim/signalen",
        "/meldingen/",
        "/meldingen/{report}",
        "/overstap/",
        "/overstap/leerling/{entry}",
        "/overstap/afspraken",
    ],
    "consultant": ["/", "/meldingen/", "/meldingen/{report}", "/verzuim/signalen", "/overstap/"],
    "senior": ["/", "/meldingen/", "/meldingen/cijfers", "/verzuim/signalen", "/overstap/cijfers"],
    "swv": [
        "/",
        "/overstap/",
        "/overstap/afspraken",
        "/overstap/tafels",
        "/overstap/tafels/{table}",
        "/overstap/tafels/{table}/agenda",
        "/overstap/cijfers",
    ],
    "admin": ["/", "/beheer/accounts", "/beheer/scholen", "/beheer/vervangingen"],
}


def measure(app, region, ids) -> dict[str, list[str]]:  # noqa: ANN001
    counts = {}
    for role, paths in PAGES.items():
        client = app.test_client()
        do_login(client, region.by_role()[role])
        for path in paths:
            url = path.format(
                pupil=ids["pupil_School A"],
                report=ids["report_School A"],
                entry=ids["entry_School A"],
                table=ids["table"],
            )
            client.get(url)  # warm: the first visit may record a "read" marker once
            with counting(app) as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            counts[f"{role} {path}"] = list(statements)
    return counts


def test_main_pages_stay_within_budget_and_do_not_grow(app, make, region) -> None:
    ids = grow(app, make, region, 2)
    small = measure(app, region, ids)
    grow(app, make, region, 18)  # ten times as many pupils, reports and signals
    large = measure(app, region, ids)
    over = {page: len(run) for page, run in large.items() if len(run) > BUDGET}
    assert not over, f"pages over the budget of {BUDGET} statements: {over}"
    grew = {
        page: (len(small[page]), len(large[page]))
        for page in small
        if len(large[page]) - len(small[page]) != _pagination_count(small[page], large[page])
    }
    assert not grew, f"statement counts grew with the data (N+1?): {grew}"


def _pagination_count(small: list[str], large: list[str]) -> int:
    """1 when the larger run only adds the list's total count: a page that is not full needs
    none (the total follows from it), a full one does. Anything else must stay equal."""
    extra = [_shape(statement) for statement in large]
    for statement in map(_shape, small):
        if statement in extra:
            extra.remove(statement)
    return 1 if len(extra) == 1 and extra[0].startswith("SELECT count(*)") else 0


def _shape(statement: str) -> str:
    """A statement without its parameters: ``IN (?, ?, ?)`` and multi-row ``VALUES`` lists
    vary with the page's rows, not with the shape of the work."""
    statement = re.sub(r"%\(\w+\)s(::\w+)?", "?", statement)
    statement = re.sub(r"\(\?(, \?)*\)", "(?)", statement)
    statement = re.sub(r"__\[POSTCOMPILE_\w+\]", "?", statement)
    return re.sub(r"\(\?\)(, \(\?\))+", "(?)", statement)


@pytest.mark.parametrize("pupils", [3, 30])
def test_recomputing_every_pupils_signals_does_not_grow_with_the_pupils(
    app, make, region, pupils: int
) -> None:
    from portal.attendance.signals import recompute_all

    for n in range(pupils):
        pupil = make.pupil(region.school_a, first_name=f"Kind{n}", class_name="3A")
        for day in (16, 17, 18, 19):
            make.absence(pupil, date(2026, 11, day), hours=4, kind=AbsenceKind.ONGEOORLOOFD)
    with counting(app) as statements, app.app_context():
        recomputed = recompute_all(db.session, TODAY)
        db.session.commit()
    assert recomputed >= pupils
    # One statement per kind of registration for all pupils (one batch), not per pupil, and
    # the signals inserted in one executemany.
    assert len(statements) <= 15, statements
