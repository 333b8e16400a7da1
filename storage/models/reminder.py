"""Reminders of appointments, and what participants answered to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, ReminderState, enum_column


class Reminder(Base):
    """One message due at an offset before one occurrence of an appointment."""

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("appointment_id", "occurrence_start", "offset"),
        Index("ix_reminder_due", "state", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    occurrence_start: Mapped[datetime]
    offset: Mapped[str] = mapped_column(String(20))  # "-1d@18:00", "-2h"
    due_at: Mapped[datetime]
    state: Mapped[ReminderState] = mapped_column(enum_column(ReminderState))
    created_at: Mapped[datetime]
    queued_at: Mapped[datetime | None]


class AppointmentAnswer(Base):
    """A participant's answer for one occurrence: coming, not coming (why), or late (how late)."""

    __tablename__ = "appointment_answer"
    __table_args__ = (UniqueConstraint("appointment_id", "occurrence_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    occurrence_start: Mapped[datetime]
    answer: Mapped[str] = mapped_column(String(20))  # coming, not_coming, late
    reason: Mapped[str | None] = mapped_column(String(20))  # sick, family, other
    minutes_late: Mapped[int | None]
    answered_at: Mapped[datetime]
