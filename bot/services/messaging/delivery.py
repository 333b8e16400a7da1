"""The sender's use cases: claim due messages, record each outcome, requeue what a stopped
sender left, start due broadcasts. Each opens its own session over the building blocks in
`outbox` (which commit), so the sender never holds one."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.coaching import alerts
from bot.services.messaging import broadcasts, outbox
from bot.services.messaging.outbox import Claimed
from storage.db import Database


def recover(db: Database, now: datetime, lease: timedelta) -> int:
    """Queue again what a dead sender left in flight longer than `lease`; returns how many."""
    with db.read() as session:
        return outbox.recover(session, now, lease)


def start_due_broadcasts(
    db: Database, now: datetime, zone: ZoneInfo, quiet: tuple[time, time]
) -> list[int]:
    """Broadcasts whose time has come become outbox rows; returns their ids."""
    with db.read() as session:
        return broadcasts.materialise_due(session, now, zone, quiet)


def claim(
    db: Database,
    sender: str,
    now: datetime,
    limit: int,
    zone: ZoneInfo,
    quiet: tuple[time, time],
    only_chat: int | None = None,
) -> list[Claimed]:
    """Up to `limit` due messages for this sender, most urgent first; during the quiet hours
    only those that need not respect them."""
    during_quiet = outbox.is_quiet(now, zone, quiet)
    with db.read() as session:
        return outbox.claim(session, sender, now, limit, during_quiet, only_chat)


def sent(db: Database, outbox_id: int, message_id: int, now: datetime) -> None:
    """Delivered (or edited): remember Telegram's message id."""
    with db.read() as session:
        outbox.mark_sent(session, outbox_id, message_id, now)


def failed(db: Database, outbox_id: int, error: str) -> None:
    """Telegram refused it for good."""
    with db.read() as session:
        outbox.mark_failed(session, outbox_id, error)


def blocked(db: Database, outbox_id: int, chat_id: int, error: str, now: datetime) -> None:
    """The chat blocked the bot: this message blocked, the participant unreachable."""
    with db.read() as session:
        outbox.mark_blocked(session, outbox_id, error)
        alerts.participant_blocked(session, chat_id, now)


def moved(db: Database, item: Claimed, new_chat_id: int) -> None:
    """The group became a supergroup: its new id remembered, the message queued again there."""
    with db.read() as session:
        outbox.moved(session, item, new_chat_id)


def retry_later(db: Database, item: Claimed, error: str, at: datetime, max_attempts: int) -> bool:
    """Queue again for `at`, unless the attempts are used up (then failed). True if requeued."""
    with db.read() as session:
        return outbox.retry_later(session, item, error, at, max_attempts)
