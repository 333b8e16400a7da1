"""The coaching work the clock starts: the disengagement scan, the morning digest and the
escalation of urgent alerts. Use cases with their own sessions (the building blocks commit)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.content import AnswerBook
from bot.services import facts
from bot.services.coaching import digest, disengagement, unanswered
from storage.db import Database


def scan_disengagement(db: Database, now: datetime, zone: ZoneInfo) -> int:
    """Check every active participant; returns how many new alerts were raised."""
    with db.read() as session:
        return disengagement.run(session, now, zone)


def morning_digest(
    db: Database, now: datetime, zone: ZoneInfo, book: AnswerBook
) -> tuple[int, int]:
    """Each coach's digest, the admins told of missing amounts, and each unanswered question
    shown to its coach once more; returns (digests, questions reminded)."""
    with db.read() as session:
        digests = digest.send_digests(session, now, zone)
    with db.read() as session:  # a year without its amounts: tell admins
        facts.tell_admins_of_missing_amounts(session, now, zone, book)
    with db.read() as session:  # and each question nobody answered yet
        return digests, unanswered.remind_unanswered(session, now, zone, book)


def escalate_urgent(db: Database, now: datetime, zone: ZoneInfo) -> int:
    """Urgent alerts nobody picked up in four working hours go to the organisation's staff."""
    with db.read() as session:
        return digest.escalate(session, now, zone)
