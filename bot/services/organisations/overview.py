"""An organisation at a glance, for its admins: who is in which phase, location and language;
how far broadcasts reached per language; how long alerts wait for a coach. A handful of grouped
queries, whatever the size of the organisation (10,000 participants, 200 coaches): nothing here
loops over people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from storage.db import Database
from storage.models import (
    Alert,
    AlertState,
    Location,
    Outbox,
    OutboxKind,
    OutboxState,
    Participant,
    ParticipantStatus,
    Phase,
    StaffMember,
)

PERIOD = timedelta(days=90)
ORDER = [phase.value for phase in Phase]  # activering → werk
CURRENT = (ParticipantStatus.ACTIVE, ParticipantStatus.INVITED)  # as on the caseload page


@dataclass(frozen=True)
class Reach:
    """Broadcast messages in one language: sent (it went out, or was tried), delivered
    (Telegram took it), and acknowledged (the 👍 pressed)."""

    language: str
    sent: int
    delivered: int
    acknowledged: int


@dataclass(frozen=True)
class Response:
    """One coach's alerts of the period: how many, how many they acted on, the median and the
    slowest tenth of the hours from alert to their first action, and how many still wait."""

    coach: str  # "" for alerts of participants without a coach
    alerts: int
    acted: int
    median_hours: float | None
    slowest_hours: float | None  # the 90th percentile: the slowest 10 % took this long or more
    waiting: int


@dataclass(frozen=True)
class Overview:
    participants: int
    phases: list[tuple[str | None, int]]  # phase value (None: none yet), count
    locations: list[tuple[str | None, int]]  # location name (None: none), count
    languages: list[tuple[str | None, int]]  # language code (None: not chosen yet), count
    reach: list[Reach]
    responses: list[Response]
    since: datetime


def _hours(session: Session, later: Any, earlier: Any) -> Any:
    """Hours between two timestamp columns, in SQL (SQLite has no interval arithmetic)."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 24.0
    return func.extract("epoch", later - earlier) / 3600.0


def _counted(session: Session, organisation_id: int, column: Any) -> list[tuple[Any, int]]:
    rows = session.execute(
        select(column, func.count(Participant.id))
        .where(Participant.organisation_id == organisation_id, Participant.status.in_(CURRENT))
        .group_by(column)
        .order_by(func.count(Participant.id).desc(), column)
    )
    return [(key, count) for key, count in rows]


def _locations(session: Session, organisation_id: int) -> list[tuple[str | None, int]]:
    rows = session.execute(
        select(Location.name, func.count(Participant.id))
        .select_from(Participant)
        .outerjoin(Location, Location.id == Participant.location_id)
        .where(Participant.organisation_id == organisation_id, Participant.status.in_(CURRENT))
        .group_by(Location.id, Location.name)
        .order_by(func.count(Participant.id).desc(), Location.name)
    )
    return [(name, count) for name, count in rows]


def _reach(session: Session, organisation_id: int, since: datetime) -> list[Reach]:
    went = Outbox.state.in_([OutboxState.SENT, OutboxState.FAILED, OutboxState.BLOCKED])
    rows = session.execute(
        select(
            Outbox.language,
            func.count(case((went, Outbox.id))),
            func.count(case((Outbox.state == OutboxState.SENT, Outbox.id))),
            func.count(Outbox.acked_at),
        )
        .where(
            Outbox.organisation_id == organisation_id,
            Outbox.kind == OutboxKind.BROADCAST,
            Outbox.participant_id.is_not(None),
            Outbox.created_at >= since,
        )
        .group_by(Outbox.language)
        .order_by(Outbox.language)
    )
    return [
        Reach(language or "?", sent, delivered, acked) for language, sent, delivered, acked in rows
    ]


def _responses(session: Session, organisation_id: int, since: datetime) -> list[Response]:
    """Two grouped queries: counts per coach, and per coach the median and 90th percentile of
    the hours to the first action (ranked with window functions, in the database)."""
    mine = (Alert.organisation_id == organisation_id, Alert.created_at >= since)
    waiting = (Alert.acknowledged_at.is_(None)) & (Alert.state != AlertState.RESOLVED)
    counts = {
        coach_id: (name, alerts, acted, still)
        for coach_id, name, alerts, acted, still in session.execute(
            select(
                Alert.coach_id,
                StaffMember.name,
                func.count(Alert.id),
                func.count(Alert.acknowledged_at),
                func.count(case((waiting, Alert.id))),
            )
            .outerjoin(StaffMember, StaffMember.id == Alert.coach_id)
            .where(*mine)
            .group_by(Alert.coach_id, StaffMember.name)
        )
    }
    hours = _hours(session, Alert.acknowledged_at, Alert.created_at)
    ranked = (
        select(
            Alert.coach_id.label("coach_id"),
            hours.label("hours"),
            func.row_number().over(partition_by=Alert.coach_id, order_by=hours).label("rank"),
            func.count(Alert.id).over(partition_by=Alert.coach_id).label("n"),
        )
        .where(*mine, Alert.acknowledged_at.is_not(None))
        .subquery()
    )
    middle = or_(ranked.c.rank == (ranked.c.n + 1) // 2, ranked.c.rank == (ranked.c.n + 2) // 2)
    tenth = ranked.c.rank == (ranked.c.n * 9 + 9) // 10  # nearest rank: ceil(0.9 n)
    times = {
        coach_id: (median, slowest)
        for coach_id, median, slowest in session.execute(
            select(
                ranked.c.coach_id,
                func.avg(case((middle, ranked.c.hours))),
                func.max(case((tenth, ranked.c.hours))),
            ).group_by(ranked.c.coach_id)
        )
    }
    found = []
    for coach_id, (name, alerts, acted, still) in counts.items():
        median, slowest = times.get(coach_id, (None, None))
        found.append(
            Response(
                name or "",
                alerts,
                acted,
                None if median is None else round(float(median), 1),
                None if slowest is None else round(float(slowest), 1),
                still,
            )
        )
    return sorted(found, key=lambda r: (r.coach == "", r.coach.lower()))


def overview(db: Database, organisation_id: int, now: datetime) -> Overview:
    """The organisation's figures now, and over the last 90 days."""
    since = now - PERIOD
    with db.read() as session:
        phases = _counted(session, organisation_id, Participant.phase)
        return Overview(
            participants=sum(count for _key, count in phases),
            phases=sorted(
                ((phase.value if phase else None, count) for phase, count in phases),
                key=lambda row: ORDER.index(row[0]) if row[0] in ORDER else len(ORDER),
            ),
            locations=_locations(session, organisation_id),
            languages=_counted(session, organisation_id, Participant.language),
            reach=_reach(session, organisation_id, since),
            responses=_responses(session, organisation_id, since),
            since=since,
        )
