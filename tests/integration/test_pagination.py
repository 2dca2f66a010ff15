"""The portal's pagination: totals without a count on a page that is not full."""

from __future__ import annotations

from sqlalchemy import event, func, select

from portal.extensions import db
from portal.pagination import count_statement, paginate
from portal.schools.models import School


def test_totals_with_and_without_a_count_query(app, make) -> None:
    for n in range(7):
        make.school(name=f"Paginaschool {n}")
    query = select(School).where(School.name.like("Paginaschool %")).order_by(School.name)
    statements: list[str] = []
    with app.test_request_context(), app.app_context():
        engine = db.engine

        def log(conn, cursor, statement, *_args) -> None:  # noqa: ANN001
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", log)
        try:
            partial = paginate(query, 2, 5)
            assert [s.name for s in partial.items] == ["Paginaschool 5", "Paginaschool 6"]
            assert partial.total == 7 and partial.pages == 2 and len(statements) == 1
            full = paginate(query, 1, 5)
            assert full.total == 7 and len(statements) == 3  # items and the count
            beyond = paginate(query, 9, 5)
            assert beyond.items == [] and beyond.total == 7
        finally:
            event.remove(engine, "before_cursor_execute", log)


def test_count_statement_counts_like_a_subquery(app, make) -> None:
    for n in range(3):
        make.school(name=f"Telschool {n}")
    plain = select(School).where(School.name.like("Telschool %"))
    grouped = (
        select(School.school_type)
        .where(School.name.like("Telschool %"))
        .group_by(School.school_type)
    )
    with app.app_context():
        assert db.session.scalar(count_statement(plain)) == 3
        assert "FROM (" not in str(count_statement(plain))
        assert db.session.scalar(count_statement(grouped)) == 1  # one row per type
        assert db.session.scalar(select(func.count()).select_from(grouped.subquery())) == 1
