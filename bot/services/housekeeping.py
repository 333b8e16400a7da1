"""Tidy-up use cases that keep tables small, and the erasure after the retention period."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.people import onboarding, privacy
from bot.services.updates import forget_old
from storage.db import Database


def forget_old_updates(db: Database, now: datetime) -> int:
    """Drop update ids Telegram can no longer redeliver, and old failed starts; returns how
    many update ids went."""
    with db.read() as session:
        removed = forget_old(session, now)
        onboarding.forget_failed_starts(session, now)
    return removed


def erase_after_retention(db: Database, now: datetime, zone: ZoneInfo, months: int) -> int:
    """Erase the data of people who left more than `months` ago; returns how many."""
    with db.read() as session:
        return privacy.retention(session, now, zone, months)
