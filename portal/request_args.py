"""What a request brings in, made safe before a view sees it: integers from the URL bounded,
control characters out of every text.

Integers
--------

Ids are PostgreSQL ``integer`` columns: a number beyond 2**31 - 1 in a path
(``/leerlingen/99999999999``) or a query string (``?pagina=99999999999999999999``) would make
the database refuse the statement (a 500) instead of finding nothing. So:

* the ``int`` converter of every route (:class:`BoundedIntConverter`, installed by
  ``create_app``) matches 0 .. 2**31 - 1 only: anything larger is a 404 like any unknown id;
* query arguments are read with ``request.args.get(name, default, type=...)`` and one of the
  types here, which raise ``ValueError`` outside their range: the argument then counts as
  absent (its default), as a non-number always did.

Control characters
------------------
A NUL byte makes PostgreSQL refuse a text, and the C0 control characters (all but tab, line
feed and carriage return) make an XLSX export invalid. :func:`clean_input` (a
``before_request`` of every request):

* refuses a URL whose path or query holds one (400: no link of the portal has them);
* takes them out of every posted form value and remembers which fields it cleaned
  (:func:`cleaned_fields`): :class:`portal.forms.PortalForm` then refuses the form with a
  message beside each such field, showing the cleaned text to save again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, g, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, Map

from portal.spreadsheets import CONTROL_CHARACTERS, without_control_characters

MAX_INT = 2**31 - 1  # PostgreSQL's integer: every id and count column
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100  # the years the portal's dates may fall in


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in a route, at most :data:`MAX_INT` (a larger number is no match: 404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


def id_number(value: str) -> int:
    """A query argument holding an id or a count: 0 .. :data:`MAX_INT`."""
    number = int(value)
    if not 0 <= number <= MAX_INT:
        raise ValueError(value)
    return number


def year_number(value: str) -> int:
    """A query argument holding a (school) year: 2000 .. 2100."""
    number = int(value)
    if not EARLIEST_YEAR <= number <= LATEST_YEAR:
        raise ValueError(value)
    return number


def iso_day(value: str) -> date:
    """A query argument holding a day (``2026-12-01``) in the years 2000 .. 2100."""
    day = date.fromisoformat(value)
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise ValueError(value)
    return day


def page_number() -> int:
    """``?pagina=``: the page of a list (1 when absent, not a number or out of range)."""
    return request.args.get("pagina", 1, type=id_number) or 1


def clean_input() -> None:
    """Refuse a URL with control characters; take them out of a posted form (see above)."""
    if CONTROL_CHARACTERS.search(request.path) or any(
        CONTROL_CHARACTERS.search(key) or CONTROL_CHARACTERS.search(value)
        for key, value in request.args.items(multi=True)
    ):
        abort(400)
    if request.method != "POST" or not request.form:
        return
    form = request.form
    dirty = {key for key, value in form.items(multi=True) if CONTROL_CHARACTERS.search(value)}
    if not dirty:
        return
    g.cleaned_fields = frozenset(dirty)
    request.form = ImmutableMultiDict(  # type: ignore[misc]
        [(key, without_control_characters(value)) for key, value in form.items(multi=True)]
    )


def cleaned_fields() -> frozenset[str]:
    """The names of the posted fields :func:`clean_input` took control characters out of."""
    return g.get("cleaned_fields", frozenset())
