"""An organisation's staff: who they are, the one-use code that connects a new staff member's
Telegram, who is an admin, and who leaves. The rules live here once, for the command line (by
name) and the web pages (by number, within the admin's own organisation): an organisation
always keeps an admin, and nobody leaves while they still coach someone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.services import audit
from bot.services.errors import Refused
from bot.services.organisations import checks
from bot.services.people import codes
from storage.db import Database
from storage.models import (
    InviteKind,
    Organisation,
    Participant,
    ParticipantStatus,
    StaffMember,
    StaffRole,
    WebLogin,
    WebSession,
)

STAFF_CODE_VALID = timedelta(days=14)
COACHED = (ParticipantStatus.ACTIVE, ParticipantStatus.INVITED)


@dataclass(frozen=True)
class StaffCode:
    name: str
    admin: bool
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class StaffLine:
    """One row of the staff list."""

    staff_id: int
    name: str
    admin: bool
    participants: int
    linked: bool  # their Telegram chat is connected
    last_login: datetime | None


def _actor(by: int | None) -> str:
    return "staff" if by else "system"


def invite(
    session: Session, org: Organisation, name: str, admin: bool, now: datetime, by: int | None
) -> StaffCode:
    """A staff member, and the one-use code that connects their Telegram chat (14 days)."""
    staff = StaffMember(
        organisation_id=org.id,
        name=checks.name(name),
        role=StaffRole.ADMIN if admin else StaffRole.COACH,
        language=org.default_language,
        created_at=now,
    )
    session.add(staff)
    session.flush()
    made = codes.create(
        session, now, org.id, InviteKind.STAFF, staff_id=staff.id, valid_for=STAFF_CODE_VALID
    )
    audit.record(session, now, "staff_invited", staff_id=staff.id, actor=_actor(by), by=by)
    assert made.expires_at is not None
    return StaffCode(staff.name, admin, made.code, made.expires_at)


def coached(session: Session, staff_id: int) -> int:
    """How many participants this staff member coaches now."""
    return int(
        session.scalar(
            select(func.count(Participant.id)).where(
                Participant.coach_id == staff_id, Participant.status.in_(COACHED)
            )
        )
        or 0
    )


def _admins(session: Session, organisation_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(StaffMember.id)).where(
                StaffMember.organisation_id == organisation_id,
                StaffMember.role == StaffRole.ADMIN,
                StaffMember.removed_at.is_(None),
            )
        )
        or 0
    )


def _keeps_an_admin(session: Session, staff: StaffMember) -> None:
    """Refused when this staff member is the organisation's last admin. The organisation's row
    is locked first, so two admins demoting each other at once cannot both succeed."""
    session.execute(
        select(Organisation.id).where(Organisation.id == staff.organisation_id).with_for_update()
    )
    if staff.role == StaffRole.ADMIN and _admins(session, staff.organisation_id) <= 1:
        raise Refused("last_admin", name=staff.name)


def retire(session: Session, staff: StaffMember, now: datetime, by: int | None) -> str:
    """A staff member leaves: their Telegram chat is no staff chat any more, their web sessions
    and unused login links end at once. Refused while they still coach someone (hand those
    over first, so nobody is left without a coach) or are the last admin; the row stays for
    the audit trail."""
    n = coached(session, staff.id)
    if n:
        raise Refused("still_coaching", name=staff.name, n=n)
    _keeps_an_admin(session, staff)
    staff.removed_at, staff.chat_id = now, None
    session.execute(
        update(WebSession)
        .where(WebSession.staff_id == staff.id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    session.execute(
        delete(WebLogin).where(WebLogin.staff_id == staff.id, WebLogin.used_at.is_(None))
    )
    audit.record(session, now, "staff_removed", staff_id=staff.id, actor=_actor(by), by=by)
    return staff.name


def make_admin(
    session: Session, staff: StaffMember, admin: bool, now: datetime, by: int | None
) -> str:
    """An admin may act on the whole organisation; a coach on their own participants. The last
    admin stays one, also when they try it on themselves."""
    if not admin:
        _keeps_an_admin(session, staff)
    old = staff.role
    staff.role = StaffRole.ADMIN if admin else StaffRole.COACH
    if old != staff.role:
        audit.record(
            session,
            now,
            "staff_role_changed",
            staff_id=staff.id,
            actor=_actor(by),
            by=by,
            old=old.value,
            new=staff.role.value,
        )
    return staff.name


def _member(session: Session, organisation_id: int, staff_id: int) -> StaffMember:
    """A present staff member of this organisation; anyone else is nobody (no name said)."""
    staff = session.get(StaffMember, staff_id)
    if staff is None or staff.organisation_id != organisation_id or staff.removed_at is not None:
        raise Refused("no_such_staff")
    return staff


def roster(db: Database, organisation_id: int) -> list[StaffLine]:
    """The organisation's present staff by name, with their caseload and last web login."""
    with db.read() as session:
        counts: dict[int | None, int] = {
            coach: n
            for coach, n in session.execute(
                select(Participant.coach_id, func.count(Participant.id))
                .where(
                    Participant.organisation_id == organisation_id,
                    Participant.status.in_(COACHED),
                )
                .group_by(Participant.coach_id)
            )
        }
        logins: dict[int, datetime] = {
            staff_id: at
            for staff_id, at in session.execute(
                select(WebSession.staff_id, func.max(WebSession.created_at))
                .join(StaffMember, StaffMember.id == WebSession.staff_id)
                .where(StaffMember.organisation_id == organisation_id)
                .group_by(WebSession.staff_id)
            )
        }
        staff = session.scalars(
            select(StaffMember)
            .where(StaffMember.organisation_id == organisation_id, StaffMember.removed_at.is_(None))
            .order_by(func.lower(StaffMember.name), StaffMember.id)
        )
        return [
            StaffLine(
                s.id,
                s.name,
                s.role == StaffRole.ADMIN,
                int(counts.get(s.id, 0)),
                s.chat_id is not None,
                logins.get(s.id),
            )
            for s in staff
        ]


def member(db: Database, organisation_id: int, staff_id: int) -> StaffLine:
    """One staff member's row (the confirm page before they leave)."""
    for line in roster(db, organisation_id):
        if line.staff_id == staff_id:
            return line
    raise Refused("no_such_staff")


def invite_member(
    db: Database, organisation_id: int, name: str, admin: bool, now: datetime, by: int
) -> StaffCode:
    """An admin invites a colleague to their own organisation."""
    with db.write() as session:
        org = session.get(Organisation, organisation_id)
        if org is None:
            raise Refused("no_such_staff")
        return invite(session, org, name, admin, now, by)


def remove_member(db: Database, organisation_id: int, staff_id: int, now: datetime, by: int) -> str:
    """An admin ends a colleague's access (see `retire`)."""
    with db.write() as session:
        return retire(session, _member(session, organisation_id, staff_id), now, by)


def set_admin(
    db: Database, organisation_id: int, staff_id: int, admin: bool, now: datetime, by: int
) -> str:
    """An admin makes a colleague (or themselves) an admin or a coach (see `make_admin`)."""
    with db.write() as session:
        return make_admin(session, _member(session, organisation_id, staff_id), admin, now, by)
