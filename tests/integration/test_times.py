"""Moments are stored in UTC and shown in Dutch time, on SQLite and PostgreSQL alike
(``portal.db.UTCDateTime``, ``portal.filters.nl_datetime``), also around the change to winter
time: on 25 October 2026 the clocks go from 03:00 summer time back to 02:00."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select, text

from portal.extensions import db
from portal.filters import nl_datetime
from portal.reports.models import Report, ReportMessage
from tests.conftest import logged_in

# 00:30 and 01:30 UTC on 25 October 2026 are both 02:30 in the Netherlands: the first in
# summer time (UTC+2), the second in winter time (UTC+1).
BEFORE_THE_CHANGE = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
AFTER_THE_CHANGE = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_dutch_time_on_both_sides_of_the_change() -> None:
    assert nl_datetime(BEFORE_THE_CHANGE) == "25 oktober 2026 om 02:30"
    assert nl_datetime(AFTER_THE_CHANGE) == "25 oktober 2026 om 02:30"
    assert nl_datetime(datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) == "29 maart 2026 om 01:59"
    assert nl_datetime(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "29 maart 2026 om 03:00"


def test_moments_come_back_as_they_were_stored(app, make, region) -> None:
    report = make.report(region.pupil_a)
    eastern = timezone(timedelta(hours=5))
    with app.app_context():
        for moment in (BEFORE_THE_CHANGE, AFTER_THE_CHANGE, AFTER_THE_CHANGE.astimezone(eastern)):
            message = ReportMessage(
                report_id=report.id,
                author_id=region.c1.id,
                body="Reactie",
                from_lvs=True,
                created_at=moment,
            )
            db.session.add(message)
            db.session.commit()
            db.session.expire_all()
            stored = db.session.get(ReportMessage, message.id).created_at
            assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
            assert stored == moment
        # A value written without a zone (an older row, a bulk load) counts as UTC.
        naive = datetime(2026, 11, 2, 11, 46)
        db.session.execute(
            text("UPDATE report SET filed_at = :at WHERE id = :id"), {"at": naive, "id": report.id}
        )
        db.session.commit()
        filed_at = db.session.scalar(select(Report.filed_at).where(Report.id == report.id))
        assert filed_at == naive.replace(tzinfo=UTC)


def test_the_report_page_shows_dutch_time(app, make, region) -> None:
    report = make.report(region.pupil_a)
    with app.app_context():
        stored = db.session.get(Report, report.id)
        stored.filed_at = datetime(2026, 11, 2, 11, 46, tzinfo=UTC)  # 12:46 in the Netherlands
        db.session.add(
            ReportMessage(
                report_id=report.id,
                author_id=region.c1.id,
                body="Reactie",
                from_lvs=True,
                created_at=AFTER_THE_CHANGE,
            )
        )
        db.session.commit()
    html = logged_in(app, region.c1).get(f"/meldingen/{report.id}").text
    assert "2 november 2026 om 12:46" in html
    assert "25 oktober 2026 om 02:30" in html
