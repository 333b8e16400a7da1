"""Whether a participant can get our messages, as Telegram tells us (blocked, unblocked): use
cases with their own session over the building blocks in `alerts`."""

from __future__ import annotations

from datetime import datetime

from bot.services.coaching import alerts
from storage.db import Database


def blocked(db: Database, chat_id: int, now: datetime) -> bool:
    """The chat blocked the bot: unreachable, bulk cancelled, the coach told once. False when
    the chat is no participant of ours."""
    with db.read() as session:
        return alerts.participant_blocked(session, chat_id, now)


def unblocked(db: Database, chat_id: int, now: datetime) -> None:
    """The chat unblocked the bot: reachable again, the "unreachable" alert closed."""
    with db.read() as session:
        alerts.reachable_again(session, chat_id, now)
