"""A double click, a retry or the back button files once: every form that changes something
carries a one-time token (``portal.submissions``), and a repeated post is sent to the first
one's result."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.casework.models import CaseAction
from portal.extensions import db
from portal.reports.models import Report, ReportMessage
from portal.submissions import FormSubmission, forget_old
from tests.conftest import logged_in, page_state

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def count(app, model) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def at_once(times: int, post) -> list:  # noqa: ANN001
    """``post`` from ``times`` threads released together, like a impatient double click."""
    barrier = threading.Barrier(times, timeout=20)
    responses: list = [None] * times

    def run(i: int) -> None:
        barrier.wait()
        responses[i] = post()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def _report_data(region) -> dict[str, str]:  # noqa: ANN001
    return {
        "kind": "overig",
        "pupil_number": region.pupil_a.pupil_number,
        "period_start": "2026-11-16",
        "period_end": "2026-11-20",
        "school_actions": "Gesprek met ouders op 18-11.",
    }


@pytest.mark.parametrize("times", [2, 5])
def test_a_report_posted_several_times_at_once_is_filed_once(app, region, times) -> None:
    school = logged_in(app, region.zorg_a)
    data = {**page_state(school.get("/meldingen/nieuw").text), **_report_data(region)}
    responses = at_once(times, lambda: school.post("/meldingen/nieuw", data=data))
    assert count(app, Report) == 1
    with app.app_context():
        report_id = db.session.scalar(select(Report.id))
    # The first answer goes to the report; every other one to the same place.
    locations = {r.headers["Location"] for r in responses}
    assert locations == {f"/meldingen/{report_id}"}, [r.status_code for r in responses]
    assert sorted(r.status_code for r in responses) == [302] + [303] * (times - 1)


def test_the_back_button_and_a_retry_show_the_first_result(app, region) -> None:
    school = logged_in(app, region.zorg_a)
    data = {**page_state(school.get("/meldingen/nieuw").text), **_report_data(region)}
    first = school.post("/meldingen/nieuw", data=data)
    assert first.status_code == 302
    again = school.post("/meldingen/nieuw", data=data, follow_redirects=True)
    assert again.status_code == 200
    assert "Dit formulier was al verstuurd en is één keer opgeslagen" in again.text
    assert count(app, Report) == 1
    # A new page is a new form: a second report is a second report.
    second = {**page_state(school.get("/meldingen/nieuw").text), **_report_data(region)}
    assert school.post("/meldingen/nieuw", data=second).status_code == 302
    assert count(app, Report) == 2


def test_a_message_sent_three_times_at_once_is_posted_once(app, region, make) -> None:
    report = make.report(region.pupil_a)
    consultant = logged_in(app, region.c1)
    path = f"/meldingen/{report.id}"
    state = page_state(consultant.get(path).text)
    data = {**state, "body": "Ik bel de ouders morgen."}
    responses = at_once(3, lambda: consultant.post(f"{path}/bericht", data=data))
    assert sorted(r.status_code for r in responses) == [302, 303, 303]
    with app.app_context():
        bodies = db.session.scalars(select(ReportMessage.body)).all()
    assert bodies.count("Ik bel de ouders morgen.") == 1


def test_a_form_with_errors_can_be_sent_again_with_the_same_token(app, region) -> None:
    """A first post that was refused left nothing behind: the corrected form goes through."""
    consultant = logged_in(app, region.c1)
    path = f"/dossier/{region.pupil_a.id}"
    state = page_state(consultant.get(path).text)
    action = {"kind": "gesprek_ouders", "body": "Gesprek", "day": "2027-01-01"}
    wrong = consultant.post(f"{path}/actie", data={**state, **action})
    assert wrong.status_code == 422
    right = consultant.post(f"{path}/actie", data={**state, **action, "day": "2026-11-20"})
    assert right.status_code == 302
    assert count(app, CaseAction) == 1


def test_old_tokens_are_forgotten(app, region) -> None:
    school = logged_in(app, region.zorg_a)
    data = {**page_state(school.get("/meldingen/nieuw").text), **_report_data(region)}
    school.post("/meldingen/nieuw", data=data)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FormSubmission)) >= 1
        from datetime import UTC, datetime, timedelta

        forget_old(db.session, datetime.now(UTC) + timedelta(days=3))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(FormSubmission)) == 0
