"""An uploaded file between its preview and its commit."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, TimestampMixin, str_enum


class ImportKind(enum.StrEnum):
    PUPILS = "leerlingen"
    ABSENCE = "verzuim"
    LATE_ARRIVALS = "te-laat"

    @property
    def label(self) -> str:
        return {
            "leerlingen": "Leerlingen",
            "verzuim": "Verzuim",
            "te-laat": "Te laat komen",
        }[self.value]


class ImportBatch(TimestampMixin, Base):
    """Parsed and validated rows, kept until the user commits or cancels (at most a day).

    The rows hold pupil data: they are deleted on commit or cancel and purged after 24 hours.
    """

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    kind: Mapped[ImportKind] = mapped_column(str_enum(ImportKind, "import_kind", 12))
    filename: Mapped[str] = mapped_column(String(200))
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
