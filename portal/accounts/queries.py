"""Reads of the beheerder's account screens."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select

from portal.auth.models import Role, User


def accounts_list(role: str, search: str) -> Select[Any]:
    """Accounts by name, of one role (``role`` a role's value, or "" for all) and matching
    ``search`` in the name or e-mail address: a select to paginate."""
    query = select(User)
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    if search:
        term = search.lower()
        query = query.where(
            or_(
                func.lower(User.name).contains(term, autoescape=True),
                func.lower(User.email).contains(term, autoescape=True),
            )
        )
    return query.order_by(User.name)
