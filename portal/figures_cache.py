"""Region-wide figures, kept for a few minutes.

The senior's figures (reaction times over twelve months, the overstap figures of the region,
the region's open signals) add up a year of the whole region's data. They change slowly, and
adding them up on every view makes those pages grow with the region. Each worker process keeps
the result for ``FIGURES_CACHE_SECONDS`` (default ten minutes) and the page says when it was
computed. Only aggregates are kept (counts, shares, medians: no pupil data), under a key that
names what they cover, so a value never reaches a page for another scope.

Tests set ``FIGURES_CACHE_SECONDS`` to 0 (always computed), except the test of this module.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask import current_app

from portal import access
from portal.auth.models import User
from portal.db import utcnow

T = TypeVar("T")
MAX_ENTRIES = 256


@dataclass(frozen=True)
class Cached:
    value: Any
    computed_at: datetime  # UTC; shown on the page as "berekend om"
    expires: float  # time.monotonic()


_lock = threading.Lock()


def cached(
    name: str, key: Hashable, compute: Callable[[], T], *, at_most: int | None = None
) -> tuple[T, datetime]:
    """``compute()``'s result and when it was computed: from this process's store while it is
    younger than ``FIGURES_CACHE_SECONDS`` (or ``at_most`` seconds, if that is shorter),
    otherwise computed now and stored."""
    seconds = current_app.config["FIGURES_CACHE_SECONDS"]
    if at_most is not None:
        seconds = min(seconds, at_most)
    if seconds <= 0:
        return compute(), utcnow()
    store: OrderedDict[tuple[str, Hashable], Cached] = current_app.extensions.setdefault(
        "figures_cache", OrderedDict()
    )
    now = time.monotonic()
    with _lock:
        hit = store.get((name, key))
    if hit is not None and hit.expires > now:
        return hit.value, hit.computed_at
    entry = Cached(compute(), utcnow(), now + seconds)
    with _lock:
        store[(name, key)] = entry
        store.move_to_end((name, key))
        while len(store) > MAX_ENTRIES:
            store.popitem(last=False)
    return entry.value, entry.computed_at


def region_wide(
    user: User, name: str, key: Hashable, compute: Callable[[], T], *, at_most: int | None = None
) -> tuple[T, datetime | None]:
    """For a figure over the user's scope: kept (see :func:`cached`) when that scope is the
    whole region, computed fresh otherwise (a school's or a caseload's figures are small, and
    their users expect to see their own changes at once). The time is None when fresh."""
    if not access.sees_whole_region(user):
        return compute(), None
    return cached(name, key, compute, at_most=at_most)


def clear() -> None:
    """Forget every stored figure (after the counting rules change, say)."""
    with _lock:
        current_app.extensions.get("figures_cache", OrderedDict()).clear()
