"""Use cases of a participant answering a check-in: starting it (from /hoegaathet or ▶️ Start
under an invitation) and "not now". Each opens its own transaction; a closed invitation or a
chat that is not a participant comes back as a value, so the adapter can say which."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services import conversations
from bot.services.actions import Actor
from bot.services.checkins import invitations
from bot.services.checkins.invitations import InvitationClosed
from bot.services.conversations import Flows, Outcome
from bot.services.errors import NotAParticipant
from storage.db import Database

FLOW = "checkin"


@dataclass(frozen=True)
class Closed:
    """Why the check-in cannot start: "done", "expired", "unknown" or "not_connected"."""

    why: str


def start(
    db: Database,
    flows: Flows,
    chat_id: int,
    now: datetime,
    actor: Actor,
    invitation_id: int | None = None,
) -> Outcome | Closed:
    """Start the check-in flow with the domains chosen for this time: the tapped invitation's,
    else the open one's, else a weekly one of their own."""
    with db.read() as session:
        try:
            plan = invitations.begin(session, chat_id, now, invitation_id)
        except InvitationClosed as closed:
            return Closed(closed.why)
        except NotAParticipant:
            return Closed("not_connected")
        return conversations.begin(session, flows, chat_id, FLOW, plan.variables(), now, actor)


def later(db: Database, chat_id: int, invitation_id: int, now: datetime) -> bool | Closed:
    """ "Not now": True when a reminder will still come, False when this was the last ask."""
    with db.read() as session:
        try:
            return invitations.later(session, chat_id, invitation_id, now)
        except InvitationClosed as closed:
            return Closed(closed.why)
