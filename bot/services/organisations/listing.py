"""What an admin's set-up pages list: the organisation's locations, groups and programmes and
whom a location can have as its default coach. Read-only, always within one organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bot.services.errors import Refused
from bot.services.organisations.checks import opening_parts
from storage.db import Database
from storage.models import Group, Location, Programme, StaffMember


@dataclass(frozen=True)
class LocationLine:
    location_id: int
    name: str
    address: str
    first: datetime | None  # walk-in hours: from this local wall-clock time …
    weekdays: tuple[int, ...]  # … on these days (0 is Monday); empty with `first`: another rule
    opening: str  # as typed in the form, to change it
    coach: str  # the default coach's name, or ""


@dataclass(frozen=True)
class GroupLine:
    group_id: int
    name: str
    kind: str
    location: str
    phase: str
    language: str


def locations(db: Database, organisation_id: int) -> list[LocationLine]:
    """The organisation's locations by name."""
    with db.read() as session:
        rows = session.execute(
            select(Location, StaffMember.name)
            .outerjoin(StaffMember, StaffMember.id == Location.default_coach_id)
            .where(Location.organisation_id == organisation_id)
            .order_by(func.lower(Location.name), Location.id)
        ).all()
        found = []
        for place, coach in rows:
            first, days, text = opening_parts(place.opening_rrule)
            found.append(
                LocationLine(place.id, place.name, place.address, first, days, text, coach or "")
            )
        return found


def location(db: Database, organisation_id: int, location_id: int) -> LocationLine:
    """One location of this organisation; another organisation's is nobody's (no name)."""
    for line in locations(db, organisation_id):
        if line.location_id == location_id:
            return line
    raise Refused("unknown_location")


def groups(db: Database, organisation_id: int) -> list[GroupLine]:
    """The organisation's groups by name, with what decides who is in them."""
    with db.read() as session:
        rows = session.execute(
            select(Group, Location.name)
            .outerjoin(Location, Location.id == Group.location_id)
            .where(Group.organisation_id == organisation_id)
            .order_by(func.lower(Group.name), Group.id)
        ).all()
        return [
            GroupLine(
                g.id,
                g.name,
                g.kind.value,
                place or "",
                g.phase.value if g.phase else "",
                g.language or "",
            )
            for g, place in rows
        ]


def programmes(db: Database, organisation_id: int) -> list[tuple[str, str]]:
    """The organisation's programmes (short name, name), by name."""
    with db.read() as session:
        return [
            (slug, name)
            for slug, name in session.execute(
                select(Programme.slug, Programme.name)
                .where(Programme.organisation_id == organisation_id)
                .order_by(func.lower(Programme.name))
            )
        ]


def staff_names(db: Database, organisation_id: int) -> list[str]:
    """Who can be a location's default coach: the present staff, by name."""
    with db.read() as session:
        return list(
            session.scalars(
                select(StaffMember.name)
                .where(
                    StaffMember.organisation_id == organisation_id,
                    StaffMember.removed_at.is_(None),
                )
                .order_by(func.lower(StaffMember.name))
            )
        )
