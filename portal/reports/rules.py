"""Rules for reports: the reaction deadline, status transitions and reaction-time figures.

Plain functions, unit-tested without an app.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from portal.attendance.models import SignalKind
from portal.auth.models import Role
from portal.calendar import add_working_days, is_working_day, working_days_between
from portal.reports.models import ReportKind, ReportStatus

REACTION_WORKING_DAYS = 5

# The report a signal starts (the form is prefilled with its kind).
SIGNAL_TO_REPORT = {
    SignalKind.SIXTEEN_HOURS: ReportKind.SIXTEEN_HOURS,
    SignalKind.LONG_ABSENCE: ReportKind.LONG_ABSENCE,
    SignalKind.LATE_ARRIVALS: ReportKind.LATE,
    SignalKind.SICK_LEAVE: ReportKind.SICK_SUSPECT,
    SignalKind.WEEKDAY_PATTERN: ReportKind.OTHER,
}
# The signal a report settles: filing it meets the duty to report that signal for its period.
SETTLES = {
    ReportKind.SIXTEEN_HOURS: SignalKind.SIXTEEN_HOURS,
    ReportKind.LONG_ABSENCE: SignalKind.LONG_ABSENCE,
    ReportKind.LATE: SignalKind.LATE_ARRIVALS,
}

# The school's report in DUO's verzuimregister ("verzuimloket"): the kind of report DUO knows
# for each kind of the portal. DUO: "U bent wettelijk verplicht om de volgende soorten verzuim
# te melden: 16 uur in 4 weken, Langdurig relatief verzuim, RMC, Luxe verzuim"; "Overig
# verzuim" is not a legal duty. A question to leerplicht is no report to DUO.
DUO_KINDS = {
    ReportKind.SIXTEEN_HOURS: "16 uur in 4 weken",
    ReportKind.LONG_ABSENCE: "Langdurig relatief verzuim (LRV)",
    ReportKind.LUXURY: "Luxe verzuim",
    ReportKind.DROPOUT: "RMC (18 jaar of ouder) of overig verzuim (jonger)",
    ReportKind.LATE: "Overig verzuim",
    ReportKind.OTHER: "Overig verzuim",
    ReportKind.SICK_SUSPECT: "Overig verzuim",
    ReportKind.REINTEGRATION: "Overig verzuim",
    ReportKind.SUSPENSION: "Overig verzuim",
}
#: The kinds a school must report in DUO's verzuimregister by law.
DUO_DUTY = frozenset({ReportKind.SIXTEEN_HOURS, ReportKind.LONG_ABSENCE, ReportKind.LUXURY})


def reaction_deadline(filed_on: date, working_days: int = REACTION_WORKING_DAYS) -> date:
    """The last day on which the consultant's first reaction is on time (protocol §3.6.1):
    ``working_days`` working days after filing; weekends and Dutch public holidays do not count.
    A report filed on a weekend or holiday starts counting on the next working day."""
    return add_working_days(filed_on, working_days)


def subtract_working_days(day: date, n: int) -> date:
    """The date ``n`` working days before ``day`` (for demo data and tests)."""
    while n:
        day -= timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def deadline_words(deadline: date, today: date) -> str:
    """ "nog 3 werkdagen", "vandaag", "2 werkdagen te laat": the deadline in words."""
    left = working_days_between(today, deadline)
    if left == 0:
        return "vandaag" if today <= deadline else "vandaag te laat"
    if left > 0:
        return f"nog {left} werkdag{'en' if left > 1 else ''}"
    late = -left
    return f"{late} werkdag{'en' if late > 1 else ''} te laat"


# Who may move a report from which status to which (the national register's statuses).
TRANSITIONS: dict[ReportStatus, dict[ReportStatus, frozenset[Role]]] = {
    ReportStatus.REGISTERED: {
        ReportStatus.IN_PROGRESS: frozenset({Role.CONSULTANT, Role.SENIOR}),
        ReportStatus.NOTED: frozenset({Role.CONSULTANT, Role.SENIOR}),
        ReportStatus.WITHDRAWN: frozenset({Role.SCHOOL}),
    },
    ReportStatus.IN_PROGRESS: {
        ReportStatus.CLOSED: frozenset({Role.CONSULTANT, Role.SENIOR}),
        ReportStatus.NOTED: frozenset({Role.CONSULTANT, Role.SENIOR}),
    },
    ReportStatus.CLOSED: {},
    ReportStatus.NOTED: {},
    ReportStatus.WITHDRAWN: {},
}


def allowed_transitions(status: ReportStatus, role: Role) -> list[ReportStatus]:
    return [target for target, roles in TRANSITIONS[status].items() if role in roles]


def can_transition(status: ReportStatus, target: ReportStatus, role: Role) -> bool:
    return role in TRANSITIONS[status].get(target, frozenset())


@dataclass(frozen=True)
class ReactionFigures:
    reports: int
    answered: int
    median_working_days: float | None
    within_deadline_share: float | None  # of all reports whose deadline has passed or answered


@lru_cache(maxsize=65_536)
def _working_days(start: date, end: date) -> int:
    """Reaction times repeat (a year of reports has a few thousand distinct pairs of dates)."""
    return working_days_between(start, end)


def reaction_figures(
    items: Iterable[tuple[date, date, date | None]], today: date
) -> ReactionFigures:
    """Median working days from filing to first reaction, and the share answered within the
    deadline, over ``(filed_on, deadline, first_reaction_on)``. Reports still unanswered count
    against the share once their deadline has passed, and are left out while still in time.

    The rule as plain Python. The pages count in the database with
    :func:`portal.reports.services.reaction_figures_by`, which a test holds to this function."""
    rows = list(items)
    days = [_working_days(filed, answered) for filed, _, answered in rows if answered]
    judged = [
        (deadline, answered)
        for _, deadline, answered in rows
        if answered is not None or deadline < today
    ]
    on_time = sum(
        1 for deadline, answered in judged if answered is not None and answered <= deadline
    )
    return ReactionFigures(
        reports=len(rows),
        answered=len(days),
        median_working_days=float(statistics.median(days)) if days else None,
        within_deadline_share=on_time / len(judged) if judged else None,
    )
