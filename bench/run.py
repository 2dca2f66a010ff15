"""Benchmark of the main pages at region scale: ``make bench`` (or ``python bench/run.py``).

For each database (SQLite and PostgreSQL) and each scale it

1. builds a region-scale database with ``flask demo-data --scale S``, or reuses the one built
   earlier for the same scale, generator and day (``.cache/bench/``; PostgreSQL databases are
   called ``vp_bench_<scale>``);
2. starts the portal under gunicorn (2 workers) on 127.0.0.1, one server per scale, side by
   side (each page's requests alternate between the scales, so a change in the machine's speed
   during the run weighs on every scale alike and the growth ratio compares like with like);
3. logs in per role (CSRF token from the ``/login`` form; the login rate limit is raised for
   the run with ``LOGIN_RATE_LIMIT``, see README) and times each role's main pages: ``--requests``
   sequential requests after ``--warmup`` requests, median and 95th percentile, next to
   ``/healthz`` as the floor;
4. times one registration in the class register (the htmx POST the browser sends; the pupil's
   signals are recomputed in it), alternately saving and clearing the same row;
5. puts the consultant inbox under ``wrk -t2 -c20`` (requests per second; skipped without wrk).

It prints a table per run, the growth ratio per page when several scales ran, and writes
``bench/results.json``. Budgets: median <= 50 ms, p95 <= 150 ms, registration <= 50 ms, inbox
>= 200 requests/s, growth 0.1 -> 1.0 <= 1.5x.

Pages are in :data:`PAGES`: one line per page (role, name, path template with ``{ids}`` that
:func:`discover` looks up in the database). A new main page is one more line.

Examples::

    python bench/run.py                          # both databases, region scale
    python bench/run.py --db sqlite --scale 0.1,1  # growth from 10% to 100%
    python bench/run.py --db postgresql --scale 5  # five regions
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "bench"
RESULTS = ROOT / "bench" / "results.json"
COMPARED = ROOT / "bench" / "compare.json"
BIN = Path(sys.executable).parent
PASSWORD = "verzuim-demo-2026"  # noqa: S105  the documented demo password
USER_AGENT = "verzuimportaal-bench"
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")

BUDGET_MEDIAN_MS = 50.0
BUDGET_P95_MS = 150.0
BUDGET_REGISTRATION_MS = 50.0
BUDGET_INBOX_RPS = 200.0
BUDGET_GROWTH = 1.5
# gunicorn: 2 worker processes, one per core (threads made no difference on PostgreSQL and
# cost about 20% on SQLite; BENCH_THREADS overrides).
THREADS = os.environ.get("BENCH_THREADS", "1")

# (role, page name, path). Paths use the ids :func:`discover` finds. Roles log in as:
ACCOUNTS = {
    "school": "{school_email}",  # the zorgcoördinator of the largest vmbo school of the region
    "consultant": "consulent@lvs.example.nl",
    "senior": "senior@lvs.example.nl",
    "swv": "coach@swv.example.nl",
    "admin": "beheer@lvs.example.nl",
}
PAGES: list[tuple[str, str, str]] = [
    ("-", "floor /healthz", "/healthz"),
    ("school", "home", "/"),
    ("school", "school reports", "/meldingen/"),
    ("school", "report page", "/meldingen/{school_report}"),
    ("school", "signals", "/verzuim/signalen"),
    ("school", "class register", "/verzuim/klassenregister?school={school}&klas={class_name}"),
    ("school", "pupil list", "/leerlingen/?school={school}"),
    ("school", "pupil timeline", "/leerlingen/{school_pupil}"),
    ("consultant", "home", "/"),
    ("consultant", "inbox", "/meldingen/"),
    ("consultant", "report page", "/meldingen/{consultant_report}"),
    ("consultant", "case page", "/dossier/{case_pupil}"),
    ("consultant", "pupil timeline", "/leerlingen/{case_pupil}"),
    ("consultant", "signals", "/verzuim/signalen"),
    ("consultant", "follow-ups", "/dossier/opvolging"),
    ("consultant", "thuiszitters", "/dossier/thuiszitters"),
    ("senior", "home", "/"),
    ("senior", "overdue view (inbox)", "/meldingen/"),
    ("senior", "reaction figures", "/meldingen/cijfers"),
    ("senior", "signals", "/verzuim/signalen"),
    ("senior", "thuiszitters", "/dossier/thuiszitters"),
    ("school", "transition list", "/overstap/?school={school}"),
    ("school", "evaluation", "/evaluatie/{school_evaluation}"),
    ("school", "import", "/importeren/"),
    ("school", "import codes", "/importeren/codes?school={school}"),
    ("consultant", "transition list", "/overstap/"),
    ("senior", "transition figures", "/overstap/cijfers"),
    ("senior", "evaluation progress", "/evaluatie/"),
    ("swv", "home", "/"),
    ("swv", "transition list", "/overstap/"),
    ("swv", "transition table", "/overstap/tafels/{swv_table}"),
    ("swv", "agreements", "/overstap/afspraken"),
    ("admin", "home", "/"),
    ("admin", "schools", "/beheer/scholen"),
    ("admin", "school holidays", "/beheer/vakanties"),
    ("senior", "reports without DUO number", "/meldingen/zonder-duo"),
    ("school", "how the portal counts", "/zo-telt-het-portaal"),
]


# --- HTTP ----------------------------------------------------------------------------------------


class Client:
    """A minimal browser: one cookie jar, plain http.client (no redirects followed)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None, htmx: bool = False
    ) -> tuple[int, str, float]:
        headers = {"User-Agent": USER_AGENT, "Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        started = time.perf_counter()
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = (time.perf_counter() - started) * 1000
        conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text, elapsed

    def csrf(self, path: str) -> str:
        status, html, _ = self.request("GET", path)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
            r'"X-CSRFToken": "([^"]+)"', html
        )
        if not match:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        return match.group(1)

    def login(self, email: str) -> None:
        token = self.csrf("/login")
        status, _, _ = self.request(
            "POST", "/login", {"email": email, "password": PASSWORD, "csrf_token": token}
        )
        if status != 302:
            raise RuntimeError(f"login as {email} failed with status {status}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- Databases -----------------------------------------------------------------------------------


@dataclass
class Target:
    kind: str  # sqlite | postgresql
    scale: float
    url: str = ""
    name: str = ""
    build_seconds: float | None = None
    reused: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def fingerprint() -> str:
    """Changes when the generator or the schema changes (the database is then rebuilt)."""
    digest = hashlib.sha256()
    files = sorted((ROOT / "devdata").rglob("*.py"))
    files += sorted((ROOT / "migrations" / "versions").glob("*.py"))
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def scale_label(scale: float) -> str:
    return f"{scale:g}".replace(".", "_")


def flask_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        FLASK_APP="wsgi",
        PORTAL_ENV="development",
        MAIL_BACKEND="file",
        MAIL_FILE=str(CACHE / "mail.log"),
    )
    return env


def prepare(target: Target, rebuild: bool) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    label = scale_label(target.scale)
    target.name = f"vp_bench_{label}"
    if target.kind == "sqlite":
        path = CACHE / f"{target.name}.db"
        target.url = f"sqlite:///{path}"
    else:
        target.url = f"{PG_URL}/{target.name}"
    marker_path = CACHE / f"{target.kind}-{target.name}.json"
    wanted = {"fingerprint": fingerprint(), "built_on": date.today().isoformat()}
    if not rebuild and marker_path.exists():
        marker = json.loads(marker_path.read_text())
        if {k: marker.get(k) for k in wanted} == wanted:
            target.reused = True
            target.build_seconds = marker.get("build_seconds")
            target.counts = marker.get("counts", {})
            print(f"[{target.kind} {target.scale:g}] reusing {target.name} (built today)")
            return
    print(f"[{target.kind} {target.scale:g}] building {target.name} ...", flush=True)
    if target.kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        _pg_admin(f'DROP DATABASE IF EXISTS "{target.name}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{target.name}"')
    env = flask_env(target.url)
    flask = str(BIN / "flask")
    subprocess.run(  # noqa: S603  our own flask
        [flask, "db", "upgrade", "heads"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603  our own flask
        [flask, "demo-data", "--scale", f"{target.scale:g}"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    target.build_seconds = round(time.perf_counter() - started, 1)
    for line in result.stdout.splitlines():
        print(f"    {line}")
        if line.startswith("rows: "):
            for part in line[len("rows: ") :].split(", "):
                table, _, count = part.rpartition(" ")
                target.counts[table] = int(count.replace(",", ""))
    marker_path.write_text(
        json.dumps({**wanted, "build_seconds": target.build_seconds, "counts": target.counts})
    )


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def discover(url: str) -> dict[str, Any]:
    """The accounts and ids the pages need: a big school, a busy pupil, an open report..."""
    from sqlalchemy import create_engine, text

    from portal.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:

        def one(sql: str, **params: Any) -> Any:
            return conn.execute(text(sql), params).first()

        # The largest VO school with an overstap list (vmbo): at every scale a school whose
        # pages (the list included) have the same shape, so growth compares like with like.
        school = one(
            "SELECT s.id, MIN(u.email) FROM school s JOIN pupil p ON p.school_id = s.id "
            "JOIN user_school us ON us.school_id = s.id JOIN user_account u ON u.id = us.user_id "
            "WHERE s.school_type = 'VO' AND s.id IN (SELECT school_id FROM transition_entry) "
            "GROUP BY s.id ORDER BY COUNT(p.id) DESC, s.id LIMIT 1"
        )
        school_id, school_email = school
        pupil = one(
            "SELECT a.pupil_id, p.class_name FROM absence a JOIN pupil p ON p.id = a.pupil_id "
            "WHERE p.school_id = :s AND p.left_on IS NULL GROUP BY a.pupil_id, p.class_name "
            "ORDER BY COUNT(*) DESC, a.pupil_id LIMIT 1",
            s=school_id,
        )
        register_pupil = one(
            "SELECT id FROM pupil WHERE school_id = :s AND class_name = :c AND left_on IS NULL "
            "ORDER BY id LIMIT 1",
            s=school_id,
            c=pupil[1],
        )
        school_report = one(
            "SELECT r.id FROM report r LEFT JOIN report_message m ON m.report_id = r.id "
            "WHERE r.school_id = :s GROUP BY r.id ORDER BY COUNT(m.id) DESC, r.id DESC LIMIT 1",
            s=school_id,
        )
        c1 = one("SELECT id FROM user_account WHERE email = 'consulent@lvs.example.nl'")[0]
        report = one(
            "SELECT r.id, r.pupil_id FROM report r JOIN school s ON s.id = r.school_id "
            "LEFT JOIN case_action a ON a.pupil_id = r.pupil_id "
            "WHERE s.fixed_consultant_id = :c AND r.status IN ('geregistreerd', 'in_behandeling') "
            "GROUP BY r.id, r.pupil_id ORDER BY COUNT(a.id) DESC, r.id DESC LIMIT 1",
            c=c1,
        )
        counts = {
            table: conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()  # noqa: S608
            for table in ("school", "pupil", "absence", "late_arrival", "report", "signal")
        }
        inbox = one(
            "SELECT COUNT(*) FROM report r JOIN school s ON s.id = r.school_id "
            "WHERE s.fixed_consultant_id = :c AND r.status IN ('geregistreerd', 'in_behandeling')",
            c=c1,
        )[0]
        schools_c1 = one("SELECT COUNT(*) FROM school WHERE fixed_consultant_id = :c", c=c1)[0]
        # The busiest table the demo coach's partnership held, and the big school's evaluation.
        swv_table = one(
            "SELECT d.table_id FROM transition_discussion d "
            "JOIN transition_table t ON t.id = d.table_id JOIN partnership p "
            "ON p.id = t.partnership_id WHERE p.code = 'VO2811' "
            "GROUP BY d.table_id ORDER BY COUNT(*) DESC, d.table_id LIMIT 1"
        )
        evaluation = one(
            "SELECT id FROM evaluation WHERE school_id = :s ORDER BY id DESC LIMIT 1", s=school_id
        )
        counts["transition_entry"] = conn.execute(
            text("SELECT COUNT(*) FROM transition_entry")
        ).scalar()
    engine.dispose()
    return {
        "school": school_id,
        "school_email": school_email,
        "school_pupil": pupil[0],
        "class_name": pupil[1],
        "register_pupil": register_pupil[0],
        "school_report": school_report[0],
        "consultant_report": report[0],
        "case_pupil": report[1],
        "counts": counts,
        "consultant_open_reports": inbox,
        "consultant_schools": schools_c1,
        "swv_table": swv_table[0] if swv_table else 0,
        "school_evaluation": evaluation[0] if evaluation else 0,
    }


# --- The server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, port: int, root: Path = ROOT) -> subprocess.Popen[bytes]:
    env = flask_env(url)
    # The login limit is per client address: the bench logs in from 127.0.0.1 a few times per
    # run, so it gets a generous limit (the default stays 10 per minute).
    env["LOGIN_RATE_LIMIT"] = "1000 per minute"
    env["SECRET_KEY"] = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105
    log = open(CACHE / "gunicorn.log", "ab")  # noqa: SIM115  closed with the process
    process = subprocess.Popen(  # noqa: S603  our own gunicorn
        [
            str(BIN / "gunicorn"),
            "--workers",
            "2",
            "--threads",
            THREADS,
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=root,  # gunicorn puts the code of ``root`` first on the path
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    return wait_until_up(process, port, "gunicorn.log")


def wait_until_up(
    process: subprocess.Popen[bytes], port: int, log_name: str
) -> subprocess.Popen[bytes]:
    """``process`` once /healthz answers 200 (at most a minute), else stopped and an error."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _, _ = Client(port).request("GET", "/healthz")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(process)
    raise RuntimeError(f"gunicorn did not come up; see .cache/bench/{log_name}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# --- Measuring -----------------------------------------------------------------------------------


def time_pages(
    targets: list[tuple[Client, str]], warmup: int, requests: int
) -> list[dict[str, Any]]:
    """Time one page on several servers (one per scale) with their requests interleaved: a
    drift of the machine's speed during the run then weighs on every scale alike, and the
    growth ratio compares like with like."""
    for client, path in targets:
        for _ in range(warmup):
            status, _, _ = client.request("GET", path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
    times: list[list[float]] = [[] for _ in targets]
    for _ in range(requests):
        for index, (client, path) in enumerate(targets):
            status, _, elapsed = client.request("GET", path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            times[index].append(elapsed)
    return [
        {
            "median_ms": round(statistics.median(series), 2),
            "p95_ms": round(percentile(series, 0.95), 2),
            "max_ms": round(max(series), 2),
            "requests": requests,
        }
        for series in times
    ]


def last_school_day(today: date) -> date:
    """Registrations need a school day: today, or the last weekday before it."""
    from portal.calendar import public_holiday_name

    day = today
    while day.weekday() >= 5 or public_holiday_name(day):
        day -= timedelta(days=1)
    return day


def time_registration(client: Client, ids: dict[str, Any], requests: int) -> dict[str, Any]:
    """Save 2 hours of truancy for a pupil, then clear the row again, and so on: each POST is
    one registration with the pupil's signals recomputed."""
    pupil = ids["register_pupil"]
    path = f"/verzuim/klassenregister?school={ids['school']}&klas={ids['class_name']}"
    token = client.csrf(path)
    day = last_school_day(date.today()).isoformat()
    times = []
    for index in range(requests + 4):
        hours = "2" if index % 2 == 0 else ""
        status, html, elapsed = client.request(
            "POST",
            f"/verzuim/klassenregister/{pupil}",
            {
                "csrf_token": token,
                "datum": day,
                f"p{pupil}-hours": hours,
                f"p{pupil}-kind": "ongeoorloofd",
                f"p{pupil}-original_kind": "ongeoorloofd",
                f"p{pupil}-lesson_hour": "",
            },
            htmx=True,
        )
        if status != 200 or "Opgeslagen" not in html:
            raise RuntimeError(f"registration failed with status {status}")
        if index >= 4:  # the first four are warm-up
            times.append(elapsed)
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "requests": requests,
    }


def run_wrk(client: Client, port: int, path: str, seconds: int) -> dict[str, Any] | None:
    wrk = shutil.which("wrk")
    if wrk is None:
        print("    wrk is not installed: the inbox load test is skipped (apt-get install wrk)")
        return None
    status, _, _ = client.request("GET", path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status} before wrk")
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    result = subprocess.run(  # noqa: S603  wrk against loopback
        [
            wrk,
            "-t2",
            "-c20",
            f"-d{seconds}s",
            "-H",
            f"Cookie: {cookie}",
            "-H",
            f"User-Agent: {USER_AGENT}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = re.search(r"Latency\s+([\d.]+\w+)", out)
    # The session must still be valid afterwards (a redirect to the login page would be fast).
    status, html, _ = client.request("GET", path)
    if status != 200 or "Meldingen" not in html:
        raise RuntimeError("the session did not survive the wrk run")
    return {
        "requests_per_s": rps,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "avg_latency": latency.group(1) if latency else None,
        "seconds": seconds,
    }


@dataclass
class Running:
    """A target with its server started and a logged-in client per role."""

    target: Target
    ids: dict[str, Any]
    port: int
    server: subprocess.Popen[bytes]
    clients: dict[str, Client]
    pages: list[dict[str, Any]] = field(default_factory=list)


def start_target(target: Target, args: argparse.Namespace, root: Path = ROOT) -> Running:
    prepare(target, args.rebuild)
    ids = discover(target.url)
    port = free_port()
    server = start_server(target.url, port, root)
    try:
        clients: dict[str, Client] = {"-": Client(port)}
        for role, email in ACCOUNTS.items():
            client = Client(port)
            client.login(email.format(**ids))
            clients[role] = client
    except Exception:
        stop_server(server)
        raise
    return Running(target, ids, port, server, clients)


def run_targets(targets: list[Target], args: argparse.Namespace) -> list[dict[str, Any]]:
    """All scales of one database: their servers run side by side and each page is timed on
    all of them in turn; then per scale the registration and the inbox under wrk."""
    running: list[Running] = []
    try:
        for target in targets:
            running.append(start_target(target, args))
        for role, name, template in PAGES:
            wanted = any(word in f"{role} {name}" for word in args.only.split(","))
            if args.only and role != "-" and not wanted:
                continue
            timings = time_pages(
                [(r.clients[role], template.format(**r.ids)) for r in running],
                args.warmup,
                args.requests,
            )
            for r, timing in zip(running, timings, strict=True):
                r.pages.append({"role": role, "page": name, "path": template, **timing})
            print(
                f"    {role:<10} {name:<24} median "
                + "  ".join(
                    f"{t['median_ms']:7.1f} ms (p95 {t['p95_ms']:6.1f}) @{r.target.scale:g}"
                    for r, t in zip(running, timings, strict=True)
                ),
                flush=True,
            )
        return [finish_target(r, args) for r in running]
    finally:
        for r in running:
            stop_server(r.server)


def finish_target(running: Running, args: argparse.Namespace) -> dict[str, Any]:
    target, ids, pages = running.target, running.ids, running.pages
    registration = time_registration(running.clients["school"], ids, args.requests)
    print(
        f"    [{target.kind} {target.scale:g}] registration (POST) median "
        f"{registration['median_ms']:7.1f} ms   p95 {registration['p95_ms']:7.1f} ms"
    )
    inbox = (
        None
        if args.no_wrk
        else run_wrk(running.clients["consultant"], running.port, "/meldingen/", 10)
    )
    stop_server(running.server)
    floor = pages[0]["median_ms"]
    for page in pages:
        page["ratio_to_floor"] = round(page["median_ms"] / floor, 1) if floor else None
        page["within_budget"] = (
            page["median_ms"] <= BUDGET_MEDIAN_MS and page["p95_ms"] <= BUDGET_P95_MS
        )
    return {
        "database": target.kind,
        "scale": target.scale,
        "database_name": target.name,
        "build_seconds": target.build_seconds,
        "reused_database": target.reused,
        "rows": ids.pop("counts"),
        "consultant_schools": ids.pop("consultant_schools"),
        "consultant_open_reports": ids.pop("consultant_open_reports"),
        "pages": pages,
        "registration": registration,
        "inbox_wrk": inbox,
    }


# --- Two versions of the code side by side --------------------------------------------------


def _revision(root: Path) -> str:
    """The commit a checkout holds (a path of this machine says nothing elsewhere)."""
    result = subprocess.run(  # noqa: S603
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() or "unknown"


def compare_code(database: str, scale: float, args: argparse.Namespace) -> dict[str, Any]:
    """The same database served by this checkout ("after") and by ``--compare`` ("before"),
    side by side: each page's requests alternate between the two servers, so a change in the
    machine's speed weighs on both alike; the registration and the inbox under wrk run on each
    in turn, twice."""
    target = Target(database, scale)
    before_root = Path(args.compare).resolve()
    runs = {
        "after": start_target(target, args, ROOT),
        "before": start_target(Target(database, target.scale), args, before_root),
    }
    pages: list[dict[str, Any]] = []
    try:
        for role, name, template in PAGES:
            wanted = any(word in f"{role} {name}" for word in args.only.split(","))
            if args.only and role != "-" and not wanted:
                continue
            timings = time_pages(
                [(r.clients[role], template.format(**r.ids)) for r in runs.values()],
                args.warmup,
                args.requests,
            )
            row = {"role": role, "page": name}
            for label, timing in zip(runs, timings, strict=True):
                row[label] = timing
            row["ratio"] = round(row["after"]["median_ms"] / row["before"]["median_ms"], 2)
            pages.append(row)
            print(
                f"    {role:<10} {name:<24} before {row['before']['median_ms']:7.1f} ms  "
                f"after {row['after']['median_ms']:7.1f} ms  ratio {row['ratio']:.2f}",
                flush=True,
            )
        registration: dict[str, list[dict[str, Any]]] = {label: [] for label in runs}
        inbox: dict[str, list[Any]] = {label: [] for label in runs}
        # A B B A: neither version always runs first (a warmer database, a cooler machine).
        for order in (list(runs), list(reversed(runs))):
            for label in order:
                r = runs[label]
                registration[label].append(
                    time_registration(r.clients["school"], r.ids, args.requests // 2)
                )
                if not args.no_wrk:
                    inbox[label].append(run_wrk(r.clients["consultant"], r.port, "/meldingen/", 10))
        for label in runs:
            medians = [t["median_ms"] for t in registration[label]]  # in A B B A order
            rps = [w["requests_per_s"] for w in inbox[label] if w]
            print(
                f"    [{database}] {label:<6} registration medians {medians} ms; "
                f"inbox under wrk {rps} requests/s"
            )
    finally:
        for r in runs.values():
            stop_server(r.server)
    return {
        "database": database,
        "scale": target.scale,
        "rows": runs["after"].ids.get("counts", {}),
        "before": _revision(before_root),
        "after": _revision(ROOT),
        "pages": pages,
        "registration": registration,
        "inbox_wrk": inbox,
    }


# --- Report --------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True)  # noqa: S607
        for line in lscpu.stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def print_table(run: dict[str, Any]) -> None:
    print()
    print(
        f"== {run['database']} at scale {run['scale']:g} ({run['rows'].get('pupil', 0):,} pupils, "
        f"{run['rows'].get('absence', 0):,} absence rows) =="
    )
    print(f"{'role':<10} {'page':<24} {'median ms':>10} {'p95 ms':>8} {'x floor':>8}  budget")
    for page in run["pages"]:
        ok = "ok" if page["within_budget"] else "MISS"
        print(
            f"{page['role']:<10} {page['page']:<24} {page['median_ms']:>10.1f} "
            f"{page['p95_ms']:>8.1f} {page['ratio_to_floor']:>8.1f}  {ok}"
        )
    reg = run["registration"]
    ok = "ok" if reg["median_ms"] <= BUDGET_REGISTRATION_MS else "MISS"
    print(
        f"{'school':<10} {'registration (POST)':<24} {reg['median_ms']:>10.1f} "
        f"{reg['p95_ms']:>8.1f} {'':>8}  {ok}"
    )
    if run["inbox_wrk"]:
        rps = run["inbox_wrk"]["requests_per_s"]
        ok = "ok" if rps >= BUDGET_INBOX_RPS and not run["inbox_wrk"]["non_2xx"] else "MISS"
        print(f"consultant inbox under wrk -t2 -c20: {rps:.0f} requests/s  {ok}")


def growth(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Median at the largest scale over the median at the smallest, per database and page."""
    rows = []
    for database in sorted({r["database"] for r in runs}):
        mine = sorted((r for r in runs if r["database"] == database), key=lambda r: r["scale"])
        if len(mine) < 2:
            continue
        small, large = mine[0], mine[-1]
        before = {(p["role"], p["page"]): p for p in small["pages"]}
        for page in large["pages"]:
            old = before.get((page["role"], page["page"]))
            if old is None:
                continue
            ratio = page["median_ms"] / old["median_ms"] if old["median_ms"] else None
            rows.append(
                {
                    "database": database,
                    "role": page["role"],
                    "page": page["page"],
                    "from_scale": small["scale"],
                    "to_scale": large["scale"],
                    "median_ms_from": old["median_ms"],
                    "median_ms_to": page["median_ms"],
                    "ratio": round(ratio, 2) if ratio else None,
                    "within_budget": ratio is not None and ratio <= BUDGET_GROWTH,
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--scale", default="1", help="one scale or several: 0.1,1 (growth)")
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the databases")
    parser.add_argument("--no-wrk", action="store_true", help="skip the wrk load test")
    parser.add_argument("--only", default="", help="only pages whose 'role name' contains this")
    parser.add_argument("--output", default=str(RESULTS), help="where to write the JSON")
    parser.add_argument(
        "--compare",
        default="",
        metavar="DIR",
        help="a checkout of other code (git worktree add DIR REV): serve the same database with "
        "both and time them side by side; writes bench/compare.json",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))

    from devdata.region import parse_scale

    scales = [parse_scale(s) for s in args.scale.split(",")]
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in databases and not pg_available():
        if args.db == "postgresql":
            print(f"PostgreSQL is not reachable at {PG_URL} (set BENCH_PG_URL)")
            return 2
        print(f"PostgreSQL is not reachable at {PG_URL}: measuring SQLite only")
        databases = ["sqlite"]
    if args.compare:
        compared = [compare_code(database, scales[0], args) for database in databases]
        output_path = Path(args.output if args.output != str(RESULTS) else COMPARED)
        document = {
            "measured_at": datetime.now().isoformat(timespec="seconds"),
            "machine": machine(),
            "method": (
                f"the same database served by two checkouts side by side, each page's "
                f"{args.requests} requests alternating between them after {args.warmup} warm-up "
                "requests each; the registration and the inbox under wrk on each in turn, twice"
            ),
            "runs": compared,
        }
        output_path.write_text(json.dumps(document, indent=2) + "\n")
        print(f"\nwritten to {os.path.relpath(output_path, ROOT)}")
        return 0
    runs = []
    for database in databases:
        runs += run_targets([Target(database, scale) for scale in scales], args)
    for run in runs:
        print_table(run)
    grown = growth(runs)
    if grown:
        print()
        print(f"{'database':<11} {'role':<10} {'page':<24} {'from':>8} {'to':>8} {'ratio':>6}")
        for row in grown:
            ok = "ok" if row["within_budget"] else "MISS"
            print(
                f"{row['database']:<11} {row['role']:<10} {row['page']:<24} "
                f"{row['median_ms_from']:>8.1f} {row['median_ms_to']:>8.1f} "
                f"{row['ratio']:>6.2f}  {ok}"
            )
    output = {
        "measured_at": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "budgets": {
            "median_ms": BUDGET_MEDIAN_MS,
            "p95_ms": BUDGET_P95_MS,
            "registration_ms": BUDGET_REGISTRATION_MS,
            "inbox_requests_per_s": BUDGET_INBOX_RPS,
            "growth_ratio": BUDGET_GROWTH,
        },
        "method": (
            f"{args.requests} sequential requests per page after {args.warmup} warm-up "
            "requests, timed at the client over loopback (connect + server + transfer), "
            "gunicorn with 2 sync workers; with several scales their servers run side by "
            "side and each page's requests alternate between them"
        ),
        "runs": runs,
        "growth": grown,
    }
    Path(args.output).write_text(json.dumps(output, indent=2) + "\n")
    print(f"\nwritten to {os.path.relpath(args.output, ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
