"""The request lifecycle (portal.lifecycle): how a request's transaction ends. COMMIT when it
only read (so PostgreSQL keeps psycopg's prepared statements), ROLLBACK when it wrote without
committing or failed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select, text, update

from portal.extensions import db
from portal.schools.models import School


@contextmanager
def endings(app) -> Iterator[list[str]]:  # noqa: ANN001
    """Records "commit" and "rollback" as the engine sees them."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def on_commit(_conn) -> None:  # noqa: ANN001
        seen.append("commit")

    def on_rollback(_conn) -> None:  # noqa: ANN001
        seen.append("rollback")

    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    try:
        yield seen
    finally:
        event.remove(engine, "commit", on_commit)
        event.remove(engine, "rollback", on_rollback)


def names(app) -> list[str]:  # noqa: ANN001
    with app.app_context():
        return list(db.session.scalars(select(School.name).order_by(School.name)))


def test_a_request_that_only_read_commits(app, make) -> None:
    make.school(name="Leesschool")
    with endings(app) as seen, app.test_request_context():
        assert db.session.scalar(select(func.count()).select_from(School)) == 1
        db.session.execute(text("SELECT 1"))  # as /healthz asks
    assert seen == ["commit"]


def test_a_context_without_the_database_does_nothing(app) -> None:
    with endings(app) as seen, app.test_request_context():
        pass
    assert seen == []


def _flush_a_change(school_id: int) -> None:
    db.session.get(School, school_id).name = "Nieuw"
    db.session.flush()


def _run_an_update(school_id: int) -> None:
    db.session.execute(update(School).where(School.id == school_id).values(name="Nieuw"))


def _update_through_the_connection(school_id: int) -> None:
    db.session.connection().execute(
        update(School).where(School.id == school_id).values(name="Nieuw")
    )


def _update_in_plain_sql(school_id: int) -> None:
    db.session.connection().execute(
        text("UPDATE school SET name = 'Nieuw' WHERE id = :id"), {"id": school_id}
    )


@pytest.mark.parametrize(
    "write",
    [_flush_a_change, _run_an_update, _update_through_the_connection, _update_in_plain_sql],
)
def test_a_write_without_commit_is_rolled_back(app, make, write) -> None:
    school = make.school(name="Oud")
    with endings(app) as seen, app.test_request_context():
        write(school.id)
    assert seen == ["rollback"]
    assert names(app) == ["Oud"]


def test_a_pending_change_is_not_committed(app, make) -> None:
    school = make.school(name="Oud")
    with app.test_request_context(), db.session.no_autoflush:
        db.session.get(School, school.id).name = "Nieuw"  # dirty, never flushed
    assert names(app) == ["Oud"]


def test_a_failed_request_rolls_back(app, make) -> None:
    make.school(name="Leesschool")
    with endings(app) as seen, pytest.raises(RuntimeError), app.test_request_context():
        db.session.scalar(select(func.count()).select_from(School))
        raise RuntimeError("view failed")
    assert seen == ["rollback"]


def test_a_committed_request_is_left_alone(app, make) -> None:
    school = make.school(name="Oud")
    with endings(app) as seen, app.test_request_context():
        db.session.get(School, school.id).name = "Nieuw"
        db.session.commit()
        db.session.scalar(select(func.count()).select_from(School))  # reads after the commit
    assert seen == ["commit", "commit"]
    assert names(app) == ["Nieuw"]
