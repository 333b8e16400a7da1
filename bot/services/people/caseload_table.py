"""The caseload table of the web app: every participant in scope on one line with phase and
since when, attendance per week as a small heat map, the last check-in and its trend, open
alerts, the next appointment and their language; sortable, filterable, and as CSV. A week
without any recorded appointment is "unknown", never "absent": nobody expected them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import mean
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.services import audit
from bot.services.appointments.recurrence import occurrences
from bot.services.people import scope
from bot.services.people.scope import Scope
from storage.db import Database
from storage.models import (
    Alert,
    AlertState,
    Appointment,
    Attendance,
    AttendanceStatus,
    Signal,
)

WEEKS = 8
Week = Literal["came", "mixed", "missed", "excused", "unknown"]
SORTS = ("name", "phase", "alerts", "checkin", "next")


@dataclass(frozen=True)
class Line:
    """One participant in the table."""

    participant_id: int
    name: str
    language: str | None
    phase: str | None
    phase_since: datetime | None
    weeks: tuple[tuple[date, Week], ...]  # oldest first: the Monday and what happened
    last_checkin: datetime | None
    trend: int | None  # -1 falling, 0 level, 1 rising (mean of the last two check-ins)
    open_alerts: int
    urgent: bool
    next_at: datetime | None
    reachable: bool


@dataclass(frozen=True)
class Filter:
    """What the coach narrowed the table to: a name part, a phase, only those with alerts."""

    text: str = ""
    phase: str = ""
    alerts_only: bool = False
    sort: str = "name"


@dataclass
class Table:
    lines: list[Line] = field(default_factory=list)
    weeks: tuple[date, ...] = ()
    total: int = 0  # in scope, before the filter


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week(statuses: list[AttendanceStatus]) -> Week:
    if not statuses:
        return "unknown"
    came = sum(s in (AttendanceStatus.PRESENT, AttendanceStatus.LATE) for s in statuses)
    missed = sum(s == AttendanceStatus.ABSENT for s in statuses)
    if came and missed:
        return "mixed"
    if came:
        return "came"
    return "missed" if missed else "excused"


def _trend(levels_by_run: list[list[int]]) -> int | None:
    """The mean of the newest check-in against the one before (a difference under a quarter
    point is level: one answer moving by one in a run of five is noise)."""
    if len(levels_by_run) < 2:
        return None
    change = mean(levels_by_run[0]) - mean(levels_by_run[1])
    return 0 if abs(change) < 0.25 else (1 if change > 0 else -1)


def lines(session: Session, mine: Scope, now: datetime, zone: ZoneInfo) -> Table:
    """Everyone in scope, with the weeks of the heat map (oldest first)."""
    people = session.scalars(scope.participants(mine)).all()
    this_week = _monday(now.astimezone(zone).date())
    weeks = tuple(this_week - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1))
    ids = [p.id for p in people]
    if not ids:
        return Table([], weeks, 0)
    attended: dict[tuple[int, date], list[AttendanceStatus]] = defaultdict(list)
    for pid, day, status in session.execute(
        select(Attendance.participant_id, Attendance.day, Attendance.status).where(
            Attendance.participant_id.in_(ids), Attendance.day >= weeks[0]
        )
    ):
        attended[(pid, _monday(day))].append(status)
    alerts: dict[int, tuple[int, bool]] = {
        pid: (n, bool(urgent))
        for pid, n, urgent in session.execute(
            select(Alert.participant_id, func.count(), func.max(case((Alert.urgent, 1), else_=0)))
            .where(Alert.participant_id.in_(ids), Alert.state != AlertState.RESOLVED)
            .group_by(Alert.participant_id)
        )
    }
    runs: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    last: dict[int, datetime] = {}
    order: dict[int, list[str]] = defaultdict(list)
    for pid, run, level, at in session.execute(
        select(Signal.participant_id, Signal.checkin, Signal.level, Signal.at)
        .where(Signal.participant_id.in_(ids), Signal.source == "self")
        .order_by(Signal.at.desc(), Signal.id.desc())
    ):
        last.setdefault(pid, at)
        if run not in order[pid]:
            order[pid].append(run)
        if level is not None:
            runs[pid][run].append(level)
    coming: dict[int, datetime] = {}
    for appointment in session.scalars(
        select(Appointment).where(
            Appointment.participant_id.in_(ids), Appointment.cancelled_at.is_(None)
        )
    ):
        starts = occurrences(appointment, now, now + timedelta(days=60), zone)
        if starts:
            pid = appointment.participant_id
            coming[pid] = min(coming.get(pid, starts[0]), starts[0])
    found = [
        Line(
            participant_id=p.id,
            name=p.display_name or "?",
            language=p.language,
            phase=p.phase.value if p.phase else None,
            phase_since=p.phase_since,
            weeks=tuple((monday, _week(attended.get((p.id, monday), []))) for monday in weeks),
            last_checkin=last.get(p.id),
            trend=_trend([runs[p.id][r] for r in order[p.id] if runs[p.id][r]]),
            open_alerts=alerts.get(p.id, (0, False))[0],
            urgent=alerts.get(p.id, (0, False))[1],
            next_at=coming.get(p.id),
            reachable=p.chat_id is not None and p.stopped_at is None and p.unreachable_at is None,
        )
        for p in people
    ]
    return Table(found, weeks, len(found))


def narrowed(table: Table, wanted: Filter) -> Table:
    """The filter and the sort; a sort on a missing value puts those last."""
    text = wanted.text.strip().casefold()
    kept = [
        line
        for line in table.lines
        if (not text or text in line.name.casefold())
        and (not wanted.phase or line.phase == wanted.phase)
        and (not wanted.alerts_only or line.open_alerts)
    ]
    far = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    keys = {
        "name": lambda line: (line.name.casefold(),),
        "phase": lambda line: (line.phase or "~", line.name.casefold()),
        "alerts": lambda line: (not line.urgent, -line.open_alerts, line.name.casefold()),
        "checkin": lambda line: (line.trend if line.trend is not None else 9, line.name),
        "next": lambda line: (line.next_at or far, line.name.casefold()),
    }
    kept.sort(key=keys.get(wanted.sort, keys["name"]))
    return Table(kept, table.weeks, table.total)


def table(db: Database, staff: Scope, now: datetime, zone: ZoneInfo, wanted: Filter) -> Table:
    """The caseload table as a use case; showing it is an audited view of each person on it
    (attendance and check-in trends are sensitive)."""
    with db.write() as session:
        shown = narrowed(lines(session, staff, now, zone), wanted)
        for line in shown.lines:
            audit.record(
                session,
                now,
                "caseload_viewed",
                participant_id=line.participant_id,
                staff_id=staff.staff_id,
                actor="staff",
            )
        return shown


def exported(db: Database, staff: Scope, now: datetime, zone: ZoneInfo, wanted: Filter) -> Table:
    """The same lines for a CSV file, each exported person audited as an export."""
    with db.write() as session:
        shown = narrowed(lines(session, staff, now, zone), wanted)
        for line in shown.lines:
            audit.record(
                session,
                now,
                "caseload_exported",
                participant_id=line.participant_id,
                staff_id=staff.staff_id,
                actor="staff",
            )
        return shown
