"""Forms of registrations and of the counting rules. A registration's rules (a school day on
which the pupil was enrolled, never the same kind twice on a day, at most a school day of
hours) are checked here against the pupil and what the day already holds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from wtforms import (
    BooleanField,
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

from portal import calendar
from portal.attendance import queries, rules
from portal.attendance.models import ABSENCE_KIND_LABELS, AbsenceKind, LatePeriod
from portal.extensions import db
from portal.forms import DateField, OnceForm, PortalForm, VersionedForm, options, strip_or_none
from portal.pupils.models import Pupil
from portal.schools.queries import school_calendar

DATE_MESSAGE = "Vul een geldige datum in."
HOURS_MESSAGE = "Vul een aantal uren in, bijvoorbeeld 2 of 1,5."


def _kind_choices() -> list:
    """Not explained yet first (the default: no legal signal by default), then unauthorised,
    then authorised."""
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


class PrefixedForm(OnceForm):
    """A form of the pupil's page, which holds several: its own prefix keeps ids unique. A
    posted form knows its ``pupil``, to check the registration against."""

    default_prefix = ""

    def __init__(self, *args: Any, pupil: Pupil | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.default_prefix)
        super().__init__(*args, **kwargs)
        self.pupil = pupil

    def _day_problem(self, day: date, *, allow_future: bool = False) -> str | None:
        assert self.pupil is not None, "a posted registration form needs its pupil"
        return rules.check_day(
            self.pupil,
            day,
            school_calendar(db.session, self.pupil.school),
            calendar.today(),
            allow_future=allow_future,
        )


class AbsenceForm(PrefixedForm):
    default_prefix = "verzuim"
    day = DateField("Datum", validators=[InputRequired(DATE_MESSAGE)], days_ahead=366)
    hours = HoursField("Aantal uren", places=1, validators=[InputRequired(HOURS_MESSAGE)])
    kind = SelectField(
        "Soort verzuim",
        choices=_kind_choices(),
        default=AbsenceKind.ONVERANTWOORD.value,
        description=(
            "Nog niet verantwoord telt pas als ongeoorloofd als de school het niet binnen de "
            "termijn van de verzuimregels verantwoordt."
        ),
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

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields; then the day, that kind not yet registered that day, and (when both are
        right) the hours against what the day already holds."""
        if not super().validate(extra_validators):
            return False
        assert self.pupil is not None and self.day.data is not None
        kind, day = self.kind_enum, self.day.data
        problem = self._day_problem(day, allow_future=kind == AbsenceKind.VERLOF)
        if problem:
            self.day.errors = [problem]
        existing = queries.absence_on(db.session, self.pupil.id, day, kind)
        if existing is not None:
            self.kind.errors = [
                f"Voor deze dag staat al {rules.hours_text(existing.hours)} uur "
                f"'{kind.label}' geregistreerd. Verwijder of wijzig die registratie eerst; "
                "zo wordt niets dubbel geteld."
            ]
        if not self.errors:
            hours = self.hours.data if self.hours.data is not None else Decimal(0)
            others = queries.other_hours(db.session, self.pupil.id, day, [kind])
            settings = queries.get_settings(db.session)
            problem = rules.check_hours(hours, others, settings.max_hours_per_day)
            if problem:
                self.hours.errors = [problem]
        return not self.errors


class LateArrivalForm(PrefixedForm):
    default_prefix = "telaat"
    day = DateField("Datum", validators=[InputRequired(DATE_MESSAGE)], past=True)
    lesson_hour = lesson_hour_field()

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields; then the day, and that this late arrival (day and lesson hour) is not
        registered yet: a pupil can be late in several lessons of one day."""
        if not super().validate(extra_validators):
            return False
        assert self.pupil is not None and self.day.data is not None
        problem = self._day_problem(self.day.data)
        hour = self.lesson_hour.data
        if problem:
            self.day.errors = [problem]
        elif queries.late_arrival_on(db.session, self.pupil.id, self.day.data, hour) is not None:
            if hour is None:
                self.lesson_hour.errors = [
                    "Op deze dag staat de leerling al als te laat geregistreerd zonder lesuur. "
                    "Vul het lesuur in als de leerling bij nog een les te laat kwam."
                ]
            else:
                self.lesson_hour.errors = [
                    f"Op deze dag staat de leerling al als te laat in lesuur {hour}."
                ]
        return not self.errors


class LateStepForm(PrefixedForm):
    default_prefix = "stap"
    step = HiddenField(validators=[DataRequired()])
    taken_on = DateField("Datum", validators=[InputRequired(DATE_MESSAGE)], past=True)
    how = StringField(
        "Wat heeft de school gedaan?",
        description="Bijvoorbeeld: ouders gebeld, brief verstuurd, gesprek met teamleider.",
        filters=[strip_or_none],
        validators=[DataRequired("Beschrijf kort wat de school heeft gedaan."), Length(max=200)],
    )


class RegisterDayForm(PortalForm):
    """The day of the class register a row is saved for (beside the row's own fields)."""

    class Meta:
        csrf = False  # every POST is checked by CSRFProtect

    datum = StringField()

    def day(self, default: date) -> date:
        """The day posted; ``default`` when it is missing or no date."""
        try:
            return date.fromisoformat(self.datum.data) if self.datum.data else default
        except ValueError:
            return default


class RegisterRowForm(PortalForm):
    """One pupil's row in the class register (prefixed per pupil, saved on its own). A posted
    row knows its ``pupil`` and ``day``, to check the registration against."""

    hours = HoursField("Uren verzuim", places=1, validators=[Optional()])
    kind = SelectField("Soort", choices=_kind_choices(), default=AbsenceKind.ONVERANTWOORD.value)
    original_kind = HiddenField()
    late = BooleanField("Te laat")
    lesson_hour = lesson_hour_field()

    def __init__(
        self, *args: Any, pupil: Pupil | None = None, day: date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.pupil, self.day = pupil, day

    @property
    def original(self) -> AbsenceKind | None:
        """The kind the row held when the page showed it (so a changed kind moves the hours)."""
        known = {k.value for k in AbsenceKind}
        return AbsenceKind(self.original_kind.data) if self.original_kind.data in known else None

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields; then, when the row changes something, the day and the hours."""
        if not super().validate(extra_validators):
            return False
        assert self.pupil is not None and self.day is not None
        hours = self.hours.data or Decimal(0)
        kind = AbsenceKind(self.kind.data)
        problem = rules.check_day(
            self.pupil,
            self.day,
            school_calendar(db.session, self.pupil.school),
            calendar.today(),
            allow_future=kind == AbsenceKind.VERLOF and not self.late.data,
        )
        if problem and (hours > 0 or self.late.data):
            self.hours.errors = [problem]
        elif hours > 0:
            original = self.original
            replaced = [kind] + ([original] if original and original != kind else [])
            others = queries.other_hours(db.session, self.pupil.id, self.day, replaced)
            settings = queries.get_settings(db.session)
            problem = rules.check_hours(hours, others, settings.max_hours_per_day)
            if problem:
                self.hours.errors = [problem]
        return not self.errors


class SettingsForm(VersionedForm):
    sixteen_hours_threshold = HoursField(
        "Meldplicht: aantal uren ongeoorloofd verzuim",
        places=1,
        validators=[InputRequired(HOURS_MESSAGE), NumberRange(min=1, max=100)],
    )
    sixteen_hours_weeks = IntegerField(
        "binnen dit aantal weken (x 7 dagen, vakantiedagen niet meegeteld)",
        validators=[InputRequired("Vul een aantal weken in."), NumberRange(min=1, max=12)],
    )
    long_absence_weeks = IntegerField(
        "Langdurig verzuim: ongeoorloofd afwezig langer dan (weken, vakantiedagen niet meegeteld)",
        validators=[InputRequired("Vul een aantal weken in."), NumberRange(min=1, max=26)],
    )
    unexplained_days = IntegerField(
        "Nog niet verantwoord telt als ongeoorloofd na (schooldagen)",
        description=(
            "Verzuim dat de school na zoveel schooldagen nog niet heeft verantwoord, telt mee "
            "voor de meldplicht. 0: meteen."
        ),
        validators=[InputRequired("Vul een aantal schooldagen in."), NumberRange(min=0, max=20)],
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.late_period.data, LatePeriod):  # prefilled from the saved rules
            self.late_period.data = self.late_period.data.value

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
