"""The navigation per role. Links only: the routes enforce access themselves."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, literal, select

from portal.auth.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: frozenset[Role]


ALL_ROLES = frozenset(Role)
PUPIL_ROLES = frozenset({Role.SCHOOL, Role.CONSULTANT, Role.SENIOR})

NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Overzicht", "main.home", ALL_ROLES),
    NavItem("Leerlingen", "pupils.index", PUPIL_ROLES),
    NavItem("Klassenregister", "attendance.register", frozenset({Role.SCHOOL})),
    NavItem("Signalen", "attendance.signals", PUPIL_ROLES),
    NavItem("Meldingen", "reports.index", PUPIL_ROLES),
    NavItem("Opvolging", "casework.follow_ups", frozenset({Role.CONSULTANT, Role.SENIOR})),
    NavItem("Thuiszitters", "casework.thuiszitters", frozenset({Role.CONSULTANT, Role.SENIOR})),
    NavItem(
        "Overstap",
        "transition.index",
        frozenset({Role.SCHOOL, Role.CONSULTANT, Role.SENIOR, Role.SWV}),
    ),
    NavItem("Evaluatie", "evaluation.index", PUPIL_ROLES),
    NavItem("Importeren", "imports.index", frozenset({Role.SCHOOL})),
    NavItem("Accounts", "admin.accounts", frozenset({Role.ADMIN})),
    NavItem("Scholen", "admin.schools", frozenset({Role.ADMIN})),
    NavItem("Vervangingen", "admin.stand_ins", frozenset({Role.ADMIN})),
    NavItem("Gemeenten", "admin.municipalities", frozenset({Role.ADMIN})),
    NavItem("Samenwerkingsverbanden", "admin.partnerships", frozenset({Role.ADMIN})),
    NavItem("Schoolvakanties", "admin.holidays", frozenset({Role.ADMIN})),
    NavItem("Verzuimregels", "admin.settings", frozenset({Role.ADMIN})),
)


def navigation_for(role: Role | None) -> list[NavItem]:
    if role is None:
        return []
    return [item for item in NAVIGATION if role in item.roles]


@cache
def header_statement(role: Role, with_count: bool) -> Select[Any]:
    """The header's counts in one statement for every user of ``role``, built once: the unread
    notifications (parameter ``user_id``) and, with ``with_count``, the navigation's number
    (:func:`portal.reports.services.nav_count_shape`, its values from ``nav_count_params``)."""
    from portal.notifications.services import unread_count_statement
    from portal.reports.services import nav_count_shape

    nav = nav_count_shape(role) if with_count else None
    return select(
        unread_count_statement(bindparam("user_id", type_=Integer)).scalar_subquery(),
        nav.scalar_subquery() if nav is not None else literal(0),
    )
