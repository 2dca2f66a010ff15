"""The forms of the case file. Their rules: no Halt or proces-verbaal under twelve, a Halt
referral with many hours missed needs a confirmation, one running thuiszitter registration."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.attendance.forms import HoursField
from portal.attendance.queries import get_settings, unauthorised_hours_total
from portal.casework import queries, rules
from portal.casework.models import (
    ACTION_LABELS,
    SMA_REASON_LABELS,
    ActionKind,
    SmaOutcome,
    SmaStatus,
    ThuiszitterEnd,
)
from portal.extensions import db
from portal.filters import hours
from portal.forms import (
    DateField,
    OnceForm,
    VersionedForm,
    options,
    strip,
    strip_or_none,
)
from portal.pupils.models import Pupil

DATE_MESSAGE = "Vul een geldige datum in."


class ActionForm(OnceForm):
    kind = SelectField(
        "Soort",
        choices=options((k.value, label) for k, label in ACTION_LABELS.items()),
        validators=[InputRequired("Kies de soort actie.")],
    )
    day = DateField("Datum", validators=[InputRequired(DATE_MESSAGE)], past=True)
    body = TextAreaField("Toelichting", filters=[strip], validators=[Length(max=4000)])
    follow_up_on = DateField(
        "Opvolgen op",
        description="Komt op uw opvolglijst.",
        validators=[Optional()],
        days_ahead=730,
    )
    confirm = BooleanField("Ik bevestig deze Halt-verwijzing ondanks het aantal gemiste uren")

    def __init__(self, *args: Any, pupil: Pupil | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pupil = pupil
        self.needs_confirm = False  # the page then offers the confirmation

    def validate_follow_up_on(self, field: DateField) -> None:
        if field.data and self.day.data and field.data < self.day.data:
            raise ValidationError("De opvolgdatum ligt vóór de datum van de actie.")

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields; then the pupil's age, and for Halt the hours missed."""
        if not super().validate(extra_validators):
            return False
        assert self.pupil is not None and self.day.data is not None
        kind = ActionKind(self.kind.data)
        problem = rules.action_problem(kind, self.pupil.age_on(self.day.data))
        if problem:
            self.kind.errors = [problem]
            return False
        limit = get_settings(db.session).halt_confirm_hours
        missed = unauthorised_hours_total(db.session, self.pupil.id)
        if rules.halt_needs_confirmation(kind, missed, limit) and not self.confirm.data:
            self.needs_confirm = True
            self.confirm.errors = [
                f"De leerling heeft {hours(missed)} uur ongeoorloofd verzuim: meer dan "
                f"{hours(limit)} uur. Halt is bedoeld voor beperkt verzuim; bevestig als u "
                "toch naar Halt verwijst."
            ]
            return False
        return True


class SmaForm(VersionedForm):
    reason = SelectField(
        "Reden", choices=options((r.value, label) for r, label in SMA_REASON_LABELS.items())
    )
    requested_on = DateField("Aangevraagd op", validators=[InputRequired(DATE_MESSAGE)], past=True)
    status = SelectField("Status", choices=options((s.value, s.label) for s in SmaStatus))
    appointment_on = DateField("Afspraak op", validators=[Optional()], days_ahead=366)
    advice_on = DateField("Advies ontvangen op", validators=[Optional()], past=True)
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


class ThuiszitterForm(OnceForm):
    start_date = DateField("Thuis sinds", validators=[InputRequired(DATE_MESSAGE)], past=True)
    enrolled = BooleanField("Ingeschreven op een school", default=True)
    situation = TextAreaField(
        "Situatie",
        description="Kort: reden van het thuiszitten, wat er al loopt.",
        filters=[strip],
        validators=[InputRequired("Beschrijf kort de situatie."), Length(max=2000)],
    )

    def __init__(self, *args: Any, pupil: Pupil | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pupil = pupil

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields (a start today at the latest); then one running registration at a time."""
        if not super().validate(extra_validators):
            return False
        assert self.pupil is not None and self.start_date.data is not None
        if queries.is_thuiszitter(db.session, self.pupil.id):
            self.start_date.errors = [
                "Deze leerling staat al als thuiszitter geregistreerd; beëindig dat eerst."
            ]
        return not self.errors


class MeetingForm(OnceForm):
    day = DateField("Datum actietafel", validators=[InputRequired(DATE_MESSAGE)], past=True)
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


class ThuiszitterEndForm(VersionedForm):
    end_date = DateField("Einddatum", validators=[InputRequired(DATE_MESSAGE)], past=True)
    end_reason = SelectField(
        "Hoe eindigde het?", choices=options((e.value, e.label) for e in ThuiszitterEnd)
    )

    def __init__(self, *args: object, start: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.start = start

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start and field.data < self.start:
            raise ValidationError("De einddatum ligt vóór de startdatum.")
