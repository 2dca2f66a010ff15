"""The upload form of an import: what kind of file, for which school, and the file itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import RadioField, SelectField

from portal.forms import OnceForm, id_choice, options
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
        "als CSV (met ; of ,) of Excel (.xlsx), hoogstens 10 MB.",
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
