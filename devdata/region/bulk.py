"""Bulk writing for the region generator: plain tuples into tables (``executemany`` on SQLite,
``COPY`` on PostgreSQL), and the database settings around a bulk load."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, text

from portal.db import DbSession

# --- Bulk writing --------------------------------------------------------------------------------


class BulkWriter:
    """Buffered bulk inserts of plain tuples into a table, in the session's transaction.

    Values are converted by SQLAlchemy's own bind processors (cached per distinct value), so
    rows look exactly as the ORM would have written them.
    """

    def __init__(self, session: DbSession, chunk: int = 20_000) -> None:
        self.session = session
        self.chunk = chunk
        self.dialect = session.get_bind().dialect
        self.columns: dict[str, list[str]] = {}
        self.buffers: dict[str, list[tuple[Any, ...]]] = {}
        self.processors: dict[str, list[Callable[[Any], Any] | None]] = {}
        self.counts: dict[str, int] = {}

    def register(self, table: Any, columns: Sequence[str]) -> None:
        self.columns[table.name] = list(columns)
        self.buffers[table.name] = []
        self.counts.setdefault(table.name, 0)
        procs: list[Callable[[Any], Any] | None] = []
        for name in columns:
            column_type = table.c[name].type
            if self.dialect.name == "postgresql" and isinstance(column_type, JSON):
                procs.append(json.dumps)  # COPY takes the JSON text
                continue
            proc = column_type.dialect_impl(self.dialect).bind_processor(self.dialect)
            procs.append(None if proc is None else _cached(proc))
        self.processors[table.name] = procs

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        buffer = self.buffers[table]
        buffer.append(row)
        if len(buffer) >= self.chunk:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.buffers):
            rows = self.buffers[name]
            if not rows:
                continue
            procs = self.processors[name]
            converted = [
                tuple(
                    v if p is None or v is None else p(v) for p, v in zip(procs, row, strict=True)
                )
                for row in rows
            ]
            columns = self.columns[name]
            dbapi = self.session.connection().connection.dbapi_connection
            assert dbapi is not None
            cursor = dbapi.cursor()
            if self.dialect.name == "postgresql":
                with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in converted:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(
                    f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                    converted,
                )
            cursor.close()
            self.counts[name] += len(rows)
            rows.clear()


def _cached(proc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = proc(value)
            return result
        except TypeError:  # unhashable (JSON)
            return proc(value)

    return convert


def tune_for_bulk_load(session: DbSession) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA synchronous=OFF"))
        session.execute(text("PRAGMA cache_size=-262144"))  # 256 MB page cache during the load
