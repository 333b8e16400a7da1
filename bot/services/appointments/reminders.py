"""Reminders: rows due at offsets before each occurrence; a tick hands due ones to the outbox.

Times are stored in UTC; offsets and quiet hours are read in local time, so "the day before at
18:00" stays 18:00 across the daylight-saving changes.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from bot.services.appointments.recurrence import occurrences
from bot.services.appointments.reminder_texts import reminder_message
from bot.services.messaging import outbox
from storage.models import (
    Appointment,
    Location,
    Organisation,
    Participant,
    ParticipantStatus,
    Reminder,
    ReminderState,
    StaffMember,
    table_of,
)

DEFAULT_OFFSETS = ("-1d@18:00", "-2h")
HORIZON = timedelta(days=14)
CHUNK = 2000  # appointments planned and inserted at a time
_OFFSET = re.compile(r"^-(\d+)([dhm])(?:@(\d{1,2}):(\d{2}))?$")


@lru_cache(maxsize=256)
def _parse_offset(offset: str) -> tuple[str, str, str | None, str | None]:
    match = _OFFSET.match(offset)
    if not match:
        raise ValueError(f"bad reminder offset {offset!r}")
    amount, unit, hour, minute = match.groups()
    return amount, unit, hour, minute


def due_for(start: datetime, offset: str, zone: ZoneInfo) -> datetime:
    """The offset "-1d@18:00" is the day before at 18:00 local; "-2h", "-30m" that long before."""
    amount, unit, hour, minute = _parse_offset(offset)
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
    return outbox.insert_ignoring_duplicates(session, Reminder, rows) if rows else 0


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
    """Daily: make sure every active appointment has its reminders up to the horizon.

    Works in chunks of appointments, so memory stays flat for 100,000 participants."""
    with session.begin():
        organisations = {o.id: o for o in session.scalars(select(Organisation))}
        ids = list(
            session.scalars(
                select(Appointment.id)
                .join(Participant, Participant.id == Appointment.participant_id)
                .where(
                    Appointment.cancelled_at.is_(None),
                    Participant.status == ParticipantStatus.ACTIVE,
                )
                .order_by(Appointment.id)
            )
        )
        added = 0
        for start in range(0, len(ids), CHUNK):
            chunk = session.scalars(
                select(Appointment).where(Appointment.id.in_(ids[start : start + CHUNK]))
            ).all()
            rows = [
                row
                for appointment in chunk
                for row in plan(
                    appointment,
                    organisations.get(appointment.organisation_id),
                    now,
                    zone,
                    quiet,
                    horizon,
                )
            ]
            added += _insert(session, rows)
            for appointment in chunk:
                session.expunge(appointment)
        return added


def tick(
    session: Session, now: datetime, zone: ZoneInfo, quiet: tuple[time, time], batch: int = 2000
) -> int:
    """Hand every due reminder to the outbox; drop those whose appointment has started.

    Runs every minute; at 18:00 thousands fall due at once, so it works through them in
    batches until none is left. After downtime it sends what is still useful."""
    total = 0
    while True:
        queued, full = _tick_batch(session, now, zone, quiet, batch)
        total += queued
        if not full:
            return total


def _by_id(session: Session, model: type, ids: set[int]) -> dict[int, Any]:
    """Rows (not ORM objects: this is the hot path of a reminder burst) by id."""
    if not ids:
        return {}
    table = table_of(model)
    rows = session.connection().execute(select(table).where(table.c.id.in_(ids)))
    return {row.id: row for row in rows}


def _tick_batch(
    session: Session, now: datetime, zone: ZoneInfo, quiet: tuple[time, time], batch: int
) -> tuple[int, bool]:
    table = table_of(Reminder)
    with session.begin():
        connection = session.connection()
        due = connection.execute(
            select(
                table.c.id, table.c.appointment_id, table.c.participant_id, table.c.occurrence_start
            )
            .where(table.c.state == ReminderState.PENDING, table.c.due_at <= now)
            .order_by(table.c.due_at)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        appointments = _by_id(session, Appointment, {r.appointment_id for r in due})
        people = _by_id(session, Participant, {r.participant_id for r in due})
        locations = _by_id(
            session, Location, {a.location_id for a in appointments.values() if a.location_id}
        )
        staff = _by_id(
            session,
            StaffMember,
            {
                a.staff_id or people[a.participant_id].coach_id
                for a in appointments.values()
                if a.participant_id in people
            }
            - {None},
        )
        quiet_now = outbox.is_quiet(now, zone, quiet)
        rows: list[dict[str, Any]] = []
        outcome: dict[ReminderState, list[int]] = {state: [] for state in ReminderState}
        moved: list[dict[str, Any]] = []
        for reminder in due:
            if reminder.occurrence_start <= now:
                outcome[ReminderState.DROPPED].append(reminder.id)
                continue
            if quiet_now:
                later = place(now, reminder.occurrence_start, zone, quiet)
                if later is None:
                    outcome[ReminderState.DROPPED].append(reminder.id)
                else:
                    moved.append({"rid": reminder.id, "due": later})
                continue
            appointment = appointments.get(reminder.appointment_id)
            person = people.get(reminder.participant_id)
            coach_id = (appointment.staff_id if appointment else None) or (
                person.coach_id if person else None
            )
            message = reminder_message(
                cast(Reminder, reminder),  # a Row with the reminder's columns
                person,
                appointment,
                locations.get(appointment.location_id) if appointment else None,
                staff.get(coach_id) if coach_id is not None else None,
                now,
                zone,
            )
            if message is None:  # stopped, unreachable, no longer linked, or cancelled
                outcome[ReminderState.CANCELLED].append(reminder.id)
                continue
            rows.append(message)
            outcome[ReminderState.QUEUED].append(reminder.id)
        for state, ids in outcome.items():
            if ids:
                values: dict[str, Any] = {"state": state}
                if state == ReminderState.QUEUED:
                    values["queued_at"] = now
                connection.execute(update(table).where(table.c.id.in_(ids)).values(**values))
        if moved:
            connection.execute(
                update(table).where(table.c.id == bindparam("rid")).values(due_at=bindparam("due")),
                moved,
            )
        outbox.enqueue_many(session, rows)
        return len(rows), len(due) == batch
