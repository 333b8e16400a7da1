"""Appointments: one-off or recurring (RFC 5545), stored in UTC."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import AppointmentKind, Base, ProposalState, enum_column


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
    # Occurrences of a series that were cancelled or moved (UTC ISO starts), like EXDATE.
    skipped: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # A one-off made to replace an occurrence that moved or that the participant could not make.
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]


class TimeProposal(Base):
    """A coach's proposed new time after "I can't come"; the participant confirms with one tap."""

    __tablename__ = "time_proposal"
    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id", ondelete="SET NULL"))
    occurrence_start: Mapped[datetime]  # the one they could not make
    proposed_start: Mapped[datetime]
    state: Mapped[ProposalState] = mapped_column(enum_column(ProposalState))
    new_appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
