"""Messages to one person, queued in the outbox in their own language: the single place that
knows who may still get a message (not after /stop, a block, or leaving) and how such a row
looks. Services that tell a participant something call `tell`; a message to a coach or an
admin is built by `staff_message`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.i18n import _, use_locale
from bot.services.messaging import outbox
from storage.models import (
    PRIORITY_ALERT,
    PRIORITY_PERSONAL,
    OutboxKind,
    Participant,
    ParticipantStatus,
    StaffMember,
)


def reachable(person: Participant) -> bool:
    """Someone who used /stop, blocked the bot or left gets no messages about appointments."""
    return (
        person.chat_id is not None
        and person.status == ParticipantStatus.ACTIVE
        and person.stopped_at is None
        and person.unreachable_at is None
    )


def tell(
    session: Session,
    person: Participant,
    key: str,
    now: datetime,
    msgid: str,
    buttons: list[list[dict[str, str]]] | None = None,
    **params: object,
) -> bool:
    """One message to the participant in their own language (none after /stop or a block);
    the key makes it once only. Returns whether it was queued."""
    if not reachable(person):
        return False
    assert person.chat_id is not None
    with use_locale(person.language or "nl"):
        text = _(msgid, **params)
    outbox.enqueue_many(
        session,
        [
            outbox.message(
                now,
                key=key,
                chat_id=person.chat_id,
                text=text,
                kind=OutboxKind.REMINDER,
                priority=PRIORITY_PERSONAL,
                buttons=buttons,
                participant_id=person.id,
                organisation_id=person.organisation_id,
                language=person.language,
            )
        ],
    )
    return True


def staff_message(
    now: datetime,
    key: str,
    staff: StaffMember,
    text: str,
    participant: Participant | None = None,
    buttons: list[Any] | None = None,
    priority: int = PRIORITY_ALERT,
) -> dict[str, Any]:
    """The outbox row of a message to a coach or admin, in their language, about a participant
    (or about nobody in particular, as the morning digest)."""
    return outbox.message(
        now,
        key=key,
        chat_id=staff.chat_id,
        text=text,
        buttons=buttons,
        kind=OutboxKind.ALERT,
        priority=priority,
        staff_id=staff.id,
        organisation_id=staff.organisation_id,
        participant_id=participant.id if participant else None,
        language=staff.language,
    )
