"""Accounts and roles.

The bottom of the features: an account knows its role, and (for swv staff) the id of its
partnership; which schools a zorgcoördinator works for is the schools' data
(``portal.schools.models.school_staff``)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from portal.db import Base, TimestampMixin, UTCDateTime, Versioned, str_enum


class Role(enum.StrEnum):
    SCHOOL = "school"
    CONSULTANT = "consultant"
    SENIOR = "senior"
    SWV = "swv"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.SCHOOL: "Zorgcoördinator (school)",
    Role.CONSULTANT: "Consulent leerplicht",
    Role.SENIOR: "Senior consulent",
    Role.SWV: "Medewerker samenwerkingsverband",
    Role.ADMIN: "Functioneel beheerder",
}


class User(UserMixin, TimestampMixin, Versioned, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role", 20))
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnership.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - a declared attribute
        """The version counts the beheerder's edits only (:func:`bump_version`): a login or a
        password change writes the row with the version check but does not bump it, so an
        account edited while its user logs in is no conflict."""
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}

    def bump_version(self) -> None:
        self.version = (self.version or 0) + 1

    # Flask-Login: a deactivated account cannot log in and loses its session.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
