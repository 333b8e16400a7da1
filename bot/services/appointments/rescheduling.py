"""Changing appointments after they were made, with the reminders kept in step.

A coach (or the command line) moves or cancels one occurrence or a whole series; after "I can't
come" the coach proposes a new time, which the participant confirms with one tap. A moved
occurrence of a series is skipped in the series (like EXDATE) and made again as a one-off, so
the series itself never changes. Each change tells the participant once, through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import N_, _, format_when, use_locale
from bot.services import audit
from bot.services.appointments import recurrence, reminders, scheduling
from bot.services.appointments.recurrence import skip_key
from bot.services.errors import Refused
from bot.services.messaging.notify import tell
from bot.services.people import scope
from bot.services.people.scope import Scope
from storage.models import (
    Appointment,
    Location,
    Participant,
)

MOVED = N_("Your appointment of {old} has moved. The new time is {when}, at {place}.")
CANCELLED = N_("Your appointment of {when} is cancelled. You do not need to come.")
SERIES_CANCELLED = N_(
    "Your repeating appointment at {place} is cancelled. You do not need to come any more. "
    "Your coach will tell you what comes next."
)


DONE = {
    ("make", True): N_("Saved. {name} gets a message now, and reminders before the appointment."),
    ("make", False): N_("Saved. {name} cannot get messages now."),
    ("move", True): N_("Moved. {name} gets a message now."),
    ("move", False): N_("Moved. {name} cannot get messages now."),
    ("cancel", True): N_("Cancelled. {name} gets a message now."),
    ("cancel", False): N_("Cancelled. {name} cannot get messages now."),
}


@dataclass(frozen=True)
class Changed:
    """What happened, for the reply to whoever made the change."""

    name: str  # the participant's display name
    told: bool  # whether the participant gets a message

    def said(self, action: str) -> str:
        """ "Saved." / "Moved." / "Cancelled." and whether the participant hears of it."""
        return _(DONE[(action, self.told)], name=self.name)


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return format_when(moment, zone)


def _place(session: Session, appointment: Appointment) -> str:
    location = session.get(Location, appointment.location_id or -1)
    return location.name if location else "?"


def _occurrence(appointment: Appointment, start: datetime, now: datetime, zone: ZoneInfo) -> None:
    """Refuse a start that is not a coming occurrence of this appointment (stale button)."""
    if appointment.cancelled_at is not None or start <= now:
        raise Refused("unknown_appointment")
    found = recurrence.occurrences(appointment, start, start + timedelta(seconds=1), zone)
    if start not in found:
        raise Refused("unknown_appointment")


def _one_off_copy(
    session: Session,
    appointment: Appointment,
    new_start: datetime,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
) -> Appointment:
    """The same appointment once, at the new time (same kind, place, person, notes, length)."""
    length = (
        appointment.ends_at - appointment.starts_at if appointment.ends_at is not None else None
    )
    copy = scheduling.create(
        session,
        appointment.organisation_id,
        scheduling.Schedule(
            participant_id=appointment.participant_id,
            kind=appointment.kind,
            starts_at=new_start,
            ends_at=new_start + length if length is not None else None,
            location_id=appointment.location_id,
            staff_id=appointment.staff_id,
            notes=appointment.notes,
        ),
        now,
        zone,
        quiet,
    )
    copy.replaces_id = appointment.id
    return copy


def _audited(
    session: Session,
    mine: Scope,
    now: datetime,
    action: str,
    appointment: Appointment,
    **detail: str,
) -> None:
    """Who changed whose appointment, and when (the chat, the web and the command line alike)."""
    audit.record(
        session,
        now,
        action,
        participant_id=appointment.participant_id,
        staff_id=mine.staff_id,
        actor="staff" if mine.staff_id else "system",
        appointment=appointment.id,
        **detail,
    )


def _skip(appointment: Appointment, start: datetime) -> None:
    appointment.skipped = sorted({*(appointment.skipped or ()), skip_key(start)})


def _moved(
    session: Session,
    appointment: Appointment,
    person: Participant,
    old: datetime,
    new: datetime,
    zone: ZoneInfo,
) -> dict[str, str]:
    with use_locale(person.language or "nl"):
        return {
            "old": _local(old, zone),
            "when": _local(new, zone),
            "place": _place(session, appointment),
        }


def move_text(
    session: Session,
    mine: Scope,
    appointment_id: int,
    occurrence: datetime,
    new_start: datetime,
    now: datetime,
    zone: ZoneInfo,
) -> tuple[str, str]:
    """The participant's name and the notice they will read, in their language (a preview)."""
    with session.begin():
        appointment = scope.appointment(session, mine, appointment_id)
        person = scope.participant(session, mine, appointment.participant_id)
        _occurrence(appointment, occurrence, now, zone)
        params = _moved(session, appointment, person, occurrence, new_start, zone)
        with use_locale(person.language or "nl"):
            return person.display_name or "?", _(MOVED, **params)


def move(
    session: Session,
    mine: Scope,
    appointment_id: int,
    occurrence: datetime,
    new_start: datetime,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
) -> Changed:
    """Move one occurrence; its pending reminders go, the new time gets its own, and the
    participant is told once."""
    with session.begin():
        appointment = scope.appointment(session, mine, appointment_id)
        person = scope.participant(session, mine, appointment.participant_id)
        _occurrence(appointment, occurrence, now, zone)
        if new_start <= now:
            raise Refused("in_the_past")
        if appointment.rrule is None:
            if appointment.ends_at is not None:
                appointment.ends_at = new_start + (appointment.ends_at - appointment.starts_at)
            appointment.starts_at = new_start
            reminders.sync(session, appointment, now, zone, quiet)
        else:
            _skip(appointment, occurrence)
            reminders.sync(session, appointment, now, zone, quiet)
            _one_off_copy(session, appointment, new_start, now, zone, quiet)
        told = tell(
            session,
            person,
            f"appointment:{appointment.id}:moved:{skip_key(occurrence)}:{skip_key(new_start)}",
            now,
            MOVED,
            None,
            **_moved(session, appointment, person, occurrence, new_start, zone),
        )
        _audited(
            session,
            mine,
            now,
            "appointment_moved",
            appointment,
            occurrence=occurrence.isoformat(),
            start=new_start.isoformat(),
        )
        return Changed(person.display_name or "?", told)


def cancel(
    session: Session,
    mine: Scope,
    appointment_id: int,
    occurrence: datetime | None,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
) -> Changed:
    """Cancel one occurrence (`occurrence`), or the whole appointment or series (None)."""
    with session.begin():
        appointment = scope.appointment(session, mine, appointment_id)
        person = scope.participant(session, mine, appointment.participant_id)
        if appointment.cancelled_at is not None:
            raise Refused("unknown_appointment")
        series = appointment.rrule is not None and occurrence is None
        if occurrence is not None:
            _occurrence(appointment, occurrence, now, zone)
        if occurrence is not None and appointment.rrule is not None:
            _skip(appointment, occurrence)
        else:
            appointment.cancelled_at = now
            occurrence = appointment.starts_at
        reminders.sync(session, appointment, now, zone, quiet)
        key = f"appointment:{appointment.id}:cancelled"
        if series:
            told = tell(
                session, person, key, now, SERIES_CANCELLED, place=_place(session, appointment)
            )
        else:
            with use_locale(person.language or "nl"):
                when = _local(occurrence, zone)
            told = tell(session, person, f"{key}:{skip_key(occurrence)}", now, CANCELLED, when=when)
        what = "series" if series else occurrence.isoformat()
        _audited(session, mine, now, "appointment_cancelled", appointment, occurrence=what)
        return Changed(person.display_name or "?", told)


def coming_for(
    session: Session, mine: Scope, participant_id: int, now: datetime, zone: ZoneInfo
) -> tuple[str, list[tuple[int, datetime, str, bool, str]]]:
    """A participant's coming occurrences for the coach: (appointment, start, kind, series,
    place)."""
    with session.begin():
        person = scope.participant(session, mine, participant_id)
        rows = session.scalars(
            select(Appointment).where(
                Appointment.participant_id == person.id, Appointment.cancelled_at.is_(None)
            )
        ).all()
        found = [
            (
                appointment.id,
                start,
                appointment.kind.value,
                appointment.rrule is not None,
                _place(session, appointment),
            )
            for appointment in rows
            for start in recurrence.occurrences(appointment, now, now + timedelta(days=28), zone)
        ]
        return person.display_name or "?", sorted(found, key=lambda item: item[1])[:10]


def occurrence_from(epoch: int) -> datetime:
    """Buttons carry an occurrence as whole seconds since 1970 (short enough for Telegram)."""
    return datetime.fromtimestamp(epoch, UTC)
