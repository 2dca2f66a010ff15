"""Forms of the overstap pages. The rules themselves live in rules.py; the forms apply them to
the pupil, the entry or the table at hand, and refuse a change made on an outdated page (the
``version`` another party has changed since)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request
from wtforms import (
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal import calendar
from portal.auth.models import User
from portal.extensions import db
from portal.forms import (
    DateField,
    OnceForm,
    PortalForm,
    VersionedForm,
    id_choice,
    optional_int,
    options,
    strip,
    strip_or_none,
)
from portal.pupils.models import Pupil
from portal.schools.models import School
from portal.transition import queries, rules
from portal.transition.models import (
    APPLICATION_LABELS,
    OUTCOME_LABELS,
    PARTY_LABELS,
    RISK_LABELS,
    ROUND_LABELS,
    Party,
    TransitionEntry,
    TransitionTable,
)

DATE_MESSAGE = "Vul een geldige datum in."
COACH_MESSAGE = "Kies een overstapcoach van het samenwerkingsverband van deze school."


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


class EntryForm(EntryDetailsMixin, OnceForm):
    pupil_id = SelectField(
        "Leerling",
        coerce=optional_int,
        validate_choice=False,  # any pupil number that comes in is checked by the rules
        validators=[InputRequired("Kies een leerling.")],
    )

    def __init__(self, *args: Any, user: User, year: int, **kwargs: Any) -> None:
        """A pupil of ``user``'s schools onto the list of ``year``."""
        super().__init__(*args, **kwargs)
        self.user, self.year = user, year
        self.pupil: Pupil | None = None  # once validated
        self.coach_id.choices = options(queries.coach_choices(queries.editable_schools(user)))

    def offer(self, pupils: list[Pupil], with_school: bool) -> None:
        """The pupils to choose from (the name of their school too, for several schools)."""
        self.pupil_id.choices = options(
            [("", "Kies een leerling")]
            + [
                (
                    p.id,
                    f"{p.last_name}, {p.first_name} – {p.class_name}"
                    + (f" – {p.school.name}" if with_school else ""),
                )
                for p in pupils
            ]
        )

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields; then the pupil (of the user's school, in a final year, not listed yet)
        and a coach of that school's partnership."""
        if not super().validate(extra_validators):
            return False
        pupil = queries.pupil_in_editable_school(self.user, self.pupil_id.data)
        if pupil is None:
            self.pupil_id.errors.append("Deze leerling staat niet ingeschreven op uw school.")
            return False
        problem = rules.eligibility_problem(pupil, pupil.school, calendar.today())
        if problem:
            self.pupil_id.errors.append(problem)
        elif queries.already_listed(pupil.id, self.year):
            self.pupil_id.errors.append("Deze leerling staat al op de overstaplijst.")
        _check_coach(self.coach_id, pupil.school)
        self.pupil = pupil
        return not self.errors


def _check_coach(field: SelectField, school: School) -> None:
    coach_ids = {c.id for c in queries.coaches(db.session, school)}
    if field.data is not None and field.data not in coach_ids:
        field.errors.append(COACH_MESSAGE)


class EntryEditForm(EntryDetailsMixin, VersionedForm):
    def __init__(self, *args: Any, entry: TransitionEntry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entry = entry
        self.coach_id.choices = options(
            [("", "Nog niemand")]
            + [(c.id, c.name) for c in queries.coaches(db.session, entry.school)]
        )

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        _check_coach(self.coach_id, self.entry.school)
        return not self.errors

    def saved_values(self, record: Any) -> dict[str, Any]:
        return {**super().saved_values(record), "risks": [r.value for r in record.risk_reasons]}


class BulkEntryForm(OnceForm):
    school_id = SelectField("School", coerce=optional_int, validate_choice=False)
    pupil_numbers = TextAreaField(
        "Leerlingnummers",
        description="Eén leerlingnummer per regel, bijvoorbeeld geplakt uit een export van uw "
        "leerlingadministratie. Ze komen op de lijst met risico 'geen mbo-aanmelding op 1 april'.",
        filters=[strip],
        validators=[InputRequired("Vul minstens één leerlingnummer in."), Length(max=20000)],
    )

    def __init__(self, *args: Any, user: User, year: int, **kwargs: Any) -> None:
        """Pupils of one of ``user``'s schools, by number, onto the list of ``year``. All or
        nothing: each number that cannot go on the list is named with the reason."""
        kwargs.setdefault("prefix", "bulk")
        super().__init__(*args, **kwargs)
        self.year = year
        self.schools = {s.id: s for s in queries.editable_schools(user)}
        self.school_id.choices = options((s.id, s.name) for s in self.schools.values())
        self.school: School | None = None
        self.pupils: list[Pupil] = []  # once validated, in the order pasted

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        school = self.schools.get(self.school_id.data or 0)
        if school is None:
            self.school_id.errors.append("Kies een van uw scholen.")
            return False
        numbers = list(
            dict.fromkeys(n.strip() for n in self.pupil_numbers.data.splitlines() if n.strip())
        )
        found = queries.pupils_by_number(school, numbers)
        listed = queries.listed_pupil_ids([p.id for p in found.values()], self.year)
        today = calendar.today()
        problems = []
        for number in numbers:
            pupil = found.get(number)
            if pupil is None:
                problems.append(f"{number}: geen leerling van {school.name}.")
            elif problem := rules.eligibility_problem(pupil, school, today):
                problems.append(f"{number}: {problem}")
            elif pupil.id in listed:
                problems.append(f"{number}: staat al op de overstaplijst.")
        if problems:
            self.pupil_numbers.errors.extend(problems)
            return False
        self.school, self.pupils = school, [found[number] for number in numbers]
        return True


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
    due_on = DateField("Klaar op", validators=[Optional()], days_ahead=730)

    def check_agreement(self, today: date, required: bool) -> None:
        """An agreement needs what, who and a due date today or later; at the table it is
        optional, but once one field is filled in, all three are needed."""
        filled = self.description.data or self.party.data or self.due_on.data
        if not (required or filled):
            return
        if not self.description.data:
            self.description.errors = [*self.description.errors, "Beschrijf de afspraak."]
        if self.party.data not in {p.value for p in Party}:
            self.party.errors = [*self.party.errors, "Kies wie de afspraak uitvoert."]
        if not self.due_on.errors:
            problem = rules.due_date_problem(self.due_on.data, today)
            if problem:
                self.due_on.errors = [*self.due_on.errors, problem]


class AgreementForm(AgreementFields, OnceForm):
    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        self.check_agreement(calendar.today(), required=True)
        return not self.errors


class DiscussionForm(AgreementFields, VersionedForm):
    """What the table records per pupil: the current status, a note, and an agreement."""

    application_status = _status_field("Stand van de aanmelding")
    note = TextAreaField("Besproken", filters=[strip], validators=[Length(max=4000)])

    def __init__(
        self,
        *args: Any,
        entry: TransitionEntry | None = None,
        table: TransitionTable | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.entry, self.table = entry, table

    @classmethod
    def shown(cls, entry: TransitionEntry, table: TransitionTable) -> DiscussionForm:
        """The form on the table's agenda, with what the table recorded for ``entry``."""
        current = next((d for d in entry.discussions if d.table_id == table.id), None)
        return cls(
            formdata=None,
            meta={"csrf": False},  # shown only; the POST is checked by CSRFProtect
            prefix=f"p{entry.id}",
            application_status=entry.application_status.value,
            note=current.note if current else "",
            version=entry.version,
        )

    def validate(self, extra_validators: Any = None) -> bool:
        """A table that can record (held, not completed); then the fields, the entry as the
        page showed it, and the optional agreement."""
        assert self.entry is not None and self.table is not None
        today = calendar.today()
        problem = rules.table_problem(self.table, today)
        if problem:
            self.form_errors.append(problem)
            return False
        if not super().validate(extra_validators):
            return False
        self.check_agreement(today, required=False)
        return not self.errors

    def saved_values(self, record: Any) -> dict[str, Any]:
        """The entry's status and this table's note for it (the agreement fields add one)."""
        assert self.table is not None
        current = next((d for d in record.discussions if d.table_id == self.table.id), None)
        return {
            "application_status": record.application_status,
            "note": current.note if current else "",
        }


class OutcomeForm(VersionedForm):
    outcome = SelectField(
        "Uitkomst",
        choices=options([("", "Kies een uitkomst")] + list(OUTCOME_LABELS.items())),
        validators=[InputRequired("Kies een uitkomst.")],
    )
    outcome_on = DateField("Datum", validators=[InputRequired(DATE_MESSAGE)], past=True)
    outcome_note = TextAreaField(
        "Toelichting", filters=[strip_or_none], validators=[Optional(), Length(max=4000)]
    )

    def __init__(self, *args: Any, entry: TransitionEntry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entry = entry

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields and the entry as the page showed it; then a discussion first, and a date
        between it and today."""
        if not super().validate(extra_validators):
            return False
        problem = rules.outcome_problem(self.entry, self.outcome_on.data, calendar.today())
        if problem:
            target = self.outcome if self.entry.first_discussed_on is None else self.outcome_on
            target.errors = [*target.errors, problem]
        return not self.errors


class TableForm(VersionedForm):
    round = SelectField(
        "Tafel", choices=options((r.value, label) for r, label in ROUND_LABELS.items())
    )
    held_on = DateField("Datum", validators=[InputRequired(DATE_MESSAGE)], days_ahead=730)
    starts_at = TimeField("Begintijd", validators=[Optional()])
    location = StringField("Plaats", filters=[strip], validators=[Optional(), Length(max=150)])
    schools = CheckboxesField(
        "Scholen", coerce=id_choice, validators=[InputRequired("Kies minstens één school.")]
    )

    def __init__(self, *args: Any, user: User, table: TransitionTable | None, **kwargs: Any):
        """A table of ``user``'s partnership: a new one, or ``table`` as it is planned."""
        if table is not None and request.method != "POST":  # a POST brings its own values
            kwargs.setdefault("round", table.round.value)
            kwargs.setdefault("held_on", table.held_on)
            kwargs.setdefault("starts_at", table.starts_at)
            kwargs.setdefault("location", table.location)
            kwargs.setdefault("schools", [s.id for s in table.schools])
            kwargs.setdefault("version", table.version)
        super().__init__(*args, **kwargs)
        self.schools.choices = options(queries.table_school_choices(user))

    def saved_values(self, record: Any) -> dict[str, Any]:
        return {**super().saved_values(record), "schools": [s.id for s in record.schools]}


class BackForm(PortalForm):
    """Where a ticked-off agreement goes back to: the to-do list (``terug=taken``) or the
    pupil's entry."""

    class Meta:
        csrf = False  # every POST is checked by CSRFProtect

    terug = HiddenField()
