"""Organisations and what they own: locations, staff, groups, invite codes."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, GroupKind, InviteKind, Phase, StaffRole, enum_column


class Organisation(Base):
    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    default_language: Mapped[str] = mapped_column(String(8), default="nl")
    # IANA zone of the organisation's wall clock (appointments, opening hours, reports)
    timezone: Mapped[str] = mapped_column(
        String(40), default="Europe/Amsterdam", server_default="Europe/Amsterdam"
    )
    # appointment kind (or "*") → offsets such as "-1d@18:00" or "-2h"; empty: the defaults
    reminder_offsets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Tuning of the disengagement rules, e.g. {"absences_in_a_row": 3}; empty: the defaults.
    alert_rules: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    # Its check-ins: weekday, time, size, domains, monthly… (bot/services/invitations.py);
    # empty: the defaults.
    checkin_plan: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    created_at: Mapped[datetime]
    locations: Mapped[list[Location]] = relationship(back_populates="organisation")


class Location(Base):
    __tablename__ = "location"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    # RFC 5545, local wall-clock time: "DTSTART:20261124T093000\nRRULE:FREQ=WEEKLY;BYDAY=TU"
    opening_rrule: Mapped[str | None] = mapped_column(String(300))
    default_coach_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    # Signs the day's QR check-in link, so a code cannot be made up or reused another day.
    checkin_secret: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    organisation: Mapped[Organisation] = relationship(back_populates="locations")


class Programme(Base):
    """A trajectory offer an organisation reports on separately (e.g. "wijkateliers",
    "natuurtalent"); a participant is in one programme at a time."""

    __tablename__ = "programme"
    __table_args__ = (UniqueConstraint("organisation_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    slug: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class StaffMember(Base):
    __tablename__ = "staff_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole))
    chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    language: Mapped[str] = mapped_column(String(8), default="nl")
    created_at: Mapped[datetime]
    # Left the organisation: no chat, no web session, never chosen again; the row stays for
    # the audit trail and the history that names them.
    removed_at: Mapped[datetime | None]
    organisation: Mapped[Organisation] = relationship()


class Group(Base):
    """Who gets a broadcast: members follow from the kind (a location's, a phase's or a
    language's participants), are listed (custom), or it is a Telegram group chat."""

    __tablename__ = "group"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[GroupKind] = mapped_column(enum_column(GroupKind))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    phase: Mapped[Phase | None] = mapped_column(enum_column(Phase))
    language: Mapped[str | None] = mapped_column(String(8))
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger)  # a Telegram group chat


class GroupMembership(Base):
    __tablename__ = "group_membership"
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Invite(Base):
    __tablename__ = "invite"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[InviteKind] = mapped_column(enum_column(InviteKind))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE")
    )
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    expires_at: Mapped[datetime | None]
    max_uses: Mapped[int | None]
    uses: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
