"""Invite codes: what a /start payload points at, and making new unguessable codes."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.services.errors import InviteExpired, InviteUnknown
from nlu.normalise import ascii_digits
from storage import repositories as repo
from storage.models import Invite, InviteKind, Location, Organisation, StaffMember

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud and typed
_VALID = re.compile(r"^[A-Z0-9_-]{1,64}$")


@dataclass(frozen=True)
class InviteTarget:
    """Everything onboarding needs to know about a code, read once at /start."""

    code: str
    kind: InviteKind
    organisation_id: int
    organisation: str
    coach_id: int | None
    coach: str
    location_id: int | None
    participant_id: int | None
    staff_id: int | None


def normalise(code: str) -> str:
    """A code as we made it, whatever digits and case it was typed in."""
    return ascii_digits(code).strip().upper()


def new_code(length: int = 10) -> str:
    """About 50 bits from the OS's generator: unguessable, still short enough to type."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def resolve(session: Session, code: str, now: datetime) -> InviteTarget:
    """The organisation, coach and person a code stands for; raises if unknown or expired."""
    code = normalise(code)
    invite = repo.invite_by_code(session, code) if _VALID.match(code) else None
    if invite is None:
        raise InviteUnknown(code)
    if invite.expires_at is not None and invite.expires_at <= now:
        raise InviteExpired(code)
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        raise InviteExpired(code)
    organisation = session.get(Organisation, invite.organisation_id)
    assert organisation is not None
    coach = _coach_for(session, invite)
    return InviteTarget(
        code=code,
        kind=invite.kind,
        organisation_id=organisation.id,
        organisation=organisation.name,
        coach_id=coach.id if coach else None,
        coach=coach.name if coach else "",
        location_id=invite.location_id,
        participant_id=invite.participant_id,
        staff_id=invite.staff_id,
    )


def _coach_for(session: Session, invite: Invite) -> StaffMember | None:
    if invite.coach_id is not None:
        return session.get(StaffMember, invite.coach_id)
    if invite.location_id is not None:
        location = session.get(Location, invite.location_id)
        if location is not None and location.default_coach_id is not None:
            return session.get(StaffMember, location.default_coach_id)
    return repo.least_busy_coach(session, invite.organisation_id)


def create(
    session: Session,
    now: datetime,
    organisation_id: int,
    kind: InviteKind,
    *,
    code: str | None = None,
    valid_for: timedelta | None = timedelta(days=30),
    max_uses: int | None = None,
    location_id: int | None = None,
    coach_id: int | None = None,
    participant_id: int | None = None,
    staff_id: int | None = None,
) -> Invite:
    """Add an invite to the caller's transaction; personal and staff codes are single-use."""
    if kind in (InviteKind.PERSONAL, InviteKind.STAFF):
        max_uses = 1
    invite = Invite(
        code=normalise(code) if code else new_code(),
        kind=kind,
        organisation_id=organisation_id,
        location_id=location_id,
        coach_id=coach_id,
        participant_id=participant_id,
        staff_id=staff_id,
        expires_at=now + valid_for if valid_for else None,
        max_uses=max_uses,
        created_at=now,
    )
    session.add(invite)
    return invite
