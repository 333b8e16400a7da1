"""Use cases of the coach's day list (/vandaag) and the places' check-in codes (/qr). Each opens
its own transaction; the building blocks, which check the scope, are in `attendance`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.services.appointments import attendance, scanning
from bot.services.appointments.attendance import Expected
from bot.services.errors import Refused
from bot.services.people.scope import Scope
from storage.db import Database
from storage.models import AttendanceStatus


@dataclass(frozen=True)
class Group:
    """The people expected at one place and starting time, after a tap; `tapped` is the
    participant whose mark changed (None after "everyone present")."""

    members: tuple[Expected, ...]
    tapped: int | None = None


@dataclass(frozen=True)
class CheckinCode:
    """What today's QR code of a place says, and for which place and day."""

    payload: str
    place: str
    day: date


def expected(
    db: Database, staff: Scope, day: date, now: datetime, zone: ZoneInfo
) -> list[Expected]:
    """Who is expected on this local day; refused for a day still to come."""
    if day > now.astimezone(zone).date():
        raise Refused("not_yet")
    with db.read() as session:
        return attendance.expected_on(session, staff, day, zone)


def mark_one(
    db: Database,
    staff: Scope,
    appointment: int,
    at: int,
    status: Literal["present", "late", "absent"],
    now: datetime,
    zone: ZoneInfo,
) -> Group:
    """Record present, late or absent for one occurrence (`at`: its start in epoch seconds);
    returns that occurrence's group as it is now."""
    start = datetime.fromtimestamp(at, now.tzinfo)
    with db.read() as session:
        tapped = attendance.mark(
            session, staff, appointment, start, AttendanceStatus(status), now, zone
        )
        day = attendance.expected_on(session, staff, start.astimezone(zone).date(), zone)
    location = next(
        (e.location_id for e in day if e.participant_id == tapped and e.start == start), None
    )
    return Group(_members(day, start, location), tapped)


def mark_everyone(
    db: Database, staff: Scope, location: int | None, at: int, now: datetime, zone: ZoneInfo
) -> Group:
    """Everyone of this group not marked yet is present; returns the group as it is now."""
    start = datetime.fromtimestamp(at, now.tzinfo)
    with db.read() as session:
        attendance.everyone_present(session, staff, location, start, now, zone)
        day = attendance.expected_on(session, staff, start.astimezone(zone).date(), zone)
    return Group(_members(day, start, location))


def _members(day: list[Expected], start: datetime, location: int | None) -> tuple[Expected, ...]:
    return tuple(e for e in day if e.start == start and e.location_id == location)


def checkin_places(db: Database, staff: Scope) -> list[tuple[int, str]]:
    """The organisation's places that have a check-in code: (id, name), by name."""
    with db.read() as session, session.begin():
        return [(p.id, p.name) for p in scanning.checkin_locations(session, staff)]


def todays_code(
    db: Database, staff: Scope, location: int, now: datetime, zone: ZoneInfo
) -> CheckinCode:
    """Today's check-in code of a place of the organisation; refused for another's place."""
    today = now.astimezone(zone).date()
    with db.read() as session, session.begin():
        place = scanning.checkin_location(session, staff, location)
        return CheckinCode(scanning.checkin_payload(place, today), place.name, today)
