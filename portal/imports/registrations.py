"""Importing registrations (absence and late arrivals) from a school's export, in three steps:

1. :func:`start` (in the request): the file is kept, its header row recognised as one of the
   layouts (:mod:`portal.imports.layouts`) or mapped by the user once;
2. :func:`read` (the worker): every row is checked and kept as :class:`ImportRow`, streamed and
   inserted in bulk, with progress; the user then sees a preview and maps unknown codes;
3. :func:`portal.imports.saving.save` (the worker): the rows replace what an earlier import
   said for the same pupil, day and lesson, the day totals follow, hand entries are kept and
   shown as conflicts, and every touched pupil's signals are recomputed once, in bulk.

Memory stays bounded whatever the file's size: rows are read one at a time, inserted in chunks
and saved per group of pupils. ``checkpoint`` (the worker's commit) is called after each chunk,
so the progress is visible and a failure loses at most one chunk's work.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from portal.auth.models import User
from portal.calendar import school_year_bounds, school_year_of
from portal.db import DbSession, utcnow
from portal.imports import codes, layouts
from portal.imports.bulk import insert_rows
from portal.imports.models import (
    IGNORE,
    LATE,
    AbsenceCode,
    ColumnMapping,
    ImportKind,
    ImportRow,
    ImportRun,
    LessonSettings,
    RunStatus,
)
from portal.imports.parsing import (
    MAX_STREAM_ROWS,
    ImportFileError,
    open_stream,
)
from portal.imports.rows import CONVERTERS, ROW_COLUMNS, Reader, text_of
from portal.imports.rules import Lessons
from portal.pupils.models import Pupil
from portal.schools.models import School
from portal.schools.queries import school_calendar

Checkpoint = Callable[[], None]
CHUNK_ROWS = 5_000
CHUNK_PUPILS = 250


def _nothing() -> None:
    return None


# --- 1. Start: keep the file, recognise its columns --------------------------------------------


def start(
    session: DbSession,
    user: User,
    school: School,
    kind: ImportKind,
    filename: str,
    data: bytes,
) -> ImportRun:
    """A run for an uploaded file: ready for the worker when its columns are known (the
    layout recognised, or mapped by this school before), else waiting for the user's mapping.
    A file that cannot be read at all raises :class:`ImportFileError` and keeps nothing."""
    stream = open_stream(filename, data)
    headers = stream.headers
    next(stream.rows)  # a file with only a header row is refused now, not in the worker
    run = ImportRun(
        user_id=user.id,
        school_id=school.id,
        kind=kind,
        filename=filename[-200:],
        headers=headers,
        data=data,
        size=len(data),
        status=RunStatus.COLUMNS,
        summary={},
    )
    recognised = layouts.recognise(kind, headers)
    if recognised is not None:
        layout, found = recognised
        run.layout = layout.key
        run.columns = {name: headers[index] for name, index in found.items()}
        run.status = RunStatus.QUEUED
    else:
        saved = saved_mapping(session, school.id, kind, headers)
        if saved is not None:
            run.layout = saved.columns.get("_layout")
            run.columns = {k: v for k, v in saved.columns.items() if k != "_layout"}
            run.status = RunStatus.QUEUED
    purge_old_runs(session)
    session.add(run)
    session.flush()
    return run


def saved_mapping(
    session: DbSession, school_id: int, kind: ImportKind, headers: list[str]
) -> ColumnMapping | None:
    mapping = session.scalars(
        select(ColumnMapping).where(
            ColumnMapping.school_id == school_id,
            ColumnMapping.kind == kind,
            ColumnMapping.signature == layouts.signature(headers),
        )
    ).first()
    if mapping is None:
        return None
    layout = layouts.BY_KEY.get(mapping.columns.get("_layout", ""))
    if layout is None or layouts.from_mapping(layout, headers, mapping.columns) is None:
        return None
    return mapping


def map_columns(
    session: DbSession, run: ImportRun, layout: layouts.Layout, columns: dict[str, str]
) -> bool:
    """The user's mapping of this file's columns, kept for the school's next file with the
    same header row; the run goes to the worker. False when it had gone already."""
    if not _move(
        session,
        run,
        RunStatus.COLUMNS,
        RunStatus.QUEUED,
        layout=layout.key,
        columns={name: header for name, header in columns.items() if header},
    ):
        return False
    signature = layouts.signature(run.headers)
    mapping = session.scalars(
        select(ColumnMapping).where(
            ColumnMapping.school_id == run.school_id,
            ColumnMapping.kind == run.kind,
            ColumnMapping.signature == signature,
        )
    ).first()
    if mapping is None:
        mapping = ColumnMapping(school_id=run.school_id, kind=run.kind, signature=signature)
        session.add(mapping)
    mapping.headers = list(run.headers)
    mapping.columns = {**run.columns, "_layout": layout.key}
    session.flush()
    return True


def purge_old_runs(session: DbSession) -> None:
    """An upload holds pupil data: a run not saved within a day goes, file and rows. A saved
    run keeps its counts (no pupil data) for a week."""
    now = utcnow()
    session.execute(
        delete(ImportRun).where(
            ImportRun.status.not_in([RunStatus.DONE, RunStatus.SAVING, RunStatus.READING]),
            ImportRun.created_at < now - timedelta(days=1),
        )
    )
    session.execute(delete(ImportRun).where(ImportRun.created_at < now - timedelta(days=7)))


def cancel(session: DbSession, run: ImportRun) -> None:
    """Nothing is saved: the file and its rows go; the run stays as "geannuleerd"."""
    session.execute(delete(ImportRow).where(ImportRow.run_id == run.id))
    run.data = None
    run.status = RunStatus.CANCELLED
    run.finished_at = utcnow()
    session.flush()


def forget(session: DbSession, run: ImportRun) -> None:
    """A pupil list went into its own preview (``services.prepare``): the run is not needed."""
    session.delete(run)
    session.flush()


def queue_save(session: DbSession, run: ImportRun) -> bool:
    """The user saves: the run goes to the worker (:func:`portal.imports.saving.save`).
    False when it had gone already (a double click, a second tab): it is queued once."""
    return _move(session, run, RunStatus.PREVIEW, RunStatus.SAVING, done=0, total=1)


def _move(
    session: DbSession, run: ImportRun, before: RunStatus, after: RunStatus, **values: Any
) -> bool:
    """Move ``run`` from ``before`` to ``after`` in one conditional UPDATE: of two requests at
    the same moment, one does."""
    moved = session.execute(
        update(ImportRun)
        .where(ImportRun.id == run.id, ImportRun.status == before)
        .values(status=after, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(run)
    return bool(moved.rowcount)  # type: ignore[attr-defined]


def lessons_of(session: DbSession, school: School) -> Lessons:
    """The school's lesson length and lessons per day (defaults by school type)."""
    saved = session.get(LessonSettings, school.id)
    clock = school.school_type.counts_clock_hours
    if saved is None:
        return Lessons(60 if clock else 50, 5 if clock else 8, clock)
    return Lessons(saved.lesson_minutes, saved.lessons_per_day, clock)


# --- 2. Read: check every row, keep it for the preview -------------------------------------------


def read(session: DbSession, run_id: int, today: date, checkpoint: Checkpoint = _nothing) -> None:
    """Check every row of the run's file and keep it as :class:`ImportRow` (the worker's job).
    A file that turns out unreadable halfway fails the run with the reason; its rows go."""
    run = session.get(ImportRun, run_id)
    if run is None or run.status not in {RunStatus.QUEUED, RunStatus.READING}:
        return
    run.status = RunStatus.READING
    session.execute(delete(ImportRow).where(ImportRow.run_id == run.id))  # a retried read
    run.done = 0
    checkpoint()
    try:
        summary = _read_rows(session, run, today, checkpoint)
    except ImportFileError as error:
        # the rows of this run go, those committed per chunk and the rest
        session.execute(delete(ImportRow).where(ImportRow.run_id == run.id))
        run.status = RunStatus.FAILED
        run.message = f"{error} Er is niets opgeslagen."
        run.data = None
        run.finished_at = utcnow()
        checkpoint()
        return
    run.summary = summary
    run.status = RunStatus.PREVIEW
    run.data = None  # the rows are kept; the file itself is no longer needed
    run.done = run.total
    checkpoint()


def _read_rows(
    session: DbSession, run: ImportRun, today: date, checkpoint: Checkpoint
) -> dict[str, Any]:
    school = session.get(School, run.school_id)
    assert school is not None and run.data is not None
    layout = layouts.BY_KEY[run.layout or ""]
    stream = open_stream(run.filename, run.data)
    positions = layouts.from_mapping(layout, stream.headers, run.columns)
    if positions is None or layout.missing(positions):
        raise ImportFileError(layouts.missing_message(layout, layout.missing(positions or {})))
    run.total = stream.size
    reader = Reader(
        session=session,
        run=run,
        school=school,
        today=today,
        lessons=lessons_of(session, school),
        pupils={
            p.pupil_number: p
            for p in session.scalars(select(Pupil).where(Pupil.school_id == school.id))
        },
        earliest=school_year_bounds(school_year_of(today) - 1)[0],
        positions=positions,
        calendar=school_calendar(session, school),
    )
    convert = CONVERTERS[layout.key]
    lines = 0
    chunk: list[tuple[Any, ...]] = []
    errors: Counter[str] = Counter()
    error_lines: dict[str, list[int]] = defaultdict(list)
    first_day: date | None = None
    last_day: date | None = None
    pupils: set[int] = set()
    registrations = 0
    for line, cells in stream.rows:
        lines += 1
        if lines > MAX_STREAM_ROWS:
            raise ImportFileError(
                f"Het bestand heeft meer dan {MAX_STREAM_ROWS:,} regels. Exporteer een kortere "
                "periode.".replace(",", ".")
            )
        values = {name: text_of(cells, index) for name, index in positions.items()}
        for row in convert(reader, line, values):
            row["run_id"] = run.id
            if row["error"]:
                errors[row["error"]] += 1
                if len(error_lines[row["error"]]) < 5:
                    error_lines[row["error"]].append(line)
            else:
                registrations += 1
                pupils.add(row["pupil_id"])
                day = row["day"]
                first_day = day if first_day is None or day < first_day else first_day
                last_day = day if last_day is None or day > last_day else last_day
            chunk.append(tuple(row[name] for name in ROW_COLUMNS))
        if len(chunk) >= CHUNK_ROWS:
            insert_rows(session, ImportRow, ROW_COLUMNS, chunk)
            chunk = []
            run.done = stream.tell()
            checkpoint()
    if chunk:
        insert_rows(session, ImportRow, ROW_COLUMNS, chunk)
    return {
        "lines": lines,
        "registrations": registrations,
        "invalid": sum(errors.values()),
        "errors": [
            {"message": message, "count": count, "lines": error_lines[message]}
            for message, count in errors.most_common(20)
        ],
        "first_day": first_day.isoformat() if first_day else None,
        "last_day": last_day.isoformat() if last_day else None,
        "pupils": len(pupils),
    }


# --- The school's codes ------------------------------------------------------------------------


def code_map(session: DbSession, school_id: int) -> dict[str, str]:
    return dict(
        session.execute(
            select(AbsenceCode.code, AbsenceCode.target).where(AbsenceCode.school_id == school_id)
        ).all()
    )


def resolve(mapping: dict[str, str], code: str, kind: ImportKind) -> str | None:
    """What ``code`` means for the school (a kind's value, ``te_laat`` or ``negeren``), or
    None when the school has not said yet."""
    if code in mapping:
        return mapping[code]
    if kind == ImportKind.LATE_ARRIVALS:
        if code == codes.code_key("niet te laat"):
            return IGNORE
        if not code:
            return LATE
    known = codes.known_kind(code)
    return known.value if known else None


def set_code(
    session: DbSession, user: User, school_id: int, code: str, target: str, description: str | None
) -> AbsenceCode:
    """What one of the school's codes means from now on."""
    if target not in codes.TARGETS:
        raise ValueError(target)
    key = codes.code_key(code)
    saved = session.scalars(
        select(AbsenceCode).where(AbsenceCode.school_id == school_id, AbsenceCode.code == key)
    ).first()
    if saved is None:
        saved = AbsenceCode(school_id=school_id, code=key)
        session.add(saved)
    saved.target = target
    if description:
        saved.description = description[:100]
    session.flush()
    return saved


#: A run that has been busy this long without progress lost its worker (stopped, killed).
STALLED_AFTER = timedelta(minutes=30)


def fail_stalled(session: DbSession) -> int:
    """Runs whose worker stopped without a word (a killed process, no worker running) say so
    after :data:`STALLED_AFTER` instead of showing a progress bar for ever; returns how many.
    Every step commits its progress, so a run that still works is never older than a chunk."""
    stalled = list(
        session.scalars(
            select(ImportRun.id).where(
                ImportRun.status.in_([RunStatus.QUEUED, RunStatus.READING, RunStatus.SAVING]),
                ImportRun.updated_at < utcnow() - STALLED_AFTER,
            )
        )
    )
    for run_id in stalled:
        give_up(session, run_id)
    return len(stalled)


def give_up(session: DbSession, run_id: int) -> None:
    """The worker failed on this run after its retries: say so, and keep nothing half-read.
    What a failed save already saved stays (each group of pupils is whole); the user can
    import the file again, which changes only what is still missing."""
    run = session.get(ImportRun, run_id)
    if run is None or not run.status.busy:
        return
    if run.status == RunStatus.SAVING:
        # each group of pupils was saved whole: what is saved stays, and an import of the
        # same file adds only what is missing
        run.message = (
            "Het opslaan is halverwege mislukt. Wat al is opgeslagen, blijft staan: importeer "
            "het bestand opnieuw, dan wordt alleen aangevuld wat ontbreekt. Lukt het weer niet, "
            "neem dan contact op met de functioneel beheerder."
        )
    else:
        session.execute(delete(ImportRow).where(ImportRow.run_id == run.id))
        run.message = (
            "Er ging iets mis bij het lezen van dit bestand; er is niets opgeslagen. Probeer "
            "het nog eens; lukt het weer niet, neem dan contact op met de functioneel beheerder."
        )
    run.status = RunStatus.FAILED
    run.data = None
    run.finished_at = utcnow()
    session.flush()


def set_lessons(session: DbSession, school_id: int, minutes: int, per_day: int) -> None:
    """The school's lesson length and lessons per whole day, for the next imports."""
    saved = session.get(LessonSettings, school_id)
    if saved is None:
        saved = LessonSettings(school_id=school_id)
        session.add(saved)
    saved.lesson_minutes = minutes
    saved.lessons_per_day = per_day
    session.flush()
