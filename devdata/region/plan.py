"""The plan the region generator's steps share: its size, the schools and pupils it plans,
and the context every step reads and writes."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock
from typing import Any, Protocol

from devdata.region.bulk import BulkWriter
from portal.auth.models import User
from portal.calendar import (
    SchoolCalendar,
    school_year_of,
)
from portal.db import DbSession
from portal.pupils.models import Programme
from portal.schools.models import (
    SchoolType,
)

SEED = 20261127
PUPILS_PER_REGION = 68_000
CONSULTANTS_PER_REGION = 13
REGION_EMAIL_DOMAIN = "regio.example.nl"

# Schools per region and their average size (pupils); one ROC is added per region.
SCHOOL_MIX: list[tuple[SchoolType, int, int]] = [
    (SchoolType.PO, 183, 215),
    (SchoolType.SO, 12, 105),
    (SchoolType.VO, 38, 560),
    (SchoolType.VSO, 12, 95),
    (SchoolType.MBO, 1, 4_700),
]


# --- The plan ------------------------------------------------------------------------------------


@dataclass
class SchoolPlan:
    id: int
    index: int
    school_type: SchoolType
    size: int
    municipality_id: int
    brin: str
    location_code: str
    name: str
    consultant_id: int | None
    partnership_id: int | None = None
    staff_id: int = 0
    vo_kind: str = ""


@dataclass
class PupilPlan:
    id: int
    school: SchoolPlan
    year: int
    programme: Programme
    born: date
    enrolled_on: date
    left_on: date | None
    class_name: str


@dataclass
class Context:
    """Everything the steps share."""

    session: DbSession
    today: date
    scale: float
    echo: Callable[[str], None]
    writer: BulkWriter
    calendar: SchoolCalendar
    demo_users: dict[str, User]
    ids: dict[str, int] = field(default_factory=dict)
    municipality_ids: list[int] = field(default_factory=list)
    partnership_ids: list[int] = field(default_factory=list)
    consultant_ids: list[int] = field(default_factory=list)
    schools: list[SchoolPlan] = field(default_factory=list)
    password_hash: str = ""
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    stats: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    @property
    def first_year(self) -> int:
        return school_year_of(self.today) - 2


Step = Callable[[Context], None]


class History(Protocol):
    """What a report maker reads of the history generator (kept here, so that the module of
    the reports does not import the module of the history)."""

    ctx: Context
    today: date
    calendar: SchoolCalendar
    years: list[tuple[int, list[date]]]
    full_year_days: int
    per_pupil_year: float


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=UTC)


def brin_code(number: int) -> str:
    """A made-up BRIN code: two digits and two letters (30AA, 30AB, ...)."""
    return f"{30 + number // 676:02d}{chr(65 + number // 26 % 26)}{chr(65 + number % 26)}"


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def weighted(rng: random.Random, weights: Iterable[tuple[Any, int]]) -> Any:
    items = list(weights)
    total = sum(w for _, w in items)
    pick = rng.uniform(0, total)
    for item, weight in items:
        pick -= weight
        if pick <= 0:
            return item
    return items[-1][0]
