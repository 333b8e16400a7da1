"""Who may act on whom: a coach on their own participants, an admin on the organisation's,
the command line (an operator) on one organisation's. Checked here, in the service layer, so
no handler can forget it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.services.errors import Refused
from storage import repositories as repo
from storage.db import Database
from storage.models import Alert, Appointment, Participant, ParticipantStatus, StaffRole


@dataclass(frozen=True)
class Scope:
    """An organisation, narrowed to one coach's participants when `coach_id` is set."""

    organisation_id: int
    coach_id: int | None = None
    staff_id: int | None = None
    staff_name: str = ""

    def covers(self, participant: Participant | None) -> bool:
        return (
            participant is not None
            and participant.organisation_id == self.organisation_id
            and (self.coach_id is None or participant.coach_id == self.coach_id)
        )


def of_staff(session: Session, chat_id: int) -> Scope:
    """The scope of the staff member writing from this chat; refused for anyone else."""
    staff = repo.staff_by_chat(session, chat_id)
    if staff is None:
        raise Refused("not_staff")
    return Scope(
        organisation_id=staff.organisation_id,
        coach_id=staff.id if staff.role == StaffRole.COACH else None,
        staff_id=staff.id,
        staff_name=staff.name,
    )


def participants(scope: Scope) -> Select[Any]:
    """The current participants this scope may see, by name."""
    query = select(Participant).where(
        Participant.organisation_id == scope.organisation_id,
        Participant.status.in_([ParticipantStatus.ACTIVE, ParticipantStatus.INVITED]),
    )
    if scope.coach_id is not None:
        query = query.where(Participant.coach_id == scope.coach_id)
    return query.order_by(Participant.display_name, Participant.id)


def participant(session: Session, scope: Scope, participant_id: int) -> Participant:
    person = session.get(Participant, participant_id)
    if not scope.covers(person):
        raise Refused("not_yours")
    assert person is not None
    return person


def appointment(session: Session, scope: Scope, appointment_id: int) -> Appointment:
    """An appointment of someone in scope; another organisation's looks like no appointment."""
    found = session.get(Appointment, appointment_id)
    if found is None or found.organisation_id != scope.organisation_id:
        raise Refused("unknown_appointment")
    participant(session, scope, found.participant_id)
    return found


def alert(session: Session, scope: Scope, alert_id: int) -> Alert:
    found = session.get(Alert, alert_id)
    if found is None or found.organisation_id != scope.organisation_id:
        raise Refused("unknown_alert")
    if found.participant_id is not None:
        participant(session, scope, found.participant_id)
    return found


def staff_scope(db: Database, chat_id: int) -> Scope:
    """`of_staff` as a use case: the adapters' way to learn whom a staff chat may act on."""
    with db.read() as session:
        return of_staff(session, chat_id)
