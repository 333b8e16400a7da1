"""Participants, their consent, and the audit trail of changes to their data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, Outflow, ParticipantStatus, Phase, enum_column
from storage.models.organisation import Location, Organisation, StaffMember


class Participant(Base):
    __tablename__ = "participant"
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    phase: Mapped[Phase | None] = mapped_column(enum_column(Phase))
    phase_since: Mapped[datetime | None]
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"), index=True)
    started_on: Mapped[date | None]  # the trajectory's start (imports bring it; else linking)
    reference: Mapped[str | None] = mapped_column(String(100))  # the organisation's own number
    status: Mapped[ParticipantStatus] = mapped_column(enum_column(ParticipantStatus), index=True)
    stopped_at: Mapped[datetime | None]  # /stop: no messages until they write again
    unreachable_at: Mapped[datetime | None]  # blocked the bot; cleared when they write again
    created_at: Mapped[datetime]
    linked_at: Mapped[datetime | None]
    organisation: Mapped[Organisation | None] = relationship()
    coach: Mapped[StaffMember | None] = relationship()
    location: Mapped[Location | None] = relationship()


class ConsentRecord(Base):
    __tablename__ = "consent_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[str] = mapped_column(String(20))
    accepted: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime]


class AuditEvent(Base):
    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    actor: Mapped[str] = mapped_column(String(20))  # participant, staff or system
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PhaseChange(Base):
    """A step in the trajectory (or leaving it, with one outflow category), on the day it
    happened: the backbone of the organisation's impact figures."""

    __tablename__ = "phase_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    from_phase: Mapped[Phase | None] = mapped_column(enum_column(Phase))
    to_phase: Mapped[Phase | None] = mapped_column(enum_column(Phase))  # None: left
    outflow: Mapped[Outflow | None] = mapped_column(enum_column(Outflow))
    on: Mapped[date]
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    recorded_at: Mapped[datetime]


class AnonymousCount(Base):
    """What is left of an erased participant for the organisation's figures: counts per month
    (attendance per status, phase steps, outflow per category), never a person."""

    __tablename__ = "anonymous_count"
    __table_args__ = (UniqueConstraint("organisation_id", "metric", "key", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    metric: Mapped[str] = mapped_column(String(20))  # attendance, phase, outflow, erased
    key: Mapped[str] = mapped_column(String(60))  # e.g. present, activering>vrijwilliger
    month: Mapped[date]  # the first day of the month it happened in
    count: Mapped[int]


class ZrmMeasurement(Base):
    """A professional's ZRM score (1–5) on one domain at one date: what the impact figures
    count. Never a check-in signal, which is the participant's own voice."""

    __tablename__ = "zrm_measurement"
    __table_args__ = (UniqueConstraint("participant_id", "measured_on", "domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    measured_on: Mapped[date]
    matrix: Mapped[str] = mapped_column(String(4))  # "2013" or "2017"
    domain: Mapped[str] = mapped_column(String(40))
    score: Mapped[int]
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))  # None: imported
    recorded_at: Mapped[datetime]


class ImpactRecord(Base):
    """What an erased participant leaves for the organisation's impact figures: programme,
    location, dates, phase steps, outflow and ZRM categories; no name, no chat, no id of theirs.
    A report for a closed period reads these beside the people still here, so erasure and
    retention do not change its figures."""

    __tablename__ = "impact_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    started_on: Mapped[date | None]
    # [[to_phase or null, outflow or null, "YYYY-MM-DD"], …] in order
    steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # [["YYYY-MM-DD", matrix, domain, category score 1/3/4, location id or null], …]
    zrm: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # [[partner, "YYYY-MM-DD" referred, "YYYY-MM-DD" started or null], …]
    referrals: Mapped[list[Any]] = mapped_column(JSON, default=list)
    talks: Mapped[list[Any]] = mapped_column(JSON, default=list)  # ["YYYY-MM-DD", …] attended
    kept_on: Mapped[date]


class Referral(Base):
    """A participant referred to a partner organisation, and whether (when) they started there:
    the funnel's parallel branches (seed 002)."""

    __tablename__ = "referral"
    __table_args__ = (UniqueConstraint("participant_id", "partner", "referred_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    partner: Mapped[str] = mapped_column(String(100))
    referred_on: Mapped[date]
    started_on: Mapped[date | None]
    recorded_at: Mapped[datetime]


class Target(Base):
    """What an organisation aims for in a year, per funnel step (and partner), to report the
    result next to it."""

    __tablename__ = "target"
    __table_args__ = (
        UniqueConstraint("organisation_id", "programme_id", "year", "step", "branch"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"))
    year: Mapped[int]
    step: Mapped[str] = mapped_column(String(20))
    branch: Mapped[str] = mapped_column(String(100), default="total")
    value: Mapped[int]
