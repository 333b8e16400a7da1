"""A coach answering a participant's question, as use cases: a reply in their own words, one of
the organisation's answers (📄), or the topic noted (🏷). Each opens its own transaction and
returns plain values; the building blocks are in `questions`."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.content import AnswerBook
from bot.services.coaching import replies
from storage.db import Database


def reply(
    db: Database, coach_chat: int, replied_to: int, text: str, now: datetime
) -> tuple[str, int | None]:
    """The coach replied to a question (its alert, or its message in /meldingen): the answer
    goes to the participant. Their name, and the alert, to offer noting its topic."""
    with db.read() as session:
        name = replies.answer(session, coach_chat, replied_to, text, now)
        return name, replies.alert_replied(session, coach_chat, replied_to)


def topics(
    db: Database, coach_chat: int, alert_id: int, book: AnswerBook
) -> list[tuple[str, bool]]:
    """Every topic, and whether the organisation has an answer about it (those first)."""
    with db.read() as session:
        return replies.topics_for(session, coach_chat, alert_id, book)


def send_topic_answer(
    db: Database,
    coach_chat: int,
    alert_id: int,
    topic: str,
    book: AnswerBook,
    now: datetime,
    zone: ZoneInfo,
) -> str:
    """📄 The organisation's answer about `topic` goes to the participant, in their language;
    their name."""
    with db.read() as session:
        return replies.send_answer(
            session, coach_chat, alert_id, topic, book, now, now.astimezone(zone).date()
        )


def note_topic(db: Database, coach_chat: int, alert_id: int, topic: str, now: datetime) -> str:
    """🏷 The question was about `topic` (for `wegwijzer nlu review`); the participant's name."""
    with db.read() as session:
        return replies.mark(session, coach_chat, alert_id, topic, now)
