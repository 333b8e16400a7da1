"""Check-in signals: a participant's own answer (or their coach's score) about one ZRM domain.

These are the participant's voice, never an official ZRM score; both sides are stored so the
difference can be the next talk's agenda."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Signal(Base):
    __tablename__ = "signal"
    __table_args__ = (
        Index("ix_signal_participant_domain_at", "participant_id", "domain", "at"),
        # The caseload table's "last check-in" of each person: one seek, not a scan.
        Index("ix_signal_participant_source_at", "participant_id", "source", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(40))
    level: Mapped[int | None]  # 1 (worst) … 5 (best); None: skipped, "I'd rather not say"
    source: Mapped[str] = mapped_column(String(10))  # self (a check-in) or coach (after a talk)
    question: Mapped[str] = mapped_column(String(300))  # the msgid that was asked
    checkin: Mapped[str] = mapped_column(String(40))  # the run it belongs to
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    at: Mapped[datetime]


class CheckinInvitation(Base):
    """One invitation to a check-in, planned as a row with a due time before anything is sent:
    planned → sent → (reminded) → started → done, or expired / cancelled. The week (`period`,
    ISO "2026-W49") is unique per participant, so planning twice plans nothing new."""

    __tablename__ = "checkin_invitation"
    __table_args__ = (
        UniqueConstraint("participant_id", "period"),
        Index("ix_checkin_invitation_state_due_at", "state", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # weekly or monthly
    period: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[datetime]
    remind_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(10))
    domains: Mapped[list[Any] | None] = mapped_column(
        JSON
    )  # chosen when it starts, from the answers until then
    instance: Mapped[str | None] = mapped_column(String(12))  # the flow run it started
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
