"""Jinja filters for Dutch dates and labels."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from portal.access import AMSTERDAM

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def nl_date(value: date | datetime | None, weekday: bool = False) -> str:
    """``23 november 2026`` (optionally ``maandag 23 november 2026``)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(AMSTERDAM) if value.tzinfo else value
        value = value.date()
    text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return f"{WEEKDAYS[value.weekday()]} {text}" if weekday else text


def nl_datetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = value.astimezone(AMSTERDAM) if value.tzinfo else value
    return f"{nl_date(local)} om {local:%H:%M}"


def label(value: Any) -> str:
    """The Dutch label of an enum member (``.label``), else its string value."""
    if value is None:
        return "—"
    return str(getattr(value, "label", value))


FILTERS = {"nl_date": nl_date, "nl_datetime": nl_datetime, "label": label}
