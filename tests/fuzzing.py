"""The forms, links and query arguments of the portal as a signed-in user finds them: a crawler
over the test client and an HTML reader (the standard library's parser), for the fuzz test.

Nothing here is a hand list of forms: every form, field, option, link and query argument comes
from the pages the app serves to that user.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from flask.testing import FlaskClient

# Pages that end the session or are files: fetched, never read for links.
NOT_FOLLOWED = ("/logout", "/static/")
FILES = (".csv", ".xlsx", ".pdf")
# Forms whose post ends the fuzzing user's session.
NOT_POSTED = ("/logout",)


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea", "button"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    page: str  # where the form was found
    action: str
    method: str
    htmx: bool
    multipart: bool
    fields: list[Field] = field(default_factory=list)

    @property
    def signature(self) -> tuple[str, str, tuple[str, ...]]:
        """The same form for another pupil or entry: ids in the path do not count."""
        names = tuple(
            sorted({re.sub(r"\d+", "N", f.name) for f in self.fields if f.name != "csrf_token"})
        )
        return (self.method, pattern(self.action), names)


def pattern(url: str) -> str:
    """``/leerlingen/12/verzuim`` → ``/leerlingen/N/verzuim`` (a page type, not a page)."""
    return re.sub(r"/\d+(?=/|$|\?)", "/N", urlsplit(url).path)


class _PageReader(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._by_id: dict[str, Form] = {}
        self._open: list[Form] = []
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._pending: list[tuple[str, Field]] = []  # fields with form="id" before the form

    def _owner(self, attrs: dict[str, str | None]) -> Form | None:
        owner_id = attrs.get("form")
        if owner_id:
            if owner_id in self._by_id:
                return self._by_id[owner_id]
            return None
        return self._open[-1] if self._open else None

    def _add(self, attrs: dict[str, str | None], item: Field) -> None:
        owner = self._owner(attrs)
        if owner is not None:
            owner.fields.append(item)
        elif attrs.get("form"):
            self._pending.append((str(attrs["form"]), item))

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.url, str(attrs["href"])))
        elif tag == "form":
            hx = attrs.get("data-hx-post") or attrs.get("hx-post")
            action = attrs.get("action") or hx or self.url
            form = Form(
                page=self.url,
                action=urljoin(self.url, str(action)),
                method=str(attrs.get("method") or ("post" if hx else "get")).lower(),
                htmx=bool(hx),
                multipart="multipart" in str(attrs.get("enctype") or ""),
            )
            self.forms.append(form)
            self._open.append(form)
            if attrs.get("id"):
                self._by_id[str(attrs["id"])] = form
        elif tag == "input" and attrs.get("name"):
            self._add(
                attrs,
                Field(
                    str(attrs["name"]),
                    str(attrs.get("type") or "text").lower(),
                    str(attrs.get("value") or ""),
                    checked="checked" in attrs,
                ),
            )
        elif tag == "button" and attrs.get("name"):
            self._add(attrs, Field(str(attrs["name"]), "button", str(attrs.get("value") or "")))
        elif tag == "select" and attrs.get("name"):
            self._select = Field(str(attrs["name"]), "select")
            self._add(attrs, self._select)
        elif tag == "option" and self._select is not None:
            value = str(attrs.get("value") or "")
            self._select.options.append(value)
            if "selected" in attrs or not self._select.value:
                self._select.value = value
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = Field(str(attrs["name"]), "textarea")
            self._add(attrs, self._textarea)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._open:
            self._open.pop()
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def close(self) -> None:
        super().close()
        for owner_id, item in self._pending:
            if owner_id in self._by_id:
                self._by_id[owner_id].fields.append(item)


def read_page(url: str, html: str) -> tuple[list[str], list[Form]]:
    reader = _PageReader(url)
    reader.feed(html)
    reader.close()
    return reader.links, reader.forms


@dataclass
class Site:
    """What one user found: pages (by type), forms (by signature) and query arguments."""

    pages: dict[str, str] = field(default_factory=dict)  # pattern -> a URL of it
    forms: dict[tuple[str, str, tuple[str, ...]], Form] = field(default_factory=dict)
    query_args: dict[str, set[str]] = field(default_factory=dict)  # name -> values seen
    statuses: dict[str, int] = field(default_factory=dict)


def crawl(client: FlaskClient, start: str = "/", limit: int = 400, per_type: int = 2) -> Site:
    """Breadth first over the links of the app, at most ``per_type`` pages of each type."""
    site = Site()
    seen: set[str] = set()
    per_pattern: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
            continue
        if url in seen:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kind = pattern(url) + ("?" if parts.query else "")
        if per_pattern.get(kind, 0) >= per_type:
            continue
        if any(path.startswith(prefix) for prefix in NOT_FOLLOWED):
            continue
        seen.add(url)
        per_pattern[kind] = per_pattern.get(kind, 0) + 1
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            site.query_args.setdefault(name, set()).add(value)
        response = client.get(path)
        site.statuses[path] = response.status_code
        if response.status_code != 200 or parts.path.endswith(FILES):
            continue
        if not response.content_type.startswith("text/html"):
            continue
        site.pages.setdefault(pattern(url), path)
        links, forms = read_page("http://localhost" + path, response.get_data(as_text=True))
        for form in forms:
            if form.method == "get":
                for item in form.fields:
                    site.query_args.setdefault(item.name, set()).update([item.value, *item.options])
                continue
            if any(urlsplit(form.action).path.startswith(p) for p in NOT_POSTED):
                continue
            site.forms.setdefault(form.signature, form)
        queue.extend(link.split("#")[0] for link in links if link.split("#")[0] not in seen)
    return site


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def field_names(form: Form) -> Iterator[str]:
    yield from (f.name for f in form.fields)
