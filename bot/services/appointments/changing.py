"""Use cases of a coach changing appointments, in the chat (/afspraken → participant →
occurrence → move or cancel) and on a participant's web page. Each opens its own transaction
and returns plain values; the rules (whose appointment, whether it can still be changed) are
checked here, in building blocks that take a session, and in `rescheduling`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.appointments import rescheduling
from bot.services.appointments.rescheduling import Changed, occurrence_from
from bot.services.errors import Refused
from bot.services.people import scope
from bot.services.people.scope import Scope
from storage.db import Database
from storage.models import Location


@dataclass(frozen=True)
class Coming:
    """One coming occurrence of a participant's appointment, as the coach sees it."""

    appointment: int
    start: datetime
    kind: str  # an AppointmentKind value
    series: bool
    place: str


@dataclass(frozen=True)
class Agenda:
    """A participant's coming appointments, and the places a new one can be at."""

    participant_id: int
    name: str
    coming: list[Coming]
    places: list[tuple[int, str]]  # (id, name) of the organisation's locations, by name
    home: int | None  # the participant's own location: where a new appointment starts


@dataclass(frozen=True)
class Changeable:
    """An occurrence the coach may still change: whose, what kind, and part of a series?"""

    name: str
    start: datetime
    kind: str
    series: bool


def occurrence_choice(
    session: Session, mine: Scope, appointment_id: int, occurrence: datetime, now: datetime
) -> Changeable:
    """The occurrence, if it can still be changed: of someone in scope, not cancelled and
    still to come (an old button is refused as an unknown appointment)."""
    with session.begin():
        appointment = scope.appointment(session, mine, appointment_id)
        if occurrence <= now or appointment.cancelled_at is not None:
            raise Refused("unknown_appointment")
        person = scope.participant(session, mine, appointment.participant_id)
        return Changeable(
            person.display_name or "?",
            occurrence,
            appointment.kind.value,
            appointment.rrule is not None,
        )


def whose(session: Session, mine: Scope, appointment_id: int) -> str:
    """The name of the participant whose appointment this is, if they are in scope."""
    with session.begin():
        appointment = scope.appointment(session, mine, appointment_id)
        return scope.participant(session, mine, appointment.participant_id).display_name or "?"


def people(db: Database, staff: Scope) -> list[tuple[int, str]]:
    """(id, name) of the participants whose appointments this staff member may change (the
    first 40 by name); refused when there are none."""
    with db.read() as session, session.begin():
        found = [(p.id, p.display_name or "?") for p in session.scalars(scope.participants(staff))]
    if not found:
        raise Refused("no_participants")
    return found[:40]


def coming(
    db: Database, staff: Scope, participant: int, now: datetime, zone: ZoneInfo
) -> tuple[str, list[Coming]]:
    """The participant's name and their coming occurrences (four weeks, at most ten)."""
    with db.read() as session:
        name, found = rescheduling.coming_for(session, staff, participant, now, zone)
    return name, [Coming(*item) for item in found]


def agenda_of(
    session: Session, mine: Scope, participant_id: int, now: datetime, zone: ZoneInfo
) -> Agenda:
    """`coming` with the organisation's places, in the caller's session (refused outside the
    scope)."""
    name, found = rescheduling.coming_for(session, mine, participant_id, now, zone)
    with session.begin():
        home = scope.participant(session, mine, participant_id).location_id
        places = session.execute(
            select(Location.id, Location.name)
            .where(Location.organisation_id == mine.organisation_id)
            .order_by(Location.name)
        )
        return Agenda(
            participant_id,
            name,
            [Coming(*item) for item in found],
            [(place_id, place) for place_id, place in places],
            home,
        )


def agenda(db: Database, staff: Scope, participant: int, now: datetime, zone: ZoneInfo) -> Agenda:
    """A participant's coming appointments and where a new one can be, for their page."""
    with db.read() as session:
        return agenda_of(session, staff, participant, now, zone)


def changeable(db: Database, staff: Scope, appointment: int, at: int, now: datetime) -> Changeable:
    """`occurrence_choice` for a button's occurrence (`at`: its start in epoch seconds)."""
    with db.read() as session:
        return occurrence_choice(session, staff, appointment, occurrence_from(at), now)


def name_of(db: Database, staff: Scope, appointment: int) -> str:
    """The name of whose appointment this is (refused when not in scope)."""
    with db.read() as session:
        return whose(session, staff, appointment)


def move_start(db: Database, staff: Scope, appointment: int, at: int) -> dict[str, object]:
    """What the "new time" flow starts with to move this occurrence."""
    name = name_of(db, staff, appointment)
    return {"mode": "move", "appointment": appointment, "occurrence": at, "name": name}


def move(
    db: Database,
    staff: Scope,
    appointment: int,
    at: int,
    new_start: datetime,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
) -> Changed:
    """Move one occurrence (`at`: its start in epoch seconds) to a new start."""
    with db.read() as session:
        return rescheduling.move(
            session, staff, appointment, occurrence_from(at), new_start, now, zone, quiet
        )


def cancel(
    db: Database,
    staff: Scope,
    appointment: int,
    at: int | None,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
) -> Changed:
    """Cancel one occurrence (`at`), or the whole appointment or series (None)."""
    occurrence = occurrence_from(at) if at is not None else None
    with db.read() as session:
        return rescheduling.cancel(session, staff, appointment, occurrence, now, zone, quiet)
