from __future__ import annotations

from datetime import date

from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from portal.forms import PortalForm, optional_int, options, strip
from portal.pupils.models import PROGRAMME_LABELS

REQUIRED = "Dit veld is verplicht."
DATE_MESSAGE = "Vul een geldige datum in."


class PupilForm(PortalForm):
    school_id = SelectField("School", coerce=int, validators=[InputRequired("Kies de school.")])
    pupil_number = StringField(
        "Leerlingnummer",
        description="Het nummer uit de leerlingadministratie van de school.",
        filters=[strip],
        validators=[
            DataRequired(REQUIRED),
            Length(max=20, message="Een leerlingnummer heeft hoogstens 20 tekens."),
            Regexp(r"^[0-9A-Za-z.\-/]+$", message="Gebruik alleen cijfers, letters, . - of /."),
        ],
    )
    first_name = StringField(
        "Roepnaam", filters=[strip], validators=[DataRequired(REQUIRED), Length(max=80)]
    )
    last_name = StringField(
        "Achternaam",
        description="Met tussenvoegsel, bijvoorbeeld: de Vries.",
        filters=[strip],
        validators=[DataRequired(REQUIRED), Length(max=120)],
    )
    date_of_birth = DateField("Geboortedatum", validators=[InputRequired(DATE_MESSAGE)])
    class_name = StringField(
        "Klas of groep",
        filters=[strip],
        validators=[DataRequired(REQUIRED), Length(max=20)],
    )
    year = IntegerField(
        "Leerjaar of groep",
        validators=[Optional(), NumberRange(min=1, max=8, message="Vul een getal van 1 tot 8 in.")],
    )
    programme = SelectField(
        "Onderwijssoort",
        choices=options(
            [("", "Kies…"), *((p.value, label) for p, label in PROGRAMME_LABELS.items())]
        ),
        validators=[DataRequired("Kies de onderwijssoort.")],
    )
    residence_municipality_id = SelectField(
        "Woongemeente", coerce=optional_int, validators=[Optional()]
    )
    enrolled_on = DateField("Ingeschreven sinds", validators=[Optional()])

    def validate_date_of_birth(self, field: DateField) -> None:
        today = date.today()
        oldest, youngest = date(today.year - 30, 1, 1), date(today.year - 3, 12, 31)
        if field.data and not oldest <= field.data <= youngest:
            raise ValidationError(
                "Controleer de geboortedatum: de leerling is dan jonger dan 3 of ouder dan 30 jaar."
            )

    def validate_enrolled_on(self, field: DateField) -> None:
        if field.data and self.date_of_birth.data and field.data < self.date_of_birth.data:
            raise ValidationError("De inschrijfdatum ligt vóór de geboortedatum.")
        if field.data and field.data > date.today():
            raise ValidationError("De inschrijfdatum ligt in de toekomst.")


class LeaveForm(PortalForm):
    left_on = DateField("Uitgeschreven op", validators=[InputRequired(DATE_MESSAGE)])
    leaving_destination = StringField(
        "Bestemming",
        description="Waar gaat de leerling naartoe? Bijvoorbeeld: andere school (naam), mbo, "
        "verhuisd naar het buitenland, werk.",
        filters=[strip],
        validators=[DataRequired("Vul de bestemming in."), Length(max=150)],
    )
