"""The outbox: every proactive message is a row before it is sent, and its fate is recorded.

States: queued → sending (claimed by one sender, committed before the request goes out) →
sent | queued again (retry) | failed | blocked; cancelled by people or by a stop.
A crash can leave rows in `sending`: they were on the wire, or about to be. `recover` queues
them again after a lease, so such a message may arrive twice but is never lost; at most the
sender's concurrency can be in that state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import PRIORITY_BULK, Group, Outbox, OutboxKind, OutboxState, table_of

_COLUMNS = (
    Outbox.id,
    Outbox.chat_id,
    Outbox.text,
    Outbox.buttons,
    Outbox.priority,
    Outbox.kind,
    Outbox.participant_id,
    Outbox.group_id,
    Outbox.attempts,
    Outbox.telegram_message_id,
)


@dataclass(frozen=True)
class Claimed:
    id: int
    chat_id: int
    text: str
    buttons: list[Any] | None
    priority: int
    kind: OutboxKind
    participant_id: int | None
    group_id: int | None
    attempts: int
    edits: int | None = None  # queued with a message id: a new text for that sent message

    @property
    def bulk(self) -> bool:
        return self.priority >= PRIORITY_BULK


def enqueue_many(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert messages in the caller's transaction; a key seen before is skipped. Returns new."""
    if not rows:
        return 0
    return insert_ignoring_duplicates(session, Outbox, rows, ["idempotency_key"])


def insert_ignoring_duplicates(
    session: Session, model: type, rows: list[dict[str, Any]], conflict: list[str] | None = None
) -> int:
    """Many rows in one executemany (one compiled statement, batched by SQLAlchemy);
    rows that clash with a unique key are skipped. Returns how many were new."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = table_of(model)
    statement = insert(table).on_conflict_do_nothing(index_elements=conflict)
    result = session.connection().execute(statement.returning(table.c.id), rows)
    return len(result.all())


def message(
    now: datetime,
    *,
    key: str,
    chat_id: int | None,
    text: str,
    kind: OutboxKind,
    priority: int,
    not_before: datetime | None = None,
    buttons: list[Any] | None = None,
    respect_quiet_hours: bool = False,
    **links: Any,
) -> dict[str, Any]:
    """One outbox row as a dict for `enqueue_many`; `links` are participant_id, broadcast_id…"""
    if chat_id is None:  # the callers choose people with a chat; never a row without one
        raise ValueError(f"a message for {key!r} has no chat")
    if not text.strip() or len(text) > 4096:
        raise ValueError("a Telegram message has 1 to 4,096 characters")
    return {
        "idempotency_key": key,
        "chat_id": chat_id,
        "text": text,
        "kind": kind,
        "priority": priority,
        "not_before": not_before or now,
        "buttons": buttons,
        "respect_quiet_hours": respect_quiet_hours,
        "state": OutboxState.QUEUED,
        "attempts": 0,
        "created_at": now,
        "organisation_id": None,
        "participant_id": None,
        "staff_id": None,
        "group_id": None,
        "broadcast_id": None,
        "language": None,
        **links,
    }


def is_quiet(now: datetime, zone: ZoneInfo, quiet: tuple[time, time]) -> bool:
    """Whether `now` falls in the local quiet hours (which may cross midnight)."""
    local = now.astimezone(zone).time()
    start, end = quiet
    return start <= local or local < end if start > end else start <= local < end


def after_quiet(moment: datetime, zone: ZoneInfo, quiet: tuple[time, time]) -> datetime:
    """`moment`, or the end of the quiet hours it falls in."""
    if not is_quiet(moment, zone, quiet):
        return moment
    local = moment.astimezone(zone)
    end = datetime.combine(local.date(), quiet[1], tzinfo=zone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), quiet[1], tzinfo=zone)
    return end


def claim(
    session: Session,
    sender: str,
    now: datetime,
    limit: int,
    quiet: bool = False,
    only_chat: int | None = None,
) -> list[Claimed]:
    """Take up to `limit` due messages, most urgent first; no two senders get the same row.

    `only_chat` serves the console, which can show one chat only."""
    with session.begin():
        due = (
            select(Outbox.id)
            .where(Outbox.state == OutboxState.QUEUED, Outbox.not_before <= now)
            .order_by(Outbox.priority, Outbox.not_before, Outbox.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if quiet:
            due = due.where(Outbox.respect_quiet_hours.is_(False))
        if only_chat is not None:
            due = due.where(Outbox.chat_id == only_chat)
        # Two statements, not UPDATE … WHERE id IN (SELECT … LIMIT): PostgreSQL may run such a
        # subquery more than once and update more rows than the limit.
        ids = list(session.scalars(due))
        if not ids:
            return []
        rows = session.execute(
            update(Outbox)
            .where(Outbox.id.in_(ids), Outbox.state == OutboxState.QUEUED)  # SQLite: no row locks
            .values(
                state=OutboxState.SENDING,
                claimed_by=sender,
                claimed_at=now,
                attempts=Outbox.attempts + 1,
            )
            .returning(*_COLUMNS)
        ).all()
    found = [Claimed(*row) for row in rows]
    return sorted(found, key=lambda c: (c.priority, c.id))


# A message about someone who asked to be forgotten (to their coach) keeps its text only until
# it is delivered or given up on: then nothing of them is left in the table.
FORGET_WHEN_DONE = "forget:"


def _finish(session: Session, outbox_id: int, **values: Any) -> None:
    if values.get("state") in (OutboxState.SENT, OutboxState.FAILED, OutboxState.BLOCKED):
        forget = Outbox.idempotency_key.startswith(FORGET_WHEN_DONE)
        values["text"] = case((forget, ""), else_=Outbox.text)
    with session.begin():
        session.execute(update(Outbox).where(Outbox.id == outbox_id).values(**values))


def mark_sent(session: Session, outbox_id: int, message_id: int, now: datetime) -> None:
    _finish(
        session,
        outbox_id,
        state=OutboxState.SENT,
        telegram_message_id=message_id,
        sent_at=now,
        last_error=None,
    )


def mark_failed(session: Session, outbox_id: int, error: str) -> None:
    _finish(session, outbox_id, state=OutboxState.FAILED, last_error=error[:500])


def mark_blocked(session: Session, outbox_id: int, error: str) -> None:
    _finish(session, outbox_id, state=OutboxState.BLOCKED, last_error=error[:500])


def retry_later(
    session: Session, item: Claimed, error: str, at: datetime, max_attempts: int
) -> bool:
    """Queue again for `at`, unless the attempts are used up (then failed). True if requeued."""
    if item.attempts >= max_attempts:
        mark_failed(session, item.id, f"gave up after {item.attempts} attempts: {error}")
        return False
    _finish(
        session,
        item.id,
        state=OutboxState.QUEUED,
        not_before=at,
        last_error=error[:500],
        claimed_by=None,
        claimed_at=None,
    )
    return True


def moved(session: Session, item: Claimed, new_chat_id: int) -> None:
    """A group became a supergroup: remember its new id, and send again there at once."""
    with session.begin():
        session.execute(
            update(Group)
            .where(Group.telegram_chat_id == item.chat_id)
            .values(telegram_chat_id=new_chat_id)
        )
        session.execute(
            update(Outbox)
            .where(Outbox.chat_id == item.chat_id, Outbox.state == OutboxState.QUEUED)
            .values(chat_id=new_chat_id)
        )
        session.execute(
            update(Outbox)
            .where(Outbox.id == item.id)
            .values(state=OutboxState.QUEUED, chat_id=new_chat_id, claimed_by=None, claimed_at=None)
        )


def recover(session: Session, now: datetime, lease: timedelta) -> int:
    """Queue again what a dead sender left in flight (claimed longer ago than `lease`)."""
    with session.begin():
        result = session.execute(
            update(Outbox)
            .where(Outbox.state == OutboxState.SENDING, Outbox.claimed_at <= now - lease)
            .values(
                state=OutboxState.QUEUED,
                claimed_by=None,
                claimed_at=None,
                last_error="requeued after a sender stopped mid-send",
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)


def cancel(session: Session, *conditions: Any) -> int:
    """Cancel queued messages matching `conditions`, in the caller's transaction."""
    result = session.execute(
        update(Outbox)
        .where(Outbox.state == OutboxState.QUEUED, *conditions)
        .values(state=OutboxState.CANCELLED)
    )
    return int(getattr(result, "rowcount", 0) or 0)
