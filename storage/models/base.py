"""The declarative base, shared column types and the enumerations the tables use."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Date,
    DateTime,
    Enum,
    Integer,
    MetaData,
    Table,
    TypeDecorator,
    literal_column,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

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


def enum_column(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), int: Integer()}


def table_of(model: type[Any]) -> Table:
    """The Core table of a mapped class, for bulk statements on the hot paths."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model!r} is not mapped to a table")
    return table


class Phase(enum.StrEnum):
    ACTIVERING = "activering"
    VRIJWILLIGER = "vrijwilliger"
    OPLEIDING = "opleiding"
    WERK = "werk"


class Outflow(enum.StrEnum):
    """Why someone left the trajectory: one category each, as funders count them (seed 001)."""

    BETAALD_WERK = "betaald_werk"
    REGULIERE_OPLEIDING = "reguliere_opleiding"
    LEER_WERKTRAJECT = "leer_werktraject"
    WERKERVARINGSPLAATS = "werkervaringsplaats"
    VRIJWILLIGERSWERK = "vrijwilligerswerk"
    ANDER_PROJECT = "ander_project"
    CERTIFICAAT = "certificaat"
    GEEN_WERK = "geen_werk"
    VOORTIJDIGE_UITVAL = "voortijdige_uitval"
    KAN_NIET_WERKEN = "kan_niet_werken"
    ONBEKEND = "onbekend"


class ParticipantStatus(enum.StrEnum):
    INVITED = "invited"  # a coach made a personal code; nobody has used it yet
    NEW = "new"  # wrote to the bot, has not finished onboarding
    ACTIVE = "active"
    DECLINED = "declined"  # said no to consent: only language and that choice are kept
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


class OutboxKind(enum.StrEnum):
    REMINDER = "reminder"
    ALERT = "alert"
    BROADCAST = "broadcast"
    INVITATION = "invitation"
    RELAY = "relay"  # a coach's answer passed on to a participant


class OutboxState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a sender; on the wire or about to be
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"  # the person blocked the bot
    CANCELLED = "cancelled"


class BroadcastState(enum.StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    CANCELLED = "cancelled"  # before it started
    STOPPED = "stopped"  # after it started: what was not sent yet was cancelled


class AlertState(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class ProposalState(enum.StrEnum):
    PROPOSED = "proposed"  # waiting for the participant's tap
    ACCEPTED = "accepted"  # a new appointment was made
    DECLINED = "declined"  # the coach is asked for another time
    WITHDRAWN = "withdrawn"  # a newer proposal replaced it, or its time passed


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"  # said in advance they could not come (with a reason)
    ABSENT = "absent"  # expected, did not come, no word


class AttendanceSource(enum.StrEnum):
    COACH = "coach"  # /vandaag
    QR = "qr"  # scanned the location's code of the day
    RSVP = "rsvp"  # "I can't come" on a reminder
    IMPORT = "import"  # a CSV file


class ReminderState(enum.StrEnum):
    PENDING = "pending"  # waiting for its due time
    QUEUED = "queued"  # handed to the outbox
    DROPPED = "dropped"  # no longer useful (the appointment started, or the night)
    CANCELLED = "cancelled"  # the appointment moved or was cancelled, or the person stopped


class utc_day(FunctionElement[date]):
    """The UTC calendar day of a UTCDateTime column, `days` later, as SQL: lets a query compare
    a moment with a `date` column (attendance days) in the database instead of in Python.
    SQLite keeps UTC moments as ISO text and dates as 'YYYY-MM-DD', so `date(x, '+N days')`
    compares as text; PostgreSQL turns the moment to UTC before taking the date."""

    type = Date()
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any] | QueryableAttribute[Any], days: int = 0) -> None:
        super().__init__(column, literal_column(str(int(days))))


@compiles(utc_day)
def _utc_day_default(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    column, days = list(element.clauses)
    moment = compiler.process(column, **kw)
    return f"(CAST(timezone('UTC', {moment}) AS DATE) + {compiler.process(days, **kw)})"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    column, days = list(element.clauses)
    moment = compiler.process(column, **kw)
    return f"date({moment}, '{int(compiler.process(days, **kw)):+d} days')"
