"""Error pages: a Dutch page with the portal's headers for every error, and never a query on a
database that just failed.

Three paths (``tests/integration/test_errors.py``):

- an HTTP error (403, 404, 413, ...): the page in the portal's layout, after a rollback;
- the database unreachable (a restart, a dropped connection, a full pool): 503 with a page that
  is rendered without the menu's queries or the user's lookup, and ``Retry-After``;
- any other exception: logged, rolled back, and a 500 page; when even that page fails (its
  header queries), the plain one.

Flask runs the security headers (``after_request``) on each of these responses, because every
handler returns a page instead of raising. Connections are checked before use
(``pool_pre_ping``), so the first request after a database restart gets a fresh one.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, render_template, request, url_for
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal import lifecycle, submissions
from portal.auth import sessions

logger = logging.getLogger(__name__)

TITLES = {
    400: "Ongeldig verzoek",
    401: "Niet ingelogd",
    403: "Geen toegang",
    404: "Pagina niet gevonden",
    405: "Methode niet toegestaan",
    409: "Tegelijk gewijzigd",
    413: "Bestand te groot",
    422: "Ongeldige invoer",
    429: "Te veel verzoeken",
    500: "Er ging iets mis",
    503: "Het portaal is even niet bereikbaar",
}

# The database is away (restarting, unreachable, every connection in use): try again soon.
UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
RETRY_AFTER_SECONDS = 30


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    for error in UNAVAILABLE:
        app.register_error_handler(error, _unavailable)
    # A save that lost a race its view did not expect (the views that change a versioned
    # record handle it themselves, with the form kept): a conflict page, not a 500.
    app.register_error_handler(StaleDataError, _conflict)
    app.register_error_handler(IntegrityError, _conflict)
    app.register_error_handler(submissions.AlreadySubmitted, _already_submitted)
    # Flask calls the 500 handler for any exception no other handler took (in tests the
    # exception is raised instead, so a test sees its traceback).
    app.register_error_handler(InternalServerError, _internal_error)


def _csrf_error(error: CSRFError) -> Any:
    logger.info("CSRF refused: %s", error.description)
    lifecycle.abandon()
    if request.headers.get("HX-Request"):  # an autosave after the session expired
        return sessions.session_expired()
    return _page(400, title="Formulier verlopen", csrf=True)


def _http_error(error: HTTPException) -> Any:
    if error.code is None or error.code < 400:
        return error
    lifecycle.abandon()
    return _page(error.code)


def _unavailable(error: Exception) -> Any:
    logger.error("database unavailable: %s", type(error).__name__, exc_info=True)
    lifecycle.abandon()
    return _plain_page(503), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


ALREADY_SUBMITTED = (
    "Dit formulier was al verstuurd en is één keer opgeslagen. Hier ziet u het resultaat."
)


def _already_submitted(error: submissions.AlreadySubmitted) -> Any:
    """A repeated post of a form (a double click, a retry, the back button): the first one's
    result, with a word of explanation; nothing is filed twice."""
    lifecycle.abandon()
    flash(ALREADY_SUBMITTED, "info")
    if request.headers.get("HX-Request"):
        return "", 200, {"HX-Refresh": "true"}
    return redirect(error.target or _same_site_referrer() or url_for("main.home"), 303)


def _same_site_referrer() -> str | None:
    referrer = request.referrer
    if referrer and urlsplit(referrer).netloc == request.host:
        return referrer
    return None


def _conflict(error: Exception) -> Any:
    logger.warning("a save lost a race: %s", type(error).__name__)
    lifecycle.abandon()
    return _page(409)


def _internal_error(error: InternalServerError) -> Any:
    original = error.original_exception
    if isinstance(original, UNAVAILABLE):
        return _unavailable(original)
    lifecycle.abandon()
    return _page(500)


def _page(code: int, **context: Any) -> Any:
    """The error page in the portal's layout (menu and all), or the plain one when that fails."""
    context.setdefault("title", TITLES.get(code, "Er ging iets mis"))
    try:
        return render_template("errors/error.html", code=code, **context), code
    except UNAVAILABLE as error:  # the menu's queries found the database gone
        return _unavailable(error)
    except Exception:  # noqa: BLE001 - an error page must not fail
        logger.exception("the error page %s failed; the plain one is shown", code)
        lifecycle.abandon()
        return _plain_page(code, **context), code


def _plain_page(code: int, **context: Any) -> str:
    """The error page without the context processors: no menu counts, no user lookup, nothing
    that needs the database (Jinja's own render, not Flask's ``render_template``)."""
    context.setdefault("title", TITLES.get(code, "Er ging iets mis"))
    template = current_app.jinja_env.get_template("errors/error.html")
    return template.render(code=code, current_user=AnonymousUserMixin(), plain=True, **context)
