"""Forms of the beheerder's master-data screens; the database rules (unique names and codes, one
stand-in at a time) are their ``validate_<field>`` methods."""

from __future__ import annotations

import re
from typing import Any

from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
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

from portal.calendar import school_year_bounds
from portal.extensions import db
from portal.filters import nl_date
from portal.forms import (
    DateField,
    OnceForm,
    VersionedForm,
    id_choice,
    optional_int,
    options,
    strip,
    value_taken,
)
from portal.schools import queries
from portal.schools.models import (
    SCHOOL_TYPE_LABELS,
    HolidayRegion,
    Municipality,
    Partnership,
    School,
    SchoolType,
    StandIn,
)
from portal.schools.official_holidays import bundled

REQUIRED = "Dit veld is verplicht."
EMAIL_MESSAGE = "Vul een geldig e-mailadres in, bijvoorbeeld naam@school.nl."
DATE_MESSAGE = "Vul een geldige datum in."


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


def _empty_to_none(value: object) -> object:
    return None if value in ("", "None") else value


class EditingForm(VersionedForm):
    """A form for a new row (``editing_id`` None) or for the row with ``editing_id``: its
    uniqueness checks leave that row out."""

    def __init__(self, *args: Any, editing_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing_id = editing_id


class MunicipalityForm(EditingForm):
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

    def validate_name(self, field: StringField) -> None:
        if value_taken(Municipality.name, field.data, self.editing_id):
            raise ValidationError("Er is al een gemeente met deze naam.")

    def validate_cbs_code(self, field: StringField) -> None:
        if value_taken(Municipality.cbs_code, field.data, self.editing_id):
            raise ValidationError("Deze CBS-code hoort al bij een andere gemeente.")


class PartnershipForm(EditingForm):
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

    def validate_name(self, field: StringField) -> None:
        if value_taken(Partnership.name, field.data, self.editing_id):
            raise ValidationError("Er is al een samenwerkingsverband met deze naam.")

    def validate_code(self, field: StringField) -> None:
        if value_taken(Partnership.code, field.data, self.editing_id):
            raise ValidationError("Deze code hoort al bij een ander samenwerkingsverband.")


BRIN_PATTERN = re.compile(r"^\d{2}[A-Z]{2}$")


class SchoolForm(EditingForm):
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
        "Gemeente", coerce=id_choice, validators=[InputRequired("Kies een gemeente.")]
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipality_id.choices = options(queries.municipality_choices(db.session))
        self.partnership_id.choices = options(
            [("", "Geen (bijvoorbeeld mbo)")] + queries.partnership_choices(db.session)
        )
        self.fixed_consultant_id.choices = options(
            [("", "Nog niet toegewezen")] + queries.consultant_choices(db.session)
        )
        if isinstance(self.school_type.data, SchoolType):  # prefilled from the school
            self.school_type.data = self.school_type.data.value

    def validate_brin(self, field: StringField) -> None:
        if not BRIN_PATTERN.match(field.data or ""):
            raise ValidationError(
                "Een BRIN-code bestaat uit twee cijfers en twee letters, bijvoorbeeld 20AB."
            )
        if value_taken(
            School.brin,
            field.data,
            self.editing_id,
            School.location_code == self.location_code.data,
        ):
            raise ValidationError("Er is al een school met deze BRIN-code en dit vestigingsnummer.")


class StandInForm(EditingForm):
    absent_consultant_id = SelectField(
        "Afwezige consulent", coerce=id_choice, validators=[InputRequired("Kies een consulent.")]
    )
    stand_in_id = SelectField(
        "Vervanger", coerce=id_choice, validators=[InputRequired("Kies een vervanger.")]
    )
    start_date = DateField("Eerste dag", validators=[InputRequired(DATE_MESSAGE)])
    end_date = DateField("Laatste dag", validators=[InputRequired(DATE_MESSAGE)])
    note = StringField(
        "Toelichting",
        description="Bijvoorbeeld: verlof. Geen gegevens over leerlingen.",
        filters=[strip, _empty_to_none],
        validators=[Optional(), Length(max=200)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        consultants = options(queries.consultant_choices(db.session))
        self.absent_consultant_id.choices = consultants
        self.stand_in_id.choices = consultants

    def validate_stand_in_id(self, field: SelectField) -> None:
        if field.data == self.absent_consultant_id.data:
            raise ValidationError("De vervanger moet een andere consulent zijn.")

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("De laatste dag ligt vóór de eerste dag.")

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then the database: one stand-in at a time for a consultant."""
        if not super().validate(extra_validators):
            return False
        assert self.start_date.data is not None and self.end_date.data is not None
        if queries.stand_in_overlaps(
            db.session,
            self.absent_consultant_id.data,
            self.start_date.data,
            self.end_date.data,
            self.editing_id,
        ):
            self.start_date.errors.append(
                "Voor deze consulent is in deze periode al een vervanging geregeld. Pas die aan "
                "of kies een andere periode."
            )
            return False
        conflicts = queries.stand_in_conflicts(
            db.session,
            self.absent_consultant_id.data,
            self.stand_in_id.data,
            self.start_date.data,
            self.end_date.data,
            self.editing_id,
        )
        for conflict in conflicts:
            field = (
                self.stand_in_id
                if conflict.absent_consultant_id == self.stand_in_id.data
                else self.absent_consultant_id
            )
            field.errors.append(
                _conflict_message(conflict, self.absent_consultant_id.data, self.stand_in_id.data)
            )
        return not conflicts


def _conflict_message(conflict: StandIn, absent_id: int, stand_in_id: int) -> str:
    """Names the other period and whose schools it would leave without anyone answering."""
    period = f"van {nl_date(conflict.start_date)} tot en met {nl_date(conflict.end_date)}"
    absent, stand_in = conflict.absent_consultant.name, conflict.stand_in.name
    if conflict.absent_consultant_id == stand_in_id and conflict.stand_in_id == absent_id:
        return (
            f"{stand_in} en {absent} zouden elkaar vervangen: {absent} is {period} zelf "
            f"afwezig (vervangen door {stand_in}). Dan beantwoordt niemand de meldingen van hun "
            "scholen. Kies een andere vervanger of een andere periode."
        )
    if conflict.absent_consultant_id == stand_in_id:
        return (
            f"{absent} is {period} zelf afwezig (vervangen door {stand_in}). Dan beantwoordt "
            f"niemand de meldingen van de scholen die u aan {absent} wilt geven. Kies een "
            "andere vervanger of een andere periode."
        )
    return (
        f"{stand_in} vervangt {period} {absent}. Als {stand_in} dan afwezig is, beantwoordt "
        f"niemand de meldingen van de scholen van {absent}. Regel eerst een andere vervanger "
        f"voor {absent} of kies een andere periode."
    )


class HolidayForm(VersionedForm):
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.region.data, HolidayRegion):  # prefilled from the holiday
            self.region.data = self.region.data.value

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("De laatste dag ligt vóór de eerste dag.")
        if (
            field.data
            and self.school_year.data
            and not self.school_year.errors
            and (self.start_date.data)
        ):
            first, last = school_year_bounds(self.school_year.data)
            # Summer holidays straddle the boundary: allow them to end in the next year.
            if self.start_date.data < first or self.start_date.data > last:
                self.start_date.errors.append("De eerste dag valt niet in het gekozen schooljaar.")
                raise ValidationError("Controleer de data: ze horen bij een ander schooljaar.")


class OfficialHolidaysForm(OnceForm):
    """Load a school year's official holidays for one region in one step."""

    year_region = SelectField(
        "Officiële vakanties van",
        description=(
            "De data van de Rijksoverheid (zomer-, kerst- en meivakantie vastgesteld, herfst- en "
            "voorjaarsvakantie geadviseerd). Vakanties die er al staan blijven zoals ze zijn; "
            "daarna kunt u elke vakantie aanpassen."
        ),
        choices=[],
        validators=[InputRequired("Kies een schooljaar.")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year_region.choices = [
            (f"{year}:{region.value}", f"{year}-{year + 1}, regio {region.label}")
            for year, region in bundled()
        ]

    @property
    def selected(self) -> tuple[int, HolidayRegion]:
        year, _, region = (self.year_region.data or "").partition(":")
        return int(year), HolidayRegion(region)
