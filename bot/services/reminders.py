"""Reminders: rows due at offsets before each occurrence; a tick hands due ones to the outbox.

Times are stored in UTC; offsets and quiet hours are read in local time, so "the day before at
18:00" stays 18:00 across the daylight-saving changes.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.services import outbox
from bot.services.reminder_texts import reminder_message
from storage.models import (
    Appointment,
    Organisation,
    Participant,
    ParticipantStatus,
    Reminder,
    ReminderState,
)

DEFAULT_OFFSETS = ("-1d@18:00", "-2h")
HORIZON = timedelta(days=14)
_OFFSET = re.compile(r"^-(\d+)([dhm])(?:@(\d{1,2}):(\d{2}))?$")


def due_for(start: datetime, offset: str, zone: ZoneInfo) -> datetime:
    """ "-1d@18:00": the day before at 18:00 local; "-2h", "-30m": that long before."""
    match = _OFFSET.match(offset)
    if not match:
        raise ValueError(f"bad reminder offset {offset!r}")
    amount, unit, hour, minute = match.groups()
    if unit == "d":
        day = start.astimezone(zone).date() - timedelta(days=int(amount))
        at = time(int(hour or 9), int(minute or 0))
        return datetime.combine(day, at, tzinfo=zone).astimezone(start.tzinfo)
    delta = timedelta(hours=int(amount)) if unit == "h" else timedelta(minutes=int(amount))
    return start - delta


def offsets_for(organisation: Organisation | None, kind: str) -> list[str]:
    """The organisation's offsets for this kind of appointment, else its "*", else defaults."""
    table = (organisation.reminder_offsets if organisation else None) or {}
    return list(table.get(kind) or table.get("*") or DEFAULT_OFFSETS)


def occurrences(
    appointment: Appointment, after: datetime, before: datetime, zone: ZoneInfo
) -> list[datetime]:
    """Starts in [after, before); a recurrence keeps its local wall-clock time."""
    if appointment.rrule is None:
        start = appointment.starts_at
        return [start] if after <= start < before else []
    first = appointment.starts_at.astimezone(zone).replace(tzinfo=None)
    rule = rrulestr(appointment.rrule, dtstart=first)
    local = rule.between(
        after.astimezone(zone).replace(tzinfo=None),
        before.astimezone(zone).replace(tzinfo=None),
        inc=True,
    )
    found = [moment.replace(tzinfo=zone).astimezone(after.tzinfo) for moment in local]
    return [start for start in found if after <= start < before]


def place(
    due: datetime, start: datetime, zone: ZoneInfo, quiet: tuple[time, time]
) -> datetime | None:
    """Never at night: a reminder due in the quiet hours moves to their end, if that is still
    before the appointment; otherwise it is dropped (None)."""
    moved = outbox.after_quiet(due, zone, quiet)
    return moved if moved < start else None


def plan(
    appointment: Appointment,
    organisation: Organisation | None,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
    horizon: timedelta = HORIZON,
) -> list[dict]:
    """The reminder rows this appointment should have from now to the horizon."""
    rows = []
    for start in occurrences(appointment, now, now + horizon, zone):
        for offset in offsets_for(organisation, appointment.kind.value):
            due = place(due_for(start, offset, zone), start, zone, quiet)
            if due is None or due < now - timedelta(minutes=1):
                continue
            rows.append(
                {
                    "appointment_id": appointment.id,
                    "participant_id": appointment.participant_id,
                    "occurrence_start": start,
                    "offset": offset,
                    "due_at": due,
                    "state": ReminderState.PENDING,
                    "created_at": now,
                }
            )
    return rows


def _insert(session: Session, rows: list[dict]) -> int:
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    count = 0
    for start in range(0, len(rows), 500):
        statement = (
            insert(Reminder)
            .values(rows[start : start + 500])
            .on_conflict_do_nothing()
            .returning(Reminder.id)
        )
        count += len(session.execute(statement).all())
    return count


def sync(
    session: Session,
    appointment: Appointment,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
    horizon: timedelta = HORIZON,
) -> int:
    """Bring one appointment's pending reminders in line with it, in the caller's transaction.

    Pending reminders that no longer fit (moved, cancelled) are cancelled; no stale one is sent."""
    organisation = session.get(Organisation, appointment.organisation_id)
    wanted = (
        []
        if appointment.cancelled_at
        else plan(appointment, organisation, now, zone, quiet, horizon)
    )
    keys = {(row["occurrence_start"], row["offset"]) for row in wanted}
    pending = session.scalars(
        select(Reminder).where(
            Reminder.appointment_id == appointment.id, Reminder.state == ReminderState.PENDING
        )
    )
    for reminder in pending:
        if (reminder.occurrence_start, reminder.offset) not in keys:
            session.delete(reminder)  # never sent, so nothing is lost
    session.flush()
    return _insert(session, wanted)


def extend_all(
    session: Session,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
    horizon: timedelta = HORIZON,
) -> int:
    """Daily: make sure every active appointment has its reminders up to the horizon."""
    with session.begin():
        organisations = {o.id: o for o in session.scalars(select(Organisation))}
        appointments = session.scalars(
            select(Appointment)
            .join(Participant, Participant.id == Appointment.participant_id)
            .where(
                Appointment.cancelled_at.is_(None), Participant.status == ParticipantStatus.ACTIVE
            )
        )
        rows = [
            row
            for appointment in appointments
            for row in plan(
                appointment,
                organisations.get(appointment.organisation_id),
                now,
                zone,
                quiet,
                horizon,
            )
        ]
        return _insert(session, rows)


def tick(
    session: Session, now: datetime, zone: ZoneInfo, quiet: tuple[time, time], limit: int = 2000
) -> int:
    """Hand due reminders to the outbox; drop those whose appointment has started.

    Runs every minute; after downtime it sends what is still useful and drops the rest."""
    with session.begin():
        due = session.scalars(
            select(Reminder)
            .where(Reminder.state == ReminderState.PENDING, Reminder.due_at <= now)
            .order_by(Reminder.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        rows = []
        for reminder in due:
            if reminder.occurrence_start <= now:
                reminder.state = ReminderState.DROPPED
                continue
            if outbox.is_quiet(now, zone, quiet):
                later = place(now, reminder.occurrence_start, zone, quiet)
                if later is None:
                    reminder.state = ReminderState.DROPPED
                else:
                    reminder.due_at = later
                continue
            message = reminder_message(session, reminder, now, zone)
            if message is None:  # stopped, unreachable, no longer linked, or cancelled
                reminder.state = ReminderState.CANCELLED
                continue
            rows.append(message)
            reminder.state, reminder.queued_at = ReminderState.QUEUED, now
        outbox.enqueue_many(session, rows)
        return len(rows)
