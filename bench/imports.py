"""How fast a school year of a large school imports, and in how much memory (``make bench``).

A Magister-shaped export of every absent lesson of a school year at a school of 2,000 pupils
(300,000 rows, about 12 MB) is read, previewed, mapped and saved exactly as the worker does it
(:mod:`portal.imports.registrations`), on SQLite and on PostgreSQL when it is reachable. Each
run is in a process of its own, so its peak memory is its own.

The floor in the same run is what no importer can beat: reading the same file with Python's
csv module and inserting its rows unchecked into a table of the same database with one
executemany. The budget is 60 seconds for the whole import (issue 18) and the ratio to the
floor is reported beside it (these machines drift; the ratio does not).

    python bench/imports.py [--db sqlite|postgresql|both] [--rows 300000] [--pupils 2000]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results-import.json"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_import"
BUDGET_SECONDS = 60
CODES = [
    ("Z", "Ziek", "Ja"),
    ("O", "Ongeoorloofd afwezig", "Nee"),
    ("TL", "Te laat", "Nee"),
    ("D", "Dokter/tandarts", "Ja"),
    ("VL", "Verlof", "Ja"),
    ("HV", "Huiswerk vergeten", ""),
]
TODAY = date(2026, 12, 1)


def school_days() -> list[date]:
    """The school year 2025-2026 without weekends (the bench school has no holidays on file)."""
    day, days = date(2025, 8, 18), []
    while day <= date(2026, 7, 10):
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(1)
    return days


def export(rows: int, pupils: int) -> bytes:
    """A Magister-shaped per-lesson export in Windows-1252, one row per pupil, day and lesson."""
    rng = random.Random(18)
    days = school_days()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "Stamnr",
            "Achternaam",
            "Roepnaam",
            "Klas",
            "Datum",
            "Lesuur",
            "Vak",
            "Docent",
            "Code",
            "Omschrijving",
            "Geoorloofd",
            "Afgehandeld",
        ]
    )
    per_pupil = rows // pupils
    for p in range(pupils):
        number = str(200001 + p)
        taken: set[tuple[date, int]] = set()
        while len(taken) < per_pupil:
            taken.add((rng.choice(days), rng.randint(1, 8)))
        for day, lesson in sorted(taken):
            code, text, authorised = rng.choices(CODES, weights=[50, 15, 10, 8, 7, 10])[0]
            writer.writerow(
                [
                    number,
                    "Jansen",
                    "Eva",
                    "3B",
                    day.strftime("%d-%m-%Y"),
                    lesson,
                    "wi",
                    "ABC",
                    code,
                    text,
                    authorised,
                    "Ja",
                ]
            )
    return out.getvalue().encode("cp1252")


def child(url: str, path: str, pupils: int) -> dict[str, Any]:
    """One measured import in this process (run by the parent in a fresh process)."""
    os.environ["DATABASE_URL"] = url
    from sqlalchemy import insert, text

    import portal.calendar
    from portal import create_app
    from portal.auth.models import Role, User
    from portal.extensions import db
    from portal.imports import queries, registrations, saving
    from portal.imports.models import ImportKind, RunStatus
    from portal.pupils.models import Pupil
    from portal.schools.models import HolidayRegion, Municipality, School, SchoolType

    portal.calendar.today = lambda: TODAY  # type: ignore[assignment]
    app = create_app()
    data = Path(path).read_bytes()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=str(ROOT / "migrations"))
        session = db.session
        town = Municipality(name="Benchstad", holiday_region=HolidayRegion.MIDDEN)
        session.add(town)
        session.flush()
        school = School(
            brin="99ZZ",
            name="Bench College",
            school_type=SchoolType.VO,
            location="Straat 1",
            municipality_id=town.id,
        )
        user = User(email="bench@example.nl", name="Bench", role=Role.SCHOOL, password_hash="x")  # noqa: S106 (no login in the bench)
        session.add_all([school, user])
        session.flush()
        session.execute(
            insert(Pupil),
            [
                {
                    "school_id": school.id,
                    "pupil_number": str(200001 + p),
                    "first_name": "Eva",
                    "last_name": "Jansen",
                    "date_of_birth": date(2011, 5, 1),
                    "class_name": "3B",
                    "enrolled_on": date(2024, 8, 1),
                }
                for p in range(pupils)
            ],
        )
        session.commit()
        result: dict[str, Any] = {"rows": data.count(b"\n") - 1, "bytes": len(data)}
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        def timed(name: str, work: Any) -> Any:
            began = time.perf_counter()
            value = work()
            session.commit()
            result[name] = round(time.perf_counter() - began, 2)
            return value

        for attempt in ("first", "again"):
            started = time.perf_counter()
            run = timed(
                f"{attempt}_start",
                lambda: registrations.start(
                    session, user, school, ImportKind.ABSENCE, "export.csv", data
                ),
            )
            run_id = run.id
            timed(
                f"{attempt}_read",
                partial(registrations.read, session, run_id, TODAY, checkpoint=session.commit),
            )
            summary = timed(f"{attempt}_preview", partial(queries.code_summary, run))
            for code in summary.unknown:
                registrations.set_code(
                    session, user, school.id, code.code, code.suggestion, code.description
                )
            run.status = RunStatus.SAVING
            session.commit()
            outcome = timed(
                f"{attempt}_save",
                partial(saving.save, session, run_id, TODAY, checkpoint=session.commit),
            )
            result[f"{attempt}_seconds"] = round(time.perf_counter() - started, 2)
            result[f"{attempt}_result"] = {
                k: v for k, v in outcome.as_dict().items() if k not in ("conflicts",)
            }
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result["peak_rss_mb"] = round(peak / 1024, 1)
        result["peak_growth_mb"] = round((peak - baseline) / 1024, 1)
        # the floor: read the file and insert its rows unchecked, one executemany
        session.execute(
            text(
                "CREATE TABLE floor_row (line INTEGER, number VARCHAR(20), "
                "day VARCHAR(10), lesson VARCHAR(4), code VARCHAR(10))"
            )
        )
        session.commit()
        started = time.perf_counter()
        reader = csv.reader(io.StringIO(data.decode("cp1252")), delimiter=";")
        next(reader)
        session.execute(
            text("INSERT INTO floor_row VALUES (:l, :n, :d, :s, :c)"),
            [{"l": i, "n": r[0], "d": r[4], "s": r[5], "c": r[8]} for i, r in enumerate(reader)],
        )
        session.commit()
        result["floor_seconds"] = round(time.perf_counter() - started, 2)

        result["rows_per_second"] = round(result["rows"] / result["first_seconds"])
        result["ratio_to_floor"] = round(result["first_seconds"] / result["floor_seconds"], 1)
        result["within_budget"] = result["first_seconds"] <= BUDGET_SECONDS
    return result


def pg_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3, autocommit=True
        ) as conn:
            conn.execute("DROP DATABASE IF EXISTS bench_import")
            conn.execute("CREATE DATABASE bench_import")
        return True
    except Exception:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--pupils", type=int, default=2_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.pupils)))
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    path = workdir / "export.csv"
    path.write_bytes(export(args.rows, args.pupils))
    targets = []
    if args.db in ("sqlite", "both"):
        targets.append(("sqlite", f"sqlite:///{workdir / 'bench.db'}"))
    if args.db in ("postgresql", "both"):
        if pg_reachable():
            targets.append(("postgresql", PG_URL))
        else:
            print("PostgreSQL is not reachable: skipped")
    results = {}
    for name, url in targets:
        env = {**os.environ, "TASK_QUEUE_URL": f"sqlite:///{workdir / 'tasks.db'}"}
        done = subprocess.run(  # noqa: S603 (this script, with our own arguments)
            [sys.executable, __file__, "--pupils", str(args.pupils), "--child", url, str(path)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            print(done.stderr[-3000:])
            return 1
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        r = results[name]
        print(
            f"{name}: {r['rows']} rows in {r['first_seconds']} s ({r['rows_per_second']} rows/s, "
            f"{r['ratio_to_floor']}x the floor of {r['floor_seconds']} s), again "
            f"{r['again_seconds']} s; peak memory +{r['peak_growth_mb']} MB "
            f"({'within' if r['within_budget'] else 'OVER'} the {BUDGET_SECONDS} s budget)"
        )
    Path(args.output).write_text(
        json.dumps({"budget_seconds": BUDGET_SECONDS, **results}, indent=2) + "\n"
    )
    return 0 if all(r["within_budget"] for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
