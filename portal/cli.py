"""Command-line tasks: ``flask --app wsgi worker`` (the task queue), ``recompute-signals``,
``send-mail`` (one round of the worker's periodic work, for cron), ``create-admin``, ``backup``,
``restore``.

Demo data is not the application's: ``devdata/`` adds ``demo-data`` (see ``wsgi.py``).
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from portal import backup, calendar, worker
from portal.attendance.signals import mark_rules_current, recompute_all
from portal.auth.models import Role, User
from portal.auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from portal.extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("recompute-signals")
    def recompute_signals() -> None:
        """Bring every pupil's signals up to date (run nightly, e.g. from cron)."""
        count = recompute_all(db.session, calendar.today(), after_batch=db.session.commit)
        mark_rules_current(db.session)
        db.session.commit()
        click.echo(f"Signals recomputed for {count} pupils.")

    @app.cli.command("send-mail")
    @click.option("--loop", is_flag=True, help="Keep running: send every --interval seconds.")
    @click.option("--interval", default=30, show_default=True, help="Seconds between rounds.")
    def send_mail(loop: bool, interval: int) -> None:
        """Deliver the outbox (and send deadline reminders). Run from cron, or with --loop."""
        while True:
            result = worker.run_round(db.session, current_app.config)
            if result.sent or result.failed or result.notices or not loop:
                click.echo(f"send-mail: {result.text()}")
            db.session.remove()
            if not loop:
                return
            time.sleep(interval)

    @app.cli.command("worker")
    @click.option("--workers", default=2, show_default=True, help="Worker threads.")
    def worker_command(workers: int) -> None:
        """Run the task queue's consumer and its periodic tasks (mail every minute, the
        signals every night) until stopped. The queue: TASK_QUEUE_URL (Redis in production)."""
        click.echo(f"worker: {workers} threads, queue {worker.queue.storage.__class__.__name__}")
        worker.consume(workers)

    @app.cli.command("backup")
    @click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(path: Path | None) -> None:
        """Write a backup of the database to PATH (default: instance/backups/, with the time
        in its name). Safe while the portal runs."""
        target = path or backup.default_path(
            Path(current_app.config["BACKUP_DIR"]), db.engine, calendar.local_now()
        )
        try:
            summary = backup.backup(db.engine, target)
        except backup.BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Back-up geschreven: {summary.text()}")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_command(path: Path, yes: bool) -> None:
        """Replace ALL data in the database by the backup in PATH. Stop the web server and
        the worker first."""
        if not yes:
            click.confirm(
                "Dit vervangt alle gegevens in de database door de back-up. Zijn de webserver "
                "en de worker gestopt?",
                abort=True,
            )
        db.session.remove()
        try:
            summary = backup.restore(db.engine, path)
        except backup.BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Teruggezet: {summary.text()}")

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.argument("name")
    @click.password_option(
        "--password", prompt="Startwachtwoord", help="At least 12 characters; asked when omitted."
    )
    def create_admin(email: str, name: str, password: str) -> None:
        """Create a functioneel beheerder account (the first account in production)."""
        email = email.strip().lower()
        if len(password) < MIN_PASSWORD_LENGTH:
            raise click.ClickException(f"The password needs {MIN_PASSWORD_LENGTH}+ characters.")
        exists = db.session.scalar(select(User.id).where(func.lower(User.email) == email))
        if exists:
            raise click.ClickException(f"An account for {email} already exists.")
        db.session.add(
            User(
                email=email,
                name=name,
                role=Role.ADMIN,
                password_hash=hash_password(password),
                must_change_password=True,
            )
        )
        db.session.commit()
        click.echo(f"Beheerder {email} created; a new password is asked at first login.")
