"""Statements built once per shape and shared by every user of a role hold no user's values.

Each value a request brings (the scope's ids, the user, today, the filters, the page) is a bound
parameter without a value, which the request must pass; the only values inside a shape are the
list's constants. And each shape asks for exactly the names its caller passes, so the two cannot
drift apart unnoticed.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest
from sqlalchemy import BindParameter
from sqlalchemy.sql import visitors

from portal import access
from portal.auth.models import Role
from portal.navigation import header_statement
from portal.reports import queries
from portal.reports.models import OPEN_STATUSES
from portal.reports.queries import nav_count_shape

SCOPE = {
    Role.SCHOOL: {"scope_schools"},
    Role.CONSULTANT: {"scope_schools", "scope_answered"},
    Role.SENIOR: set(),
}
# The constants a shape may hold: the open statuses, and the 0 and 1 of counts.
CONSTANTS = [0, 1, [status.value for status in OPEN_STATUSES]]


def parameters(statement: Any) -> tuple[set[str], list[Any]]:
    """The names of the parameters without a value, and the values of the others."""
    required: set[str] = set()
    values: list[Any] = []
    for element in visitors.iterate(statement, {"column_collections": False}):
        if isinstance(element, BindParameter):
            if element.required:
                required.add(element.key)
            else:
                value = element.value
                values.append([str(v) for v in value] if isinstance(value, list | tuple) else value)
    return required, values


@pytest.mark.parametrize("role", list(SCOPE))
def test_list_shapes_hold_no_values_and_ask_for_what_the_page_passes(app, role) -> None:
    with app.app_context():
        statuses = ["status", "open"] if role != Role.SCHOOL else ["status", ""]
        for school, kind, status, lend in product(
            [False, True], [False, True], statuses, [False, True]
        ):
            shape = queries.list_shape(role, school, kind, status, lend)
            required, values = parameters(shape.page)
            expected = {"user_id", "limit", "offset"} | SCOPE[role]
            expected |= {"today"} if lend else set()
            expected |= {"school_id"} if school else set()
            expected |= {"kind"} if kind else set()
            expected |= {"status"} if status == "status" else set()
            assert required == expected, (school, kind, status, lend)
            assert all(value in CONSTANTS for value in values), values
            required, values = parameters(shape.count_all)
            assert required == expected - {"user_id", "limit", "offset", "today"}
            assert all(value in CONSTANTS for value in values), values


@pytest.mark.parametrize("role", list(Role))
def test_header_and_scope_shapes_hold_no_values(app, role) -> None:
    with app.app_context():
        for with_count in (False, True):
            if with_count and nav_count_shape(role) is None:
                continue
            required, values = parameters(header_statement(role, with_count))
            expected = {"user_id"}
            if with_count:
                expected |= SCOPE[role]
                expected |= {"news_since"} if role == Role.SCHOOL else set()
            assert required == expected
            assert all(value in CONSTANTS for value in values), values
        required, values = parameters(access.CONSULTANT_SCOPE)
        assert required == {"user_id", "on"} and values == []


def test_the_parameter_walk_finds_a_value_inside_a_subquery(app) -> None:
    # The walk above must reach into subqueries, or its "no values" would prove nothing.
    from sqlalchemy import select

    from portal.reports.models import Report

    inner = select(Report.id).where(Report.school_id == 42).subquery()
    assert sorted(parameters(select(inner.c.id).where(inner.c.id > 0))[1]) == [0, 42]
    scalar = select(Report.id).where(Report.school_id == 42).scalar_subquery()
    assert 42 in parameters(select(Report.id).where(Report.id == scalar))[1]
