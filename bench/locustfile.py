"""The portal's users for ``make load`` (bench/load.py runs this with locust, headless).

Fifty users of every role at once, in the proportions of a region: zorgcoördinatoren most,
then consultants, a senior, swv coaches and a beheerder. Each logs in with its own account
(the accounts come from the database: ``LOAD_ACCOUNTS``), finds its records by following the
portal's own links, and works: mostly reading, and writing as they do (a question to
leerplicht, a message on a report, an absence on a pupil's page, a case action, an agreement
for the overstap). Every write carries a unique marker; each one the portal acknowledged (its
redirect) is written to ``LOAD_WRITES`` so that bench/load.py can count it in the database
afterwards: exactly once.

``LOAD_THINK`` is the think time between two actions in seconds (``"2-8"``; ``"0"``: none,
the stress run). The forms are posted as a browser posts them: their hidden fields (CSRF, the
one-time token, the version) from the page, then the redirect is followed.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
import uuid
from datetime import date, timedelta
from typing import Any

from locust import HttpUser, between, constant, events, task

ACCOUNTS: dict[str, list[str]] = json.loads(os.environ.get("LOAD_ACCOUNTS", "{}"))
PASSWORD = os.environ.get("LOAD_PASSWORD", "verzuim-demo-2026")
WRITES_FILE = os.environ.get("LOAD_WRITES", "load-writes.jsonl")
TRACE_FILE = os.environ.get("LOAD_TRACE")  # bench/faults.py: every answer with its time
_think = os.environ.get("LOAD_THINK", "2-8")
WAIT = constant(0) if _think in ("0", "") else between(*(float(x) for x in _think.split("-")))

HIDDEN = re.compile(r"<input[^>]*type=\"hidden\"[^>]*>")
NAME = re.compile(r'name="([^"]+)"')
VALUE = re.compile(r'value="([^"]*)"')
_lock = threading.Lock()
_next_account: dict[str, int] = {}


def _account(role: str) -> str:
    with _lock:
        i = _next_account.get(role, 0)
        _next_account[role] = i + 1
    emails = ACCOUNTS[role]
    return emails[i % len(emails)]


def hidden_fields(html: str, prefix: str = "") -> dict[str, str]:
    """The hidden inputs of the page's forms whose name starts with ``prefix`` (and the CSRF
    token), as the browser would send them."""
    fields: dict[str, str] = {}
    for tag in HIDDEN.findall(html):
        name, value = NAME.search(tag), VALUE.search(tag)
        if not name:
            continue
        key = name.group(1)
        if key.endswith("csrf_token"):
            fields.setdefault("csrf_token", value.group(1) if value else "")
        elif key.startswith(prefix) and key not in fields:
            fields[key] = value.group(1) if value else ""
    return fields


def ids(html: str, pattern: str) -> list[int]:
    return sorted({int(m) for m in re.findall(pattern, html)})


def record_write(kind: str, marker: str, status: int, location: str) -> None:
    line = json.dumps({"kind": kind, "marker": marker, "status": status, "location": location})
    with _lock, open(WRITES_FILE, "a", encoding="utf-8") as out:
        out.write(line + "\n")


def recent_school_days(today: date, count: int = 8) -> list[date]:
    days, day = [], today
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days


class PortalUser(HttpUser):
    abstract = True
    wait_time = WAIT
    role = ""

    def on_start(self) -> None:
        self.email = _account(self.role)
        page = self.client.get("/login", name="login page")
        response = self.client.post(
            "/login",
            data={**hidden_fields(page.text), "email": self.email, "password": PASSWORD},
            allow_redirects=False,
            name="login",
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.email} could not log in: {response.status_code}")

    def page(self, path: str, name: str) -> Any:
        return self.client.get(path, name=name)

    def post_form(
        self, page_path: str, action: str, data: dict[str, str], name: str, prefix: str = ""
    ) -> Any:
        """GET the form's page, POST as the browser does, follow the redirect."""
        page = self.client.get(page_path, name=f"{name} (form)")
        if page.status_code != 200 or f'action="{action}' not in page.text:
            return None  # not offered here (a closed report takes no messages)
        with self.client.post(
            action,
            data={**hidden_fields(page.text, prefix), **data},
            allow_redirects=False,
            name=name,
            catch_response=True,
        ) as response:
            # A refused form (422: say the day holds this already) is the portal working.
            if response.status_code in (302, 303, 422):
                response.success()
            location = response.headers.get("Location", "")
        if response.status_code in (302, 303) and location:
            self.client.get(location, name=f"{name} (result)")
        return response


class School(PortalUser):
    weight = 25
    role = "school"

    def on_start(self) -> None:
        super().on_start()
        self.pupils = ids(self.page("/leerlingen/", "pupil list").text, r"/leerlingen/(\d+)\"")
        self.reports = ids(self.page("/meldingen/", "reports").text, r"/meldingen/(\d+)\"")

    @task(4)
    def home(self) -> None:
        self.page("/", "home")

    @task(3)
    def signals(self) -> None:
        self.page("/verzuim/signalen", "signals")

    @task(3)
    def reports_list(self) -> None:
        self.page("/meldingen/", "reports")

    @task(2)
    def report(self) -> None:
        if self.reports:
            self.page(f"/meldingen/{random.choice(self.reports)}", "report page")

    @task(3)
    def pupil(self) -> None:
        if self.pupils:
            self.page(f"/leerlingen/{random.choice(self.pupils)}", "pupil page")

    @task(2)
    def register(self) -> None:
        self.page("/verzuim/klassenregister", "class register")

    @task(1)
    def overstap(self) -> None:
        self.page("/overstap/", "transition list")

    @task(2)
    def register_absence(self) -> None:
        if not self.pupils:
            return
        pupil = random.choice(self.pupils)
        marker = f"LOAD-{uuid.uuid4().hex[:12]}"
        day = random.choice(recent_school_days(date.today()))
        response = self.post_form(
            f"/leerlingen/{pupil}",
            f"/leerlingen/{pupil}/verzuim",
            {
                "verzuim-day": day.isoformat(),
                "verzuim-hours": "2",
                "verzuim-kind": "ongeoorloofd",
                "verzuim-cause": marker,
            },
            "absence",
            prefix="verzuim-",
        )
        if response is not None:
            record_write("absence", marker, response.status_code, "")

    @task(1)
    def ask_leerplicht(self) -> None:
        if not self.pupils:
            return
        pupil = random.choice(self.pupils)
        marker = f"LOAD-{uuid.uuid4().hex[:12]}"
        path = f"/meldingen/nieuw?leerling={pupil}"
        page = self.client.get(path, name="new report (form)")
        number = re.search(r'name="pupil_number"[^>]*value="([^"]*)"', page.text)
        if page.status_code != 200 or not number:
            return
        with self.client.post(
            "/meldingen/nieuw",
            data={
                **hidden_fields(page.text),
                "kind": "vraag",
                "pupil_number": number.group(1),
                "question": f"Kunt u meedenken? {marker}",
                "school_actions": "Gesprek met ouders.",
            },
            allow_redirects=False,
            name="new report",
            catch_response=True,
        ) as response:
            if response.status_code in (302, 303, 422):
                response.success()
        record_write("report", marker, response.status_code, response.headers.get("Location", ""))
        if response.status_code == 302:
            self.reports.append(int(response.headers["Location"].rsplit("/", 1)[-1]))

    @task(1)
    def message(self) -> None:
        if not self.reports:
            return
        report = random.choice(self.reports)
        marker = f"LOAD-{uuid.uuid4().hex[:12]}"
        response = self.post_form(
            f"/meldingen/{report}",
            f"/meldingen/{report}/bericht",
            {"body": f"Aanvulling van school {marker}"},
            "message",
            prefix="once",
        )
        if response is not None:
            record_write("message", marker, response.status_code, "")


class Consultant(PortalUser):
    weight = 15
    role = "consultant"

    def on_start(self) -> None:
        super().on_start()
        self.reports = ids(self.page("/meldingen/", "inbox").text, r"/meldingen/(\d+)\"")
        self.pupils: list[int] = []
        for report in self.reports[:5]:
            self.pupils += ids(
                self.page(f"/meldingen/{report}", "report page").text, r"/dossier/(\d+)\""
            )

    @task(4)
    def home(self) -> None:
        self.page("/", "home")

    @task(4)
    def inbox(self) -> None:
        self.page("/meldingen/", "inbox")

    @task(4)
    def report(self) -> None:
        if self.reports:
            self.page(f"/meldingen/{random.choice(self.reports)}", "report page")

    @task(2)
    def case(self) -> None:
        if self.pupils:
            self.page(f"/dossier/{random.choice(self.pupils)}", "case page")

    @task(2)
    def follow_ups(self) -> None:
        self.page("/dossier/opvolging", "follow-ups")

    @task(1)
    def thuiszitters(self) -> None:
        self.page("/dossier/thuiszitters", "thuiszitters")

    @task(1)
    def signals(self) -> None:
        self.page("/verzuim/signalen", "signals")

    @task(2)
    def react(self) -> None:
        if not self.reports:
            return
        report = random.choice(self.reports)
        marker = f"LOAD-{uuid.uuid4().hex[:12]}"
        response = self.post_form(
            f"/meldingen/{report}",
            f"/meldingen/{report}/bericht",
            {"body": f"Ik neem contact op met de ouders. {marker}"},
            "message",
            prefix="once",
        )
        if response is not None:
            record_write("message", marker, response.status_code, "")

    @task(1)
    def case_action(self) -> None:
        if not self.pupils:
            return
        pupil = random.choice(self.pupils)
        marker = f"LOAD-{uuid.uuid4().hex[:12]}"
        response = self.post_form(
            f"/dossier/{pupil}",
            f"/dossier/{pupil}/actie",
            {
                "kind": "gesprek_ouders",
                "day": date.today().isoformat(),
                "body": f"Telefonisch gesproken. {marker}",
            },
            "case action",
            prefix="once",
        )
        if response is not None:
            record_write("action", marker, response.status_code, "")


class Senior(PortalUser):
    weight = 4
    role = "senior"

    @task(3)
    def home(self) -> None:
        self.page("/", "home")

    @task(3)
    def overdue(self) -> None:
        self.page("/meldingen/", "senior inbox")

    @task(1)
    def figures(self) -> None:
        self.page("/meldingen/cijfers", "reaction figures")

    @task(1)
    def transition_figures(self) -> None:
        self.page("/overstap/cijfers", "transition figures")

    @task(1)
    def evaluations(self) -> None:
        self.page("/evaluatie/", "evaluation progress")


class Swv(PortalUser):
    weight = 4
    role = "swv"

    def on_start(self) -> None:
        super().on_start()
        self.entries = ids(
            self.page("/overstap/", "transition list").text, r"/overstap/leerling/(\d+)\""
        )
        self.tables = ids(self.page("/overstap/tafels", "tables").text, r"/overstap/tafels/(\d+)\"")

    @task(3)
    def transition_list(self) -> None:
        self.page("/overstap/", "transition list")

    @task(2)
    def table(self) -> None:
        if self.tables:
            self.page(f"/overstap/tafels/{random.choice(self.tables)}", "transition table")

    @task(2)
    def entry(self) -> None:
        if self.entries:
            self.page(f"/overstap/leerling/{random.choice(self.entries)}", "transition entry")

    @task(1)
    def agreements(self) -> None:
        self.page("/overstap/afspraken", "agreements")

    @task(1)
    def agree(self) -> None:
        if not self.entries:
            return
        entry = random.choice(self.entries)
        marker = f"LOAD-{uuid.uuid4().hex[:12]}"
        response = self.post_form(
            f"/overstap/leerling/{entry}",
            f"/overstap/leerling/{entry}/afspraak",
            {
                "afspraak-description": f"Intake plannen {marker}",
                "afspraak-party": "overstapcoach",
                "afspraak-due_on": (date.today() + timedelta(days=14)).isoformat(),
            },
            "agreement",
            prefix="afspraak-",
        )
        if response is not None:
            record_write("agreement", marker, response.status_code, "")


class Admin(PortalUser):
    weight = 2
    role = "admin"

    @task(2)
    def home(self) -> None:
        self.page("/", "home")

    @task(2)
    def schools(self) -> None:
        self.page("/beheer/scholen", "schools")

    @task(1)
    def accounts(self) -> None:
        self.page("/beheer/accounts", "accounts")

    @task(1)
    def stand_ins(self) -> None:
        self.page("/beheer/vervangingen", "stand-ins")


if TRACE_FILE:

    @events.request.add_listener
    def _trace(response: Any = None, exception: Any = None, **_kwargs: Any) -> None:
        """Every answer with the moment it came: its status (0: no answer), and for a 503
        whether it carries the security headers and the Dutch page."""
        status = getattr(response, "status_code", 0) or 0
        unavailable = status == 503
        line = json.dumps(
            {
                "end": time.time(),
                "status": status,
                "headers": unavailable
                and "Content-Security-Policy" in response.headers
                and "X-Frame-Options" in response.headers,
                "dutch": unavailable and "even niet bereikbaar" in response.text,
            }
        )
        with _lock, open(TRACE_FILE, "a", encoding="utf-8") as out:
            out.write(line + "\n")
