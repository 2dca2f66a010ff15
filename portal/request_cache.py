"""Values computed once per request, kept in ``flask.g``.

A page asks for the same thing in several places (the user's scope in every query, the number
of waiting reports on the home page and in the header): the first asks computes it, the others
get the same value. Keys are tuples that name what the value covers, the user included.
Outside a request (the command line, a test without one) nothing is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import g, has_request_context

T = TypeVar("T")
_STORE = "_request_cache"


def per_request(key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()`` once per request for ``key``."""
    if not has_request_context():
        return compute()
    store: dict[tuple[Hashable, ...], Any] = g.setdefault(_STORE, {})
    if key not in store:
        store[key] = compute()
    return store[key]  # type: ignore[no-any-return]


def already_known(key: tuple[Hashable, ...]) -> Any:
    """What :func:`per_request` computed for ``key`` in this request, or None."""
    if not has_request_context():
        return None
    return g.get(_STORE, {}).get(key)
