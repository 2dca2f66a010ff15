"""The base form (Dutch messages for WTForms' built-in validators) and the helpers the feature
forms share."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import wtforms
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import Field, FieldList, FormField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from portal import audit, calendar, request_args, submissions
from portal.extensions import db
from portal.filters import nl_date, nl_datetime

CLEANED_MESSAGE = (
    "Hier stonden onzichtbare stuurtekens in (bijvoorbeeld uit een kopie uit een ander "
    "programma). Die zijn weggehaald: controleer de tekst en sla opnieuw op."
)


class PortalForm(FlaskForm):
    class Meta:
        locales = ("nl_NL", "nl")

    def validate(self, extra_validators: Any = None) -> bool:
        """WTForms' validation; a field the request's control characters were taken out of
        (:func:`portal.request_args.clean_input`) is refused with a message, showing the
        cleaned text to save again."""
        valid = super().validate(extra_validators)
        cleaned = request_args.cleaned_fields()
        if not cleaned:
            return valid
        for field in _all_fields(self):
            if field.name in cleaned:
                field.errors = [*field.errors, CLEANED_MESSAGE]
                valid = False
        return valid


def _all_fields(fields: Iterable[Field]) -> Iterator[Field]:
    """Every field of ``fields``, those of sub-forms and lists included."""
    for field in fields:
        if isinstance(field, FormField):
            yield from _all_fields(field.form)
        elif isinstance(field, FieldList):
            yield from _all_fields(field.entries)
        else:
            yield field


EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2100, 12, 31)


class DateField(wtforms.DateField):
    """A date within a plausible period for its meaning, checked after the field's own
    validators (the issue of dates in year 1 or 9999, a proces-verbaal dated next year, a home
    visit before the pupil's birth):

    * every date lies in 2000 .. 2100;
    * ``past=True``: something that happened: today at the latest;
    * ``days_ahead=N``: something planned: at most N days from today;
    * on a form about a pupil (its ``pupil`` attribute), not before the pupil's birth
      (``since_birth=False`` for the birth date itself).
    """

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        *,
        past: bool = False,
        days_ahead: int | None = None,
        since_birth: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.past, self.days_ahead, self.since_birth = past, days_ahead, since_birth

    def post_validate(self, form: Any, validation_stopped: bool) -> None:
        if validation_stopped or not isinstance(self.data, date):
            return
        pupil = getattr(form, "pupil", None) if self.since_birth else None
        born = getattr(pupil, "date_of_birth", None)
        problem = date_problem(self.data, calendar.today(), self.past, self.days_ahead, born)
        if problem:
            raise ValidationError(problem)


def date_problem(
    day: date, today: date, past: bool, days_ahead: int | None, born: date | None
) -> str | None:
    """Why ``day`` is implausible for a :class:`DateField`, or None."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        return f"Vul een datum tussen {EARLIEST_DAY.year} en {LATEST_DAY.year} in."
    if past and day > today:
        return "Deze datum ligt in de toekomst."
    latest = today + timedelta(days_ahead) if days_ahead is not None else None
    if latest is not None and day > latest:
        return f"Deze datum ligt te ver vooruit: kies uiterlijk {nl_date(latest)}."
    if born is not None and day < born:
        return f"Deze datum ligt vóór de geboortedatum van de leerling ({nl_date(born)})."
    return None


# --- Forms that change something: posted once --------------------------------------------------

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class OnceForm(PortalForm):
    """A form that changes something, with a one-time token (``once``): a double click, a
    retry or the back button files once, and the second post is sent to the first one's
    result (:mod:`portal.submissions`). The token is claimed when the form is valid, before the
    view changes anything; a post without a (well-formed) token is not protected, but works."""

    once = wtforms.HiddenField(default=submissions.new_token)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        token = self.once.data
        if valid and isinstance(token, str) and TOKEN_PATTERN.match(token):
            user_id = current_user.get_id() if current_user else None
            submissions.claim(db.session, token, int(user_id) if user_id else None)
        return valid


# --- Optimistic locking ------------------------------------------------------------------------


def _version_number(value: object) -> int | None:
    """The version a page showed (a hidden field): a number the database holds, or None."""
    try:
        return request_args.id_number(str(value))
    except ValueError:
        return None


class VersionField(wtforms.HiddenField):
    """The version of the record the page showed (``portal.db.Versioned``)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = _version_number(valuelist[0]) if valuelist else None


@dataclass(frozen=True)
class Conflict:
    """Someone else saved the record after this page was opened."""

    who: str | None
    at: datetime | None
    changed: tuple[str, ...]  # labels of the fields where the saved value differs

    @property
    def message(self) -> str:
        who = self.who or "Iemand anders"
        at = f" (om {nl_datetime(self.at)})" if self.at else ""
        where = (
            " Bij de velden waar het verschilt, staat wat nu is opgeslagen." if self.changed else ""
        )
        return (
            f"{who} heeft dit intussen gewijzigd{at}, daarom is uw wijziging niet opgeslagen. "
            f"Wat u typte staat nog in het formulier.{where} Sla opnieuw op om uw versie te "
            "bewaren, of laad de pagina opnieuw voor de nieuwe stand."
        )


class VersionedForm(OnceForm):
    """A form that changes an existing record, as its page showed it.

    The page carries the record's version (``version``). A save on a page opened before someone
    else's change (:meth:`stale`), or one that loses a race at the database
    (``lifecycle.committed`` returns False; :meth:`conflicted`), is refused: the form comes back
    with what the user typed, a message naming who changed the record and when, and beside each
    field where it differs the value now saved. The version becomes the current one, so saving
    again deliberately overwrites the other change.
    """

    version = VersionField()
    conflict: Conflict | None = None

    def stale(self, record: Any) -> bool:
        """True (and the conflict marked) when ``record`` changed since the page was shown."""
        if self.version.data == record.version:
            return False
        self.conflicted(record)
        return True

    def conflicted(self, record: Any) -> None:
        """Mark the conflict with ``record`` as it is now saved."""
        current = self.saved_values(record)
        changed = []
        for field in _all_fields(self):
            name = field.short_name
            if name in ("csrf_token", "version") or name not in current:
                continue
            saved = current[name]
            if _comparable(saved) != _comparable(field.data):
                field.saved_value = _shown(field, saved)  # type: ignore[attr-defined]
                changed.append(str(field.label.text))
        who, at = audit.last_change(db.session, record)
        self.conflict = Conflict(who, at or getattr(record, "updated_at", None), tuple(changed))
        self.form_errors.append(self.conflict.message)
        self.version.data = record.version
        self.version.raw_data = [str(record.version)]

    def saved_values(self, record: Any) -> dict[str, Any]:
        """The record's saved value of each field, by field name (a form whose fields are not
        plain attributes of the record adds them)."""
        return {
            field.short_name: getattr(record, field.short_name)
            for field in _all_fields(self)
            if hasattr(record, field.short_name)
        }


def _comparable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return _comparable(value.value)
    if value is None or value == "":
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(sorted(str(_comparable(v)) for v in value))
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, bool | date):
        return value
    return str(value).strip()


def _shown(field: Field, value: Any) -> str:
    """``value`` as the field would show it: a choice's label, a Dutch date, ja/nee."""
    plain = _comparable(value)
    if plain == "" or plain == ():
        return "(leeg)"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(plain, date):
        return nl_date(plain)
    choices = getattr(field, "choices", None)
    if choices:
        labels = dict(_choice_pair(c) for c in choices)
        if isinstance(plain, tuple):
            return ", ".join(labels.get(str(v), str(v)) for v in plain)
        return labels.get(str(plain), str(plain))
    return ", ".join(plain) if isinstance(plain, tuple) else str(plain)


def _choice_pair(choice: Any) -> tuple[str, str]:
    """``(value, label)`` of a choice given as a ``SelectChoice`` or a tuple."""
    if isinstance(choice, SelectChoice):
        return str(choice.value), str(choice.label)
    return str(choice[0]), str(choice[1])


class ButtonForm(PortalForm):
    """Which button of a form was pressed (``name="actie"``), for a form whose fields have
    their own form: a question's buttons, for instance."""

    class Meta:
        csrf = False  # every POST is checked by CSRFProtect

    actie = StringField()


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Choices for a select field as WTForms 3.3+ wants them (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


# Field filters shared by the feature forms.
def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def strip_or_none(value: str | None) -> str | None:
    """Trimmed text, or None for an empty field (an optional column stays NULL)."""
    if isinstance(value, str):
        value = value.strip()
    return value or None


def id_choice(value: object) -> int:
    """Coerce a select's value that is an id: an integer the database can hold (a larger one
    is no valid choice, not a database error)."""
    return request_args.id_number(str(value))


def optional_int(value: object) -> int | None:
    """Coerce a select's value: "" (the blank option) becomes None; else as :func:`id_choice`."""
    return id_choice(value) if value not in (None, "", "None") else None


def value_taken(column: Any, value: Any, exclude_id: int | None, *also: Any) -> bool:
    """Whether another row already holds ``value`` in the unique ``column`` (for a form's
    ``validate_<field>``): ``exclude_id`` is the row being edited, ``also`` further conditions
    of a unique constraint over several columns."""
    if value in (None, ""):
        return False
    model = column.class_
    query = select(model.id).where(column == value, *also)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None
