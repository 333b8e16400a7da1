"""An organisation's agenda from the command line: the coming four weeks, and moving or
cancelling one appointment. The operator acts for the whole organisation (its scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.services.appointments import rescheduling
from bot.services.appointments.rescheduling import Changed
from bot.services.people import scope
from bot.services.people.scope import Scope
from storage.db import Database


@dataclass(frozen=True, order=True)
class Coming:
    """One coming occurrence; ordered by start (then appointment number)."""

    start: datetime
    appointment_id: int
    name: str
    kind: str  # coach_talk, intake, workshop_day, …
    series: bool  # the appointment repeats


def coming_weeks(
    db: Database,
    organisation_id: int,
    participant_name: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> list[Coming]:
    """The coming four weeks of the organisation's participants (or the one with this name,
    in any case), soonest first."""
    mine = Scope(organisation_id=organisation_id)
    wanted = participant_name.strip().lower() if participant_name is not None else None
    with db.read() as session:
        with session.begin():
            people = [
                (p.id, p.display_name or "?")
                for p in session.scalars(scope.participants(mine))
                if wanted is None or (p.display_name or "").lower() == wanted
            ]
        found: list[Coming] = []
        for pid, name in people:
            _name, coming = rescheduling.coming_for(session, mine, pid, now, zone)
            found += [
                Coming(start, aid, name, kind, series) for aid, start, kind, series, _ in coming
            ]
    return sorted(found)


def move(
    db: Database,
    organisation_id: int,
    appointment_id: int,
    occurrence: datetime,
    new_start: datetime,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
) -> Changed:
    """Move one occurrence; reminders follow and the participant is told once."""
    mine = Scope(organisation_id=organisation_id)
    with db.read() as session:
        return rescheduling.move(
            session, mine, appointment_id, occurrence, new_start, now, zone, quiet
        )


def cancel(
    db: Database,
    organisation_id: int,
    appointment_id: int,
    occurrence: datetime | None,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
) -> Changed:
    """Cancel one occurrence, or (None) the whole appointment or series."""
    mine = Scope(organisation_id=organisation_id)
    with db.read() as session:
        return rescheduling.cancel(session, mine, appointment_id, occurrence, now, zone, quiet)
