"""A database restart under load: ``make faults`` (or ``python bench/faults.py``).

It serves the demo region from its own PostgreSQL database under gunicorn, puts users of all
roles on it (bench/locustfile.py, a short think time, writes included), restarts PostgreSQL in
the middle (``pg_ctlcluster ... restart``; ``FAULT_RESTART_CMD`` overrides) and then shows:

* during the restart only the Dutch 503 page (with the security headers), no 500 and no
  dropped connection;
* recovery by itself: the first good answer after PostgreSQL is back, and none failing after;
* every write the portal acknowledged present exactly once in the database (one it refused
  or could not answer at most once).

It restarts the PostgreSQL server on this machine: run it where nothing else needs it. The
figures go to ``bench/faults.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import load
import run as bench

ROOT = bench.ROOT
CACHE = bench.CACHE
RESULTS = ROOT / "bench" / "faults.json"
DATABASE = "vp_faults"


def restart_command() -> list[str]:
    custom = os.environ.get("FAULT_RESTART_CMD")
    if custom:
        return shlex.split(custom)
    clusters = subprocess.run(  # noqa: S603  the local cluster
        ["pg_lsclusters", "--no-header"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    version, name = clusters[0], clusters[1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart", "-m", "fast"]


def prepare() -> str:
    bench._pg_admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    bench._pg_admin(f'CREATE DATABASE "{DATABASE}"')
    url = f"{bench.PG_URL}/{DATABASE}"
    env = bench.flask_env(url)
    for command in (["db", "upgrade"], ["demo-data"]):
        subprocess.run(  # noqa: S603  our own flask
            [str(bench.BIN / "flask"), *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    return url


def wait_for_postgres(deadline_seconds: float = 60) -> float:
    started = time.monotonic()
    while time.monotonic() - started < deadline_seconds:
        if bench.pg_available():
            return time.time()
        time.sleep(0.2)
    raise RuntimeError("PostgreSQL did not come back")


def analyse(trace: Path, down: float, up: float) -> dict[str, Any]:
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    before = [e for e in events if e["end"] < down]
    during = [e for e in events if down <= e["end"] <= up + 2]  # answers in flight included
    after = [e for e in events if e["end"] > up + 2]
    first_good = min(
        (e["end"] for e in events if e["end"] > up and e["status"] and e["status"] < 500),
        default=None,
    )
    last_bad = max((e["end"] for e in events if e["status"] >= 500 or e["status"] == 0), default=0)
    unavailable = [e for e in events if e["status"] == 503]
    return {
        "requests": len(events),
        "statuses_before": dict(Counter(e["status"] for e in before)),
        "statuses_during": dict(Counter(e["status"] for e in during)),
        "statuses_after": dict(Counter(e["status"] for e in after)),
        "server_errors_500": sum(e["status"] == 500 for e in events),
        "dropped_connections": sum(e["status"] == 0 for e in events),
        "unavailable_503": len(unavailable),
        "unavailable_with_headers": sum(e["headers"] for e in unavailable),
        "unavailable_in_dutch": sum(e["dutch"] for e in unavailable),
        "restart_seconds": round(up - down, 1),
        "first_good_after_restart_s": round(first_good - up, 2) if first_good else None,
        "last_failure_after_restart_s": round(last_bad - up, 2) if last_bad > up else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--before", type=int, default=20, help="seconds of load before")
    parser.add_argument("--after", type=int, default=30, help="seconds of load after")
    parser.add_argument("--config", default="sync:2", help="gunicorn workers (production: sync:2)")
    args = parser.parse_args(argv)
    if not bench.pg_available():
        print("PostgreSQL is not reachable (BENCH_PG_URL): the fault test needs it.")
        return 1
    command = restart_command()
    url = prepare()
    found = load.accounts(url)
    port = bench.free_port()
    config = load.Config.parse(args.config)
    server = load.start_server(url, port, config)
    trace = CACHE / "faults-trace.jsonl"
    writes = CACHE / "faults-writes.jsonl"
    for path in (trace, writes):
        path.unlink(missing_ok=True)
    env = {
        **os.environ,
        "LOAD_ACCOUNTS": json.dumps(found),
        "LOAD_THINK": "0.2-1",
        "LOAD_WRITES": str(writes),
        "LOAD_TRACE": str(trace),
    }
    seconds = args.before + args.after + 15
    locust = subprocess.Popen(  # noqa: S603  our own locust run
        [
            str(bench.BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            "5",
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--only-summary",
            "--exit-code-on-error",
            "0",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(CACHE / "faults-locust.log", "wb"),  # noqa: SIM115  closed with the process
        stderr=subprocess.STDOUT,
    )
    try:
        print(f"{args.users} users on {config.label}; PostgreSQL restarts in {args.before} s")
        time.sleep(args.before)
        down = time.time()
        print(f"  restarting: {' '.join(command)}", flush=True)
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603
        up = wait_for_postgres()
        print(f"  PostgreSQL back after {up - down:.1f} s; load goes on", flush=True)
        locust.wait(timeout=seconds + 60)
    finally:
        if locust.poll() is None:
            locust.terminate()
        bench.stop_server(server)
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": bench.machine(),
        "config": config.label,
        "users": args.users,
        "restart_command": command[0],
        **analyse(trace, down, up),
        "writes": load.check_writes(url, writes),
    }
    bench._pg_admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    w = result["writes"]
    verdict = {
        "only_503_while_down": result["server_errors_500"] == 0
        and result["dropped_connections"] == 0
        and result["unavailable_with_headers"] == result["unavailable_503"]
        and result["unavailable_in_dutch"] == result["unavailable_503"],
        "recovered": result["first_good_after_restart_s"] is not None
        and result["last_failure_after_restart_s"] <= 5,
        "writes_exactly_once": w["acknowledged"] > 0
        and w["acknowledged_once"] == w["acknowledged"]
        and w["duplicates"] == 0,
    }
    result["verdict"] = verdict
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))
    return 0 if all(verdict.values()) else 2


if __name__ == "__main__":
    sys.exit(main())
