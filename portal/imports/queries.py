"""Reads of imports: a user's own batch awaiting a decision, and what its preview shows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal import access
from portal.auth.models import User
from portal.extensions import db
from portal.imports.models import ImportBatch
from portal.imports.services import COLUMNS
from portal.schools.models import School


def own_batch(user: User, batch_id: int) -> ImportBatch:
    """A batch of ``user`` for a school still in their scope, or 404."""
    return db.one_or_404(  # type: ignore[no-any-return]
        select(ImportBatch).where(
            ImportBatch.id == batch_id,
            ImportBatch.user_id == user.id,
            ImportBatch.school_id.in_(
                access.editable_schools_query(user).with_only_columns(School.id)
            ),
        )
    )


@dataclass(frozen=True)
class Preview:
    school: School
    valid: int  # rows without errors
    invalid: int
    columns: list[str]  # the columns the file held, in the layout's order


def preview(batch: ImportBatch) -> Preview:
    valid = sum(1 for row in batch.rows if not row["errors"])
    columns = [c for c in COLUMNS[batch.kind] if any(c in row["values"] for row in batch.rows)]
    school = db.session.get(School, batch.school_id)
    assert school is not None
    return Preview(school, valid, len(batch.rows) - valid, columns)


def valid_rows(batch: ImportBatch) -> int:
    return sum(1 for row in batch.rows if not row["errors"])
