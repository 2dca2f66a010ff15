from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.forms import PortalForm, options, strip, strip_or_none
from portal.reports.models import CLOSING_RESULT_LABELS, REPORT_KIND_LABELS, ReportKind


class ReportForm(PortalForm):
    kind = SelectField(
        "Soort melding",
        choices=options((k.value, label) for k, label in REPORT_KIND_LABELS.items()),
        validators=[InputRequired("Kies de soort melding.")],
    )
    pupil_number = StringField(
        "Leerlingnummer",
        filters=[strip],
        validators=[DataRequired("Vul het leerlingnummer in."), Length(max=20)],
    )
    period_start = DateField(
        "Eerste dag van de periode",
        description="Niet nodig bij een vraag of advies.",
        validators=[Optional()],
    )
    period_end = DateField("Laatste dag van de periode", validators=[Optional()])
    school_actions = TextAreaField(
        "Wat heeft de school al gedaan?",
        description="Gesprekken met de leerling en de ouders (met data), afspraken, zorgoverleg.",
        filters=[strip],
        validators=[Length(max=4000)],
    )
    causes = TextAreaField(
        "Mogelijke oorzaken", filters=[strip_or_none], validators=[Optional(), Length(max=2000)]
    )
    help_involved = StringField(
        "Hulpverlening al betrokken",
        description="Wie, en hoe bereikbaar.",
        filters=[strip_or_none],
        validators=[Optional(), Length(max=300)],
    )
    parents_informed = BooleanField("De ouders weten dat de school deze melding doet")
    question = TextAreaField(
        "Uw vraag",
        description="Alleen bij een vraag of advies zonder formele melding.",
        filters=[strip_or_none],
        validators=[Length(max=4000)],  # no Optional(): validate_question must run
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Required for every kind but a question; marked so the form does not say "optional".
        for field in (self.period_start, self.period_end, self.school_actions):
            field.flags.required = True

    def validate_school_actions(self, field: TextAreaField) -> None:
        if self.kind.data != ReportKind.QUESTION.value and not field.data:
            raise ValidationError(
                "Beschrijf wat de school al heeft gedaan, met de data van de gesprekken."
            )

    def validate_question(self, field: TextAreaField) -> None:
        if self.kind.data == ReportKind.QUESTION.value and not field.data:
            raise ValidationError("Stel uw vraag.")


class MessageForm(PortalForm):
    body = TextAreaField(
        "Bericht",
        filters=[strip],
        validators=[DataRequired("Schrijf een bericht."), Length(max=5000)],
    )


class StatusForm(PortalForm):
    target = SelectField("Nieuwe status", validators=[InputRequired("Kies een status.")])
    version = IntegerField(validators=[InputRequired()])
    result = SelectField(
        "Resultaat bij afsluiten",
        choices=options(
            [("", "Kies…")] + [(r.value, label) for r, label in CLOSING_RESULT_LABELS.items()]
        ),
        validate_choice=False,  # absent on the school's form; checked in validate_result
    )

    message = TextAreaField(
        "Bericht aan de school",
        description="De school ziet dit bericht bij de melding. Geen interne notities.",
        filters=[strip_or_none],
        validators=[Length(max=4000)],
    )

    def validate_result(self, field: SelectField) -> None:
        if field.data and field.data not in {r.value for r in CLOSING_RESULT_LABELS}:
            raise ValidationError("Kies een resultaat uit de lijst.")
        if self.target.data == "afgesloten" and not field.data:
            raise ValidationError("Kies het resultaat waarmee de melding wordt afgesloten.")


class ReassignForm(PortalForm):
    consultant_id = SelectField(
        "Toewijzen aan", coerce=int, validators=[InputRequired("Kies een consulent.")]
    )
