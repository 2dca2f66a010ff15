from __future__ import annotations

from wtforms import BooleanField, DateField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.attendance.forms import HoursField
from portal.casework.models import (
    ACTION_LABELS,
    SMA_REASON_LABELS,
    SmaOutcome,
    SmaStatus,
    ThuiszitterEnd,
)
from portal.forms import PortalForm, options, strip, strip_or_none

DATE_MESSAGE = "Vul een geldige datum in."


class ActionForm(PortalForm):
    kind = SelectField(
        "Soort",
        choices=options((k.value, label) for k, label in ACTION_LABELS.items()),
        validators=[InputRequired("Kies de soort actie.")],
    )
    day = DateField("Datum", validators=[InputRequired(DATE_MESSAGE)])
    body = TextAreaField("Toelichting", filters=[strip], validators=[Length(max=4000)])
    follow_up_on = DateField(
        "Opvolgen op", description="Komt op uw opvolglijst.", validators=[Optional()]
    )
    confirm = BooleanField("Ik bevestig deze Halt-verwijzing ondanks het aantal gemiste uren")

    def validate_follow_up_on(self, field: DateField) -> None:
        if field.data and self.day.data and field.data < self.day.data:
            raise ValidationError("De opvolgdatum ligt vóór de datum van de actie.")


class SmaForm(PortalForm):
    reason = SelectField(
        "Reden", choices=options((r.value, label) for r, label in SMA_REASON_LABELS.items())
    )
    requested_on = DateField("Aangevraagd op", validators=[InputRequired(DATE_MESSAGE)])
    status = SelectField("Status", choices=options((s.value, s.label) for s in SmaStatus))
    appointment_on = DateField("Afspraak op", validators=[Optional()])
    advice_on = DateField("Advies ontvangen op", validators=[Optional()])
    outcome = SelectField(
        "Uitkomst",
        choices=options([("", "Nog geen")] + [(o.value, o.label) for o in SmaOutcome]),
        validate_choice=False,  # not on the first form; checked in validate_outcome
    )
    justification = TextAreaField(
        "Korte onderbouwing van de arts",
        filters=[strip_or_none],
        validators=[Optional(), Length(max=2000)],
    )
    family_blocked = BooleanField("Het gezin heeft de verstrekking van het advies geblokkeerd")
    cost = HoursField(  # a decimal with a Dutch comma that refuses NaN and Infinity
        "Kosten (euro)", places=2, validators=[Optional(), NumberRange(min=0, max=100000)]
    )

    def validate_advice_on(self, field: DateField) -> None:
        if field.data and self.requested_on.data and field.data < self.requested_on.data:
            raise ValidationError("Het advies kan niet vóór de aanvraag zijn ontvangen.")

    def validate_outcome(self, field: SelectField) -> None:
        if field.data in (None, "None"):
            field.data = ""
        if field.data and field.data not in {o.value for o in SmaOutcome}:
            raise ValidationError("Kies een uitkomst uit de lijst.")
        if self.status.data == SmaStatus.ADVICE.value and not field.data:
            raise ValidationError("Vul de uitkomst van het advies in.")


class ThuiszitterForm(PortalForm):
    start_date = DateField("Thuis sinds", validators=[InputRequired(DATE_MESSAGE)])
    enrolled = BooleanField("Ingeschreven op een school", default=True)
    situation = TextAreaField(
        "Situatie",
        description="Kort: reden van het thuiszitten, wat er al loopt.",
        filters=[strip],
        validators=[InputRequired("Beschrijf kort de situatie."), Length(max=2000)],
    )


class MeetingForm(PortalForm):
    day = DateField("Datum actietafel", validators=[InputRequired(DATE_MESSAGE)])
    participants = TextAreaField(
        "Deelnemers",
        filters=[strip],
        validators=[InputRequired("Wie waren erbij?"), Length(max=1000)],
    )
    plan = TextAreaField(
        "Plan en afspraken",
        filters=[strip],
        validators=[InputRequired("Wat is afgesproken?"), Length(max=4000)],
    )


class ThuiszitterEndForm(PortalForm):
    end_date = DateField("Einddatum", validators=[InputRequired(DATE_MESSAGE)])
    end_reason = SelectField(
        "Hoe eindigde het?", choices=options((e.value, e.label) for e in ThuiszitterEnd)
    )

    def __init__(self, *args: object, start: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.start = start

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start and field.data < self.start:
            raise ValidationError("De einddatum ligt vóór de startdatum.")
