"""Load test at region scale: ``make load`` (or ``python bench/load.py``).

On PostgreSQL (the production database) it

1. builds, or reuses, the region-scale database of ``make bench`` (``vp_bench_<scale>``, see
   bench/run.py) and copies it for every run (``CREATE DATABASE ... TEMPLATE``), so each run
   starts from the same data and the benchmark's database stays untouched;
2. starts the portal under gunicorn in each worker configuration of ``--configs``;
3. runs ``--users`` simulated users of all roles (bench/locustfile.py, locust headless):
   a stress run without think time per configuration, then, in the configuration that did
   best, the realistic run with think time (``--think``, seconds between two actions);
4. counts every write the portal acknowledged in the database afterwards: each must be there
   exactly once (and a write it refused or never answered at most once);
5. prints a table and writes ``bench/load.json`` (figures, configuration, machine).

Targets for the realistic run at 50 users: 0 errors, p95 <= 300 ms, every acknowledged write
present exactly once. The stress run finds the capacity of the machine.

Examples::

    python bench/load.py                                   # the full run (about 10 minutes)
    python bench/load.py --seconds 30 --configs gthread:2x4  # a quick look
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import run as bench  # bench/run.py: the region database, the server, the machine

ROOT = bench.ROOT
CACHE = bench.CACHE
RESULTS = ROOT / "bench" / "load.json"
SCRATCH = "vp_load"
P95_TARGET_MS = 300.0

# Where each kind of write leaves its marker.
MARKED = {
    "report": ("report", "question"),
    "message": ("report_message", "body"),
    "absence": ("absence", "cause"),
    "action": ("case_action", "body"),
    "agreement": ("transition_agreement", "description"),
}


@dataclass(frozen=True)
class Config:
    worker_class: str  # sync | gthread
    workers: int
    threads: int

    @classmethod
    def parse(cls, text: str) -> Config:
        kind, _, counts = text.partition(":")
        workers, _, threads = counts.partition("x")
        return cls(kind, int(workers or 2), int(threads or 1))

    @property
    def label(self) -> str:
        return f"{self.worker_class} {self.workers}w x {self.threads}t"


def scratch_copy(template: str) -> str:
    bench._pg_admin(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
    bench._pg_admin(f'CREATE DATABASE "{SCRATCH}" TEMPLATE "{template}"')
    return f"{bench.PG_URL}/{SCRATCH}"


def accounts(url: str) -> dict[str, list[str]]:
    """Active accounts per role; for schools the zorgcoördinatoren of schools with pupils."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT u.role, u.email FROM user_account u WHERE u.active AND u.role <> 'school' "
            "UNION ALL SELECT 'school', MIN(u.email) FROM user_account u "
            "JOIN user_school us ON us.user_id = u.id JOIN pupil p ON p.school_id = us.school_id "
            "WHERE u.active AND u.role = 'school' AND p.left_on IS NULL "
            "GROUP BY us.school_id ORDER BY 1, 2"
        ).fetchall()
    found: dict[str, list[str]] = {}
    for role, email in rows:
        found.setdefault(role, []).append(email)
    return found


def start_server(url: str, port: int, config: Config) -> subprocess.Popen[bytes]:
    env = bench.flask_env(url)
    env["LOGIN_RATE_LIMIT"] = "100000 per minute"  # fifty users log in from one address
    env["SECRET_KEY"] = "load-secret-key-that-is-long-enough-0123456789"  # noqa: S105
    log = open(CACHE / "load-gunicorn.log", "ab")  # noqa: SIM115  closed with the process
    process = subprocess.Popen(  # noqa: S603  our own gunicorn
        [
            str(bench.BIN / "gunicorn"),
            "--worker-class",
            config.worker_class,
            "--workers",
            str(config.workers),
            "--threads",
            str(config.threads),
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    return bench.wait_until_up(process, port, "load-gunicorn.log")


def run_locust(
    port: int, users: int, seconds: int, think: str, found: dict[str, list[str]], name: str
) -> tuple[dict[str, Any], Path]:
    writes = CACHE / f"load-{name}-writes.jsonl"
    writes.unlink(missing_ok=True)
    prefix = CACHE / f"load-{name}"
    env = {
        **os.environ,
        "LOAD_ACCOUNTS": json.dumps(found),
        "LOAD_THINK": think,
        "LOAD_WRITES": str(writes),
    }
    command = [
        str(bench.BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        # Two users a second: fifty log in over 25 seconds (argon2 is slow on purpose).
        "--spawn-rate",
        "2",
        "--run-time",
        f"{seconds}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
        "--only-summary",
        # Figures of the steady state: logging in (argon2, on purpose slow) all at once is
        # not how a day starts; the ramp-up is left out.
        "--reset-stats",
        "--stop-timeout",
        "15",
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "WARNING",
    ]
    with open(CACHE / f"load-{name}.log", "wb") as log:
        subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=log, check=True)  # noqa: S603
    return read_stats(Path(f"{prefix}_stats.csv")), writes


def read_stats(path: Path) -> dict[str, Any]:
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    # A page nobody happened to ask for after the ramp-up has no percentiles ("N/A").
    pages = sorted(
        (r for r in rows if r["Name"] != "Aggregated" and int(r["Request Count"]) > 0),
        key=lambda r: float(r["95%"]),
        reverse=True,
    )
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "median_ms": float(total["Median Response Time"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "rps": round(float(total["Requests/s"]), 1),
        "slowest": [
            {"name": r["Name"], "requests": int(r["Request Count"]), "p95_ms": float(r["95%"])}
            for r in pages[:6]
        ],
    }


def check_writes(url: str, writes: Path) -> dict[str, Any]:
    """Every acknowledged write (a redirect) once in the database; every other at most once."""
    import psycopg

    sent = [json.loads(line) for line in writes.read_text().splitlines()] if writes.exists() else []
    found: Counter[str] = Counter()
    with psycopg.connect(url) as conn:
        for table, column in MARKED.values():
            for marker, count in conn.execute(
                f"SELECT substring({column} from 'LOAD-[0-9a-f]{{12}}') AS m, COUNT(*) "  # noqa: S608
                f"FROM {table} WHERE {column} LIKE '%LOAD-%' GROUP BY m"
            ):
                found[marker] += count
    acknowledged = [w for w in sent if w["status"] in (302, 303)]
    refused = [w for w in sent if w["status"] not in (302, 303)]
    return {
        "writes_sent": len(sent),
        "acknowledged": len(acknowledged),
        "acknowledged_once": sum(found[w["marker"]] == 1 for w in acknowledged),
        "acknowledged_missing": sum(found[w["marker"]] == 0 for w in acknowledged),
        "duplicates": sum(found[w["marker"]] > 1 for w in sent),
        "refused": len(refused),
        "refused_but_stored": sum(found[w["marker"]] > 0 for w in refused),
        "by_kind": dict(Counter(w["kind"] for w in acknowledged)),
    }


def one_run(
    template: str, config: Config, users: int, seconds: int, think: str, name: str
) -> dict[str, Any]:
    url = scratch_copy(template)
    found = accounts(url)
    port = bench.free_port()
    server = start_server(url, port, config)
    try:
        print(f"  {name}: {config.label}, {users} users, think {think} s, {seconds} s", flush=True)
        stats, writes = run_locust(port, users, seconds, think, found, name)
    finally:
        bench.stop_server(server)
    result = {
        "name": name,
        "config": config.label,
        "users": users,
        "think_seconds": think,
        "seconds": seconds,
        **stats,
        "writes": check_writes(url, writes),
    }
    bench._pg_admin(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
    return result


def print_run(run: dict[str, Any]) -> None:
    w = run["writes"]
    print(
        f"    {run['requests']} requests, {run['failures']} errors, {run['rps']} req/s, "
        f"median {run['median_ms']:.0f} ms, p95 {run['p95_ms']:.0f} ms, "
        f"p99 {run['p99_ms']:.0f} ms"
    )
    print(
        f"    writes: {w['acknowledged']} acknowledged, {w['acknowledged_once']} once in the "
        f"database, {w['acknowledged_missing']} missing, {w['duplicates']} twice or more; "
        f"{w['refused']} refused ({w['refused_but_stored']} stored anyway)"
    )
    slow = ", ".join(f"{p['name']} {p['p95_ms']:.0f}" for p in run["slowest"][:4])
    print(f"    slowest p95 (ms): {slow}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--think", default="2-8", help="seconds between actions, e.g. 2-8")
    parser.add_argument(
        "--configs",
        default="sync:2,gthread:2x4,gthread:3x4",
        help="gunicorn worker configurations to compare (class:workers[xthreads])",
    )
    args = parser.parse_args(argv)
    if not bench.pg_available():
        print("PostgreSQL is not reachable (BENCH_PG_URL): the load test needs it.")
        return 1
    target = bench.Target("postgresql", args.scale)
    bench.prepare(target, rebuild=False)
    subprocess.run(  # noqa: S603  our own flask: a reused database gets the newest schema
        [str(bench.BIN / "flask"), "db", "upgrade"],
        cwd=ROOT,
        env=bench.flask_env(target.url),
        check=True,
        capture_output=True,
    )
    configs = [Config.parse(c) for c in args.configs.split(",")]
    runs = []
    print("Stress: no think time")
    for config in configs:
        runs.append(one_run(target.name, config, args.users, args.seconds, "0", "stress"))
        print_run(runs[-1])
    clean = [r for r in runs if r["failures"] == 0] or runs
    best = min(clean, key=lambda r: (r["p95_ms"], -r["rps"]))
    chosen = configs[runs.index(best)]
    print(f"Realistic: think time {args.think} s, in the best configuration ({chosen.label})")
    realistic = one_run(target.name, chosen, args.users, args.seconds, args.think, "realistic")
    print_run(realistic)
    runs.append(realistic)
    w = realistic["writes"]
    verdict = {
        "errors_zero": realistic["failures"] == 0 and all(r["failures"] == 0 for r in runs),
        "p95_within_target": realistic["p95_ms"] <= P95_TARGET_MS,
        "writes_exactly_once": all(
            r["writes"]["acknowledged_once"] == r["writes"]["acknowledged"]
            and r["writes"]["duplicates"] == 0
            and r["writes"]["refused_but_stored"] == 0
            for r in runs
        )
        and w["acknowledged"] > 0,
    }
    RESULTS.write_text(
        json.dumps(
            {
                "date": time.strftime("%Y-%m-%d"),
                "scale": args.scale,
                "machine": bench.machine(),
                "counts": bench.discover(target.url)["counts"],
                "chosen": chosen.label,
                "runs": runs,
                "verdict": verdict,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"Verdict: {verdict} (bench/load.json)")
    return 0 if all(verdict.values()) else 2


if __name__ == "__main__":
    sys.exit(main())
