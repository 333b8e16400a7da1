"""What the reminder clock starts: due reminders to the outbox, and the window of
materialised reminders pushed forward. Use cases with their own session (the building blocks
in `reminders` commit batch by batch)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.services.appointments import reminders
from storage.db import Database


def queue_due(db: Database, now: datetime, zone: ZoneInfo, quiet: tuple[time, time]) -> int:
    """Move due reminders to the outbox; returns how many were queued."""
    with db.read() as session:
        return reminders.tick(session, now, zone, quiet)


def extend(db: Database, now: datetime, zone: ZoneInfo, quiet: tuple[time, time]) -> int:
    """Materialise reminders up to two weeks ahead for every active appointment."""
    with db.read() as session:
        return reminders.extend_all(session, now, zone, quiet)
