"""Forms of the overstap pages (Dutch messages; the rules themselves live in rules.py)."""

from __future__ import annotations

from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import PortalForm, optional_int, options, strip, strip_or_none
from portal.transition.models import (
    APPLICATION_LABELS,
    OUTCOME_LABELS,
    PARTY_LABELS,
    RISK_LABELS,
    ROUND_LABELS,
)

DATE_MESSAGE = "Vul een geldige datum in."


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes (rendered by the ``checkboxes`` macro inside a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _risk_field() -> CheckboxesField:
    return CheckboxesField(
        "Risico's",
        choices=options((r.value, label) for r, label in RISK_LABELS.items()),
        validators=[InputRequired("Kies minstens één risico.")],
    )


def _status_field(label: str = "Aanmeldstatus mbo") -> SelectField:
    return SelectField(
        label, choices=options((s.value, text) for s, text in APPLICATION_LABELS.items())
    )


class EntryDetailsMixin:
    risks = _risk_field()
    risk_note = StringField(
        "Toelichting op de risico's",
        filters=[strip_or_none],
        validators=[Optional(), Length(max=300)],
    )
    application_status = _status_field()
    mbo_institution = StringField(
        "Mbo-instelling", filters=[strip_or_none], validators=[Optional(), Length(max=150)]
    )
    mbo_programme = StringField(
        "Opleiding", filters=[strip_or_none], validators=[Optional(), Length(max=150)]
    )
    coach_id = SelectField(
        "Overstapcoach", coerce=optional_int, validate_choice=False
    )  # choices: the swv staff of the school's partnership, checked in the route


class EntryForm(EntryDetailsMixin, PortalForm):
    pupil_id = SelectField(
        "Leerling",
        coerce=optional_int,
        validate_choice=False,  # any pupil number that comes in is checked by the rules
        validators=[InputRequired("Kies een leerling.")],
    )


class EntryEditForm(EntryDetailsMixin, PortalForm):
    version = HiddenField()


class BulkEntryForm(PortalForm):
    school_id = SelectField("School", coerce=optional_int, validate_choice=False)
    pupil_numbers = TextAreaField(
        "Leerlingnummers",
        description="Eén leerlingnummer per regel, bijvoorbeeld geplakt uit een export van uw "
        "leerlingadministratie. Ze komen op de lijst met risico 'geen mbo-aanmelding op 1 april'.",
        filters=[strip],
        validators=[InputRequired("Vul minstens één leerlingnummer in."), Length(max=20000)],
    )


class AgreementFields:
    description = StringField(
        "Afspraak", filters=[strip_or_none], validators=[Optional(), Length(max=300)]
    )
    party = SelectField(
        "Wie",
        choices=options([("", "Kies wie")] + [(p.value, t) for p, t in PARTY_LABELS.items()]),
        default="",
        validate_choice=False,  # optional at the table; checked with the other agreement fields
    )
    due_on = DateField("Klaar op", validators=[Optional()])


class AgreementForm(AgreementFields, PortalForm):
    pass


class DiscussionForm(AgreementFields, PortalForm):
    """What the table records per pupil: the current status, a note, and an agreement."""

    application_status = _status_field("Stand van de aanmelding")
    note = TextAreaField("Besproken", filters=[strip], validators=[Length(max=4000)])
    version = HiddenField()


class OutcomeForm(PortalForm):
    outcome = SelectField(
        "Uitkomst",
        choices=options([("", "Kies een uitkomst")] + list(OUTCOME_LABELS.items())),
        validators=[InputRequired("Kies een uitkomst.")],
    )
    outcome_on = DateField("Datum", validators=[InputRequired(DATE_MESSAGE)])
    outcome_note = TextAreaField(
        "Toelichting", filters=[strip_or_none], validators=[Optional(), Length(max=4000)]
    )
    version = HiddenField()


class TableForm(PortalForm):
    round = SelectField(
        "Tafel", choices=options((r.value, label) for r, label in ROUND_LABELS.items())
    )
    held_on = DateField("Datum", validators=[InputRequired(DATE_MESSAGE)])
    starts_at = TimeField("Begintijd", validators=[Optional()])
    location = StringField("Plaats", filters=[strip], validators=[Optional(), Length(max=150)])
    schools = CheckboxesField(
        "Scholen", coerce=int, validators=[InputRequired("Kies minstens één school.")]
    )
