"""What the chat's front door needs, each in its own transaction: claim an update and see who
writes, notice someone is reachable again, stop or resume messages, and start with a code (a
check-in QR code, a staff code, or a participant's invite that begins onboarding)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services import conversations
from bot.services.actions import Actor
from bot.services.appointments import scanning
from bot.services.appointments.scanning import CheckedIn
from bot.services.coaching import alerts
from bot.services.conversations import Flows, Outcome
from bot.services.people import identity, onboarding
from bot.services.people.identity import Identity
from storage.db import Database
from storage.models import InviteKind


@dataclass(frozen=True)
class StaffWelcome:
    """A staff code was used: this chat is now the staff member's."""

    name: str
    organisation: str


def arrive(db: Database, update_id: int, chat_id: int | None, now: datetime) -> Identity | None:
    """Claim an update and look up its private chat; None for an update seen before."""
    with db.read() as session:
        return identity.arrive(session, update_id, chat_id, now)


def who_is(db: Database, chat_id: int) -> Identity:
    with db.write() as session:
        return identity.who_is(session, chat_id)


def reachable_again(db: Database, chat_id: int, now: datetime) -> None:
    """They wrote, so they did not block the bot after all."""
    with db.read() as session:
        alerts.reachable_again(session, chat_id, now)


def set_stopped(db: Database, chat_id: int, stopped: bool, now: datetime) -> bool:
    """/stop, or writing again after it; NotAParticipant for a chat that is no participant."""
    with db.read() as session:
        return onboarding.set_stopped(session, chat_id, stopped, now)


def check_in(
    db: Database, chat_id: int, payload: str, now: datetime, zone: ZoneInfo
) -> CheckedIn | None:
    """A /start payload that is a location's QR code of the day; None when it is not one."""
    with db.read() as session:
        return scanning.check_in(session, chat_id, payload, now, zone)


def start_with_code(
    db: Database, flows: Flows, chat_id: int, code: str, now: datetime, actor: Actor
) -> StaffWelcome | Outcome:
    """An invite code: a staff member is linked at once; a participant starts onboarding."""
    with db.read() as session:
        target = onboarding.check_can_start(session, chat_id, code, now)
        if target.kind == InviteKind.STAFF:
            staff = onboarding.link_staff(session, chat_id, code, now)
            return StaffWelcome(staff.name, target.organisation)
        variables = {
            "organisation": target.organisation,
            "coach": target.coach,
            "code": target.code,
        }
        return conversations.begin(session, flows, chat_id, "onboarding", variables, now, actor)
