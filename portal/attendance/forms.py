from __future__ import annotations

from decimal import Decimal
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from portal.attendance.models import ABSENCE_KIND_LABELS, AbsenceKind, LatePeriod
from portal.forms import PortalForm, options, strip_or_none

DATE_MESSAGE = "Vul een geldige datum in."
HOURS_MESSAGE = "Vul een aantal uren in, bijvoorbeeld 2 of 1,5."


def _kind_choices() -> list:
    authorised = [(k.value, label) for k, label in ABSENCE_KIND_LABELS.items() if k.authorised]
    unauthorised = [
        (k.value, label) for k, label in ABSENCE_KIND_LABELS.items() if not k.authorised
    ]
    return options(unauthorised + authorised)


class HoursField(DecimalField):
    """Hours with a Dutch decimal comma: "1,5" and "1.5" both work."""

    def process_formdata(self, valuelist: list) -> None:
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].strip().replace(",", ".")]
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            self.data = None
            raise ValueError(HOURS_MESSAGE) from error
        if self.data is not None and not self.data.is_finite():  # NaN, Infinity
            self.data = None
            raise ValueError(HOURS_MESSAGE)


def lesson_hour_field() -> IntegerField:
    return IntegerField(
        "Lesuur",
        validators=[Optional(), NumberRange(min=1, max=12, message="Een lesuur van 1 tot 12.")],
    )


class PrefixedForm(PortalForm):
    """A form that shares a page with others: its own prefix keeps ids unique."""

    default_prefix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.default_prefix)
        super().__init__(*args, **kwargs)


class AbsenceForm(PrefixedForm):
    default_prefix = "verzuim"
    day = DateField("Datum", validators=[InputRequired(DATE_MESSAGE)])
    hours = HoursField("Aantal uren", places=1, validators=[InputRequired(HOURS_MESSAGE)])
    kind = SelectField(
        "Soort verzuim",
        choices=_kind_choices(),
        validators=[InputRequired("Kies de soort verzuim.")],
    )
    cause = StringField(
        "Mogelijke oorzaak",
        description=(
            "Kort en feitelijk, bijvoorbeeld: problemen thuis, pesten, conflict met docent."
        ),
        filters=[strip_or_none],
        validators=[Optional(), Length(max=200)],
    )
    parents_reported = BooleanField("De ouders hebben het verzuim zelf gemeld")
    help_involved = StringField(
        "Hulpverlening al betrokken",
        description=(
            "Wie, en hoe bereikbaar: bijvoorbeeld schoolmaatschappelijk werk, J. Bos, 078-1234567."
        ),
        filters=[strip_or_none],
        validators=[Optional(), Length(max=200)],
    )

    @property
    def kind_enum(self) -> AbsenceKind:
        return AbsenceKind(self.kind.data)


class LateArrivalForm(PrefixedForm):
    default_prefix = "telaat"
    day = DateField("Datum", validators=[InputRequired(DATE_MESSAGE)])
    lesson_hour = lesson_hour_field()


class LateStepForm(PrefixedForm):
    default_prefix = "stap"
    step = HiddenField(validators=[DataRequired()])
    taken_on = DateField("Datum", validators=[InputRequired(DATE_MESSAGE)])
    how = StringField(
        "Wat heeft de school gedaan?",
        description="Bijvoorbeeld: ouders gebeld, brief verstuurd, gesprek met teamleider.",
        filters=[strip_or_none],
        validators=[DataRequired("Beschrijf kort wat de school heeft gedaan."), Length(max=200)],
    )


class RegisterRowForm(PortalForm):
    """One pupil's row in the class register (prefixed per pupil, saved on its own)."""

    hours = HoursField("Uren verzuim", places=1, validators=[Optional()])
    kind = SelectField("Soort", choices=_kind_choices(), default=AbsenceKind.ONGEOORLOOFD.value)
    original_kind = HiddenField()
    late = BooleanField("Te laat")
    lesson_hour = lesson_hour_field()


class SettingsForm(PortalForm):
    sixteen_hours_threshold = HoursField(
        "Meldplicht: aantal uren ongeoorloofd verzuim",
        places=1,
        validators=[InputRequired(HOURS_MESSAGE), NumberRange(min=1, max=100)],
    )
    sixteen_hours_weeks = IntegerField(
        "binnen dit aantal schoolweken",
        validators=[InputRequired("Vul een aantal weken in."), NumberRange(min=1, max=12)],
    )
    long_absence_weeks = IntegerField(
        "Langdurig verzuim: afwezig langer dan (schoolweken)",
        validators=[InputRequired("Vul een aantal weken in."), NumberRange(min=1, max=26)],
    )
    max_hours_per_day = HoursField(
        "Hoogstens zoveel uren verzuim op één dag",
        places=1,
        validators=[InputRequired(HOURS_MESSAGE), NumberRange(min=1, max=24)],
    )
    halt_confirm_hours = HoursField(
        "Halt-verwijzing: om bevestiging vragen boven dit aantal uren ongeoorloofd verzuim",
        places=1,
        validators=[InputRequired(HOURS_MESSAGE), NumberRange(min=1, max=1000)],
    )
    late_steps = StringField(
        "Te laat: stappen",
        description="Aantallen keren te laat, gescheiden door komma's: 3,6,9 of 3,6,9,12,15.",
        validators=[
            DataRequired("Vul de stappen in."),
            Regexp(r"^\s*\d+(\s*,\s*\d+)*\s*$", message="Gebruik getallen met komma's: 3,6,9."),
        ],
    )
    late_step_actions = TextAreaField(
        "Wat de school bij elke stap doet",
        description="Eén regel per stap, in dezelfde volgorde.",
        validators=[DataRequired("Beschrijf de stappen."), Length(max=1000)],
    )
    late_period = SelectField(
        "Te laat: telperiode", choices=options((p.value, p.label) for p in LatePeriod)
    )

    def validate_late_steps(self, field: StringField) -> None:
        steps = [int(part) for part in (field.data or "").split(",") if part.strip().isdigit()]
        if steps and (steps[0] < 1 or any(b <= a for a, b in zip(steps, steps[1:], strict=False))):
            raise ValidationError("De stappen moeten oplopen, bijvoorbeeld 3,6,9.")
        field.data = ",".join(str(s) for s in steps)

    def validate_late_step_actions(self, field: TextAreaField) -> None:
        lines = [line for line in (field.data or "").splitlines() if line.strip()]
        steps = [p for p in (self.late_steps.data or "").split(",") if p.strip()]
        if steps and len(lines) != len(steps):
            raise ValidationError(
                f"Beschrijf precies {len(steps)} stappen: één regel voor elke stap."
            )


def hours_value(value: Decimal | None) -> Decimal:
    return value if value is not None else Decimal(0)
