"""Attendance: per participant per expected occurrence, present, late, excused or absent.

No row for an occurrence that has ended means "unknown", never "absent": a coach who did not
fill in the day list must not make anyone look like a dropout."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import AttendanceSource, AttendanceStatus, Base, enum_column


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("participant_id", "occurrence_start"),
        Index("ix_attendance_organisation_day", "organisation_id", "day"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    # The appointment it belongs to; None for a QR check-in on a day nobody expected them.
    # Indexed: the report counts the talks held from the (few) talk appointments.
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment.id", ondelete="SET NULL"), index=True
    )
    occurrence_start: Mapped[datetime]
    day: Mapped[date]  # the local day, for the day list and the reports
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    reason: Mapped[str | None] = mapped_column(String(20))  # sick, family, other (excused)
    minutes_late: Mapped[int | None]
    source: Mapped[AttendanceSource] = mapped_column(enum_column(AttendanceSource))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    recorded_at: Mapped[datetime]
