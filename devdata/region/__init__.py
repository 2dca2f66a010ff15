"""A region-scale demo: ``flask --app wsgi demo-data --scale region`` (or ``--scale 0.1``, ``5``).

Builds, deterministically (seeded random, dates relative to ``today``), a region the size of
Zuid-Holland Zuid on top of the small demo region and its seven accounts:

* 10 municipalities, 2 partnerships, about 245 schools (PO, SO, VO, VSO and one MBO college),
  13 consultants (the two demo consultants each serve a fair share of the region's schools;
  below one region the consultants shrink with it, never under the two demo consultants, so a
  consultant's caseload - about 19 schools - stays what it is in a real region),
  one zorgcoördinator account per school (``zorg.<brin><location>@regio.example.nl``, the demo
  password);
* about 68,000 pupils with three school years of absence (about 3 million rows) and late
  arrivals (about 1 million);
* reports at the annual report's rates (about 2,000-2,400 a year: 16 hours, overig, luxe,
  langdurig, te laat, ...) filed from the registrations themselves, with reactions,
  conversations, results, MAS actions with follow-ups, SMA referrals and thuiszitters;
* signals computed by the portal's own rules (:func:`portal.attendance.signals.compute_signals`).

``--scale N`` multiplies the region (``5`` is five regions: 50 municipalities, 340,000 pupils).

Rows go in with bulk inserts: ``executemany`` on SQLite (values converted once by SQLAlchemy's
own bind processors), ``COPY`` on PostgreSQL; the work is committed per school. The whole run is
a list of steps (:data:`STEPS`): a new feature adds its data by appending one more step.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import text

from devdata.demo import load_demo_data
from devdata.region.bulk import BulkWriter, tune_for_bulk_load
from devdata.region.master_data import master_data
from devdata.region.overstap import evaluations, transition_lists
from devdata.region.plan import Context, Step
from devdata.region.pupils import pupils_and_history
from portal.calendar import SchoolCalendar
from portal.db import DbSession


def parse_scale(value: str) -> float:
    """``region`` is 1.0; otherwise a positive number (0.1 is a tenth of a region)."""
    if value.strip().lower() in {"region", "regio"}:
        return 1.0
    try:
        scale = float(value)
    except ValueError as error:
        raise ValueError(f"--scale must be 'region' or a positive number, not {value!r}") from error
    if not 0 < scale <= 50 or math.isnan(scale):
        raise ValueError("--scale must be between 0 and 50")
    return scale


def load_region(
    session: DbSession, today: date, scale: float, echo: Callable[[str], None] = print
) -> dict[str, int]:
    """Load the small demo and a region of ``scale`` times Zuid-Holland Zuid; commits."""
    started = time.perf_counter()
    users = load_demo_data(session, today)
    session.commit()
    echo(f"demo accounts and small demo region: {time.perf_counter() - started:.1f} s")
    tune_for_bulk_load(session)
    ctx = Context(
        session=session,
        today=today,
        scale=scale,
        echo=echo,
        writer=BulkWriter(session),
        calendar=SchoolCalendar(),
        demo_users=users,
    )
    for name, step in STEPS:
        begun = time.perf_counter()
        step(ctx)
        ctx.writer.flush()
        session.commit()
        echo(f"{name}: {time.perf_counter() - begun:.1f} s")
    counts = dict(ctx.writer.counts)
    echo(
        "rows: "
        + ", ".join(f"{table} {count:,}" for table, count in sorted(counts.items()) if count)
    )
    echo(f"region loaded in {time.perf_counter() - started:.1f} s")
    return counts


# --- Step: finishing -----------------------------------------------------------------------------


def finish(ctx: Context) -> None:
    """Sequences after explicit ids (PostgreSQL), and fresh planner statistics."""
    session = ctx.session
    if session.get_bind().dialect.name == "postgresql":
        for table in ctx.ids:
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            )
        session.commit()
        # Planner statistics, and a visibility map so counts can be index-only scans.
        engine = session.get_bind().engine
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        session.execute(text("PRAGMA synchronous=NORMAL"))
        session.execute(text("ANALYZE"))
    ctx.stats = dict(ctx.writer.counts)


# The steps, in order. A feature that needs region-scale data appends its own step (a function
# taking the Context) before ``finish``.
STEPS: list[tuple[str, Step]] = [
    ("master data", master_data),
    ("pupils, registrations, reports, casework, signals", pupils_and_history),
    ("transition lists", transition_lists),
    ("evaluations", evaluations),
    ("sequences and statistics", finish),
]
