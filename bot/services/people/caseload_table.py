"""The caseload table of the web app: every participant in scope on one line with phase and
since when, attendance per week as a small heat map, the last check-in and its trend, open
alerts, the next appointment and their language; filtered, sorted, a page at a time, and as CSV.
A week without any recorded appointment is "unknown", never "absent": nobody expected them.

An admin's scope can hold thousands of people, so the filter and the sort use only what one
query per table gives cheaply for everyone (name, phase, open alerts, the last check-in); the
heat map, the trend and the next appointment are worked out for the lines of one page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from math import ceil
from statistics import mean
from typing import Any, Literal
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
    Participant,
    Signal,
)

WEEKS = 8
PAGE = 100
Week = Literal["came", "mixed", "missed", "excused", "unknown"]
SORTS = ("name", "phase", "alerts", "checkin")
FAR_BACK = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))


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
    """What the coach narrowed the table to: a name part, a phase, only those with alerts; the
    sort, and which page (from 1); `page=0` is every line (the CSV)."""

    text: str = ""
    phase: str = ""
    alerts_only: bool = False
    sort: str = "name"
    page: int = 1


@dataclass
class Table:
    lines: list[Line] = field(default_factory=list)
    weeks: tuple[date, ...] = ()
    total: int = 0  # in scope, before the filter
    found: int = 0  # after the filter
    page: int = 1
    pages: int = 1


@dataclass(frozen=True)
class _Person:
    id: int
    name: str
    language: str | None
    phase: str | None
    phase_since: datetime | None
    reachable: bool
    open_alerts: int
    urgent: bool
    last_checkin: datetime | None


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


def _everyone(session: Session, mine: Scope) -> list[_Person]:
    """Everyone in scope with what the filter and the sort need, in two queries."""
    ids = scope.participants(mine).with_only_columns(Participant.id).order_by(None).subquery()
    alerts = {
        pid: (n, bool(urgent))
        for pid, n, urgent in session.execute(
            select(Alert.participant_id, func.count(), func.max(case((Alert.urgent, 1), else_=0)))
            .where(Alert.participant_id.in_(select(ids.c.id)), Alert.state != AlertState.RESOLVED)
            .group_by(Alert.participant_id)
        )
    }
    columns = scope.participants(mine).with_only_columns(
        Participant.id,
        Participant.display_name,
        Participant.language,
        Participant.phase,
        Participant.phase_since,
        Participant.chat_id,
        Participant.stopped_at,
        Participant.unreachable_at,
        # One index seek per person (participant, source, at): faster than grouping every
        # check-in answer of a large organisation.
        select(func.max(Signal.at))
        .where(Signal.participant_id == Participant.id, Signal.source == "self")
        .scalar_subquery(),
    )
    return [
        _Person(
            pid,
            name or "?",
            language,
            str(phase) if phase else None,
            phase_since,
            chat is not None and stopped is None and unreachable is None,
            alerts.get(pid, (0, False))[0],
            alerts.get(pid, (0, False))[1],
            last,
        )
        for pid, name, language, phase, phase_since, chat, stopped, unreachable, last in (
            session.execute(columns)
        )
    ]


def _chosen(people: list[_Person], wanted: Filter) -> list[_Person]:
    """The filter and the sort; someone who never checked in comes first on "check-in"."""
    text = wanted.text.strip().casefold()
    kept = [
        person
        for person in people
        if (not text or text in person.name.casefold())
        and (not wanted.phase or person.phase == wanted.phase)
        and (not wanted.alerts_only or person.open_alerts)
    ]
    keys: dict[str, Any] = {
        "name": lambda p: (p.name.casefold(), p.id),
        "phase": lambda p: (p.phase or "~", p.name.casefold(), p.id),
        "alerts": lambda p: (not p.urgent, -p.open_alerts, p.name.casefold(), p.id),
        "checkin": lambda p: (p.last_checkin or FAR_BACK, p.name.casefold(), p.id),
    }
    return sorted(kept, key=keys.get(wanted.sort, keys["name"]))


def _details(
    session: Session, people: list[_Person], weeks: tuple[date, ...], now: datetime, zone: ZoneInfo
) -> list[Line]:
    """The heat map, the trend and the next appointment of these people."""
    ids = [person.id for person in people]
    if not ids:
        return []
    attended: dict[tuple[int, date], list[AttendanceStatus]] = defaultdict(list)
    for pid, day, status in session.execute(
        select(Attendance.participant_id, Attendance.day, Attendance.status).where(
            Attendance.participant_id.in_(ids), Attendance.day >= weeks[0]
        )
    ):
        attended[(pid, _monday(day))].append(status)
    runs: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    order: dict[int, list[str]] = defaultdict(list)
    for pid, run, level in session.execute(
        select(Signal.participant_id, Signal.checkin, Signal.level)
        .where(
            Signal.participant_id.in_(ids),
            Signal.source == "self",
            Signal.at >= now - timedelta(days=120),
        )
        .order_by(Signal.at.desc(), Signal.id.desc())
    ):
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
    return [
        Line(
            participant_id=p.id,
            name=p.name,
            language=p.language,
            phase=p.phase,
            phase_since=p.phase_since,
            weeks=tuple((monday, _week(attended.get((p.id, monday), []))) for monday in weeks),
            last_checkin=p.last_checkin,
            trend=_trend([runs[p.id][r] for r in order[p.id] if runs[p.id][r]]),
            open_alerts=p.open_alerts,
            urgent=p.urgent,
            next_at=coming.get(p.id),
            reachable=p.reachable,
        )
        for p in people
    ]


def lines(session: Session, mine: Scope, now: datetime, zone: ZoneInfo, wanted: Filter) -> Table:
    """The page of the table the filter asks for (every line for page 0)."""
    this_week = _monday(now.astimezone(zone).date())
    weeks = tuple(this_week - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1))
    everyone = _everyone(session, mine)
    chosen = _chosen(everyone, wanted)
    pages = max(1, ceil(len(chosen) / PAGE))
    page = min(max(wanted.page, 0), pages)
    shown = chosen if page == 0 else chosen[(page - 1) * PAGE : page * PAGE]
    return Table(
        _details(session, shown, weeks, now, zone), weeks, len(everyone), len(chosen), page, pages
    )


def _audited(
    db: Database, staff: Scope, now: datetime, zone: ZoneInfo, wanted: Filter, action: str
) -> Table:
    with db.write() as session:
        shown = lines(session, staff, now, zone, wanted)
        viewed: list[tuple[int | None, dict[str, Any]]] = [
            (line.participant_id, {}) for line in shown.lines
        ]
        audit.record_many(session, now, action, viewed, staff_id=staff.staff_id)
        return shown


def table(db: Database, staff: Scope, now: datetime, zone: ZoneInfo, wanted: Filter) -> Table:
    """A page of the caseload table as a use case; showing it is an audited view of each person
    on it (attendance and check-in trends are sensitive)."""
    return _audited(db, staff, now, zone, wanted, "caseload_viewed")


def exported(db: Database, staff: Scope, now: datetime, zone: ZoneInfo, wanted: Filter) -> Table:
    """Every line the filter keeps, for a CSV file; each exported person audited as an export."""
    everything = Filter(wanted.text, wanted.phase, wanted.alerts_only, wanted.sort, page=0)
    return _audited(db, staff, now, zone, everything, "caseload_exported")
