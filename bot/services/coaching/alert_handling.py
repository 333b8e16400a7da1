"""/meldingen as use cases: the coach's open alerts (each view audited), a tap that acts on
one, the "we miss you" texts and sending one, and the participant's answer under it. The
building blocks are in `inbox`; these open their own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.services.coaching import inbox
from bot.services.coaching.inbox import Item
from bot.services.people.scope import Scope
from storage.db import Database
from storage.models import Alert

SHOWN_KEPT = 5  # the inbox messages per alert that a reply can still answer


@dataclass(frozen=True)
class Inbox:
    """What /meldingen shows: the first open alerts, how many are open in all, and the names
    of participants who blocked the bot."""

    items: list[Item]
    total: int
    unreachable: list[str]


@dataclass(frozen=True)
class Acted:
    """An alert after the coach's tap; `snoozed_until` when it was snoozed."""

    item: Item
    snoozed_until: datetime | None = None


def remember_shown(session: Session, chat_id: int, shown: list[tuple[int, int]]) -> None:
    """Which Telegram message showed which alert in /meldingen, so a coach's reply to it is
    understood like a reply to the alert itself (the newest few are kept)."""
    with session.begin():
        for alert_id, message_id in shown:
            alert = session.get(Alert, alert_id)
            if alert is None:
                continue
            kept = [m for m in alert.detail.get("shown", []) if m != [chat_id, message_id]]
            alert.detail = {**alert.detail, "shown": [*kept, [chat_id, message_id]][-SHOWN_KEPT:]}


def open_alerts(db: Database, staff: Scope, now: datetime, limit: int = inbox.SHOWN) -> Inbox:
    """The open alerts in scope, urgent first then longest waiting (the views audited), and
    who is unreachable; `limit` is 20 for a chat message, more for the web app's board."""
    with db.write() as session:
        items, total = inbox.open_items(session, staff, now, limit)
        return Inbox(items, total, inbox.unreachable(session, staff))


def shown(db: Database, chat_id: int, messages: list[tuple[int, int]]) -> None:
    """Remember which message showed which alert (alert id, message id)."""
    with db.read() as session:
        remember_shown(session, chat_id, messages)


def act(db: Database, staff: Scope, alert_id: int, action: str, now: datetime) -> Acted:
    """I called them, snooze two days, or resolve."""
    with db.write() as session:
        item = inbox.act(session, staff, alert_id, action, now)
    return Acted(item, now + inbox.SNOOZE if action == "snooze" else None)


def miss_you_texts(db: Database, staff: Scope, alert_id: int) -> dict[str, str]:
    """The "we miss you" texts to choose from, in the coach's language, by their key."""
    with db.write() as session:
        return inbox.miss_you_preview(session, staff, alert_id)


def send_miss_you(db: Database, staff: Scope, alert_id: int, choice: str, now: datetime) -> str:
    """Send the chosen text to the alert's participant; their name."""
    with db.write() as session:
        person = inbox.miss_you(session, staff, alert_id, choice, now)
        return person.display_name or "?"


def miss_you_answered(
    db: Database, chat_id: int, alert_id: int, answer: str, now: datetime
) -> bool:
    """The participant's answer under "we miss you", told to their coach; False when the
    button is not theirs."""
    with db.write() as session:
        return inbox.answer_miss_you(session, chat_id, alert_id, answer, now)
