"""Saving an import: the file's registrations replace what an earlier import said for the same
pupil, day and lesson, the day totals follow, hand entries are kept and shown as conflicts.

Work goes per group of pupils (bounded memory for any file), with one commit (``checkpoint``)
per group so the progress bar moves and a failure loses one group at most; then every touched
pupil's signals are recomputed once, in bulk.

What counts is the file's word *for the pupil-days it covers*: a lesson an earlier import said
the pupil missed, on a day this file also speaks about but without that lesson, is removed (the
school corrected it in its own system). Days the file does not mention stay as they are, so an
export of one class or one week never wipes the rest.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, func, select, true, update

from portal.attendance import queries as attendance_queries
from portal.attendance import signals
from portal.attendance.models import Absence, AbsenceKind, LateArrival
from portal.audit import AuditAction, record_change
from portal.auth.models import User
from portal.db import DbSession, utcnow
from portal.filters import hours as hours_text
from portal.imports import codes
from portal.imports.bulk import insert_rows
from portal.imports.models import (
    DAY_TOTAL_SLOT,
    IGNORE,
    LATE,
    LATE_SLOT,
    PART_SLOT,
    ImportedRegistration,
    ImportKind,
    ImportRow,
    ImportRun,
    RunStatus,
)
from portal.imports.registrations import code_map, resolve
from portal.imports.rules import round_hours
from portal.pupils.models import Pupil

CHUNK_PUPILS = 250  # pupils whose signals are recomputed together
GROUP_ROWS = 10_000  # registrations saved together
MAX_CONFLICTS_SHOWN = 200
SKIP_UNKNOWN = "Code nog niet gekoppeld aan een soort verzuim"
SKIP_IGNORED = "Code betekent geen verzuim (negeren)"
SKIP_DOUBLE = "Dezelfde leerling, dag en lesuur staat al eerder in het bestand"
SKIP_ERROR = "Fout in de regel (zie het voorbeeld)"
SKIP_NOT_LATE = "Geen te laat komen (dit bestand is als te laat komen ingelezen)"
SKIP_TOO_MANY = "Meer uren op een dag dan een schooldag heeft"
SKIP_HAND = "Op die dag staat een registratie die met de hand is ingevuld"

ABSENCE_COLUMNS = (
    "pupil_id",
    "day",
    "kind",
    "hours",
    "source",
    "recorded_by_id",
    "cause",
    "parents_reported",
    "help_involved",
    "created_at",
    "updated_at",
)
LATE_COLUMNS = (
    "pupil_id",
    "day",
    "lesson_hour",
    "source",
    "recorded_by_id",
    "created_at",
    "updated_at",
)
Key = tuple[int, date, int]  # pupil, day, slot
Day = tuple[int, date]


@dataclass
class Outcome:
    """What a save did, counted per registration of the file (a lesson, or a day of a notice)."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0  # an earlier import's lesson that this file no longer has
    skipped: Counter[str] = field(default_factory=Counter)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    conflict_count: int = 0
    pupils: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "skipped": dict(self.skipped.most_common()),
            "skipped_total": sum(self.skipped.values()),
            "conflicts": self.conflicts,
            "conflict_count": self.conflict_count,
            "pupils": self.pupils,
        }


@dataclass
class _Group:
    """One group of pupils' registrations as the file wants them."""

    wanted: dict[Key, tuple[str, Decimal, str]] = field(default_factory=dict)
    extras: dict[tuple[int, date, str], dict[str, Any]] = field(default_factory=dict)
    covered: set[Day] = field(default_factory=set)
    # days with a row whose code the school has not mapped: nothing is removed from them
    uncertain: set[Day] = field(default_factory=set)

    def by_day(self) -> dict[Day, list[Key]]:
        """The wanted keys of each day, in one pass (a day's lookup must not walk them all:
        that made saving 300,000 rows take 290 s instead of 26)."""
        days: dict[Day, list[Key]] = defaultdict(list)
        for key in self.wanted:
            days[key[:2]].append(key)
        return days


@dataclass(frozen=True)
class Streams:
    """What a layout speaks for: absence, late arrivals or both. A file of the system's
    registrations (lessons, notices) holds both; the portal's day template only absence; a
    late-arrival list only late arrivals. A file never changes the stream it does not hold."""

    absence: bool
    late: bool

    @classmethod
    def of(cls, layout: str) -> Streams:
        return cls(absence=layout != "te-laat", late=layout != "dagen")

    def holds(self, slot: int) -> bool:
        return self.late if slot >= LATE_SLOT else self.absence


def save(
    session: DbSession,
    run_id: int,
    today: date,
    checkpoint: Callable[[], None] = lambda: None,
) -> Outcome | None:
    """Save the run's rows (the worker's job). Returns what it did, also kept in the run's
    summary."""
    run = session.get(ImportRun, run_id)
    if run is None or run.status != RunStatus.SAVING:
        return None
    user = session.get(User, run.user_id)
    assert user is not None
    outcome = Outcome()
    outcome.skipped[SKIP_ERROR] = run.summary.get("invalid", 0)
    mapping = code_map(session, run.school_id)
    max_hours = attendance_queries.get_settings(session).max_hours_per_day
    connection = session.connection()
    counts = connection.execute(
        select(ImportRow.pupil_id, func.count())
        .where(ImportRow.run_id == run.id, ImportRow.error.is_(None))
        .group_by(ImportRow.pupil_id)
        .order_by(ImportRow.pupil_id)
    ).all()
    pupil_ids = [pupil_id for pupil_id, _count in counts]
    numbers = dict(
        connection.execute(
            select(Pupil.id, Pupil.pupil_number).where(Pupil.school_id == run.school_id)
        ).all()
    )
    # A retried save (the worker stopped or failed halfway) finds the groups saved before as
    # unchanged: it recomputes the signals of every pupil of the file, not only the changed.
    resumed = run.done > 0
    run.total = len(pupil_ids) * 2  # saving, then the signals
    run.done = 0
    layout = run.layout or ""
    streams = Streams.of(layout)
    touched: list[int] = []
    for group in _groups(counts):
        group = [p for p in group if p in numbers]
        wanted = _wanted(session, run, group, mapping, max_hours, outcome)
        _set_hand_days_aside(session, streams, wanted, numbers, outcome)
        changed = _replace(session, layout, streams, group, wanted, outcome)
        if changed:
            touched += _derive_days(session, run, user, streams, changed, wanted, outcome)
        run.done += len(group)
        checkpoint()
    outcome.pupils = len(touched)
    if resumed:
        touched = sorted(set(touched) | {p for p in pupil_ids if p in numbers})
    run.done = len(pupil_ids) * 2 - len(touched)
    for first in range(0, len(touched), CHUNK_PUPILS):
        batch = list(
            session.scalars(
                select(Pupil).where(Pupil.id.in_(touched[first : first + CHUNK_PUPILS]))
            )
        )
        signals.recompute_pupils(session, batch, today)
        run.done += len(batch)
        checkpoint()
    session.execute(delete(ImportRow).where(ImportRow.run_id == run.id))
    run.summary = {**run.summary, "result": outcome.as_dict()}
    run.status = RunStatus.DONE
    run.done = run.total
    run.finished_at = utcnow()
    checkpoint()
    return outcome


def _groups(counts: Sequence[Any]) -> list[list[int]]:
    """Pupils in groups of about :data:`GROUP_ROWS` registrations (a pupil is never split):
    what a group holds in memory does not grow with the file."""
    groups: list[list[int]] = []
    size = GROUP_ROWS
    for pupil_id, count in counts:
        if size + count > GROUP_ROWS and (not groups or groups[-1]):
            groups.append([])
            size = 0
        groups[-1].append(pupil_id)
        size += count
    return groups


def slot_of(slot: int, target: str) -> int:
    """Where a registration is kept (:class:`ImportedRegistration`): a lesson's number; a
    part of a day without lessons (a notice's minutes) per kind; a day total per kind; a late
    arrival in its own range, by lesson (none: :data:`LATE_SLOT`)."""
    index = codes.TARGETS.index(target)
    if target == LATE:
        return LATE_SLOT + (slot if 0 < slot < PART_SLOT else 0)
    if slot == 0:
        return PART_SLOT + index
    if slot == DAY_TOTAL_SLOT:
        return DAY_TOTAL_SLOT + index
    return slot


def _wanted(
    session: DbSession,
    run: ImportRun,
    group: list[int],
    mapping: dict[str, str],
    max_hours: Decimal,
    outcome: Outcome,
) -> _Group:
    """The registrations the file gives for ``group``, by pupil, day and slot, with the codes
    resolved; rows the school's codes say to skip are counted as skipped."""
    found = _Group()
    rows = (
        session.connection()
        .execute(
            select(
                ImportRow.pupil_id,
                ImportRow.day,
                ImportRow.slot,
                ImportRow.code,
                ImportRow.hours,
                ImportRow.extra,
            )
            .where(
                ImportRow.run_id == run.id, ImportRow.error.is_(None), ImportRow.pupil_id.in_(group)
            )
            .order_by(ImportRow.id)
        )
        .all()
    )
    wanted = found.wanted
    for pupil_id, day, slot, code, hours, extra in rows:
        found.covered.add((pupil_id, day))
        target = resolve(mapping, code, run.kind)
        if target is None:
            outcome.skipped[SKIP_UNKNOWN] += 1
            found.uncertain.add((pupil_id, day))
            continue
        if target == IGNORE:
            outcome.skipped[SKIP_IGNORED] += 1
            continue
        if run.kind == ImportKind.LATE_ARRIVALS and target != LATE:
            outcome.skipped[SKIP_NOT_LATE] += 1
            continue
        slot = slot_of(slot, target)
        key = (pupil_id, day, slot)
        if key in wanted:
            if PART_SLOT <= slot < DAY_TOTAL_SLOT:  # two notices on one day, no lessons
                wanted[key] = (target, wanted[key][1] + Decimal(hours), code)
                continue
            outcome.skipped[SKIP_DOUBLE] += 1
            continue
        wanted[key] = (target, Decimal(hours), code)
        if extra and target != LATE:
            found.extras[(pupil_id, day, target)] = extra
    # A day for which the file gives more hours than a school day has is not taken: its rows
    # are skipped, and what was saved for that day stays.
    day_hours: dict[Day, Decimal] = defaultdict(Decimal)
    for (pupil_id, day, _slot), (target, hours, _code) in wanted.items():
        if target != LATE:
            day_hours[(pupil_id, day)] += hours
    too_many = {key for key, hours in day_hours.items() if hours > max_hours}
    if too_many:
        found.covered -= too_many
        for key in [k for k in wanted if k[:2] in too_many]:
            del wanted[key]
            outcome.skipped[SKIP_TOO_MANY] += 1
    return found


def _replace(
    session: DbSession,
    layout: str,
    streams: Streams,
    group: list[int],
    found: _Group,
    outcome: Outcome,
) -> set[Day]:
    """Replace what earlier imports said about the covered days (in the streams the layout
    holds) by what this file says; returns the days where something changed. On a day with a
    row of an unmapped code nothing is removed: the file's word on it is not known yet."""
    if not found.covered:
        return set()
    wanted = found.wanted
    table = ImportedRegistration.__table__
    first_day = min(day for _, day in found.covered)
    last_day = max(day for _, day in found.covered)
    before = {
        (r.pupil_id, r.day, r.slot): r
        for r in session.connection()
        .execute(
            select(
                table.c.id,
                table.c.pupil_id,
                table.c.day,
                table.c.slot,
                table.c.target,
                table.c.hours,
            ).where(table.c.pupil_id.in_(group), table.c.day.between(first_day, last_day))
        )
        .all()
        if (r.pupil_id, r.day) in found.covered and streams.holds(r.slot)
    }
    inserts: list[tuple[Any, ...]] = []
    updates: list[dict[str, Any]] = []
    removals: list[int] = []
    changed: set[Day] = set()
    for key, (target, hours, code) in wanted.items():
        old = before.get(key)
        if old is None:
            outcome.added += 1
            inserts.append((key[0], key[1], key[2], target, hours, layout, code))
        elif old.target == target and Decimal(old.hours) == hours:
            outcome.unchanged += 1
            continue
        else:
            outcome.changed += 1
            updates.append(
                {"b_id": old.id, "target": target, "hours": hours, "layout": layout, "code": code}
            )
        changed.add(key[:2])
    for key, old in before.items():
        if key not in wanted and key[:2] not in found.uncertain:
            outcome.removed += 1
            removals.append(old.id)
            changed.add(key[:2])
    insert_rows(
        session,
        ImportedRegistration,
        ("pupil_id", "day", "slot", "target", "hours", "layout", "code"),
        inserts,
    )
    if updates:
        session.connection().execute(
            update(table)  # type: ignore[arg-type]
            .where(table.c.id == bindparam("b_id"))
            .values(
                target=bindparam("target"),
                hours=bindparam("hours"),
                layout=bindparam("layout"),
                code=bindparam("code"),
            ),
            updates,
        )
    for first in range(0, len(removals), 500):
        session.execute(
            delete(ImportedRegistration).where(
                ImportedRegistration.id.in_(removals[first : first + 500])
            )
        )
    return changed


def _day_text(hours: dict[str, Decimal], lessons: set[int | None]) -> str:
    parts = [
        f"{AbsenceKind(kind).label} {hours_text(value)}" for kind, value in sorted(hours.items())
    ]
    if lessons:
        shown = sorted(f"{lesson}e uur" if lesson else "zonder lesuur" for lesson in lessons)
        parts.append(f"te laat ({', '.join(shown)})")
    return ", ".join(parts) or "niets"


def _file_day(found: _Group, keys: list[Key]) -> tuple[dict[str, Decimal], set[int | None]]:
    """What the file says about one pupil-day (its ``keys``): hours per kind (as saved,
    rounded) and the lessons of the late arrivals."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    lessons: set[int | None] = set()
    for key in keys:
        target, hours, _code = found.wanted[key]
        if target == LATE:
            lessons.add((key[2] - LATE_SLOT) or None)
        else:
            totals[target] += hours
    rounded = {kind: round_hours(hours) for kind, hours in totals.items()}
    return {kind: hours for kind, hours in rounded.items() if hours > 0}, lessons


def _set_hand_days_aside(
    session: DbSession,
    streams: Streams,
    found: _Group,
    numbers: dict[int, str],
    outcome: Outcome,
) -> None:
    """A day on which someone registered by hand (in a stream the file holds) keeps what was
    entered: the file's rows for it are not taken, and where they say otherwise the day is a
    conflict for the user to look at. Nothing of the file is kept for such a day, so once the
    hand entry is gone, the next import adds the file's registrations."""
    if not found.covered:
        return
    hand_hours: dict[Day, dict[str, Decimal]] = defaultdict(dict)
    hand_lessons: dict[Day, set[int | None]] = defaultdict(set)
    hand_days: set[Day] = set()
    if streams.absence:
        for row in _by_day(
            session,
            Absence.__table__,
            ("pupil_id", "day", "kind", "hours", "source"),
            found.covered,
        ).values():
            for a in row:
                if a.source is None:
                    hand_days.add((a.pupil_id, a.day))
                    hand_hours[(a.pupil_id, a.day)][str(a.kind)] = Decimal(a.hours)
    if streams.late:
        for row in _by_day(
            session,
            LateArrival.__table__,
            ("pupil_id", "day", "lesson_hour", "source"),
            found.covered,
        ).values():
            for la in row:
                if la.source is None:
                    hand_days.add((la.pupil_id, la.day))
                    hand_lessons[(la.pupil_id, la.day)].add(la.lesson_hour)
    keys_of = found.by_day()
    for day in sorted(hand_days):
        hours, lessons = _file_day(found, keys_of.get(day, []))
        file_says = (hours if streams.absence else {}, lessons if streams.late else set())
        if (hours or lessons) and file_says != (hand_hours[day], hand_lessons[day]):
            outcome.conflict_count += 1
            if len(outcome.conflicts) < MAX_CONFLICTS_SHOWN:
                outcome.conflicts.append(
                    {
                        "pupil_number": numbers.get(day[0], ""),
                        "day": day[1].isoformat(),
                        "hand": _day_text(hand_hours[day], hand_lessons[day]),
                        "file": _day_text(*file_says),
                    }
                )
        for key in keys_of.get(day, []):
            del found.wanted[key]
            outcome.skipped[SKIP_HAND] += 1
        found.covered.discard(day)
        # what earlier imports said of the day goes too: with the hand entry removed, the next
        # import adds the day anew instead of finding it "unchanged"
        in_streams = (
            true()
            if streams.absence and streams.late
            else ImportedRegistration.slot >= LATE_SLOT
            if streams.late
            else ImportedRegistration.slot < LATE_SLOT
        )
        session.execute(
            delete(ImportedRegistration).where(
                ImportedRegistration.pupil_id == day[0],
                ImportedRegistration.day == day[1],
                in_streams,
            )
        )


def _by_day(session: DbSession, table: Any, names: Sequence[str], days: set[Day]) -> dict:
    """The rows of ``table`` (registrations: ``pupil_id`` and ``day``) on ``days``, by day."""
    pupil_ids = sorted({pupil_id for pupil_id, _ in days})
    first, last = min(day for _, day in days), max(day for _, day in days)
    found: dict[Day, list[Any]] = defaultdict(list)
    for row in (
        session.connection()
        .execute(
            select(*(table.c[name] for name in names)).where(
                table.c.pupil_id.in_(pupil_ids), table.c.day.between(first, last)
            )
        )
        .all()
    ):
        if (row.pupil_id, row.day) in days:
            found[(row.pupil_id, row.day)].append(row)
    return found


def _derive_days(
    session: DbSession,
    run: ImportRun,
    user: User,
    streams: Streams,
    days: set[Day],
    found: _Group,
    outcome: Outcome,
) -> list[int]:
    """Bring the day totals (:class:`Absence`) and late arrivals of ``days`` in line with what
    the file says about them, in the streams its layout holds (after :func:`_replace`, the
    imports' record of a covered day is exactly the file's, so the totals come from ``found``
    without reading them back). Days with a hand entry were set aside before; should one have
    been entered since, it is left alone."""
    layout = run.layout or ""
    user_id = user.id  # read once: an ORM attribute costs a lookup in the loop below
    absences = _by_day(
        session, Absence.__table__, ("id", "pupil_id", "day", "kind", "hours", "source"), days
    )
    lates = _by_day(
        session, LateArrival.__table__, ("id", "pupil_id", "day", "lesson_hour", "source"), days
    )
    now = utcnow()
    new_absences: list[tuple[Any, ...]] = []
    new_lates: list[tuple[Any, ...]] = []
    gone_absences: list[int] = []
    gone_lates: list[int] = []
    touched: dict[int, Counter[str]] = defaultdict(Counter)
    keys_of = found.by_day()
    for key in sorted(days):
        pupil_id, day = key
        want, lessons = _file_day(found, keys_of.get(key, []))
        if streams.absence and not any(r.source is None for r in absences[key]):
            imported = {str(r.kind): r for r in absences[key]}
            for kind, hours in want.items():
                old = imported.get(kind)
                if old is not None and Decimal(old.hours) == hours:
                    continue
                if old is not None:
                    gone_absences.append(old.id)
                extra = found.extras.get((pupil_id, day, kind)) or {}
                new_absences.append(
                    (
                        pupil_id,
                        day,
                        AbsenceKind(kind),
                        hours,
                        layout,
                        user_id,
                        extra.get("cause"),
                        bool(extra.get("parents_reported")),
                        extra.get("help_involved"),
                        now,
                        now,
                    )
                )
                touched[pupil_id]["absence"] += 1
            for kind, old in imported.items():
                if kind not in want:
                    gone_absences.append(old.id)
                    touched[pupil_id]["absence"] += 1
        if streams.late and not any(r.source is None for r in lates[key]):
            present = {r.lesson_hour: r for r in lates[key]}
            for lesson in lessons - set(present):
                new_lates.append((pupil_id, day, lesson, layout, user_id, now, now))
                touched[pupil_id]["late"] += 1
            for lesson, old in present.items():
                if lesson not in lessons:
                    gone_lates.append(old.id)
                    touched[pupil_id]["late"] += 1
    for first in range(0, len(gone_absences), 500):
        session.execute(delete(Absence).where(Absence.id.in_(gone_absences[first : first + 500])))
    for first in range(0, len(gone_lates), 500):
        session.execute(
            delete(LateArrival).where(LateArrival.id.in_(gone_lates[first : first + 500]))
        )
    insert_rows(session, Absence, ABSENCE_COLUMNS, new_absences)
    insert_rows(session, LateArrival, LATE_COLUMNS, new_lates)
    for pupil_id, changes in touched.items():
        record_change(
            session,
            user,
            AuditAction.UPDATE,
            "import_run",
            run.id,
            pupil_id,
            detail=f"import {layout}: {changes['absence']} verzuim, {changes['late']} te laat",
        )
    return sorted(touched)
