"""The header and main menu of every page: the items a user may open (decided by the access
policy's predicates), the unread notifications and the number beside *Meldingen*.

Links only: each route enforces access itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Integer, Select, bindparam, literal, select

from portal import access, calendar
from portal.auth.models import Role, User
from portal.extensions import db
from portal.notifications.queries import unread_count_statement
from portal.reports import queries as reports


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    allowed: Callable[[User], bool]


def _everyone(user: User) -> bool:
    return True


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Overzicht", "main.home", _everyone),
    NavItem("Leerlingen", "pupils.index", access.can_view_pupils),
    NavItem("Klassenregister", "attendance.register", access.can_edit_pupils),
    NavItem("Signalen", "attendance.signals", access.can_view_pupils),
    NavItem("Meldingen", "reports.index", access.can_view_pupils),
    NavItem("Opvolging", "casework.follow_ups", access.can_view_casework),
    NavItem("Thuiszitters", "casework.thuiszitters", access.can_view_casework),
    NavItem("Overstap", "transition.index", access.can_view_transition),
    NavItem("Evaluatie", "evaluation.index", access.can_view_evaluations),
    NavItem("Importeren", "imports.index", access.can_edit_pupils),
    NavItem("Accounts", "accounts.index", access.can_manage_master_data),
    NavItem("Scholen", "schools.index", access.can_manage_master_data),
    NavItem("Vervangingen", "schools.stand_ins", access.can_manage_master_data),
    NavItem("Gemeenten", "schools.municipalities", access.can_manage_master_data),
    NavItem("Samenwerkingsverbanden", "schools.partnerships", access.can_manage_master_data),
    NavItem("Schoolvakanties", "schools.holidays", access.can_manage_master_data),
    NavItem("Verzuimregels", "attendance.settings", access.can_manage_master_data),
    NavItem("Achtergrondtaken", "accounts.jobs_page", access.can_manage_master_data),
)
COUNTED = "reports.index"  # the menu item with a number


class MenuItem(NamedTuple):
    """An item of the menu as a page shows it (a tuple: made on every page)."""

    label: str
    endpoint: str
    number: int


def header_context() -> dict[str, Any]:
    """What ``base.html`` shows of the signed-in user (a context processor of every page)."""
    # The user object itself instead of Flask-Login's proxy: templates read it dozens of times
    # per page (role, name, navigation).
    user = access.signed_in()
    if not user.is_authenticated:
        return {"current_user": user}
    unread, waiting = header_counts(user)
    return {
        "current_user": user,
        "unread_notifications": unread,
        "navigation": [
            MenuItem(item.label, item.endpoint, waiting if item.endpoint == COUNTED else 0)
            for item in NAVIGATION
            if item.allowed(user)
        ],
        # Leerplicht's number is the reports waiting for its reaction; the school's, the news.
        "nav_count_words": "wachten op reactie" if access.works_for_leerplicht(user) else "nieuw",
    }


def header_counts(user: User) -> tuple[int, int]:
    """The user's unread notifications and the number beside *Meldingen*
    (:func:`portal.reports.queries.nav_count_shape`), in one statement.

    For leerplicht the number is the reports waiting for a reaction: lent by a page that counted
    them already (the inbox, the home page), and for the senior, whose number covers the region,
    kept a minute (:func:`portal.reports.queries.waiting_counts`)."""
    today = calendar.today()
    waiting: int | None = None
    if access.works_for_leerplicht(user):
        waiting = reports.counted_waiting(user, today)
        if waiting is None and access.sees_whole_region(user):
            waiting = reports.waiting_counts(db.session, user, today)[0]
    with_count = waiting is None and reports.nav_count_shape(user.role) is not None
    unread, counted = db.session.execute(
        header_statement(user.role, with_count),
        {**(reports.nav_count_params(user) if with_count else {}), "user_id": user.id},
    ).one()
    return unread or 0, waiting if waiting is not None else counted or 0


@cache
def header_statement(role: Role, with_count: bool) -> Select[Any]:
    """The header's counts for every user of ``role`` in one statement, built once: the unread
    notifications (parameter ``user_id``) and, with ``with_count``, the navigation's number
    (its values from :func:`portal.reports.queries.nav_count_params`).

    One round trip on every page instead of two, and no statement built per request (building
    a statement costs more Python than PostgreSQL spends running this one); the shapes hold no
    user's values (``tests/integration/test_reports_statement_shapes.py``)."""
    nav = reports.nav_count_shape(role) if with_count else None
    return select(
        unread_count_statement(bindparam("user_id", type_=Integer)).scalar_subquery(),
        nav.scalar_subquery() if nav is not None else literal(0),
    )
