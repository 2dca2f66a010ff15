"""The base form: Dutch messages for WTForms' built-in validators."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


class PortalForm(FlaskForm):
    class Meta:
        locales = ("nl_NL", "nl")


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
