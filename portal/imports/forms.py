"""The upload form of an import: what kind of file, for which school, and the file itself."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import IntegerField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.filters import hours as hours_text
from portal.forms import OnceForm, PortalForm, id_choice, options, strip, strip_or_none
from portal.imports import layouts
from portal.imports.codes import TARGET_LABELS, TARGETS
from portal.imports.layouts import FIELD_LABELS, Layout
from portal.imports.models import ImportKind
from portal.schools.models import School


class UploadForm(OnceForm):
    kind = RadioField(
        "Wat importeert u?",
        choices=options((k.value, k.label) for k in ImportKind),
        default=ImportKind.PUPILS.value,
    )
    school_id = SelectField("School", coerce=id_choice)
    file = FileField(
        "Bestand",
        description="Een export uit de leerlingadministratie (Magister, Somtoday, ParnasSys…) "
        "zoals hij is, als CSV (met ; of ,) of Excel (.xlsx), hoogstens 40 MB.",
        validators=[
            FileRequired("Kies een bestand."),
            FileAllowed(["csv", "txt", "xlsx"], "Kies een CSV-bestand (.csv) of Excel (.xlsx)."),
        ],
    )

    def __init__(self, *args: Any, schools: Sequence[School], kind: str | None, **kwargs: Any):
        """``schools``: where the user may import; ``kind``: the kind asked for in the link."""
        super().__init__(*args, **kwargs)
        self.schools = {s.id: s for s in schools}
        self.school_id.choices = options((s.id, s.name) for s in schools)
        if not self.is_submitted() and kind in {k.value for k in ImportKind}:
            self.kind.data = kind
        if self.is_submitted() and not self.school_id.raw_data and len(schools) == 1:
            self.school_id.data = schools[0].id  # one school: nothing to choose

    @property
    def school(self) -> School:
        return self.schools[self.school_id.data]


class ColumnsForm(PortalForm):
    """Which column of the file holds which field of the chosen layout (saved for the school's
    next file with the same header row). Made per file by :func:`columns_form`."""

    layout: Layout
    names: list[str]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        chosen = self.columns
        for name in self.layout.missing(dict.fromkeys(chosen, 0)):
            self[f"kolom_{name}"].errors = [f"Kies de kolom met {FIELD_LABELS[name].lower()}."]
            valid = False
        used: dict[str, str] = {}
        for name, header in chosen.items():
            if header in used:
                self[f"kolom_{name}"].errors = [
                    f"Deze kolom is al gekozen voor {FIELD_LABELS[used[header]].lower()}."
                ]
                valid = False
            used[header] = name
        return valid

    @property
    def column_fields(self) -> list[Any]:
        return [self[f"kolom_{name}"] for name in self.names]

    @property
    def columns(self) -> dict[str, str]:
        return {
            name: self[f"kolom_{name}"].data for name in self.names if self[f"kolom_{name}"].data
        }


def columns_form(
    layout: Layout, headers: Sequence[str], *, preselect: bool, **kwargs: Any
) -> ColumnsForm:
    """A form with one select per field of ``layout``, offering the file's headers; with
    ``preselect``, what the portal recognised is chosen already."""
    choices = options([("", "— geen —"), *((h, h or "(kolom zonder naam)") for h in headers)])

    class Form(ColumnsForm):
        pass

    either = {name: group for group in layout.one_of for name in group}
    for name in layout.columns:
        if name in layout.required:
            description = "Nodig: zonder deze kolom kan het bestand niet worden gelezen."
        elif name in either:
            others = " of ".join(FIELD_LABELS[n].lower() for n in either[name])
            description = f"Eén van beide is nodig: {others}."
        else:
            description = "Niet nodig; kies hem als het bestand hem heeft."
        setattr(
            Form,
            f"kolom_{name}",
            SelectField(FIELD_LABELS[name], choices=choices, default="", description=description),
        )
    form = Form(**kwargs)
    form.layout = layout
    form.names = list(layout.columns)
    if preselect:
        for name, index in layouts.positions(layout, headers).items():
            form[f"kolom_{name}"].data = headers[index]
    return form


class LayoutForm(PortalForm):
    """Which of the kind's layouts a file is (the mapping step). Reads the query string on a
    GET (the layout shown) and the posted form on a POST."""

    class Meta:
        csrf = False  # the page's forms carry their token; this one only chooses what to show

    opmaak = RadioField("Wat staat er in het bestand?", validate_choice=False)

    def __init__(self, *args: Any, choices: Sequence[Layout], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.layouts = {layout.key: layout for layout in choices}
        self.opmaak.choices = options((layout.key, layout.label) for layout in choices)

    def chosen(self, headers: Sequence[str]) -> Layout:
        """The layout asked for, else the one of which the file has most columns."""
        asked = self.layouts.get(self.opmaak.data or "")
        if asked is not None:
            return asked
        return max(self.layouts.values(), key=lambda c: len(layouts.positions(c, headers)))


class CodeForm(PortalForm):
    """What one absence code means (the preview's unknown codes, and the code list)."""

    code = StringField(
        "Code", filters=[strip], validators=[InputRequired("Vul de code in."), Length(max=40)]
    )
    description = StringField(
        "Omschrijving", filters=[strip_or_none], validators=[Optional(), Length(max=100)]
    )
    target = SelectField(
        "Betekenis",
        choices=options((value, TARGET_LABELS[value]) for value in TARGETS),
        validators=[InputRequired("Kies wat deze code betekent.")],
    )


class LessonSettingsForm(OnceForm):
    """A school's lesson length and lessons per whole day; a whole day may not count more
    hours than the region's maximum per school day (*Verzuimregels*)."""

    lesson_minutes = IntegerField(
        "Lesduur in minuten",
        description="Bij een melding met minuten gemist: zoveel minuten is één lesuur.",
        validators=[
            InputRequired("Vul de lesduur in."),
            NumberRange(20, 120, "Een les duurt tussen 20 en 120 minuten."),
        ],
    )
    lessons_per_day = IntegerField(
        "Lesuren op een hele schooldag",
        description="Bij een melding van hele dagen telt elke schooldag zoveel lesuren.",
        validators=[
            InputRequired("Vul het aantal lesuren in."),
            NumberRange(1, 14, "Een schooldag heeft 1 tot 14 lesuren."),
        ],
    )

    def __init__(self, *args: Any, max_hours: Decimal, clock_hours: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.max_hours = max_hours
        self.clock_hours = clock_hours

    def validate_lessons_per_day(self, field: IntegerField) -> None:
        minutes = self.lesson_minutes.data
        if field.data is None or minutes is None:
            return
        day = Decimal(field.data * minutes) / 60 if self.clock_hours else Decimal(field.data)
        if day > self.max_hours:
            raise ValidationError(
                f"Een hele schooldag telt dan {hours_text(day)} uur; de regio telt hoogstens "
                f"{hours_text(self.max_hours)} uur op een dag (Verzuimregels)."
            )
