"""The demo data (``flask demo-data``) and the region generator (``--scale``) at a small scale:
deterministic, every demo account logs in, and the signals it writes are the ones the portal
computes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from devdata.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from devdata.region import parse_scale
from portal.attendance.models import Absence, LateArrival, Signal
from portal.auth.models import Role, User
from portal.evaluation.models import Evaluation
from portal.extensions import db
from portal.pupils.models import Pupil
from portal.reports.models import Report, ReportStatus
from portal.schools.models import School, SchoolHoliday, StandIn
from portal.transition.models import TransitionDiscussion, TransitionEntry, TransitionTable
from tests.conftest import do_login

TODAY = date(2026, 11, 23)


def test_parse_scale() -> None:
    assert parse_scale("region") == 1.0
    assert parse_scale("0.1") == 0.1
    assert parse_scale("5") == 5.0
    for bad in ("0", "-1", "many", "nan"):
        try:
            parse_scale(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} accepted")


def test_region_at_small_scale(app, monkeypatch) -> None:
    from portal.attendance.signals import recompute_signals

    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)
    result = app.test_cli_runner().invoke(args=["demo-data", "--scale", "0.01"])
    assert result.exit_code == 0, result.output
    assert "region loaded" in result.output
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(School) > 3
        assert count(Pupil) > 500
        assert count(Absence) > 10 * count(Pupil)
        assert count(LateArrival) > count(Pupil)
        assert count(Report) > 0
        assert count(Signal) > 0
        # Reports in several statuses, each assigned to the school's fixed consultant.
        statuses = set(db.session.scalars(select(Report.status).distinct()))
        assert ReportStatus.CLOSED in statuses and ReportStatus.IN_PROGRESS in statuses
        # The signals the generator wrote are what the portal computes for those pupils.
        pupil_ids = list(
            db.session.scalars(select(Signal.pupil_id).distinct().order_by(Signal.pupil_id))
        )[:40]

        def signature(pupil_id: int) -> list[tuple]:
            return sorted(
                (s.kind, s.start, s.reached_on, s.legal_duty, s.resolved, s.follow_up)
                for s in db.session.scalars(select(Signal).where(Signal.pupil_id == pupil_id))
            )

        for pupil_id in pupil_ids:
            written = signature(pupil_id)
            recompute_signals(db.session, db.session.get(Pupil, pupil_id), TODAY)
            assert signature(pupil_id) == written, pupil_id
        db.session.rollback()
        assert count(User) > len(DEMO_ACCOUNTS)
        # Transition lists of three school years, tables held, and last years' outcomes.
        years = set(db.session.scalars(select(TransitionEntry.school_year).distinct()))
        assert {2024, 2025, 2026} <= years
        assert db.session.scalar(
            select(func.count())
            .select_from(TransitionEntry)
            .where(TransitionEntry.school_year == 2025, TransitionEntry.outcome.is_not(None))
        )
        assert count(TransitionDiscussion) > 0 and count(TransitionTable) > 3
        # Every region school with a consultant is in the evaluation round the demo opened.
        assert count(Evaluation) > 3
    # The transition list and a region evaluation render for the coach and the consultant.
    coach = app.test_client()
    do_login(coach, "coach@swv.example.nl", DEMO_PASSWORD)
    assert coach.get("/overstap/?weergave=alle&jaar=2025").status_code == 200
    # Every demo account still logs in and sees its home page.
    for email in DEMO_ACCOUNTS:
        client = app.test_client()
        assert do_login(client, email, DEMO_PASSWORD).status_code == 302, email
        assert client.get("/").status_code == 200


def test_demo_data_command(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(School)) == 3
        assert db.session.scalar(select(func.count()).select_from(User)) == 7
        assert db.session.scalar(select(func.count()).select_from(SchoolHoliday)) == 10
        assert db.session.scalar(select(func.count()).select_from(StandIn)) == 1
        roles = dict(db.session.execute(select(User.email, User.role)).all())
        assert roles == {email: role for email, (_, role) in DEMO_ACCOUNTS.items()}
        coach = db.session.scalars(select(User).where(User.role == Role.SWV)).one()
        assert coach.partnership_id is not None
    # Running it again changes nothing.
    again = runner.invoke(args=["demo-data"])
    assert again.exit_code == 0
    assert "already holds accounts" in again.output
    # Every demo account logs in with the documented password.
    for email in DEMO_ACCOUNTS:
        client = app.test_client()
        assert do_login(client, email, DEMO_PASSWORD).status_code == 302, email
        assert client.get("/").status_code == 200


def test_demo_data_refuses_production(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "PORTAL_ENV", "production")
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code != 0
    assert "production" in result.output
