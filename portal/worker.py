"""Background work: the task queue and its periodic tasks.

The queue is `Huey <https://huey.readthedocs.io>`_: small, well kept, one library for both
deployments the portal has. On a bare machine (``make run``) it keeps its queue in a SQLite file
beside the database (``instance/tasks.db``); in production ``TASK_QUEUE_URL=redis://...`` puts
it in Redis, shared by every web worker. ``flask worker`` runs the consumer (threads), which
also runs the periodic tasks:

* every minute, :func:`run_round`: the signals after a change of the counting rules (once),
  the deadline notices, the April evaluation's schedule, forgetting old one-time form tokens,
  imports whose worker stopped and uploads older than a day, and the mail outbox (what
  ``flask send-mail`` does from cron);
* every night at 02:15 UTC, every pupil's signals (some depend on the date itself);
* on demand, an import's two steps (:mod:`portal.imports.registrations`): reading an uploaded
  file, and saving it after the user's preview. Each commits per chunk, so the progress bar
  moves and a failure loses one chunk at most; after its last retry the run says it failed.

A task that fails is retried (``retries``); every failure and every success is kept per task
(:class:`portal.jobs.JobStatus`), which the beheerder sees under *Beheer › Achtergrondtaken*:
nothing fails silently. Tests run the queue in Huey's immediate mode (in memory, in process).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR

from portal import calendar, jobs, submissions
from portal.attendance.signals import mark_rules_current, recompute_all, recompute_if_rules_changed
from portal.db import DbSession, utcnow
from portal.evaluation.services import run_schedule
from portal.extensions import db
from portal.imports import registrations, saving
from portal.imports.services import purge_old_batches
from portal.notifications.services import send_pending, sender_from_config
from portal.reports.services import check_deadlines

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUEUE = f"sqlite:///{PROJECT_ROOT / 'instance' / 'tasks.db'}"


def make_queue(url: str) -> Huey:
    """Redis when ``url`` is ``redis://...``, else a SQLite file (``sqlite:///path``)."""
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey("verzuimportaal", url=url)
    path = Path(url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("verzuimportaal", filename=str(path))


queue = make_queue(os.environ.get("TASK_QUEUE_URL", DEFAULT_QUEUE))
_app: list[Flask] = []


def bind(app: Flask) -> None:
    """The application the tasks run in (``create_app`` binds it; one per process)."""
    _app[:] = [app]
    if app.config.get("TESTING"):
        queue.immediate = True  # in process, in memory: a test sees the task's effect at once


def _record(name: str, error: BaseException | None) -> None:
    """Keep a task's outcome (``portal.jobs``), in its own transaction."""
    with _app[0].app_context():
        jobs.record_outcome(db.session, name, error)
        db.session.commit()
        db.session.remove()


@queue.signal(SIGNAL_COMPLETE)
def _completed(signal: str, task: Any) -> None:
    if _app:
        _record(task.name, None)


@queue.signal(SIGNAL_ERROR)
def _failed(signal: str, task: Any, exc: BaseException | None = None) -> None:
    if _app:
        _record(task.name, exc or RuntimeError("onbekende fout"))
        if task.name in IMPORT_TASKS and not task.retries and task.args:
            with _app[0].app_context():  # no retry left: the user sees it failed
                registrations.give_up(db.session, int(task.args[0]))
                db.session.commit()
                db.session.remove()


@dataclass(frozen=True)
class RoundResult:
    recomputed: int | None
    notices: int
    evaluation: str | None
    sent: int
    failed: int

    def text(self) -> str:
        parts = [f"{self.notices} deadline notices", f"{self.sent} sent", f"{self.failed} failed"]
        if self.recomputed is not None:
            parts.insert(0, f"new counting rules: signals of {self.recomputed} pupils")
        if self.evaluation:
            parts.append(self.evaluation)
        return ", ".join(parts)


def run_round(session: DbSession, config: dict[str, Any]) -> RoundResult:
    """One round of the periodic work, each part in its own transaction."""
    today = calendar.today()
    recomputed = recompute_if_rules_changed(session, today, after_batch=session.commit)
    session.commit()
    notices = check_deadlines(session, today, config["PUBLIC_URL"])
    session.commit()
    evaluation = run_schedule(session, today)  # the April round and its reminders
    session.commit()
    submissions.forget_old(session, utcnow())  # one-time form tokens of past days
    session.commit()
    registrations.fail_stalled(session)  # an import whose worker stopped says so
    registrations.purge_old_runs(session)  # uploads hold pupil data: a day at most
    purge_old_batches(session)
    session.commit()
    sent, failed = send_pending(session, sender_from_config(config), config["MAIL_FROM"])
    return RoundResult(recomputed, notices, evaluation, sent, failed)


def _in_app(work: Callable[[], Any]) -> Any:
    """Run ``work`` in an application context of its own (its own database session): the
    request's application when a test runs a task at once, else the bound one."""
    if has_app_context():
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    elif _app:
        app = _app[0]
    else:
        raise RuntimeError("no application bound: create_app binds it (flask worker)")
    with app.app_context():
        try:
            return work()
        finally:
            db.session.remove()


@queue.periodic_task(crontab(minute="*"), retries=2, retry_delay=20, name="ronde")
def every_minute() -> str:
    """Mail, deadline notices, the evaluation's schedule, a rules change's recompute."""
    return str(_in_app(lambda: run_round(db.session, current_app.config).text()))


@queue.periodic_task(crontab(hour="2", minute="15"), retries=3, retry_delay=300, name="signalen")
def nightly_signals() -> int:
    """Every pupil's signals (some depend on the date itself), committed per batch."""

    def work() -> int:
        count = recompute_all(db.session, calendar.today(), after_batch=db.session.commit)
        mark_rules_current(db.session)
        db.session.commit()
        return count

    return int(_in_app(work))


IMPORT_TASKS = ("import-lezen", "import-opslaan")


@queue.task(retries=2, retry_delay=10, name="import-lezen")
def read_import(run_id: int) -> None:
    """Read and check an uploaded file (progress committed per chunk)."""

    def work() -> None:
        registrations.read(db.session, run_id, calendar.today(), checkpoint=db.session.commit)
        db.session.commit()

    _in_app(work)


@queue.task(retries=2, retry_delay=10, name="import-opslaan")
def save_import(run_id: int) -> None:
    """Save an import's rows and recompute the touched pupils' signals."""

    def work() -> None:
        saving.save(db.session, run_id, calendar.today(), checkpoint=db.session.commit)
        db.session.commit()

    _in_app(work)


jobs.handles("import-lezen", read_import)
jobs.handles("import-opslaan", save_import)


def consume(workers: int) -> None:
    """Run the consumer (and its scheduler) until stopped: ``flask worker``. Its log (each
    task started, finished or failed; never pupil data) goes to standard error."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    queue.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
