"""The tables; times are stored in UTC, shown in the organisation's zone."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# 64-bit ids; on SQLite spelled INTEGER so a primary key is the rowid itself (no second index).
ChatId = BigInteger().with_variant(Integer(), "sqlite")


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), int: Integer()}


class Phase(enum.StrEnum):
    ACTIVERING = "activering"
    VRIJWILLIGER = "vrijwilliger"
    OPLEIDING = "opleiding"
    WERK = "werk"


class ParticipantStatus(enum.StrEnum):
    INVITED = "invited"  # a coach made a personal code; nobody has used it yet
    NEW = "new"  # wrote to the bot, has not finished onboarding
    ACTIVE = "active"
    DECLINED = "declined"  # said no to consent: only language and that choice are kept
    UNREACHABLE = "unreachable"  # blocked the bot
    LEFT = "left"


class StaffRole(enum.StrEnum):
    COACH = "coach"
    ADMIN = "admin"


class InviteKind(enum.StrEnum):
    ORGANISATION = "organisation"
    LOCATION = "location"
    PERSONAL = "personal"
    STAFF = "staff"


class GroupKind(enum.StrEnum):
    LOCATION = "location"
    PHASE = "phase"
    LANGUAGE = "language"
    CUSTOM = "custom"


class AppointmentKind(enum.StrEnum):
    COACH_TALK = "coach_talk"
    INTAKE = "intake"
    WORKSHOP_DAY = "workshop_day"
    SCHOOL_DAY = "school_day"
    PLACEMENT_DAY = "placement_day"
    EXAM = "exam"
    OTHER = "other"


class Organisation(Base):
    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    default_language: Mapped[str] = mapped_column(String(8), default="nl")
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
    organisation: Mapped[Organisation] = relationship(back_populates="locations")


class StaffMember(Base):
    __tablename__ = "staff_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole))
    chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    language: Mapped[str] = mapped_column(String(8), default="nl")
    created_at: Mapped[datetime]
    organisation: Mapped[Organisation] = relationship()


class Participant(Base):
    __tablename__ = "participant"
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    phase: Mapped[Phase | None] = mapped_column(_enum(Phase))
    phase_since: Mapped[datetime | None]
    status: Mapped[ParticipantStatus] = mapped_column(_enum(ParticipantStatus), index=True)
    stopped_at: Mapped[datetime | None]  # /stop: no messages until they write again
    created_at: Mapped[datetime]
    linked_at: Mapped[datetime | None]
    organisation: Mapped[Organisation | None] = relationship()
    coach: Mapped[StaffMember | None] = relationship()
    location: Mapped[Location | None] = relationship()


class Group(Base):
    __tablename__ = "group"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[GroupKind] = mapped_column(_enum(GroupKind))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger)  # a Telegram group chat


class GroupMembership(Base):
    __tablename__ = "group_membership"
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, index=True
    )


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


class Invite(Base):
    __tablename__ = "invite"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[InviteKind] = mapped_column(_enum(InviteKind))
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


class Appointment(Base):
    __tablename__ = "appointment"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AppointmentKind] = mapped_column(_enum(AppointmentKind))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    rrule: Mapped[str | None] = mapped_column(String(300))  # RFC 5545, in local wall-clock time
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


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
