"""Forms for the functioneel beheerder's master-data screens."""

from __future__ import annotations

import re

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
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
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from portal.auth.models import ROLE_LABELS, Role
from portal.auth.passwords import MIN_PASSWORD_LENGTH
from portal.forms import PortalForm, optional_int, options, strip
from portal.schools.models import SCHOOL_TYPE_LABELS, HolidayRegion

REQUIRED = "Dit veld is verplicht."
EMAIL_MESSAGE = "Vul een geldig e-mailadres in, bijvoorbeeld naam@school.nl."
DATE_MESSAGE = "Vul een geldige datum in."


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


def _empty_to_none(value: object) -> object:
    return None if value in ("", "None") else value


class MunicipalityForm(PortalForm):
    name = StringField(
        "Naam", filters=[strip], validators=[DataRequired(REQUIRED), Length(max=100)]
    )
    cbs_code = StringField(
        "CBS-gemeentecode",
        description="Bijvoorbeeld GM0505 (Dordrecht). Niet verplicht.",
        filters=[_upper, _empty_to_none],
        validators=[
            Optional(),
            Regexp(r"^GM\d{4}$", message="Een CBS-gemeentecode is GM gevolgd door vier cijfers."),
        ],
    )
    holiday_region = SelectField(
        "Vakantieregio",
        choices=options((r.value, r.label) for r in HolidayRegion),
        validators=[InputRequired(REQUIRED)],
    )


class PartnershipForm(PortalForm):
    name = StringField(
        "Naam", filters=[strip], validators=[DataRequired(REQUIRED), Length(max=150)]
    )
    code = StringField(
        "Code",
        description="De code van het samenwerkingsverband, bijvoorbeeld VO2811. Niet verplicht.",
        filters=[_upper, _empty_to_none],
        validators=[
            Optional(),
            Regexp(
                r"^(PO|VO)\s?\d{2}[-.]?\d{2}$",
                message="Een code is PO of VO gevolgd door vier cijfers, bijvoorbeeld VO2811.",
            ),
        ],
    )
    email = EmailField(
        "E-mailadres",
        filters=[_lower, _empty_to_none],
        validators=[Optional(), Email(EMAIL_MESSAGE), Length(max=254)],
    )


BRIN_PATTERN = re.compile(r"^\d{2}[A-Z]{2}$")


class SchoolForm(PortalForm):
    name = StringField(
        "Naam", filters=[strip], validators=[DataRequired(REQUIRED), Length(max=150)]
    )
    brin = StringField(
        "BRIN-code",
        description="Vier tekens: twee cijfers en twee letters, bijvoorbeeld 20AB.",
        filters=[_upper],
        validators=[DataRequired(REQUIRED)],
    )
    location_code = StringField(
        "Vestigingsnummer",
        description="Twee cijfers; 00 voor de hoofdvestiging.",
        default="00",
        filters=[strip],
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^\d{2}$", message="Een vestigingsnummer bestaat uit twee cijfers."),
        ],
    )
    school_type = SelectField(
        "Soort onderwijs",
        choices=options((t.value, label) for t, label in SCHOOL_TYPE_LABELS.items()),
        validators=[InputRequired(REQUIRED)],
    )
    location = StringField(
        "Adres en plaats",
        filters=[strip],
        validators=[DataRequired(REQUIRED), Length(max=150)],
    )
    municipality_id = SelectField(
        "Gemeente", coerce=int, validators=[InputRequired("Kies een gemeente.")]
    )
    partnership_id = SelectField(
        "Samenwerkingsverband",
        coerce=optional_int,
        validators=[Optional()],
    )
    fixed_consultant_id = SelectField(
        "Vaste consulent",
        coerce=optional_int,
        validators=[Optional()],
    )
    management_email = EmailField(
        "E-mailadres schoolleiding",
        description="Hier komt onder meer het verslag van de jaarlijkse evaluatie.",
        filters=[_lower, _empty_to_none],
        validators=[Optional(), Email(EMAIL_MESSAGE), Length(max=254)],
    )
    active = BooleanField("Actief", default=True)

    def validate_brin(self, field: StringField) -> None:
        if not BRIN_PATTERN.match(field.data or ""):
            raise ValidationError(
                "Een BRIN-code bestaat uit twee cijfers en twee letters, bijvoorbeeld 20AB."
            )


class AccountForm(PortalForm):
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
        coerce=int,
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


class StandInForm(PortalForm):
    absent_consultant_id = SelectField(
        "Afwezige consulent", coerce=int, validators=[InputRequired("Kies een consulent.")]
    )
    stand_in_id = SelectField(
        "Vervanger", coerce=int, validators=[InputRequired("Kies een vervanger.")]
    )
    start_date = DateField("Eerste dag", validators=[InputRequired(DATE_MESSAGE)])
    end_date = DateField("Laatste dag", validators=[InputRequired(DATE_MESSAGE)])
    note = StringField(
        "Toelichting",
        description="Bijvoorbeeld: verlof. Geen gegevens over leerlingen.",
        filters=[strip, _empty_to_none],
        validators=[Optional(), Length(max=200)],
    )

    def validate_stand_in_id(self, field: SelectField) -> None:
        if field.data == self.absent_consultant_id.data:
            raise ValidationError("De vervanger moet een andere consulent zijn.")

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("De laatste dag ligt vóór de eerste dag.")


class HolidayForm(PortalForm):
    school_year = IntegerField(
        "Schooljaar (beginjaar)",
        description="Bijvoorbeeld 2026 voor schooljaar 2026-2027.",
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=2000, max=2100, message="Vul een jaar tussen 2000 en 2100 in."),
        ],
    )
    region = SelectField(
        "Vakantieregio",
        choices=options((r.value, r.label) for r in HolidayRegion),
        validators=[InputRequired(REQUIRED)],
    )
    name = StringField("Naam", filters=[strip], validators=[DataRequired(REQUIRED), Length(max=60)])
    start_date = DateField("Eerste dag", validators=[InputRequired(DATE_MESSAGE)])
    end_date = DateField("Laatste dag", validators=[InputRequired(DATE_MESSAGE)])

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("De laatste dag ligt vóór de eerste dag.")
        if field.data and self.school_year.data and self.start_date.data:
            from portal.calendar import school_year_bounds

            first, last = school_year_bounds(self.school_year.data)
            # Summer holidays straddle the boundary: allow them to end in the next year.
            if self.start_date.data < first or self.start_date.data > last:
                self.start_date.errors.append("De eerste dag valt niet in het gekozen schooljaar.")
                raise ValidationError("Controleer de data: ze horen bij een ander schooljaar.")
