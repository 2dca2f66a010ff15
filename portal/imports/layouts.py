"""The file layouts the portal reads, recognised from their headers.

Schools export from Magister or Somtoday (or another administration system) as they are. A
layout names the fields the portal needs and the header names each system uses for them (see
``tests/fixtures/imports/SOURCES.md`` for where these come from); headers are compared without
case, spaces, dots and accents, so ``Geb.datum`` is ``gebdatum``. A file whose headers match no
layout is mapped by the user once; the mapping is kept per school and header row
(:class:`~portal.imports.models.ColumnMapping`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from portal.imports.models import ImportKind
from portal.imports.parsing import normalise_header

PUPIL_NUMBER = (
    "leerlingnummer",
    "leerlingnr",
    "llnr",
    "llnnr",
    "stamnummer",
    "stamnr",
    "studentnummer",
    "studentnr",
    "leerling nummer",
    "leerlingid",
)
FIELD_LABELS = {
    "pupil_number": "Leerlingnummer",
    "first_name": "Roepnaam",
    "prefix": "Tussenvoegsel",
    "last_name": "Achternaam",
    "date_of_birth": "Geboortedatum",
    "class_name": "Klas",
    "year": "Leerjaar",
    "programme": "Onderwijssoort",
    "municipality": "Woongemeente",
    "enrolled_on": "Inschrijfdatum",
    "day": "Datum",
    "hours": "Uren",
    "kind": "Soort",
    "cause": "Oorzaak of opmerking",
    "parents_reported": "Ouders gemeld",
    "help_involved": "Hulpverlening",
    "lesson_hour": "Lesuur",
    "code": "Code",
    "description": "Omschrijving of reden",
    "authorised": "Geoorloofd",
    "begin_day": "Begindatum",
    "end_day": "Einddatum",
    "begin_time": "Begintijd",
    "end_time": "Eindtijd",
    "begin_lesson": "Beginlesuur",
    "end_lesson": "Eindlesuur",
    "minutes": "Minuten gemist",
    "late": "Te laat (ja/nee)",
}


@dataclass(frozen=True)
class Layout:
    key: str
    kind: ImportKind
    label: str  # what the user reads: which system's export this is
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    # at least one of each group is needed (a code, or a description that serves as code)
    one_of: tuple[tuple[str, ...], ...] = field(default=())

    def missing(self, positions: dict[str, int]) -> list[str]:
        missing = [f for f in self.required if f not in positions]
        for group in self.one_of:
            if not any(f in positions for f in group):
                missing.append(group[0])
        return missing


CODE = (
    "code",
    "afkorting",
    "absentiecode",
    "verzuimcode",
    "registratiecode",
    "codeafwezigheid",
    "absentiereden afkorting",
    "redencode",
)
DESCRIPTION = (
    "omschrijving",
    "absentiereden",
    "absentie omschrijving",
    "omschrijving absentie",
    "absentiereden omschrijving",
    "verzuimomschrijving",
    "code omschrijving",
    "reden",
    "absentiesoort",
    "soort",
    "soort verzuim",
    "verzuimsoort",
    "absentie",
    "registratie",
)
AUTHORISED = ("geoorloofd", "geoorloofd ja nee", "is geoorloofd")
REMARK = ("opmerking", "opmerkingen", "toelichting", "oorzaak", "mogelijke oorzaak")

PUPILS = Layout(
    "leerlingen",
    ImportKind.PUPILS,
    "Leerlingenlijst (Magister, Somtoday, ParnasSys of het sjabloon)",
    {
        "pupil_number": PUPIL_NUMBER,
        "first_name": ("roepnaam", "voornaam", "voornamen"),
        "prefix": ("tussenvoegsel", "tussenvoegsels", "voorvoegsel", "tussenv"),
        "last_name": ("achternaam", "naam", "geslachtsnaam"),
        "date_of_birth": ("geboortedatum", "gebdatum", "geb datum", "geboren"),
        "class_name": ("klas", "groep", "stamgroep", "basisgroep", "klascode"),
        "year": ("leerjaar", "jaar", "jaarlaag"),
        "programme": ("onderwijssoort", "leerweg", "niveau", "opleiding", "afdeling", "studie"),
        "municipality": ("woongemeente", "gemeente", "woonplaats"),
        "enrolled_on": ("inschrijfdatum", "datum inschrijving", "ingeschreven", "begindatum"),
    },
    ("pupil_number", "first_name", "last_name", "date_of_birth", "class_name"),
)
NOTICES = Layout(
    "meldingen",
    ImportKind.ABSENCE,
    "Absentiemeldingen met begin en eind (zoals Somtoday)",
    {
        "pupil_number": PUPIL_NUMBER,
        "begin_day": (
            "begindatum",
            "begin datum",
            "begindatumtijd",
            "begin datum tijd",
            "startdatum",
        ),
        "end_day": (
            "einddatum",
            "eind datum",
            "einddatumtijd",
            "eind datum tijd",
            "totenmet",
        ),
        "begin_time": ("begintijd", "tijd van", "starttijd"),
        "end_time": ("eindtijd", "tijd tot"),
        "begin_lesson": ("beginlesuur", "lesuur van", "vanaf lesuur", "eerste lesuur"),
        "end_lesson": ("eindlesuur", "lesuur tot", "tot lesuur", "laatste lesuur"),
        "minutes": (
            "minuten gemist",
            "gemiste minuten",
            "minuten",
            "aantal minuten",
            "minuten afwezig",
        ),
        "code": CODE,
        "description": DESCRIPTION,
        "authorised": AUTHORISED,
        "cause": REMARK,
    },
    ("pupil_number", "begin_day"),
    (("description", "code"),),
)
LESSONS = Layout(
    "lesuren",
    ImportKind.ABSENCE,
    "Registraties per lesuur (zoals Magister)",
    {
        "pupil_number": PUPIL_NUMBER,
        "day": ("datum", "dag", "lesdatum", "afwezigheidsdatum", "datum tijd", "datumtijd"),
        "lesson_hour": ("lesuur", "uur", "les", "lesuurnummer", "les uur"),
        "code": CODE,
        "description": DESCRIPTION,
        "authorised": AUTHORISED,
        "cause": REMARK,
    },
    ("pupil_number", "day", "lesson_hour"),
    (("code", "description"),),
)
DAYS = Layout(
    "dagen",
    ImportKind.ABSENCE,
    "Uren per dag en soort (het sjabloon van het portaal)",
    {
        "pupil_number": PUPIL_NUMBER,
        "day": ("datum", "dag", "afwezigheidsdatum"),
        "hours": ("uren", "aantal uren", "lesuren", "klokuren", "aantal"),
        "kind": ("soort", "soort verzuim", "verzuimsoort", "reden", "absentiereden", "code"),
        "cause": ("oorzaak", "mogelijke oorzaak", "opmerking"),
        "parents_reported": ("ouders gemeld", "gemeld door ouders", "melding ouders"),
        "help_involved": ("hulpverlening", "hulp betrokken"),
    },
    ("pupil_number", "day", "hours", "kind"),
)
LATE = Layout(
    "te-laat",
    ImportKind.LATE_ARRIVALS,
    "Te laat komen per les (Magister, Somtoday of het sjabloon)",
    {
        "pupil_number": PUPIL_NUMBER,
        "day": ("datum", "dag", "lesdatum", "begindatum"),
        "lesson_hour": ("lesuur", "uur", "les", "beginlesuur"),
        "late": ("te laat", "telaat", "is te laat"),
        "code": CODE,
        "description": DESCRIPTION,
    },
    ("pupil_number", "day"),
)

#: Per kind, in the order they are tried: the most specific first.
LAYOUTS: dict[ImportKind, tuple[Layout, ...]] = {
    ImportKind.PUPILS: (PUPILS,),
    ImportKind.ABSENCE: (NOTICES, LESSONS, DAYS),
    ImportKind.LATE_ARRIVALS: (LATE,),
}
BY_KEY = {layout.key: layout for layouts in LAYOUTS.values() for layout in layouts}


def positions(layout: Layout, headers: Sequence[str]) -> dict[str, int]:
    """Each field of ``layout`` and the index of the first header that names it."""
    lookup = {
        normalise_header(alias): name
        for name, aliases in layout.columns.items()
        for alias in aliases
    }
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = lookup.get(normalise_header(header))
        if name and name not in found:
            found[name] = index
    return found


def recognise(kind: ImportKind, headers: Sequence[str]) -> tuple[Layout, dict[str, int]] | None:
    """The first layout of ``kind`` whose required columns are all in ``headers``."""
    for layout in LAYOUTS[kind]:
        found = positions(layout, headers)
        if not layout.missing(found):
            return layout, found
    return None


def from_mapping(
    layout: Layout, headers: Sequence[str], columns: dict[str, str]
) -> dict[str, int] | None:
    """Positions from a saved mapping (field -> header text), or None when a header it names
    is no longer in the file."""
    index = {header: i for i, header in reversed(list(enumerate(headers)))}
    found = {}
    for name, header in columns.items():
        if name not in layout.columns or not header:
            continue
        if header not in index:
            return None
        found[name] = index[header]
    return found


def signature(headers: Sequence[str]) -> str:
    """The same header row gives the same signature, whatever the case or spacing."""
    text = "|".join(normalise_header(h) for h in headers)
    return hashlib.sha256(text.encode()).hexdigest()


def missing_message(layout: Layout, missing: Sequence[str]) -> str:
    names = ", ".join(FIELD_LABELS[m] for m in missing)
    return f"Het bestand mist een kolom voor: {names}."
