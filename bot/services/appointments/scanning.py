"""A participant scans the location's QR code of the day: checked in from 30 minutes before
their appointment until it ends; a code of another day or place, or a made-up one, is refused."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.services.appointments import recurrence
from bot.services.appointments.attendance import CAME, _day_bounds, _upsert
from bot.services.errors import Refused, TooManyTries
from bot.services.people.onboarding import TRIES, TRIES_WINDOW
from bot.services.people.scope import Scope
from storage.models import (
    Appointment,
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    FailedStart,
    Location,
    Participant,
    ParticipantStatus,
)

CHECKIN = re.compile(r"^c(\d{1,9})_(\d{8})_([0-9a-f]{12})$", re.IGNORECASE)


GRACE = timedelta(minutes=10)  # scanning up to ten minutes after the start is on time


def _signature(location: Location, day: date) -> str:
    message = f"{location.id}:{day.strftime('%Y%m%d')}".encode()
    return hmac.new(location.checkin_secret.encode(), message, hashlib.sha256).hexdigest()[:12]


def checkin_payload(location: Location, day: date) -> str:
    """The /start payload of this place's QR code on this day (64 characters at most)."""
    return f"c{location.id}_{day.strftime('%Y%m%d')}_{_signature(location, day)}"


def checkin_locations(session: Session, mine: Scope) -> list[Location]:
    return list(
        session.scalars(
            select(Location)
            .where(Location.organisation_id == mine.organisation_id)
            .order_by(Location.name)
        )
    )


def checkin_location(session: Session, mine: Scope, location_id: int) -> Location:
    location = session.get(Location, location_id)
    if location is None or location.organisation_id != mine.organisation_id:
        raise Refused("unknown_location")
    return location


CHECKIN_EARLY = timedelta(minutes=30)  # a QR check-in opens this long before the start


UNTIMED = timedelta(hours=4)  # an appointment without an end lasts a half-day (dagdeel)


def _length(appointment: Appointment) -> timedelta:
    if appointment.ends_at is not None and appointment.ends_at > appointment.starts_at:
        return appointment.ends_at - appointment.starts_at
    return UNTIMED


@dataclass(frozen=True)
class CheckedIn:
    name: str
    place: str
    status: AttendanceStatus
    already: bool


def check_in(
    session: Session, chat_id: int, payload: str, now: datetime, zone: ZoneInfo
) -> CheckedIn | None:
    """A participant scanned a location's code: present (or late) at their occurrence there,
    from 30 minutes before it starts until it ends. None when the payload is no check-in code
    at all (then it may be an invite code). Refused for an old, made-up or foreign code (a
    made-up one counts as a wrong try, five lock the chat a while) or outside that time."""
    found = CHECKIN.match(payload)
    if found is None:
        return None
    try:
        return _check_in(session, chat_id, found, now, zone)
    except Refused as refused:
        if refused.reason == "checkin_unknown":  # a made-up code is a wrong try, as at /start
            with session.begin():
                session.add(FailedStart(chat_id=chat_id, at=now))
        raise


def _check_in(
    session: Session, chat_id: int, found: re.Match[str], now: datetime, zone: ZoneInfo
) -> CheckedIn:
    location_id, day_text, signature = int(found[1]), found[2], found[3].lower()
    today = now.astimezone(zone).date()
    with session.begin():
        tries = session.scalar(
            select(func.count())
            .select_from(FailedStart)
            .where(FailedStart.chat_id == chat_id, FailedStart.at > now - TRIES_WINDOW)
        )
        if (tries or 0) >= TRIES:
            raise TooManyTries(chat_id)
        location = session.get(Location, location_id)
        try:
            day = datetime.strptime(day_text, "%Y%m%d").date()
        except ValueError:
            day = None
        if (
            location is None
            or day is None
            or not hmac.compare_digest(_signature(location, day), signature)
        ):
            raise Refused("checkin_unknown")
        if day != today:
            raise Refused("checkin_old")
        person = session.scalars(select(Participant).where(Participant.chat_id == chat_id)).first()
        if (
            person is None
            or person.status != ParticipantStatus.ACTIVE
            or person.organisation_id != location.organisation_id
        ):
            raise Refused("checkin_not_linked")
        begin, end = _day_bounds(today, zone)
        candidates = [  # only while it is on: a forwarded photo does not make anyone present
            (start, appointment)
            for appointment in session.scalars(
                select(Appointment).where(
                    Appointment.participant_id == person.id,
                    Appointment.location_id == location.id,
                    Appointment.cancelled_at.is_(None),
                )
            )
            for start in recurrence.occurrences(appointment, begin, end, zone)
            if start - CHECKIN_EARLY <= now <= start + _length(appointment)
        ]
        if not candidates:
            raise Refused("checkin_not_now")
        start, appointment = min(candidates, key=lambda c: abs(c[0] - now))
        appointment_id = appointment.id
        earlier = session.scalars(
            select(Attendance).where(
                Attendance.participant_id == person.id, Attendance.occurrence_start == start
            )
        ).first()
        if earlier is not None and earlier.status in CAME:
            return CheckedIn(person.display_name or "", location.name, earlier.status, True)
        late = now > start + GRACE
        status = AttendanceStatus.LATE if late else AttendanceStatus.PRESENT
        _upsert(
            session,
            person,
            appointment_id,
            start,
            status,
            AttendanceSource.QR,
            now,
            zone,
            minutes_late=int((now - start).total_seconds() // 60) if late else None,
        )
        return CheckedIn(person.display_name or "", location.name, status, False)
