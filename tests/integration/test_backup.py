"""``flask backup`` and ``flask restore``: a round trip gives back every row of every table,
on SQLite (its backup API) and PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select, update

from portal.db import Base
from portal.extensions import db
from portal.pupils.models import Pupil
from portal.reports.models import Report
from portal.schools.models import Municipality

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    with app.app_context(), db.engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def test_backup_then_restore_gives_back_every_table(app, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    before = snapshot(app)
    filled = [name for name, rows in before.items() if rows]
    assert len(filled) >= 25 and sum(len(rows) for rows in before.values()) > 500, filled
    target = tmp_path / "backup" / "portal-backup"
    made = runner.invoke(args=["backup", str(target)])
    assert made.exit_code == 0, made.output
    assert "Back-up geschreven" in made.output and target.stat().st_size > 0
    # Work goes on after the backup: rows removed, changed and added...
    with app.app_context():
        db.session.execute(delete(Report))
        db.session.execute(update(Pupil).values(first_name="Gewijzigd"))
        db.session.add(Municipality(name="Na de back-up"))
        db.session.commit()
    assert snapshot(app) != before
    # ...and the restore gives back exactly what was backed up.
    refused = runner.invoke(args=["restore", str(target)], input="n\n")
    assert refused.exit_code != 0 and snapshot(app) != before
    restored = runner.invoke(args=["restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert snapshot(app) == before
    # The portal works on the restored database.
    with app.app_context():
        assert (
            db.session.scalar(select(Municipality).where(Municipality.name == "Na de back-up"))
            is None
        )


def test_backup_refuses_to_overwrite_and_restore_a_missing_file(app, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    existing = tmp_path / "bestaat"
    existing.write_text("")
    result = runner.invoke(args=["backup", str(existing)])
    assert result.exit_code != 0 and "bestaat al" in result.output
    missing = runner.invoke(args=["restore", str(tmp_path / "weg"), "--yes"])
    assert missing.exit_code != 0 and "bestaat niet" in missing.output


def test_a_damaged_backup_is_refused_and_the_database_kept(app, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    before = snapshot(app)
    damaged = tmp_path / "kapot"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x13" * 4000)
    result = runner.invoke(args=["restore", str(damaged), "--yes"])
    assert result.exit_code != 0
    assert snapshot(app) == before
