"""/berichten as use cases: the organisation's recent broadcasts with their delivery reports,
one refreshed, one cancelled or stopped; and a Telegram group made a broadcast target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.broadcast_texts import report_text
from bot.services.messaging import broadcast_flow, broadcasts
from bot.services.messaging.broadcasts import BroadcastRefused
from bot.services.people import groups
from storage.db import Database
from storage.models import BroadcastState


@dataclass(frozen=True)
class Followed:
    """One broadcast's delivery report, in the current language, and how it can be ended."""

    broadcast_id: int
    text: str
    ending: Literal["cancel", "stop"] | None  # cancel before it starts, stop while sending


def _followed(
    session: Session, broadcast_id: int, organisation_id: int, zone: ZoneInfo
) -> Followed:
    report = broadcasts.report(session, broadcast_id, organisation_id)
    state = report.state
    ending: Literal["cancel", "stop"] | None = (
        "cancel"
        if state == BroadcastState.SCHEDULED
        else "stop"
        if state == BroadcastState.SENDING
        else None
    )
    return Followed(report.broadcast_id, report_text(report, zone), ending)


def recent_reports(db: Database, organisation_id: int, zone: ZoneInfo) -> list[Followed]:
    """The organisation's recent broadcasts, newest first, each with its report."""
    with db.read() as session:
        recent = broadcasts.recent(session, organisation_id)
        return [_followed(session, item.id, organisation_id, zone) for item in recent]


def refreshed(db: Database, organisation_id: int, broadcast_id: int, zone: ZoneInfo) -> Followed:
    """One broadcast's report as it is now; refused for another organisation's."""
    with db.read() as session:
        return _followed(session, broadcast_id, organisation_id, zone)


def ended(
    db: Database,
    organisation_id: int,
    broadcast_id: int,
    now: datetime,
    zone: ZoneInfo,
    staff_id: int | None = None,
) -> Followed:
    """Cancel a scheduled broadcast or stop a running one, and its report after that."""
    with db.read() as session:
        broadcasts.cancel_or_stop(session, broadcast_id, organisation_id, now, staff_id)
        return _followed(session, broadcast_id, organisation_id, zone)


def understood(db: Database, broadcast_id: int, chat_id: int, now: datetime) -> bool:
    """A recipient pressed 👍; True the first time."""
    with db.read() as session:
        return broadcasts.acknowledge(session, broadcast_id, chat_id, now)


def connect_group(db: Database, user_id: int, chat_id: int, title: str, now: datetime) -> str:
    """/groep: a staff member makes this Telegram group a target of their organisation's
    broadcasts; the organisation's name, refused for anyone else."""
    with db.read() as session:
        organisation = groups.connect_chat(session, user_id, chat_id, title, now)
    if organisation is None:
        raise BroadcastRefused("not_staff")
    return organisation


def group_options(db: Database, organisation_id: int) -> list[dict[str, str]]:
    """The organisation's groups, as the /bericht flow's choices."""
    with db.read() as session:
        return broadcast_flow.group_options(session, organisation_id)
