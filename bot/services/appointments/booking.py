"""The actions of the /afspraak flow: what the participant will read, then saving it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import _, format_when, use_locale
from bot.services import audit
from bot.services.actions import Actor
from bot.services.appointments import proposing, recurrence, rescheduling, scheduling
from bot.services.appointments.reminder_texts import NEW
from bot.services.appointments.rescheduling import Changed
from bot.services.errors import Refused
from bot.services.messaging.notify import tell
from bot.services.people import scope
from flows.model import Effect, Send
from nlu.normalise import ascii_digits
from storage.db import Database
from storage.models import (
    Appointment,
    AppointmentKind,
    Location,
    Participant,
)

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
NOTES_LONGEST = 300  # a note from the coach, shown in every reminder


def options(session: Session, chat_id: int) -> dict[str, list[dict[str, str]]]:
    """A coach's own participants (an admin's: the whole organisation's) and the locations."""
    with session.begin():
        return _options(session, scope.of_staff(session, chat_id))


def _options(session: Session, mine: scope.Scope) -> dict[str, list[dict[str, str]]]:
    places = select(Location).where(Location.organisation_id == mine.organisation_id)
    return {
        "participant_options": [
            {"value": str(p.id), "label": (p.display_name or "?")[:40]}
            for p in session.scalars(scope.participants(mine)).all()[:40]
        ],
        "location_options": [
            {"value": str(loc.id), "label": loc.name[:40]}
            for loc in session.scalars(places.order_by(Location.name))
        ],
    }


def booking_options(db: Database, mine: scope.Scope) -> dict[str, list[dict[str, str]]]:
    """What the /afspraak flow offers this staff member; refused when they have nobody."""
    with db.read() as session, session.begin():
        found = _options(session, mine)
    if not found["participant_options"]:
        raise Refused("no_participants")
    return found


def local_start(parts: dict[str, int], now: datetime, zone: ZoneInfo) -> datetime:
    """The moment a coach typed ("24-11 09:30", year optional: the coming one), in the future."""
    local = now.astimezone(zone)
    year = parts.get("year") or local.year
    try:
        start = datetime(
            year, parts["month"], parts["day"], parts["hour"], parts["minute"], tzinfo=zone
        )
    except ValueError:
        raise Refused("in_the_past") from None
    if parts.get("year") is None and start < local - timedelta(days=1):
        start = start.replace(year=year + 1)
    if start < local:
        raise Refused("in_the_past")
    return start


@dataclass(frozen=True)
class Wanted:
    """A new appointment as a coach asks for it, in the chat or on the web."""

    participant_id: int
    kind: str  # an AppointmentKind value
    starts_at: datetime
    location_id: int
    weekly: bool = False
    notes: str = ""


def local_moment(day: str, clock: str, zone: ZoneInfo) -> datetime:
    """A day (YYYY-MM-DD) and a time on the 24-hour clock (09:30, 9.30) as typed in a form."""
    try:
        on = date.fromisoformat(ascii_digits(day).strip())
    except ValueError:
        raise Refused("bad_date") from None
    hours, _sep, minutes = ascii_digits(clock).strip().replace(".", ":").partition(":")
    try:
        at = time(int(hours), int(minutes)) if len(minutes) == 2 else None
    except ValueError:
        at = None
    if at is None:
        raise Refused("bad_time")
    return datetime.combine(on, at, tzinfo=zone)


def _schedule(
    session: Session, mine: scope.Scope, wanted: Wanted, now: datetime, zone: ZoneInfo
) -> tuple[Participant, Location, scheduling.Schedule]:
    """Checked: someone in scope, a place of the organisation, a kind, a time still to come, and
    not the same appointment twice (a form sent twice)."""
    person = scope.participant(session, mine, wanted.participant_id)
    place = session.get(Location, wanted.location_id)
    if place is None or place.organisation_id != mine.organisation_id:
        raise Refused("unknown_location")
    try:
        kind = AppointmentKind(wanted.kind)
    except ValueError:
        raise Refused("unknown_kind") from None
    start = wanted.starts_at
    if start <= now:
        raise Refused("in_the_past")
    same = select(Appointment).where(
        Appointment.participant_id == person.id,
        Appointment.kind == kind,
        Appointment.cancelled_at.is_(None),
    )
    if any(
        recurrence.occurrences(other, start, start + timedelta(seconds=1), zone)
        for other in session.scalars(same)
    ):
        raise Refused("already_booked", name=person.display_name or "?")
    rule = f"FREQ=WEEKLY;BYDAY={WEEKDAYS[start.astimezone(zone).weekday()]}"
    return (
        person,
        place,
        scheduling.Schedule(
            participant_id=person.id,
            kind=kind,
            starts_at=start,
            rrule=rule if wanted.weekly else None,
            location_id=place.id,
            staff_id=mine.staff_id,
            notes=wanted.notes.strip(),
        ),
    )


def _from_flow(v: dict[str, Any], now: datetime, zone: ZoneInfo) -> Wanted:
    return Wanted(
        participant_id=int(v["participant"]),
        kind=v["kind"],
        starts_at=local_start(v["when"], now, zone),
        location_id=int(v["location"]),
        weekly=v.get("repeat") == "weekly",
    )


def _participant_text(
    schedule: scheduling.Schedule, person: Participant, place: Location, zone: ZoneInfo
) -> str:
    with use_locale(person.language or "nl"):
        return _(NEW[schedule.kind], when=format_when(schedule.starts_at, zone), place=place.name)


def summary(
    session: Session, chat_id: int, v: dict[str, Any], now: datetime, actor: Actor
) -> list[Effect]:
    """Show the coach exactly what the participant will read, in the participant's language."""
    with session.begin():
        mine = scope.of_staff(session, chat_id)
        wanted = _from_flow(v, now, actor.zone)
        person, place, schedule = _schedule(session, mine, wanted, now, actor.zone)
        text = _participant_text(schedule, person, place, actor.zone)
        header = _("{name} will get this message:", name=person.display_name or "?")
    return [Send(f"{header}\n\n{text}", literal=True)]


def book(
    session: Session,
    mine: scope.Scope,
    wanted: Wanted,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
) -> Changed:
    """Save it, plan the reminders, tell the participant once (through the outbox) and audit
    it; in the caller's transaction."""
    person, place, schedule = _schedule(session, mine, wanted, now, zone)
    appointment = scheduling.create(session, mine.organisation_id, schedule, now, zone, quiet)
    with use_locale(person.language or "nl"):
        when = format_when(schedule.starts_at, zone)
    told = tell(
        session,
        person,
        f"appointment:{appointment.id}:new",
        now,
        NEW[schedule.kind],
        when=when,
        place=place.name,
    )
    audit.record(
        session,
        now,
        "appointment_made",
        participant_id=person.id,
        staff_id=mine.staff_id,
        actor="staff" if mine.staff_id else "system",
        appointment=appointment.id,
        start=schedule.starts_at.isoformat(),
    )
    return Changed(person.display_name or "?", told)


def create(
    session: Session, chat_id: int, v: dict[str, Any], now: datetime, actor: Actor
) -> list[Effect]:
    """/afspraak saved: `book` for the staff member of this chat."""
    with session.begin():
        mine = scope.of_staff(session, chat_id)
        done = book(session, mine, _from_flow(v, now, actor.zone), now, actor.zone, actor.quiet)
    return [Send(done.said("make"), literal=True)]


def make(
    db: Database,
    staff: scope.Scope,
    participant: int,
    kind: str,
    start: datetime,
    location: int,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
    notes: str = "",
) -> Changed:
    """A one-off appointment from the web form: `book` in a transaction of its own."""
    wanted = Wanted(participant, kind, start, location, notes=notes[:NOTES_LONGEST])
    with db.write() as session:
        return book(session, staff, wanted, now, zone, quiet)


def _new_time(
    session: Session, chat_id: int, v: dict[str, Any], now: datetime, actor: Actor
) -> tuple[scope.Scope, datetime]:
    with session.begin():
        mine = scope.of_staff(session, chat_id)
    return mine, local_start(v["when"], now, actor.zone)


def new_time_preview(
    session: Session, chat_id: int, v: dict[str, Any], now: datetime, actor: Actor
) -> list[Effect]:
    """Before a move or a proposal: exactly what the participant will read."""
    mine, start = _new_time(session, chat_id, v, now, actor)
    if v["mode"] == "propose":
        name, text = proposing.proposal_text(session, mine, int(v["alert"]), start, actor.zone)
    else:
        name, text = rescheduling.move_text(
            session, mine, int(v["appointment"]), occurrence_from(v), start, now, actor.zone
        )
    header = _("{name} will get this message:", name=name)
    return [Send(f"{header}\n\n{text}", literal=True)]


def new_time_save(
    session: Session, chat_id: int, v: dict[str, Any], now: datetime, actor: Actor
) -> list[Effect]:
    """Move the occurrence, or send the proposal; the participant is told through the outbox."""
    mine, start = _new_time(session, chat_id, v, now, actor)
    if v["mode"] == "propose":
        done = proposing.propose(session, mine, int(v["alert"]), start, now, actor.zone)
        return [Send(_("Sent. I will tell you when {name} answers.", name=done.name), literal=True)]
    done = rescheduling.move(
        session,
        mine,
        int(v["appointment"]),
        occurrence_from(v),
        start,
        now,
        actor.zone,
        actor.quiet,
    )
    return [Send(done.said("move"), literal=True)]


def occurrence_from(v: dict[str, Any]) -> datetime:
    return rescheduling.occurrence_from(int(v["occurrence"]))
