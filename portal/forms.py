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
