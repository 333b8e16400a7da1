"""What the check-in clock starts: the next week's invitations planned as rows, and the due
ones (with reminders and expiry) moved to the outbox. Use cases with their own session."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.services.checkins import planning
from storage.db import Database


def plan(db: Database, now: datetime, zone: ZoneInfo, quiet: tuple[time, time]) -> int:
    """Plan every participant's next invitation; returns how many were added."""
    with db.read() as session:
        return planning.plan_all(session, now, zone, quiet)


def queue_due(db: Database, now: datetime) -> int:
    """Move due invitations and reminders to the outbox; returns how many were queued."""
    with db.read() as session:
        return planning.tick(session, now)
