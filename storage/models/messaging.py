"""What leaves the system: the outbox, broadcasts, and alerts for coaches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import (
    AlertState,
    Base,
    BroadcastState,
    ChatId,
    OutboxKind,
    OutboxState,
    enum_column,
)

# Lower goes first: alerts and answers before reminders, reminders before bulk.
PRIORITY_ALERT, PRIORITY_PERSONAL, PRIORITY_BULK = 0, 5, 9


class Outbox(Base):
    """Every proactive message, written before it is sent; the sender records what happened."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "priority", "not_before"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[int] = mapped_column(ChatId)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("group.id"))
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcast.id"), index=True)
    kind: Mapped[OutboxKind] = mapped_column(enum_column(OutboxKind))
    priority: Mapped[int]
    language: Mapped[str | None] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[Any] | None] = mapped_column(JSON)
    respect_quiet_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    not_before: Mapped[datetime]
    state: Mapped[OutboxState] = mapped_column(enum_column(OutboxState))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    telegram_message_id: Mapped[int | None] = mapped_column(ChatId)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    acked_at: Mapped[datetime | None]  # the "understood 👍" button


class Broadcast(Base):
    """An organisation's message to groups, with a text per language."""

    __tablename__ = "broadcast"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    texts: Mapped[dict[str, Any]]  # language → text
    default_language: Mapped[str] = mapped_column(String(8))
    everyone: Mapped[bool] = mapped_column(Boolean, default=False)
    with_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    insist: Mapped[bool] = mapped_column(Boolean, default=False)  # send in quiet hours too
    scheduled_for: Mapped[datetime]
    state: Mapped[BroadcastState] = mapped_column(enum_column(BroadcastState), index=True)
    skipped: Mapped[dict[str, Any]] = mapped_column(default=dict)  # reason → count
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]


class BroadcastTarget(Base):
    __tablename__ = "broadcast_target"
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcast.id"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id"), primary_key=True)


class Alert(Base):
    """Something a coach must look at; one open alert per participant and kind (an episode)."""

    __tablename__ = "alert"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[AlertState] = mapped_column(enum_column(AlertState), index=True)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # The coach did something (called, sent a message): an urgent one is not passed on.
    acknowledged_at: Mapped[datetime | None]
    snoozed_until: Mapped[datetime | None]  # out of the inbox and the digest until then
    escalated_at: Mapped[datetime | None]  # urgent, not acknowledged in time: staff were told


class Question(Base):
    """A participant's question in their own words, and what became of it: answered by the
    bot from the organisation's content, or handed to the coach (who replies in words or picks
    an answer). The coach may mark which intent it was; marked questions feed the training data
    (`wegwijzer nlu review`). Erased with the participant."""

    __tablename__ = "question"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    intent: Mapped[str | None] = mapped_column(String(40))  # the engine's best guess
    confidence: Mapped[float | None]
    # "bot" (content answer), "coach" (handed over), "crisis", "are_you_safe" (the bot asked)
    handled: Mapped[str] = mapped_column(String(12))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id", ondelete="SET NULL"))
    # "bot", "coach_words" (a reply), "coach_answer" (an answer the coach picked)
    answered_by: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None]
    answer_intent: Mapped[str | None] = mapped_column(String(40))
    marked_intent: Mapped[str | None] = mapped_column(String(40), index=True)
    marked_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]  # the coach was reminded of it (next working morning)
    created_at: Mapped[datetime]
