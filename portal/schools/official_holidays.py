"""The official school holidays (Rijksoverheid, ministry of OCW), bundled per school year.

The summer, Christmas and May holidays are fixed by the ministry; for the autumn and spring
holidays it gives advisory dates, which almost every school follows. All of Zuid-Holland lies
in holiday region Midden, the region of this service; the bundle holds that region. The
beheerder loads a school year in one step (``services.load_official_holidays``) and can edit
the rows afterwards (a school's margin days, another region).

Sources (read 1 December 2026): government.nl "School holiday dates 2026-2027"
(https://www.government.nl/topics/school-holidays/overview-of-school-holiday-dates-per-academic-year/school-holiday-dates-2026-2027)
and, for the earlier years, the ministry's dates as republished (rijksoverheid.nl
"Schoolvakanties" per school year; checked against two or more republications each). Every
holiday runs from a Saturday through a Sunday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.schools.models import HolidayRegion


@dataclass(frozen=True)
class OfficialHoliday:
    name: str
    start_date: date
    end_date: date


SOURCE = "Rijksoverheid (ministerie van OCW), schoolvakanties per schooljaar"

#: school year (its starting year) -> region -> the holidays, in order.
OFFICIAL_HOLIDAYS: dict[int, dict[HolidayRegion, tuple[OfficialHoliday, ...]]] = {
    2023: {
        HolidayRegion.MIDDEN: (
            OfficialHoliday("Herfstvakantie", date(2023, 10, 14), date(2023, 10, 22)),
            OfficialHoliday("Kerstvakantie", date(2023, 12, 23), date(2024, 1, 7)),
            OfficialHoliday("Voorjaarsvakantie", date(2024, 2, 17), date(2024, 2, 25)),
            OfficialHoliday("Meivakantie", date(2024, 4, 27), date(2024, 5, 5)),
            OfficialHoliday("Zomervakantie", date(2024, 7, 13), date(2024, 8, 25)),
        )
    },
    2024: {
        HolidayRegion.MIDDEN: (
            OfficialHoliday("Herfstvakantie", date(2024, 10, 26), date(2024, 11, 3)),
            OfficialHoliday("Kerstvakantie", date(2024, 12, 21), date(2025, 1, 5)),
            OfficialHoliday("Voorjaarsvakantie", date(2025, 2, 22), date(2025, 3, 2)),
            OfficialHoliday("Meivakantie", date(2025, 4, 26), date(2025, 5, 4)),
            OfficialHoliday("Zomervakantie", date(2025, 7, 19), date(2025, 8, 31)),
        )
    },
    2025: {
        HolidayRegion.MIDDEN: (
            OfficialHoliday("Herfstvakantie", date(2025, 10, 18), date(2025, 10, 26)),
            OfficialHoliday("Kerstvakantie", date(2025, 12, 20), date(2026, 1, 4)),
            OfficialHoliday("Voorjaarsvakantie", date(2026, 2, 14), date(2026, 2, 22)),
            OfficialHoliday("Meivakantie", date(2026, 4, 25), date(2026, 5, 3)),
            OfficialHoliday("Zomervakantie", date(2026, 7, 18), date(2026, 8, 30)),
        )
    },
    2026: {
        HolidayRegion.MIDDEN: (
            OfficialHoliday("Herfstvakantie", date(2026, 10, 17), date(2026, 10, 25)),
            OfficialHoliday("Kerstvakantie", date(2026, 12, 19), date(2027, 1, 3)),
            OfficialHoliday("Voorjaarsvakantie", date(2027, 2, 20), date(2027, 2, 28)),
            OfficialHoliday("Meivakantie", date(2027, 4, 24), date(2027, 5, 2)),
            OfficialHoliday("Zomervakantie", date(2027, 7, 17), date(2027, 8, 29)),
        )
    },
}


def official_holidays(school_year: int, region: HolidayRegion) -> tuple[OfficialHoliday, ...]:
    """The bundled holidays of one school year and region (empty when not bundled)."""
    return OFFICIAL_HOLIDAYS.get(school_year, {}).get(region, ())


def bundled() -> list[tuple[int, HolidayRegion]]:
    """The school years and regions the bundle holds, newest first."""
    return sorted(
        ((year, region) for year, regions in OFFICIAL_HOLIDAYS.items() for region in regions),
        key=lambda pair: (-pair[0], pair[1].value),
    )
