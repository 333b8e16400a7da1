"""Conversation bookkeeping: the flow a chat is in, and the updates already handled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, ChatId


class FlowState(Base):
    """The conversation a chat is in; one column of JSON, so a restart continues at the next tap."""

    __tablename__ = "flow_state"
    chat_id: Mapped[int] = mapped_column(ChatId, primary_key=True, autoincrement=False)
    flow_id: Mapped[str] = mapped_column(String(60))
    state: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """Telegram may deliver an update twice (webhook retries); the second copy is dropped."""

    __tablename__ = "processed_update"
    update_id: Mapped[int] = mapped_column(ChatId, primary_key=True, autoincrement=False)
    at: Mapped[datetime]


class FailedStart(Base):
    """A /start with a code that does not exist or is no longer valid, so a chat that keeps
    guessing codes is slowed down; kept for a day."""

    __tablename__ = "failed_start"
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ChatId, index=True)
    at: Mapped[datetime]
