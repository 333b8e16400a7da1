"""The actions of the /afspraak flow: what the participant will read, then saving it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import _, format_when, use_locale
from bot.services.actions import Actor
from bot.services.appointments import proposing, rescheduling, scheduling
from bot.services.appointments.reminder_texts import NEW
from bot.services.errors import Refused
from bot.services.messaging.notify import tell
from bot.services.people import scope
from flows.model import Effect, Send
from storage.db import Database
from storage.models import (
    AppointmentKind,
    Location,
    Participant,
)

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


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


def _schedule(
    session: Session, chat_id: int, v: dict[str, Any], now: datetime, zone: ZoneInfo
) -> tuple[scope.Scope, Participant, Location, scheduling.Schedule]:
    mine = scope.of_staff(session, chat_id)
    person = scope.participant(session, mine, int(v["participant"]))
    place = session.get(Location, int(v["location"]))
    if place is None or place.organisation_id != mine.organisation_id:
        raise Refused("not_yours")
    start = local_start(v["when"], now, zone)
    rule = f"FREQ=WEEKLY;BYDAY={WEEKDAYS[start.weekday()]}" if v.get("repeat") == "weekly" else None
    return (
        mine,
        person,
        place,
        scheduling.Schedule(
            participant_id=person.id,
            kind=AppointmentKind(v["kind"]),
            starts_at=start,
            rrule=rule,
            location_id=place.id,
            staff_id=mine.staff_id,
        ),
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
        _scope, person, place, schedule = _schedule(session, chat_id, v, now, actor.zone)
        text = _participant_text(schedule, person, place, actor.zone)
        header = _("{name} will get this message:", name=person.display_name or "?")
    return [Send(f"{header}\n\n{text}", literal=True)]


def create(
    session: Session, chat_id: int, v: dict[str, Any], now: datetime, actor: Actor
) -> list[Effect]:
    """Save it, plan the reminders, and tell the participant once (through the outbox)."""
    with session.begin():
        mine, person, place, schedule = _schedule(session, chat_id, v, now, actor.zone)
        appointment = scheduling.create(
            session, mine.organisation_id, schedule, now, actor.zone, actor.quiet
        )
        with use_locale(person.language or "nl"):
            when = format_when(schedule.starts_at, actor.zone)
        tell(
            session,
            person,
            f"appointment:{appointment.id}:new",
            now,
            NEW[schedule.kind],
            when=when,
            place=place.name,
        )
        name = person.display_name or "?"
    return [
        Send(
            _("Saved. {name} gets a message now, and reminders before the appointment.", name=name),
            literal=True,
        )
    ]


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
