"""Step two of the region generator: pupils, their registrations, reports, casework and
signals, one school at a time."""

from __future__ import annotations

from devdata.region.history import HistoryGenerator
from devdata.region.plan import (
    Context,
)
from portal.attendance.models import (
    Absence,
    LateArrival,
    LateArrivalStep,
    Signal,
)
from portal.casework.models import (
    ActietafelMeeting,
    CaseAction,
    SmaReferral,
    Thuiszitter,
)
from portal.pupils.models import Pupil
from portal.reports.models import (
    Report,
    ReportMessage,
    ReportRegistration,
)

# --- Step: pupils, registrations, reports, casework, signals (per school) ------------------------


ABSENCE_COLUMNS = [
    "id",
    "pupil_id",
    "day",
    "hours",
    "kind",
    "cause",
    "parents_reported",
    "help_involved",
    "recorded_by_id",
    "created_at",
    "updated_at",
]


def pupils_and_history(ctx: Context) -> None:
    """Per school: pupils, three school years of registrations, the reports the school filed
    from them with the consultant's casework, and the signals of today."""
    writer = ctx.writer
    writer.register(
        Pupil.__table__,
        [
            "id",
            "school_id",
            "pupil_number",
            "first_name",
            "last_name",
            "date_of_birth",
            "class_name",
            "year",
            "programme",
            "residence_municipality_id",
            "enrolled_on",
            "left_on",
            "leaving_destination",
            "created_at",
            "updated_at",
        ],
    )
    writer.register(Absence.__table__, ABSENCE_COLUMNS)
    writer.register(
        LateArrival.__table__,
        ["id", "pupil_id", "day", "lesson_hour", "recorded_by_id", "created_at", "updated_at"],
    )
    writer.register(
        LateArrivalStep.__table__,
        [
            "id",
            "pupil_id",
            "period_start",
            "step",
            "taken_on",
            "how",
            "recorded_by_id",
            "created_at",
            "updated_at",
        ],
    )
    writer.register(Report.__table__, REPORT_COLUMNS)
    writer.register(ReportRegistration.__table__, ["id", "report_id", "day", "kind", "hours"])
    writer.register(
        ReportMessage.__table__,
        ["id", "report_id", "author_id", "acting_for_id", "from_lvs", "body", "created_at"],
    )
    writer.register(
        CaseAction.__table__,
        [
            "id",
            "pupil_id",
            "report_id",
            "kind",
            "day",
            "body",
            "follow_up_on",
            "follow_up_done",
            "author_id",
            "acting_for_id",
            "created_at",
        ],
    )
    writer.register(
        SmaReferral.__table__,
        [
            "id",
            "pupil_id",
            "reason",
            "requested_on",
            "status",
            "appointment_on",
            "advice_on",
            "outcome",
            "justification",
            "family_blocked",
            "cost",
            "author_id",
            "created_at",
        ],
    )
    writer.register(
        Thuiszitter.__table__,
        [
            "id",
            "pupil_id",
            "start_date",
            "enrolled",
            "situation",
            "end_date",
            "end_reason",
            "created_by_id",
        ],
    )
    writer.register(
        ActietafelMeeting.__table__, ["id", "thuiszitter_id", "day", "participants", "plan"]
    )
    writer.register(
        Signal.__table__,
        [
            "pupil_id",
            "school_id",
            "kind",
            "start",
            "reached_on",
            "legal_duty",
            "follow_up",
            "hours",
            "detail",
            "resolved",
            "latest",
            "latest_open",
            "created_at",
            "updated_at",
        ],
    )
    gen = HistoryGenerator(ctx)
    next_report = 0.1
    for done, plan in enumerate(ctx.schools, start=1):
        gen.school(plan)
        writer.flush()
        ctx.session.commit()
        if done / len(ctx.schools) >= next_report:
            ctx.echo(
                f"  {done}/{len(ctx.schools)} schools, {writer.counts['pupil']:,} pupils, "
                f"{writer.counts['absence']:,} absence rows, "
                f"{writer.counts['report']:,} reports"
            )
            next_report += 0.1


REPORT_COLUMNS = [
    "id",
    "pupil_id",
    "school_id",
    "kind",
    "status",
    "period_start",
    "period_end",
    "hours",
    "late_count",
    "school_actions",
    "causes",
    "help_involved",
    "parents_informed",
    "question",
    "filed_by_id",
    "filed_at",
    "filed_on",
    "deadline",
    "assigned_consultant_id",
    "first_reaction_at",
    "first_reaction_on",
    "reaction_working_days",
    "closed_on",
    "result",
    "version",
    "reminder_sent",
    "breach_sent",
    "created_at",
    "updated_at",
]
