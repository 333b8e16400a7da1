"""Groups: connecting a Telegram group chat to an organisation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import audit
from storage import repositories as repo
from storage.models import Group, GroupKind


def connect_chat(
    session: Session, user_id: int, chat_id: int, title: str, now: datetime | None = None
) -> str | None:
    """Make a Telegram group a target of the staff member's organisation.

    Staff are known by their private chat, whose id is their user id. Returns the
    organisation's name, or None when the person is not staff."""
    with session.begin():
        staff = repo.staff_by_chat(session, user_id)
        if staff is None:
            return None
        group = session.scalars(select(Group).where(Group.telegram_chat_id == chat_id)).first()
        if group is None:
            group = Group(
                organisation_id=staff.organisation_id,
                name=title[:200],
                kind=GroupKind.CUSTOM,
                telegram_chat_id=chat_id,
            )
            session.add(group)
        elif group.organisation_id != staff.organisation_id:
            return None
        group.name = title[:200]
        if now is not None:
            audit.record(
                session, now, "group_connected", staff_id=staff.id, actor="staff", chat_id=chat_id
            )
        return staff.organisation.name
