from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import RadioField, SelectField

from portal.forms import PortalForm, options
from portal.imports.models import ImportKind


class UploadForm(PortalForm):
    kind = RadioField(
        "Wat importeert u?",
        choices=options((k.value, k.label) for k in ImportKind),
        default=ImportKind.PUPILS.value,
    )
    school_id = SelectField("School", coerce=int)
    file = FileField(
        "Bestand",
        description="Een export uit de leerlingadministratie (Magister, Somtoday, ParnasSys…) "
        "als CSV (met ; of ,) of Excel (.xlsx), hoogstens 10 MB.",
        validators=[
            FileRequired("Kies een bestand."),
            FileAllowed(["csv", "txt", "xlsx"], "Kies een CSV-bestand (.csv) of Excel (.xlsx)."),
        ],
    )
