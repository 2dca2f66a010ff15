"""Optimistic locking: of two saves of one record, exactly one wins; the other gets a Dutch
conflict message with what they typed and the other person's change. Enforced by the database
statement (``WHERE version = ...``), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from portal.db import Base, Versioned
from portal.extensions import db
from portal.pupils.models import Programme
from portal.transition.models import TransitionEntry
from tests.conftest import fetch, logged_in, page_state

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def _entry(make, region) -> TransitionEntry:  # noqa: ANN001
    pupil = make.pupil(
        region.school_a, year=4, programme=Programme.VMBO_KB, class_name="4K", last_name="Race"
    )
    return make.transition_entry(pupil)


def _edit(entry_id: int, institution: str, note: str) -> dict[str, str]:
    return {
        "gegevens-risks": "geen_aanmelding",
        "gegevens-application_status": "geen_aanmelding",
        "gegevens-mbo_institution": institution,
        "gegevens-risk_note": note,
    }


def test_a_stale_page_gets_the_conflict_with_both_versions_shown(app, make, region) -> None:
    entry = _entry(make, region)
    school, coach = logged_in(app, region.zorg_a), logged_in(app, region.swv_user)
    path = f"/overstap/leerling/{entry.id}"
    school_page = page_state(school.get(path).text, "gegevens-")
    coach_page = page_state(coach.get(path).text, "gegevens-")
    first = coach.post(path, data={**coach_page, **_edit(entry.id, "Da Vinci College", "")})
    assert first.status_code == 302
    typed = _edit(entry.id, "Albeda", "Moeder belt zelf met het mbo")
    second = school.post(path, data={**school_page, **typed})
    assert second.status_code == 409
    page = second.text
    assert "heeft dit intussen gewijzigd" in page and "uw wijziging niet opgeslagen" in page
    assert region.swv_user.name in page  # who, from the audit trail
    assert 'value="Albeda"' in page and "Moeder belt zelf met het mbo" in page  # kept
    assert "Nu opgeslagen: <strong>Da Vinci College</strong>" in page  # the other change
    assert fetch(TransitionEntry, entry.id).mbo_institution == "Da Vinci College"
    # Saving again, having seen the other change, overwrites it on purpose.
    again = school.post(path, data={**page_state(page, "gegevens-"), **typed})
    assert again.status_code == 302
    assert fetch(TransitionEntry, entry.id).mbo_institution == "Albeda"


def _race(app: Flask, monkeypatch, target: str, posts: list[Callable[[], Any]]) -> list[Any]:  # noqa: ANN001
    """Run ``posts`` at once, each held at ``target`` until all have read the record (the
    version their form is checked against): then they validate and write together."""
    module, name = target.rsplit(".", 1)
    original = getattr(__import__(module, fromlist=[name]), name)
    barrier = threading.Barrier(len(posts), timeout=20)

    def held(*args: Any, **kwargs: Any) -> Any:
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(target, held)
    results: list[Any] = [None] * len(posts)

    def run(i: int) -> None:
        results[i] = posts[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("attempt", range(8))
def test_two_saves_at_the_same_moment_one_wins(app, make, region, monkeypatch, attempt) -> None:
    """The issue's race: school and swv save the same entry at once (8 tries): each time one
    is saved, the other gets the conflict, and nothing is lost silently or answers 500."""
    entry = _entry(make, region)
    school, coach = logged_in(app, region.zorg_a), logged_in(app, region.swv_user)
    path = f"/overstap/leerling/{entry.id}"
    school_page = page_state(school.get(path).text, "gegevens-")
    coach_page = page_state(coach.get(path).text, "gegevens-")
    responses = _race(
        app,
        monkeypatch,
        "portal.lifecycle.form_applied",
        [
            lambda: school.post(path, data={**school_page, **_edit(entry.id, "Albeda", "S")}),
            lambda: coach.post(path, data={**coach_page, **_edit(entry.id, "Da Vinci", "C")}),
        ],
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302, 409], statuses
    winner = "Albeda" if responses[0].status_code == 302 else "Da Vinci"
    loser = next(r for r in responses if r.status_code == 409)
    assert f"Nu opgeslagen: <strong>{winner}</strong>" in loser.text
    stored = fetch(TransitionEntry, entry.id)
    assert stored.mbo_institution == winner and stored.version == 2


def test_two_beheerders_saving_a_school_at_once(app, make, region, monkeypatch) -> None:
    school = region.school_a
    path = f"/beheer/scholen/{school.id}"
    one, two = logged_in(app, region.admin), logged_in(app, make.user(region.admin.role))

    def post(client, name: str):  # noqa: ANN001, ANN202
        state = page_state(client.get(path).text)
        form = {
            "name": name,
            "brin": school.brin,
            "location_code": school.location_code,
            "school_type": school.school_type.value,
            "municipality_id": str(school.municipality_id),
            "active": "y",
        }
        return lambda: client.post(path, data={**state, **form})

    responses = _race(
        app,
        monkeypatch,
        "portal.lifecycle.form_applied",
        [post(one, "Naam van de een"), post(two, "Naam van de ander")],
    )
    assert sorted(r.status_code for r in responses) == [302, 409]


def _versioned_models() -> list[type]:
    return sorted(
        (m.class_ for m in Base.registry.mappers if issubclass(m.class_, Versioned)),
        key=lambda cls: cls.__name__,
    )


def test_every_editable_record_is_versioned() -> None:
    """The issue's list: transition entries (outcomes are on the entry), pupils, cases
    (reports), actions, SMA referrals, thuiszitters, evaluations and the master data."""
    names = {cls.__name__ for cls in _versioned_models()}
    assert {
        "TransitionEntry",
        "TransitionTable",
        "TransitionAgreement",
        "Pupil",
        "Report",
        "CaseAction",
        "SmaReferral",
        "Thuiszitter",
        "Evaluation",
        "Question",
        "Municipality",
        "Partnership",
        "School",
        "StandIn",
        "SchoolHoliday",
        "AttendanceSettings",
        "User",
    } <= names


def test_the_update_statement_carries_the_version(app, make, region) -> None:
    """Not only a check in Python: the database refuses the second of two writers that read
    the same version, and the statement shows why."""
    entry = _entry(make, region)
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

        def log(_conn, _cursor, statement: str, *_args: Any) -> None:  # noqa: ANN001
            if statement.startswith("UPDATE transition_entry"):
                statements.append(statement)

        event.listen(engine, "before_cursor_execute", log)
        try:
            with Session(engine) as first, Session(engine) as second:
                one = first.get(TransitionEntry, entry.id)
                two = second.get(TransitionEntry, entry.id)
                assert one is not None and two is not None
                one.mbo_institution = "Albeda"
                first.commit()
                two.mbo_institution = "Da Vinci"
                with pytest.raises(StaleDataError):
                    second.commit()
        finally:
            event.remove(engine, "before_cursor_execute", log)
    assert statements and all("version" in s.split("WHERE", 1)[1] for s in statements)
    assert fetch(TransitionEntry, entry.id).mbo_institution == "Albeda"


def test_a_change_of_the_risks_alone_is_a_new_version(app, make, region) -> None:
    entry = _entry(make, region)
    with app.app_context():
        stored = db.session.get(TransitionEntry, entry.id)
        assert stored is not None
        from portal.transition.models import RiskReason, TransitionRisk

        stored.risks = [TransitionRisk(reason=RiskReason.ABSENCE)]
        db.session.commit()
        assert (
            db.session.scalar(select(TransitionEntry.version).where(TransitionEntry.id == entry.id))
            == 2
        )
