"""The login and password forms."""

from __future__ import annotations

from typing import Any

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from portal.auth.models import User
from portal.auth.passwords import MIN_PASSWORD_LENGTH, verify_password
from portal.forms import PortalForm


class LoginForm(PortalForm):
    email = EmailField(
        "E-mailadres",
        validators=[DataRequired("Vul uw e-mailadres in."), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        "Wachtwoord",
        validators=[DataRequired("Vul uw wachtwoord in."), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class NewPasswordMixin:
    new_password = PasswordField(
        "Nieuw wachtwoord",
        description=(
            f"Minstens {MIN_PASSWORD_LENGTH} tekens. Een zin van een paar woorden werkt goed."
        ),
        validators=[
            DataRequired("Kies een nieuw wachtwoord."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens hebben.",
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        "Herhaal nieuw wachtwoord",
        validators=[
            DataRequired("Herhaal het nieuwe wachtwoord."),
            EqualTo("new_password", "De twee wachtwoorden zijn niet gelijk."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordMixin, PortalForm):
    current_password = PasswordField(
        "Huidig wachtwoord",
        validators=[DataRequired("Vul uw huidige wachtwoord in.")],
        render_kw={"autocomplete": "current-password"},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_new_password(self, field: PasswordField) -> None:
        if field.data and field.data == self.current_password.data:
            raise ValidationError("Kies een ander wachtwoord dan het huidige.")

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then (only when they are right) the current password itself."""
        if not super().validate(extra_validators):
            return False
        if not verify_password(self.user.password_hash, self.current_password.data or ""):
            self.current_password.errors.append("Het huidige wachtwoord klopt niet.")
            return False
        return True
