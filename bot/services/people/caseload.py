"""A coach's participants as use cases (each opens its own transaction and returns plain
values): /deelnemers, /deelnemer NAME and a card, /uitnodigen, and the taps on a card that
change someone's phase or hand them over. The building blocks are in `participants`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import get_args
from zoneinfo import ZoneInfo

from bot.callbacks import OutflowName, PhaseName
from bot.services.people import participants, scope
from bot.services.people.participants import Card, Glance
from bot.services.people.scope import Scope
from storage.db import Database
from storage.models import Outflow, Phase

# The buttons name phases and outflow categories by their stored values.
assert set(get_args(PhaseName)) == {phase.value for phase in Phase}
assert set(get_args(OutflowName)) == {outflow.value for outflow in Outflow}


@dataclass(frozen=True)
class Invited:
    """A personal code for someone new: the code, until when it works, and their name."""

    code: str
    expires: datetime
    name: str


@dataclass(frozen=True)
class Stepped:
    """A phase step (or leaving) saved: whose, to which phase or with which outflow, and when."""

    name: str
    on: date
    phase: str | None = None
    outflow: str | None = None


@dataclass(frozen=True)
class Choices:
    """What a tap on a card offers: the participant's name and the values to choose from."""

    name: str
    options: list[tuple[str, str]]  # (value, label or name)


def overview(db: Database, staff: Scope, now: datetime) -> list[Glance]:
    """/deelnemers: everyone in scope with four weeks of attendance and open alerts."""
    with db.write() as session:
        return participants.overview(session, staff, now)


def named(db: Database, staff: Scope, name: str) -> list[tuple[int, str]]:
    """/deelnemer NAME: the participants in scope called so (id, name); an exact match wins."""
    with db.write() as session:
        return [(p.id, p.display_name or "?") for p in participants.find(session, staff, name)]


def card(db: Database, staff: Scope, participant_id: int, now: datetime, zone: ZoneInfo) -> Card:
    """One participant in full (the view is audited); refused outside the scope."""
    with db.read() as session:
        return participants.card(session, staff, participant_id, now, zone)


def invite(db: Database, staff: Scope, name: str, now: datetime) -> Invited:
    """/uitnodigen NAME: a personal, single-use code for someone new."""
    with db.write() as session:
        code, expires, person = participants.invite(session, staff, name, now)
        return Invited(code, expires, person.display_name or "?")


def phases_to_choose(db: Database, staff: Scope, participant_id: int) -> Choices:
    """🔀 Change phase: every phase but the one they are in (value, label msgid)."""
    with db.write() as session:
        person = scope.participant(session, staff, participant_id)
        options = [
            (phase.value, label)
            for phase, label in participants.PHASES.items()
            if phase != person.phase
        ]
        return Choices(person.display_name or "?", options)


def outflows_to_choose(db: Database, staff: Scope, participant_id: int) -> Choices:
    """🚪 Leaves the trajectory: the outflow categories (value, label msgid)."""
    with db.write() as session:
        person = scope.participant(session, staff, participant_id)
        options = [(outflow.value, label) for outflow, label in participants.OUTFLOWS.items()]
        return Choices(person.display_name or "?", options)


def coaches_to_choose(db: Database, staff: Scope, participant_id: int) -> Choices:
    """👤 Hand over: the organisation's other coaches (id, name)."""
    with db.write() as session:
        person = scope.participant(session, staff, participant_id)
        options = [
            (str(c.id), c.name)
            for c in participants.coaches(session, staff)
            if c.id != person.coach_id
        ]
        return Choices(person.display_name or "?", options)


def move_to_phase(
    db: Database, staff: Scope, participant_id: int, phase: str, now: datetime, zone: ZoneInfo
) -> Stepped:
    """The phase they are in from today."""
    with db.write() as session:
        person = scope.participant(session, staff, participant_id)
        name = person.display_name or "?"
        change = participants.change_phase(session, staff, participant_id, Phase(phase), now, zone)
        return Stepped(name, change.on, phase=change.to_phase.value if change.to_phase else None)


def leave(
    db: Database, staff: Scope, participant_id: int, outflow: str, now: datetime, zone: ZoneInfo
) -> Stepped:
    """They leave the trajectory today, with one outflow category; no more messages."""
    with db.write() as session:
        person = scope.participant(session, staff, participant_id)
        name = person.display_name or "?"
        change = participants.change_phase(
            session, staff, participant_id, None, now, zone, outflow=Outflow(outflow)
        )
        return Stepped(name, change.on, outflow=outflow)


def hand_over(
    db: Database, staff: Scope, participant_id: int, coach_id: int, now: datetime
) -> tuple[str, str]:
    """Another coach takes them over; the participant's and the new coach's names."""
    with db.write() as session:
        person = scope.participant(session, staff, participant_id)
        name = person.display_name or "?"
        coach = participants.hand_over(session, staff, participant_id, coach_id, now)
        return name, coach.name
