"""The base form: Dutch messages for WTForms' built-in validators."""

from __future__ import annotations

from flask_wtf import FlaskForm


class PortalForm(FlaskForm):
    class Meta:
        locales = ("nl_NL", "nl")
