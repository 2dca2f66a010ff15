"""Pages of a list, for the pagination macro (``templates/_macros/pagination.html``).

Two ways to a page, both counting only when they must:

* :func:`paginate`: Flask-SQLAlchemy's ``db.paginate`` for a select of ORM objects, asked not to
  count (``count=False``) and given its total here. A page that is not full is the last one, so
  its total follows from its own rows; only a full page, or a page past the end, runs
  :func:`count_statement`. Most lists (a consultant's inbox, a class, a school's reports) fit
  on one page, so most list pages run one statement instead of two (the query budgets allow
  exactly that count when a list grows past a page: ``tests/integration/test_query_budgets.py``).
* :class:`Page`: rows that a list statement read itself together with the total of all its
  rows (a window count), as the reports lists do (:mod:`portal.reports.queries`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any, Generic, TypeVar

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select

from portal.extensions import db

T = TypeVar("T")


def paginate(query: Select[Any], page: int, per_page: int) -> Pagination:
    """Page ``page`` (1 for anything below 1) of ``query``'s objects, ``per_page`` a page."""
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, count=False)
    if 0 < len(result.items) < per_page:
        result.total = (result.page - 1) * per_page + len(result.items)
    else:
        result.total = db.session.execute(count_statement(query)).scalar() or 0
    return result


@dataclass
class Page(Generic[T]):
    """A page of rows read by a statement that also counted all of them (see
    :meth:`of_rows`), with what the pagination macro reads of Flask-SQLAlchemy's pages."""

    page: int
    per_page: int
    items: Sequence[T]
    total: int

    @classmethod
    def of_rows(
        cls,
        page: int,
        per_page: int,
        fetch: Callable[[int, int], Sequence[T]],
        total_of: Callable[[T], int],
        count_all: Callable[[], int],
    ) -> Page[T]:
        """``fetch(limit, offset)`` reads the page's rows, each carrying the total of all rows
        (``total_of(row)``); ``count_all()`` is asked only for a page past the end."""
        page = max(page, 1)
        rows = fetch(per_page, (page - 1) * per_page)
        total = total_of(rows[0]) if rows else (count_all() if page > 1 else 0)
        return cls(page=page, per_page=per_page, items=rows, total=total)

    @property
    def pages(self) -> int:
        return ceil(self.total / self.per_page) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self, **edges: int) -> Iterator[int | None]:
        """Page numbers for the widget exactly as Flask-SQLAlchemy gives them (None: a gap)."""
        return Pagination.iter_pages(self, **edges)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)


def count_statement(query: Select[Any]) -> Select[Any]:
    """``SELECT count(*)`` over the rows of ``query``.

    A plain filtered select is counted in place: the same FROM and WHERE with ``count(*)`` as
    the only column. Wrapping it in a subquery, as generic code does, makes SQLAlchemy build a
    copy of every column of the entity on each call, which costs more than the count itself on
    a page. Selects with grouping, DISTINCT or a limit keep the subquery.
    """
    if (
        query._group_by_clauses  # noqa: SLF001  (public accessors do not exist for these)
        or query._distinct
        or query._limit_clause is not None
        or query._offset_clause is not None
        or query._having_criteria
    ):
        return select(func.count()).select_from(query.order_by(None).subquery())
    return query.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
