"""The pupil form and the leaving form; their database rules (a pupil number once per school,
leaving after enrolling) are ``validate_<field>``."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from portal import calendar
from portal.auth.models import User
from portal.extensions import db
from portal.forms import (
    DateField,
    PortalForm,
    VersionedForm,
    id_choice,
    optional_int,
    options,
    strip,
)
from portal.pupils import queries
from portal.pupils.models import PROGRAMME_LABELS, Pupil

REQUIRED = "Dit veld is verplicht."
DATE_MESSAGE = "Vul een geldige datum in."


class PupilForm(VersionedForm):
    school_id = SelectField(
        "School", coerce=id_choice, validators=[InputRequired("Kies de school.")]
    )
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
    date_of_birth = DateField(
        "Geboortedatum", validators=[InputRequired(DATE_MESSAGE)], past=True, since_birth=False
    )
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

    def __init__(self, *args: Any, user: User, editing: Pupil | None = None, **kwargs: Any):
        """``editing``: the pupil being changed (None: a new pupil in one of ``user``'s
        schools). A pupil changes school by leaving and enrolling, so editing has no school."""
        super().__init__(*args, obj=editing, **kwargs)
        self.editing = editing
        if editing is None:
            self.school_id.choices = options(queries.editable_school_choices(db.session, user))
        else:
            del self.school_id
            if not self.is_submitted() and editing.programme:
                self.programme.data = editing.programme.value
        self.residence_municipality_id.choices = options(
            [("", "Onbekend")] + queries.municipality_choices(db.session)
        )

    def validate_pupil_number(self, field: StringField) -> None:
        school_id = self.editing.school_id if self.editing else self.school_id.data
        exclude = self.editing.id if self.editing else None
        if school_id and queries.number_taken(db.session, school_id, field.data or "", exclude):
            raise ValidationError("Deze school heeft al een leerling met dit nummer.")

    def validate_date_of_birth(self, field: DateField) -> None:
        today = calendar.today()
        oldest, youngest = date(today.year - 30, 1, 1), date(today.year - 3, 12, 31)
        if field.data and not oldest <= field.data <= youngest:
            raise ValidationError(
                "Controleer de geboortedatum: de leerling is dan jonger dan 3 of ouder dan 30 jaar."
            )

    def validate_enrolled_on(self, field: DateField) -> None:
        if field.data and self.date_of_birth.data and field.data < self.date_of_birth.data:
            raise ValidationError("De inschrijfdatum ligt vóór de geboortedatum.")
        if field.data and field.data > calendar.today():
            raise ValidationError("De inschrijfdatum ligt in de toekomst.")


class LeaveForm(VersionedForm):
    left_on = DateField(
        "Uitgeschreven op", validators=[InputRequired(DATE_MESSAGE)], days_ahead=366
    )
    leaving_destination = StringField(
        "Bestemming",
        description="Waar gaat de leerling naartoe? Bijvoorbeeld: andere school (naam), mbo, "
        "verhuisd naar het buitenland, werk.",
        filters=[strip],
        validators=[DataRequired("Vul de bestemming in."), Length(max=150)],
    )

    def __init__(self, *args: Any, pupil: Pupil, **kwargs: Any) -> None:
        super().__init__(*args, obj=pupil, **kwargs)
        self.pupil = pupil

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields; then a leaving date on or after the enrolment."""
        if not super().validate(extra_validators):
            return False
        left_on, enrolled_on = self.left_on.data, self.pupil.enrolled_on
        if left_on and enrolled_on and left_on < enrolled_on:
            self.left_on.errors = ["De leerling kan niet uitgeschreven zijn vóór de inschrijving."]
        return not self.errors


class SearchForm(PortalForm):
    """The live search of the pupil list (a POST: names never travel in the address)."""

    class Meta:
        csrf = False  # every POST is checked by CSRFProtect

    zoek = StringField()

    @property
    def term(self) -> str:
        return (self.zoek.data or "").strip()[:80]
