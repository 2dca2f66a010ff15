"""E-mail through an outbox, and in-app notifications.

A mail is written to the outbox in the same transaction as the event it announces, so it is
never lost: ``flask send-mail`` (cron, or the loop that ``make run`` starts) delivers it over
SMTP with retries, on working days in office hours only. Mails say *that* something happened
and link to the portal: no pupil name, no report content.
"""

from __future__ import annotations

import smtplib
import sys
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select, update

from portal.auth.models import User
from portal.calendar import AMSTERDAM, is_working_day
from portal.db import DbSession, utcnow
from portal.notifications.models import Notification, OutboxMail

OFFICE_START = time(8, 0)
OFFICE_END = time(18, 0)
MAX_ATTEMPTS = 8


def next_office_moment(now: datetime) -> datetime:
    """``now`` if it is within office hours on a working day, else the next 08:00 of one."""
    local = now.astimezone(AMSTERDAM)
    if is_working_day(local.date()) and OFFICE_START <= local.time() < OFFICE_END:
        return now
    day = local.date()
    if local.time() >= OFFICE_START:
        day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, OFFICE_START, tzinfo=AMSTERDAM)


def mail_body(user: User, what: str, link: str) -> str:
    return (
        f"Beste {user.name},\n\n{what}\n\n"
        f"Bekijk het in het Verzuimportaal:\n{link}\n\n"
        "Dit bericht noemt bewust geen namen en geen inhoud: die ziet u na het inloggen.\n"
        "-- \nVerzuimportaal, Leerplicht en Voortijdig Schoolverlaten\n"
    )


def notify(
    session: DbSession,
    users: Iterable[User],
    text: str,
    path: str,
    public_url: str,
    *,
    subject: str | None = None,
    now: datetime | None = None,
) -> None:
    """An in-app notification for each user, and a mail through the outbox when ``subject``.

    ``text`` and ``subject`` must not hold pupil data: they end up in mail boxes.
    """
    now = now or utcnow()
    seen: set[int] = set()
    for user in users:
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        session.add(Notification(user_id=user.id, text=text, url=path, created_at=now))
        if subject:
            session.add(
                OutboxMail(
                    to=user.email,
                    subject=subject,
                    body=mail_body(user, text, public_url.rstrip("/") + path),
                    created_at=now,
                    not_before=next_office_moment(now),
                )
            )


class Sender(Protocol):
    def send(self, mail: OutboxMail, sender: str) -> None: ...


def _message(mail: OutboxMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    return message


class SmtpSender:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def send(self, mail: OutboxMail, sender: str) -> None:
        cfg = self.config
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
            smtp.send_message(_message(mail, sender))


class ConsoleSender:
    """Development: the mail readable in the terminal instead of sent."""

    def send(self, mail: OutboxMail, sender: str) -> None:
        text = f"--- mail ---\nVan: {sender}\nAan: {mail.to}\nOnderwerp: {mail.subject}\n\n"
        print(text + mail.body, file=sys.stdout, flush=True)  # noqa: T201


class FileSender:
    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, mail: OutboxMail, sender: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(_message(mail, sender).as_string() + "\n\n")


def sender_from_config(config: dict[str, Any]) -> Sender:
    backend = config.get("MAIL_BACKEND", "smtp")
    if backend == "console":
        return ConsoleSender()
    if backend == "file":
        return FileSender(Path(config["MAIL_FILE"]))
    return SmtpSender(config)


def send_pending(
    session: DbSession,
    sender: Sender,
    from_address: str,
    now: datetime | None = None,
    limit: int = 100,
) -> tuple[int, int]:
    """Deliver the due mails; a failure is retried later with a growing pause.

    Returns (sent, failed). Commits after each mail, so a crash never sends one twice.
    """
    now = now or utcnow()
    if next_office_moment(now) != now:
        return 0, 0  # outside office hours: wait
    pending = session.scalars(
        select(OutboxMail)
        .where(
            OutboxMail.sent_at.is_(None),
            OutboxMail.not_before <= now,
            OutboxMail.attempts < MAX_ATTEMPTS,
        )
        .order_by(OutboxMail.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for mail in pending:
        try:
            sender.send(mail, from_address)
        except (OSError, smtplib.SMTPException) as error:
            mail.attempts += 1
            mail.last_error = str(error)[:300]
            mail.not_before = now + timedelta(minutes=2**mail.attempts)
            failed += 1
        else:
            mail.sent_at = now
            sent += 1
        session.commit()
    return sent, failed


def mark_read(session: DbSession, ids: list[int]) -> None:
    """The notifications the user has now seen: no longer counted in the header."""
    if ids:
        session.execute(
            update(Notification).where(Notification.id.in_(ids)).values(read_at=utcnow())
        )
