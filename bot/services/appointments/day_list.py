"""Use cases of the coach's day list (/vandaag, and the web's attendance sheet) and the places'
check-in codes (/qr). Each opens its own transaction; the building blocks, which check the
scope, are in `attendance`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.services import audit
from bot.services.appointments import attendance, scanning
from bot.services.appointments.attendance import Expected
from bot.services.audit import Correction
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
class Row:
    """One person expected at one occurrence, and the latest correction of their mark."""

    expected: Expected
    correction: Correction | None = None

    @property
    def at(self) -> int:
        """The occurrence's start in epoch seconds, as the buttons carry it."""
        return int(self.expected.start.timestamp())


@dataclass(frozen=True)
class Place:
    """The rows of one place, in time order."""

    name: str  # empty: the appointment has no place
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Sheet:
    """A day's attendance per place; marks can be set from the day itself on."""

    day: date
    today: date
    places: tuple[Place, ...]

    @property
    def markable(self) -> bool:
        return self.day <= self.today

    @property
    def previous(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def following(self) -> date:
        return self.day + timedelta(days=1)


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
    status: Literal["present", "late", "excused", "absent"],
    now: datetime,
    zone: ZoneInfo,
) -> Group:
    """Record present, late, excused or absent for one occurrence (`at`: its start in epoch
    seconds); returns that occurrence's group as it is now."""
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


def _since(day: date, zone: ZoneInfo) -> datetime:
    """Corrections of a day's marks come on the day or later (no mark is set before it)."""
    return datetime.combine(day, time(0), tzinfo=zone)


def sheet(db: Database, staff: Scope, day: date, now: datetime, zone: ZoneInfo) -> Sheet:
    """Who is expected on this local day, per place in time order, with their marks and
    corrections (a day still to come can be looked at, not marked). Showing it is an audited
    view of each person on it, as the caseload table is."""
    with db.read() as session:
        found = attendance.expected_on(session, staff, day, zone)
        people = sorted({item.participant_id for item in found})
        with session.begin():
            fixes = audit.corrections(session, people, _since(day, zone))
            viewed = [(person, {"day": day.isoformat()}) for person in people]
            audit.record_many(session, now, "attendance_viewed", viewed, staff_id=staff.staff_id)
    places: dict[str, list[Row]] = {}
    for item in sorted(found, key=lambda e: (e.start, e.name.lower(), e.participant_id)):
        row = Row(item, fixes.get((item.participant_id, item.start)))
        places.setdefault(item.location, []).append(row)
    return Sheet(
        day,
        now.astimezone(zone).date(),
        tuple(Place(name, tuple(rows)) for name, rows in sorted(places.items(), key=_place_order)),
    )


def _place_order(item: tuple[str, list[Row]]) -> tuple[bool, str]:
    return (item[0] == "", item[0].lower())


def mark_row(
    db: Database,
    staff: Scope,
    appointment: int,
    at: int,
    status: Literal["present", "excused", "absent"],
    now: datetime,
    zone: ZoneInfo,
) -> Row | None:
    """A mark from the attendance sheet (as /vandaag's: the participant's rules run at once);
    a changed mark is a correction, in the audit trail. The row as it is now (None: the
    person is no longer on the sheet)."""
    group = mark_one(db, staff, appointment, at, status, now, zone)
    item = next((e for e in group.members if e.participant_id == group.tapped), None)
    if item is None:
        return None
    since = _since(item.start.astimezone(zone).date(), zone)
    with db.read() as session, session.begin():
        fixes = audit.corrections(session, [item.participant_id], since)
    return Row(item, fixes.get((item.participant_id, item.start)))


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
