"""Appointments: one-off or recurring (RFC 5545), stored in UTC."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import AppointmentKind, Base, enum_column


class Appointment(Base):
    __tablename__ = "appointment"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AppointmentKind] = mapped_column(enum_column(AppointmentKind))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    rrule: Mapped[str | None] = mapped_column(String(300))  # RFC 5545, in local wall-clock time
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
