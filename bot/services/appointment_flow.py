"""The actions of the /afspraak flow: what the participant will read, then saving it."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import _, format_when, use_locale
from bot.services import outbox, scheduling
from bot.services.broadcasts import BroadcastRefused
from bot.services.reminder_texts import WHAT
from flows.model import Effect, Send
from storage import repositories as repo
from storage.models import (
    PRIORITY_PERSONAL,
    AppointmentKind,
    Location,
    OutboxKind,
    Participant,
    ParticipantStatus,
    StaffMember,
    StaffRole,
)

if TYPE_CHECKING:
    from bot.services.conversations import Actor

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _staff(session: Session, chat_id: int) -> StaffMember:
    staff = repo.staff_by_chat(session, chat_id)
    if staff is None:
        raise BroadcastRefused("not_staff")
    return staff


def options(session: Session, chat_id: int) -> dict[str, list[dict[str, str]]]:
    """A coach's own participants (an admin's: the whole organisation's) and the locations."""
    with session.begin():
        staff = _staff(session, chat_id)
        people = select(Participant).where(
            Participant.organisation_id == staff.organisation_id,
            Participant.status.in_([ParticipantStatus.ACTIVE, ParticipantStatus.INVITED]),
        )
        if staff.role == StaffRole.COACH:
            people = people.where(Participant.coach_id == staff.id)
        places = select(Location).where(Location.organisation_id == staff.organisation_id)
        return {
            "participant_options": [
                {"value": str(p.id), "label": (p.display_name or "?")[:40]}
                for p in session.scalars(people.order_by(Participant.display_name)).all()[:40]
            ],
            "location_options": [
                {"value": str(loc.id), "label": loc.name[:40]}
                for loc in session.scalars(places.order_by(Location.name))
            ],
        }


def _schedule(
    session: Session, chat_id: int, v: dict[str, Any], now: datetime, zone: ZoneInfo
) -> tuple[StaffMember, Participant, Location, scheduling.Schedule]:
    staff = _staff(session, chat_id)
    person = session.get(Participant, int(v["participant"]))
    place = session.get(Location, int(v["location"]))
    if (
        person is None
        or place is None
        or person.organisation_id != staff.organisation_id
        or place.organisation_id != staff.organisation_id
    ):
        raise BroadcastRefused("unknown_group")
    parts = v["when"]
    local = now.astimezone(zone)
    year = parts.get("year") or local.year
    try:
        start = datetime(
            year, parts["month"], parts["day"], parts["hour"], parts["minute"], tzinfo=zone
        )
    except ValueError:
        raise BroadcastRefused("in_the_past") from None
    if parts.get("year") is None and start < local - timedelta(days=1):
        start = start.replace(year=year + 1)
    if start < local:
        raise BroadcastRefused("in_the_past")
    rule = f"FREQ=WEEKLY;BYDAY={WEEKDAYS[start.weekday()]}" if v.get("repeat") == "weekly" else None
    return (
        staff,
        person,
        place,
        scheduling.Schedule(
            participant_id=person.id,
            kind=AppointmentKind(v["kind"]),
            starts_at=start,
            rrule=rule,
            location_id=place.id,
            staff_id=staff.id,
        ),
    )


def _participant_text(
    schedule: scheduling.Schedule, person: Participant, place: Location, zone: ZoneInfo
) -> str:
    with use_locale(person.language or "nl"):
        return _(WHAT[schedule.kind], when=format_when(schedule.starts_at, zone), place=place.name)


def summary(
    session: Session, chat_id: int, v: dict[str, Any], now: datetime, actor: Actor
) -> list[Effect]:
    """Show the coach exactly what the participant will read, in the participant's language."""
    with session.begin():
        _staff_member, person, place, schedule = _schedule(session, chat_id, v, now, actor.zone)
        text = _participant_text(schedule, person, place, actor.zone)
        header = _("{name} will get this message:", name=person.display_name or "?")
    return [Send(f"{header}\n\n{text}", literal=True)]


def create(
    session: Session, chat_id: int, v: dict[str, Any], now: datetime, actor: Actor
) -> list[Effect]:
    """Save it, plan the reminders, and tell the participant once (through the outbox)."""
    quiet = (time(21), time(8))
    with session.begin():
        staff, person, place, schedule = _schedule(session, chat_id, v, now, actor.zone)
        appointment = scheduling.create(
            session, staff.organisation_id, schedule, now, actor.zone, quiet
        )
        if person.chat_id is not None and person.status == ParticipantStatus.ACTIVE:
            text = _participant_text(schedule, person, place, actor.zone)
            outbox.enqueue_many(
                session,
                [
                    outbox.message(
                        now,
                        key=f"appointment:{appointment.id}:new",
                        chat_id=person.chat_id,
                        text=text,
                        kind=OutboxKind.REMINDER,
                        priority=PRIORITY_PERSONAL,
                        participant_id=person.id,
                        organisation_id=staff.organisation_id,
                        language=person.language,
                    )
                ],
            )
        name = person.display_name or "?"
    return [
        Send(
            _("Saved. {name} gets a message now, and reminders before the appointment.", name=name),
            literal=True,
        )
    ]
