"""Appointments as a participant sees them: the next occurrence, in local wall-clock time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.appointments.recurrence import next_in_rule, next_start, occurrences
from bot.services.people.identity import who_is
from storage.db import Database
from storage.models import Appointment, AppointmentKind, Location, Participant


@dataclass(frozen=True)
class Occurrence:
    appointment_id: int | None
    kind: AppointmentKind | None  # None: the location's opening, not an appointment
    starts_at: datetime
    place: str
    address: str


def next_opening(
    session: Session, participant_id: int, now: datetime, zone: ZoneInfo
) -> Occurrence | None:
    """When the participant's location is next open: for people without appointments yet."""
    with session.begin():
        participant = session.get(Participant, participant_id)
        location = participant.location if participant else None
        if location is None or not location.opening_rrule:
            return None
        start = next_in_rule(location.opening_rrule, None, now, zone)
        if start is None:
            return None
        return Occurrence(None, None, start, location.name, location.address)


def next_appointment(
    session: Session, participant_id: int, now: datetime, zone: ZoneInfo
) -> Occurrence | None:
    """The participant's soonest coming appointment, or None."""
    with session.begin():
        rows = session.scalars(
            select(Appointment).where(
                Appointment.participant_id == participant_id, Appointment.cancelled_at.is_(None)
            )
        )
        soonest: tuple[datetime, Appointment] | None = None
        for appointment in rows:
            start = next_start(appointment, now, zone)
            if start is not None and (soonest is None or start < soonest[0]):
                soonest = (start, appointment)
        if soonest is None:
            return None
        start, appointment = soonest
        location = (
            session.get(Location, appointment.location_id) if appointment.location_id else None
        )
        return Occurrence(
            appointment.id,
            appointment.kind,
            start,
            location.name if location else "",
            location.address if location else "",
        )


def coming(
    session: Session,
    participant_id: int,
    now: datetime,
    zone: ZoneInfo,
    days: int = 28,
    limit: int = 6,
) -> list[Occurrence]:
    """The participant's next occurrences, soonest first (for /afspraken and questions)."""
    with session.begin():
        found: list[Occurrence] = []
        rows = session.scalars(
            select(Appointment).where(
                Appointment.participant_id == participant_id, Appointment.cancelled_at.is_(None)
            )
        )
        for appointment in rows:
            location = session.get(Location, appointment.location_id or -1)
            for start in occurrences(appointment, now, now + timedelta(days=days), zone):
                found.append(
                    Occurrence(
                        appointment.id,
                        appointment.kind,
                        start,
                        location.name if location else "",
                        location.address if location else "",
                    )
                )
        return sorted(found, key=lambda o: o.starts_at)[:limit]


def next_for_chat(db: Database, chat_id: int, now: datetime, zone: ZoneInfo) -> Occurrence | None:
    """Where the participant of this chat is expected next: their soonest appointment, else
    their location's next opening; None when the chat is not linked or nothing is coming."""
    with db.read() as session:
        with session.begin():
            identity = who_is(session, chat_id)
        if not identity.linked or identity.id is None:
            return None
        found = next_appointment(session, identity.id, now, zone)
        return found if found is not None else next_opening(session, identity.id, now, zone)


def coming_of(db: Database, participant_id: int, now: datetime, zone: ZoneInfo) -> list[Occurrence]:
    """`coming` as a use case: the participant's appointments of the coming four weeks."""
    with db.read() as session:
        return coming(session, participant_id, now, zone)
