"""A school's absence codes and what they mean in the portal.

Every school has its own codes (Z, ZV, O, TL, D, VL, SCH...). The school maps each code once
to a kind of absence, to a late arrival or to "negeren" (a code that is no absence, like
Magister's "huiswerk vergeten"). For a code not seen before the portal *suggests* a meaning
from its description and the file's "Geoorloofd" column; the user confirms it.
"""

from __future__ import annotations

import functools
import re

from portal.attendance.models import AbsenceKind
from portal.imports.models import IGNORE, LATE
from portal.imports.parsing import normalise_header

#: The portal's own names of the kinds (the template's "Soort"): known without a mapping.
KIND_NAMES = {
    "ziek": AbsenceKind.ZIEK,
    "ziekgemeld": AbsenceKind.ZIEK,
    "verlof": AbsenceKind.VERLOF,
    "verlofverleend": AbsenceKind.VERLOF,
    "geoorloofdverlof": AbsenceKind.VERLOF,
    "schorsing": AbsenceKind.SCHORSING,
    "geschorst": AbsenceKind.SCHORSING,
    "overiggeoorloofd": AbsenceKind.OVERIG_GEOORLOOFD,
    "geoorloofd": AbsenceKind.OVERIG_GEOORLOOFD,
    "ongeoorloofd": AbsenceKind.ONGEOORLOOFD,
    "spijbelen": AbsenceKind.ONGEOORLOOFD,
    "ongeoorloofdafwezig": AbsenceKind.ONGEOORLOOFD,
    "ongeoorloofdspijbelen": AbsenceKind.ONGEOORLOOFD,
    "luxeverzuim": AbsenceKind.LUXE_VERZUIM,
    "luxe": AbsenceKind.LUXE_VERZUIM,
    "oneigenlijkziek": AbsenceKind.ONEIGENLIJK_ZIEK,
    "vermoedelijkoneigenlijkziek": AbsenceKind.ONEIGENLIJK_ZIEK,
    "nognietverantwoord": AbsenceKind.ONVERANTWOORD,
    "onverantwoord": AbsenceKind.ONVERANTWOORD,
}

TARGET_LABELS: dict[str, str] = {
    **{kind.value: kind.label for kind in AbsenceKind},
    LATE: "Te laat",
    IGNORE: "Negeren (geen verzuim)",
}
TARGETS = [*(kind.value for kind in AbsenceKind), LATE, IGNORE]

# Words in a description, most telling first. A school activity or a remark about homework is
# no absence; a doctor's or dentist's visit is authorised but not being ill.
_SUGGESTIONS: tuple[tuple[str, str], ...] = (
    (r"te ?laat|laatkomer|\btl\b", LATE),
    (r"oneigenlijk", AbsenceKind.ONEIGENLIJK_ZIEK.value),
    (r"luxe|vakantie zonder|extra vakantie", AbsenceKind.LUXE_VERZUIM.value),
    (r"schors|geschorst", AbsenceKind.SCHORSING.value),
    (r"ongeoorloofd|spijbel|zonder reden|niet gemeld|onbekend", AbsenceKind.ONGEOORLOOFD.value),
    (r"dokter|tandarts|arts|orthodont|ziekenhuis|fysio|medisch|afspraak", "overig_medisch"),
    (r"ziek|ziekte|ziekmelding", AbsenceKind.ZIEK.value),
    (r"verlof|bruiloft|begrafenis|religie|feestdag|huwelijk|jubileum", AbsenceKind.VERLOF.value),
    (r"nog niet|te verantwoorden|afwezig|niet aanwezig", AbsenceKind.ONVERANTWOORD.value),
    # Remarks that are no absence: the pupil was there (or at a school activity).
    (
        r"huiswerk|boeken vergeten|materiaal|gymspullen|uitgestuurd|verwijderd|excursie|stage"
        r"|schoolactiviteit|werkweek|studiedag|vrij geroosterd|^aanwezig\b|\bpresent",
        IGNORE,
    ),
)
_SHORT = {
    "Z": AbsenceKind.ZIEK.value,
    "ZV": AbsenceKind.ZIEK.value,
    "ZB": AbsenceKind.ZIEK.value,
    "O": AbsenceKind.ONGEOORLOOFD.value,
    "OA": AbsenceKind.ONGEOORLOOFD.value,
    "S": AbsenceKind.ONGEOORLOOFD.value,
    "TL": LATE,
    "L": LATE,
    "D": AbsenceKind.OVERIG_GEOORLOOFD.value,
    "T": AbsenceKind.OVERIG_GEOORLOOFD.value,
    "M": AbsenceKind.OVERIG_GEOORLOOFD.value,
    "VL": AbsenceKind.VERLOF.value,
    "V": AbsenceKind.VERLOF.value,
    "SCH": AbsenceKind.SCHORSING.value,
    "HV": IGNORE,
    "BV": IGNORE,
    "U": IGNORE,
    "A": AbsenceKind.ONVERANTWOORD.value,
}


@functools.lru_cache(maxsize=1024)
def code_key(text: str) -> str:
    """A code as kept: trimmed, single spaces, upper case, at most 40 characters."""
    return " ".join(text.split()).upper()[:40]


def known_kind(code: str) -> AbsenceKind | None:
    """The portal's own name of a kind ("ongeoorloofd", "Ziek"...): no mapping needed."""
    return KIND_NAMES.get(normalise_header(code))


def suggest(code: str, description: str | None, authorised: bool | None) -> str:
    """A sensible meaning for an unknown code: its description's words first, then the
    short codes schools commonly use, then the file's "Geoorloofd" column."""
    known = known_kind(code) or (known_kind(description) if description else None)
    if known is not None:
        return known.value
    text = f"{description or ''} {code}".lower()
    for pattern, target in _SUGGESTIONS:
        if re.search(pattern, text):
            if target == "overig_medisch":
                # a doctor's visit is authorised; "ziek" in the same words means ill
                return (
                    AbsenceKind.ZIEK.value
                    if re.search(r"\bziek", text)
                    else AbsenceKind.OVERIG_GEOORLOOFD.value
                )
            return target
    short = _SHORT.get(code_key(code))
    if short is not None:
        return short
    if authorised is True:
        return AbsenceKind.OVERIG_GEOORLOOFD.value
    if authorised is False:
        return AbsenceKind.ONGEOORLOOFD.value
    return AbsenceKind.ONVERANTWOORD.value
