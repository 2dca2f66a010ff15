"""The task queue (portal.worker): the periodic round does the mail and the notices, a failing
task is retried and shows on the beheerder's pages, the queue is Redis or a SQLite file."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select

from portal import worker
from portal.auth.models import Role
from portal.db import utcnow
from portal.extensions import db
from portal.imports.models import ImportRun, RunStatus
from portal.jobs import JobStatus
from portal.notifications.models import OutboxMail
from tests.conftest import do_login

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


@pytest.fixture(autouse=True)
def _bound(app) -> None:
    # Other tests create applications of their own (configuration checks); the tasks run in
    # the one the test looks at, as in production where each process has one.
    worker.bind(app)


def status(app, name: str) -> JobStatus | None:
    with app.app_context():
        return db.session.get(JobStatus, name)


def test_the_round_sends_the_outbox_and_is_recorded(app, monkeypatch) -> None:
    with app.app_context():
        db.session.add(
            OutboxMail(to="consulent@lvs.example.nl", subject="Nieuwe melding", body="-")
        )
        db.session.commit()
    sent: list[str] = []

    class Recorder:
        def send(self, mail: OutboxMail, sender: str) -> None:
            sent.append(mail.to)

    monkeypatch.setattr("portal.worker.sender_from_config", lambda config: Recorder())
    # Mail goes out in office hours only: this test may run in the evening.
    monkeypatch.setattr("portal.notifications.services.next_office_moment", lambda now: now)
    assert worker.queue.immediate  # tests run the queue in process
    worker.every_minute()
    assert sent == ["consulent@lvs.example.nl"]
    with app.app_context():
        mail = db.session.scalars(select(OutboxMail)).one()
        assert mail.sent_at is not None
    done = status(app, "ronde")
    assert done is not None and done.last_success_at is not None and not done.failing


def test_a_failing_task_is_retried_and_shown_to_the_beheerder(app, make, monkeypatch) -> None:
    calls: list[int] = []

    def broken(session, config):  # noqa: ANN001, ANN202
        calls.append(1)
        raise ConnectionRefusedError("mail server unreachable")

    monkeypatch.setattr("portal.worker.run_round", broken)
    worker.queue.flush()
    worker.every_minute()
    assert len(calls) == 1
    # It is not lost: a retry is scheduled (20 s on), with one retry left after it.
    [retry] = worker.queue.scheduled()
    assert retry.name == "ronde" and retry.retries == 1
    worker.queue.flush()
    failed = status(app, "ronde")
    assert failed is not None and failed.failing and failed.failures == 1
    assert failed.last_error == "ConnectionRefusedError: mail server unreachable"
    admin = app.test_client()
    do_login(admin, make.user(Role.ADMIN, name="Beheerder"))
    assert "Een achtergrondtaak is mislukt." in admin.get("/").text
    page = admin.get("/beheer/achtergrondtaken").text
    assert "Mislukt" in page and "mail server unreachable" in page
    # The next good round clears the warning.
    monkeypatch.setattr(
        "portal.worker.run_round", lambda session, config: worker.RoundResult(None, 0, None, 0, 0)
    )
    worker.every_minute()
    assert not status(app, "ronde").failing
    assert "Een achtergrondtaak is mislukt." not in admin.get("/").text


def test_the_queue_is_redis_in_production_and_a_sqlite_file_on_a_bare_machine(tmp_path) -> None:
    assert isinstance(worker.make_queue("redis://127.0.0.1:6379/3"), RedisHuey)
    local = worker.make_queue(f"sqlite:///{tmp_path / 'queue' / 'tasks.db'}")
    assert isinstance(local, SqliteHuey)
    assert (tmp_path / "queue").is_dir()


def test_an_import_whose_worker_stopped_says_so_and_old_uploads_go(app, make, region) -> None:
    long_ago = utcnow() - timedelta(hours=2)
    stalled = make.import_run(
        region.zorg_a, region.school_a, status=RunStatus.READING, updated_at=long_ago
    )
    working = make.import_run(region.zorg_a, region.school_a, status=RunStatus.SAVING)
    forgotten = make.import_run(
        region.zorg_a, region.school_a, created_at=utcnow() - timedelta(days=2), data=b"x"
    )
    worker.every_minute()
    with app.app_context():
        assert db.session.get(ImportRun, stalled.id).status == RunStatus.FAILED
        assert "Er ging iets mis" in db.session.get(ImportRun, stalled.id).message
        assert db.session.get(ImportRun, working.id).status == RunStatus.SAVING
        assert db.session.get(ImportRun, forgotten.id) is None  # a preview older than a day
