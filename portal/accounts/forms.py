"""The beheerder's account form; its database rules (a unique e-mail address, a start password
for a new account, never taking away one's own admin rights) are ``validate_<field>``."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from portal.auth.models import ROLE_LABELS, Role, User
from portal.auth.passwords import MIN_PASSWORD_LENGTH
from portal.extensions import db
from portal.forms import (
    VersionedForm,
    id_choice,
    optional_int,
    options,
    strip,
    value_taken,
)
from portal.schools import queries as schools

REQUIRED = "Dit veld is verplicht."
EMAIL_MESSAGE = "Vul een geldig e-mailadres in, bijvoorbeeld naam@school.nl."


def _lower(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


class AccountForm(VersionedForm):
    name = StringField(
        "Naam", filters=[strip], validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    email = EmailField(
        "E-mailadres",
        filters=[_lower],
        validators=[DataRequired(REQUIRED), Email(EMAIL_MESSAGE), Length(max=254)],
    )
    role = SelectField(
        "Rol",
        choices=options((r.value, label) for r, label in ROLE_LABELS.items()),
        validators=[InputRequired(REQUIRED)],
    )
    school_ids = SelectMultipleField(
        "Scholen",
        description="Alleen voor een zorgcoördinator: de school of scholen waarvoor deze persoon "
        "werkt. Houd Ctrl (of Cmd) ingedrukt om er meer te kiezen.",
        coerce=id_choice,
    )
    partnership_id = SelectField(
        "Samenwerkingsverband",
        description="Alleen voor een medewerker van een samenwerkingsverband.",
        coerce=optional_int,
    )
    password = PasswordField(
        "Startwachtwoord",
        description=f"Minstens {MIN_PASSWORD_LENGTH} tekens. De gebruiker kiest bij de eerste "
        "keer inloggen een eigen wachtwoord. Laat leeg om het wachtwoord niet te wijzigen.",
        validators=[
            Optional(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens hebben.",
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    active = BooleanField("Actief (mag inloggen)", default=True)

    def validate_school_ids(self, field: SelectMultipleField) -> None:
        if self.role.data == Role.SCHOOL.value and not field.data:
            raise ValidationError("Kies minstens één school voor een zorgcoördinator.")

    def validate_partnership_id(self, field: SelectField) -> None:
        if self.role.data == Role.SWV.value and not field.data:
            raise ValidationError("Kies het samenwerkingsverband van deze medewerker.")

    def __init__(
        self, *args: Any, editing: User | None = None, signed_in: User, **kwargs: Any
    ) -> None:
        """``editing``: the account being changed (None for a new one); ``signed_in``: the
        beheerder filling in the form."""
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.signed_in = signed_in
        self.school_ids.choices = options(schools.school_choices(db.session))
        self.partnership_id.choices = options(
            [("", "Geen")] + schools.partnership_choices(db.session)
        )
        if editing is not None and not self.is_submitted():
            self.role.data = editing.role.value
            self.school_ids.data = schools.school_ids_of(db.session, editing.id)

    def validate_email(self, field: EmailField) -> None:
        if value_taken(User.email, field.data, self.editing.id if self.editing else None):
            raise ValidationError("Er is al een account met dit e-mailadres.")

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then every rule of the database at once: a start password for a new
        account (an empty password field stops its own validators), and never taking away
        one's own admin rights."""
        valid = super().validate(extra_validators)
        if self.editing is None and not self.password.data:
            self.password.errors.append("Kies een startwachtwoord voor het nieuwe account.")
            valid = False
        if (
            self.editing is not None
            and self.editing.id == self.signed_in.id
            and (self.role.data != Role.ADMIN.value or not self.active.data)
        ):
            self.role.errors.append("U kunt uw eigen beheerdersrechten niet intrekken.")
            valid = False
        return valid
