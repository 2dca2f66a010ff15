"""Backup and restore of the portal's database (``flask backup``, ``flask restore``).

* SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) copies the database page
  by page into a new file, consistent even while the portal is running (WAL included); the copy
  is checked with ``PRAGMA integrity_check``. Restoring copies it back the same way.
* PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot while the portal runs), checked
  by listing it with ``pg_restore --list``; restoring is ``pg_restore --clean --if-exists
  --single-transaction``: all of it or nothing.

A restore replaces everything in the database: stop the web server and the worker first. The
round trip is tested table by table (``tests/integration/test_backup.py``); README describes the
routine.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump and pg_restore, with argument lists
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select

from portal.db import Base

SQLITE_SUFFIX, POSTGRES_SUFFIX = ".sqlite3", ".dump"


class BackupError(RuntimeError):
    """A backup or restore that could not be made; the message says why."""


@dataclass(frozen=True)
class Summary:
    path: Path
    size: int
    rows: dict[str, int]

    def text(self) -> str:
        total, size = sum(self.rows.values()), self.size / 1_000_000
        return f"{self.path} ({size:.1f} MB, {len(self.rows)} tabellen, {total} rijen)"


def default_path(directory: Path, engine: Engine, now: datetime) -> Path:
    suffix = SQLITE_SUFFIX if engine.dialect.name == "sqlite" else POSTGRES_SUFFIX
    return directory / f"verzuimportaal-{now:%Y%m%d-%H%M%S}{suffix}"


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table of the portal that the database holds (an older schema has fewer)."""
    present = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
            if table.name in present
        }


def backup(engine: Engine, target: Path) -> Summary:
    """Write a backup of the database behind ``engine`` to ``target`` (a new file)."""
    if target.exists():
        raise BackupError(f"{target} bestaat al; kies een nieuwe bestandsnaam.")
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        _sqlite_backup(_sqlite_path(engine), target)
    else:
        _run(engine, ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"], "--dbname")
        _run(engine, ["pg_restore", "--list", str(target)])  # readable as a whole
    return Summary(target, target.stat().st_size, row_counts(engine))


def restore(engine: Engine, source: Path) -> Summary:
    """Replace the database behind ``engine`` by the backup in ``source``."""
    if not source.is_file():
        raise BackupError(f"{source} bestaat niet.")
    engine.dispose()  # no pooled connection holds a lock on a table being replaced
    if engine.dialect.name == "sqlite":
        _check_sqlite(source)
        _sqlite_backup(source, _sqlite_path(engine), one_file=False)
    else:
        _run(
            engine,
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                str(source),
            ],
            "--dbname",
        )
    engine.dispose()
    return Summary(source, source.stat().st_size, row_counts(engine))


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("Een database in het geheugen heeft geen back-up.")
    return Path(database)


def _sqlite_backup(source: Path, target: Path, *, one_file: bool = True) -> None:
    """Copy ``source`` into ``target`` with SQLite's backup API. A backup is one file (its
    journal mode DELETE); a restored database keeps the portal's WAL mode."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
        if one_file:
            dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        src.close()
        dst.close()
    _check_sqlite(target)


def _check_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is geen bruikbare SQLite-database: {error}") from error
    finally:
        conn.close()
    if not result or result[0] != "ok":
        raise BackupError(f"{path} is beschadigd: {result}")


def _run(engine: Engine, command: list[str], database_option: str | None = None) -> None:
    """Run a PostgreSQL client program against ``engine``'s database: the connection goes in
    libpq's environment (the password never on a command line or in a message)."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is niet geïnstalleerd (pakket postgresql-client).")
    url = engine.url
    env = {**os.environ}
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
    ):
        if value is not None:
            env[key] = str(value)
    if database_option:
        command = [*command, f"{database_option}={url.database}"]
    result = subprocess.run(  # noqa: S603 - a fixed program with an argument list
        command, capture_output=True, text=True, check=False, env=env
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} faalde: {result.stderr.strip()[:500]}")
