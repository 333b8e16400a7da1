"""Facts carry their year: when the current year has no amounts yet, the answers that quote
them go to the coach, and each organisation's admins hear it once, on the first working day
the bot notices, instead of participants being told last year's figures."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.content import AnswerBook
from bot.i18n import N_
from bot.services.coaching import alerts
from bot.services.coaching.digest import working_day
from storage.models import StaffMember, StaffRole

MISSING_AMOUNTS = N_(
    "The amounts of {year} are not in Wegwijzer yet (for example the volunteer allowance). "
    "Until they are added, I send questions about them to the coach instead of answering. "
    "Please add them to content/amounts.yaml, with their source."
)


def tell_admins_of_missing_amounts(
    session: Session, now: datetime, zone: ZoneInfo, book: AnswerBook
) -> int:
    """Queue the notice for every admin who has not had it this year; how many were queued."""
    today = now.astimezone(zone).date()
    if not working_day(today) or not book.missing_amounts(today):
        return 0
    told = 0
    with session.begin():
        for admin in session.scalars(
            select(StaffMember).where(StaffMember.role == StaffRole.ADMIN)
        ):
            key = f"amounts-missing:{today.year}:{admin.id}"
            told += alerts.tell_staff(session, now, admin, key, MISSING_AMOUNTS, year=today.year)
    return told
