"""Use cases around a proposed new time: the coach starts proposing one under a "cannot come"
alert, and the participant answers it with one tap. Each opens its own transaction; the
building blocks are in `rescheduling`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.services.appointments import proposing
from bot.services.appointments.proposing import ProposalAnswer, ProposalClosed
from bot.services.people.scope import Scope
from storage.db import Database


@dataclass(frozen=True)
class Closed:
    """Why the proposal cannot be answered: "answered", "withdrawn", "passed" or "unknown"."""

    why: str


def answer(
    db: Database,
    chat_id: int,
    proposal: int,
    accepted: bool,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
) -> ProposalAnswer | Closed:
    """The participant's one tap on a proposed time (see `proposing.answer_proposal`)."""
    with db.read() as session:
        try:
            return proposing.answer_proposal(session, chat_id, proposal, accepted, now, zone, quiet)
        except ProposalClosed as closed:
            return Closed(closed.why)


def start_proposing(db: Database, staff: Scope, alert: int) -> dict[str, object]:
    """What the coach's "new time" flow starts with under this alert; refused when the alert
    is not a "cannot come" of someone in scope (`proposing.proposal_start` checks)."""
    with db.read() as session:
        return proposing.proposal_start(session, staff, alert)
