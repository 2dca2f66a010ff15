"""The base form (Dutch messages for WTForms' built-in validators) and the helpers the feature
forms share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.fields.choices import SelectChoice

from portal.extensions import db


class PortalForm(FlaskForm):
    class Meta:
        locales = ("nl_NL", "nl")


class ButtonForm(PortalForm):
    """Which button of a form was pressed (``name="actie"``), for a form whose fields have
    their own form: a question's buttons, for instance."""

    class Meta:
        csrf = False  # every POST is checked by CSRFProtect

    actie = StringField()


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Choices for a select field as WTForms 3.3+ wants them (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


# Field filters shared by the feature forms.
def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def strip_or_none(value: str | None) -> str | None:
    """Trimmed text, or None for an empty field (an optional column stays NULL)."""
    if isinstance(value, str):
        value = value.strip()
    return value or None


def optional_int(value: object) -> int | None:
    """Coerce a select's value: "" (the blank option) becomes None."""
    return int(str(value)) if value not in (None, "", "None") else None


def value_taken(column: Any, value: Any, exclude_id: int | None, *also: Any) -> bool:
    """Whether another row already holds ``value`` in the unique ``column`` (for a form's
    ``validate_<field>``): ``exclude_id`` is the row being edited, ``also`` further conditions
    of a unique constraint over several columns."""
    if value in (None, ""):
        return False
    model = column.class_
    query = select(model.id).where(column == value, *also)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None
