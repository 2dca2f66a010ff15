"""The forms of reports. Filing checks the pupil (by number, within the user's schools) and
the period against the registrations, by the protocol's rules per kind of report."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from portal import access, calendar, filters
from portal.attendance.models import AbsenceKind, Signal
from portal.attendance.queries import get_settings, open_signals_like
from portal.auth.models import Role, User
from portal.extensions import db
from portal.forms import (
    DateField,
    OnceForm,
    VersionedForm,
    VersionField,
    id_choice,
    options,
    strip,
    strip_or_none,
)
from portal.pupils.models import Pupil
from portal.reports import queries
from portal.reports.models import CLOSING_RESULT_LABELS, REPORT_KIND_LABELS, Report, ReportKind
from portal.reports.rules import SIGNAL_TO_REPORT, allowed_transitions

# DUO's meldingsnummer, when filing a report and when recording it afterwards.
DUO_REFERENCE_RULES = (
    Length(max=40, message="Een meldingsnummer is hoogstens 40 tekens."),
    Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9 ./-]*$",
        message="Een meldingsnummer bestaat uit letters, cijfers, punten, streepjes of schuine "
        "strepen.",
    ),
)


class ReportForm(OnceForm):
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
    duo_reported_on = DateField(
        "Gemeld in het verzuimregister van DUO op",
        description=(
            "De wettelijke melding doet u in het verzuimloket van DUO (of vanuit uw "
            "leerlingadministratie). Nog niet gedaan? Vul het later in op de melding."
        ),
        validators=[Optional()],
        past=True,
    )
    duo_reference = StringField(
        "Meldingsnummer van DUO",
        filters=[strip_or_none],
        validators=[Optional(), *DUO_REFERENCE_RULES],
    )
    question = TextAreaField(
        "Uw vraag",
        description="Alleen bij een vraag of advies zonder formele melding.",
        filters=[strip_or_none],
        validators=[Length(max=4000)],  # no Optional(): validate_question must run
    )

    def __init__(
        self,
        *args: Any,
        user: User,
        start_pupil: Pupil | None = None,
        signal: Signal | None = None,
        **kwargs: Any,
    ) -> None:
        """A report by ``user`` (a school), started from ``start_pupil`` (their page) or from
        ``signal`` (the form then proposes its kind and period)."""
        super().__init__(*args, **kwargs)
        self.user, self.start_pupil = user, start_pupil
        self.pupil: Pupil | None = None  # the pupil the report is about, once validated
        # Required for every kind but a question; marked so the form does not say "optional".
        for field in (self.period_start, self.period_end, self.school_actions):
            field.flags.required = True
        if start_pupil is not None and not self.is_submitted():
            self.pupil_number.data = start_pupil.pupil_number
            if signal is not None:
                # One report for the open signals of this kind together: from the first day of
                # the earliest through the day the latest was reached.
                together = open_signals_like(db.session, signal) or [signal]
                self.kind.data = SIGNAL_TO_REPORT[signal.kind].value
                self.period_start.data = min(s.start for s in together)
                self.period_end.data = max(s.reached_on for s in together)

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields; then the pupil by number, and the period by the rules of the kind."""
        super().validate(extra_validators)
        duo = self._duo_problem()
        if duo and not self.duo_reported_on.errors:
            self.duo_reported_on.errors = [duo]
        self.pupil = self._pupil()
        if self.pupil is not None and not self.errors:
            problems = period_problems(
                ReportKind(self.kind.data),
                self.pupil,
                self.period_start.data,
                self.period_end.data,
                calendar.today(),
            )
            for name, message in problems.items():
                self[name].errors = [*self[name].errors, message]
        return not self.errors

    def _pupil(self) -> Pupil | None:
        """Pupil numbers are unique per school only: started from a pupil or a signal, the
        number is looked up in that pupil's school; otherwise it must match one pupil."""
        query = access.pupils_query(self.user).where(
            Pupil.pupil_number == (self.pupil_number.data or ""), Pupil.left_on.is_(None)
        )
        if self.start_pupil is not None:
            query = query.where(Pupil.school_id == self.start_pupil.school_id)
        matches = db.session.scalars(query.limit(2)).all()
        if len(matches) > 1:
            self.pupil_number.errors = [
                "Dit leerlingnummer komt op meer van uw scholen voor. Begin de melding vanaf de "
                "pagina van de leerling."
            ]
            return None
        if not matches:
            if not self.pupil_number.errors:
                self.pupil_number.errors = [
                    "Geen ingeschreven leerling van uw school met dit nummer."
                ]
            return None
        return matches[0]

    def validate_school_actions(self, field: TextAreaField) -> None:
        if self.kind.data != ReportKind.QUESTION.value and not field.data:
            raise ValidationError(
                "Beschrijf wat de school al heeft gedaan, met de data van de gesprekken."
            )

    def validate_question(self, field: TextAreaField) -> None:
        if self.kind.data == ReportKind.QUESTION.value and not field.data:
            raise ValidationError("Stel uw vraag.")

    def _duo_problem(self) -> str | None:
        """DUO's number needs the date of the report in DUO; a question is no DUO report."""
        if self.duo_reference.data and not self.duo_reported_on.data:
            return "Vul ook de datum in waarop u bij DUO meldde."
        if self.duo_reported_on.data and self.kind.data == ReportKind.QUESTION.value:
            return "Een vraag aan leerplicht is geen melding bij DUO."
        return None


class MessageForm(OnceForm):
    body = TextAreaField(
        "Bericht",
        filters=[strip],
        validators=[DataRequired("Schrijf een bericht."), Length(max=5000)],
    )


class StatusForm(OnceForm):
    target = SelectField("Nieuwe status", validators=[InputRequired("Kies een status.")])
    version = VersionField()
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

    def __init__(self, *args: Any, report: Report, role: Role, **kwargs: Any) -> None:
        """The statuses ``role`` may move ``report`` to are the choices."""
        super().__init__(*args, **kwargs)
        self.target.choices = options(
            (s.value, s.label) for s in allowed_transitions(report.status, role)
        )

    def validate_result(self, field: SelectField) -> None:
        if field.data and field.data not in {r.value for r in CLOSING_RESULT_LABELS}:
            raise ValidationError("Kies een resultaat uit de lijst.")
        if self.target.data == "afgesloten" and not field.data:
            raise ValidationError("Kies het resultaat waarmee de melding wordt afgesloten.")


class ReassignForm(OnceForm):
    consultant_id = SelectField(
        "Toewijzen aan", coerce=id_choice, validators=[InputRequired("Kies een consulent.")]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consultant_id.choices = options(queries.reassign_choices(db.session))


def period_problems(
    kind: ReportKind, pupil: Pupil, start: date | None, end: date | None, today: date
) -> dict[str, str]:
    """Errors per field for a report of ``kind`` about ``pupil`` over ``start``..``end`` (the
    rules of the protocol per kind: a period in the past while enrolled, and the
    registrations a 16-hours, late-arrival or luxury report needs)."""
    errors: dict[str, str] = {}
    if not kind.needs_period:
        return errors
    if start is None:
        errors["period_start"] = "Vul de eerste dag van de periode in."
    if end is None:
        errors["period_end"] = "Vul de laatste dag van de periode in."
    if errors or start is None or end is None:
        return errors
    if end < start:
        errors["period_end"] = "De laatste dag ligt vóór de eerste dag."
    elif end > today:
        errors["period_end"] = "De periode mag niet in de toekomst liggen."
    elif pupil.enrolled_on and start < pupil.enrolled_on:
        errors["period_start"] = "De leerling stond toen nog niet ingeschreven."
    if errors:
        return errors
    settings = get_settings(db.session)
    rows = queries.registrations(db.session, pupil.id, start, end)
    if kind == ReportKind.SIXTEEN_HOURS:
        hours = queries.unauthorised_hours(rows)
        threshold = settings.sixteen_hours_threshold
        if hours < threshold:
            errors["period_start"] = (
                f"In deze periode staat {filters.hours(hours)} uur ongeoorloofd verzuim "
                f"geregistreerd; een melding 16 uur in 4 weken vraagt er minstens "
                f"{filters.hours(threshold)}. Registreer het verzuim eerst, "
                "of kies 'overig verzuim'."
            )
    elif kind == ReportKind.LATE:
        needed = settings.steps[-1] if settings.steps else 9
        count = queries.late_count(db.session, pupil.id, start, end)
        if count < needed:
            errors["period_start"] = (
                f"In deze periode is de leerling {count} keer te laat geregistreerd; een melding "
                f"te laat komen vraagt er {needed}. Kies anders 'overig verzuim'."
            )
    elif kind == ReportKind.LUXURY and not any(a.kind == AbsenceKind.LUXE_VERZUIM for a in rows):
        errors["period_start"] = "In deze periode is geen luxe verzuim geregistreerd."
    return errors


class DuoForm(VersionedForm):
    """The school records (or corrects) its report in DUO's verzuimregister afterwards."""

    duo_reported_on = DateField(
        "Gemeld in het verzuimregister van DUO op",
        validators=[InputRequired("Vul de datum in waarop u bij DUO meldde.")],
        past=True,
    )
    duo_reference = StringField(
        "Meldingsnummer van DUO",
        description="Het nummer dat het verzuimloket of uw leerlingadministratie gaf.",
        filters=[strip_or_none],
        validators=[
            DataRequired("Vul het meldingsnummer van DUO in."),
            *DUO_REFERENCE_RULES,
        ],
    )
