"""Demo data: one organisation, two locations, two groups, a coach, participants, appointments."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.people import codes
from storage.db import Database
from storage.models import (
    Appointment,
    AppointmentKind,
    Group,
    GroupKind,
    GroupMembership,
    Invite,
    InviteKind,
    Location,
    Organisation,
    Participant,
    ParticipantStatus,
    Phase,
    StaffMember,
    StaffRole,
)

SLUG = "demo"
PEOPLE = [("Yonas", "ti", 0), ("Amina", "so", 1), ("Rami", "ar", 0), ("Fatima", "nl", 1)]


def _next(weekday: int, at: time, zone: ZoneInfo, now: datetime) -> datetime:
    local = now.astimezone(zone)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7 or 7)
    return datetime.combine(day, at, tzinfo=zone)


def load(session: Session, now: datetime, zone: ZoneInfo) -> list[tuple[str, str]]:
    """Create the demo organisation once; return (what, code) for every demo invite."""
    with session.begin():
        organisation = session.scalars(
            select(Organisation).where(Organisation.slug == SLUG)
        ).first()
        if organisation is None:
            organisation = _create(session, now, zone)
        rows = session.scalars(
            select(Invite).where(Invite.organisation_id == organisation.id).order_by(Invite.id)
        ).all()
        codes = []
        for invite in rows:
            if invite.kind == InviteKind.PERSONAL:
                person = session.get(Participant, invite.participant_id)
                what = f"personal code for {person.display_name if person else '?'}"
            elif invite.kind == InviteKind.STAFF:
                what = "coach (use with: wegwijzer chat --coach)"
            else:
                what = f"{invite.kind.value} code"
            left = "" if invite.max_uses is None else f" ({invite.max_uses - invite.uses} use left)"
            codes.append((what + left, invite.code))
        return codes


def _create(session: Session, now: datetime, zone: ZoneInfo) -> Organisation:
    organisation = Organisation(slug=SLUG, name="Wijkatelier De Brug", created_at=now)
    session.add(organisation)
    session.flush()
    coach = StaffMember(
        organisation_id=organisation.id, name="Sanne de Vries", role=StaffRole.COACH, created_at=now
    )
    session.add(coach)
    # An admin without a chat yet: `wegwijzer web link --org demo --staff "Noor Jansen"` shows
    # the admin's pages (the impact report).
    session.add(
        StaffMember(
            organisation_id=organisation.id,
            name="Noor Jansen",
            role=StaffRole.ADMIN,
            created_at=now,
        )
    )
    session.flush()
    opens = now.astimezone(zone).strftime("%Y%m%dT093000")
    north = Location(
        organisation_id=organisation.id,
        name="Wijkatelier Noord",
        address="Kastanjeplein 12, Utrecht",
        default_coach_id=coach.id,
        opening_rrule=f"DTSTART:{opens}\nRRULE:FREQ=WEEKLY;BYDAY=TU,TH",
    )
    south = Location(
        organisation_id=organisation.id,
        name="Wijkatelier Zuid",
        address="Rivierenlaan 3, Utrecht",
        default_coach_id=coach.id,
        opening_rrule=f"DTSTART:{opens}\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE",
    )
    session.add_all([north, south])
    session.flush()
    groups = [
        Group(
            organisation_id=organisation.id,
            name=f"Groep {loc.name.split()[-1]}",
            kind=GroupKind.LOCATION,
            location_id=loc.id,
        )
        for loc in (north, south)
    ]
    session.add_all(groups)
    session.flush()
    codes.create(
        session,
        now,
        organisation.id,
        InviteKind.LOCATION,
        code="DEMO",
        location_id=north.id,
        valid_for=None,
    )
    codes.create(
        session,
        now,
        organisation.id,
        InviteKind.LOCATION,
        code="ZUID",
        location_id=south.id,
        valid_for=None,
    )
    codes.create(
        session,
        now,
        organisation.id,
        InviteKind.STAFF,
        code="COACH-DEMO",
        staff_id=coach.id,
        valid_for=None,
    )
    for name, language, place in PEOPLE:
        location = (north, south)[place]
        person = Participant(
            display_name=name,
            language=language,
            organisation_id=organisation.id,
            location_id=location.id,
            coach_id=coach.id,
            phase=Phase.ACTIVERING,
            phase_since=now,
            status=ParticipantStatus.INVITED,
            created_at=now,
        )
        session.add(person)
        session.flush()
        session.add(GroupMembership(group_id=groups[place].id, participant_id=person.id))
        codes.create(
            session,
            now,
            organisation.id,
            InviteKind.PERSONAL,
            participant_id=person.id,
            coach_id=coach.id,
            location_id=location.id,
        )
        workshop = _next(1, time(9, 30), zone, now)  # Tuesdays and Thursdays at the workshop
        session.add(
            Appointment(
                organisation_id=organisation.id,
                participant_id=person.id,
                kind=AppointmentKind.WORKSHOP_DAY,
                starts_at=workshop,
                ends_at=workshop + timedelta(hours=3),
                rrule="FREQ=WEEKLY;BYDAY=TU,TH",
                location_id=location.id,
                staff_id=coach.id,
                created_at=now,
            )
        )
        talk = _next(2, time(14, 0), zone, now)
        session.add(
            Appointment(
                organisation_id=organisation.id,
                participant_id=person.id,
                kind=AppointmentKind.COACH_TALK,
                starts_at=talk,
                ends_at=talk + timedelta(minutes=45),
                location_id=location.id,
                staff_id=coach.id,
                notes="Kennismaking",
                created_at=now,
            )
        )
    return organisation


def load_demo(db: Database, now: datetime, zone: ZoneInfo) -> list[tuple[str, str]]:
    """`load` as a use case (the command line's `demo-data`): its own session."""
    with db.read() as session:
        return load(session, now, zone)
