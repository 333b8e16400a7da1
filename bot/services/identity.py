"""Who is writing: a participant, a staff member, or someone we do not know yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.services.updates import claim_update
from storage.models import FlowState, Organisation, Participant, ParticipantStatus, StaffMember


@dataclass(frozen=True)
class Identity:
    kind: str  # "participant", "staff" or "unknown"
    id: int | None = None
    language: str | None = None
    status: ParticipantStatus | None = None
    stopped: bool = False
    name: str = ""
    organisation: str = ""
    in_flow: bool = False  # the chat is in the middle of a flow (onboarding, a check-in)

    @property
    def linked(self) -> bool:
        return self.kind == "participant" and self.status == ParticipantStatus.ACTIVE

    @property
    def audience(self) -> str:
        """What the bot offers them: "participant" (linked), "staff", or "guest"."""
        if self.kind == "staff":
            return "staff"
        return "participant" if self.linked else "guest"


def who_is(session: Session, chat_id: int) -> Identity:
    """Who owns this chat, in as few and as light queries as possible (this runs per update)."""
    in_flow = exists().where(FlowState.chat_id == chat_id)
    staff = session.execute(
        select(StaffMember.id, StaffMember.language, StaffMember.name, Organisation.name, in_flow)
        .join(Organisation, Organisation.id == StaffMember.organisation_id)
        .where(StaffMember.chat_id == chat_id)
    ).first()
    if staff is not None:
        return Identity(
            kind="staff",
            id=staff[0],
            language=staff[1],
            name=staff[2],
            organisation=staff[3],
            in_flow=staff[4],
        )
    row = session.execute(
        select(
            Participant.id,
            Participant.language,
            Participant.status,
            Participant.stopped_at,
            Participant.display_name,
            Organisation.name,
            in_flow,
        )
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .where(Participant.chat_id == chat_id)
    ).first()
    if row is None:
        return Identity(kind="unknown", in_flow=bool(session.scalar(select(in_flow))))
    return Identity(
        kind="participant",
        id=row[0],
        language=row[1],
        status=row[2],
        stopped=row[3] is not None,
        name=row[4] or "",
        organisation=row[5] or "",
        in_flow=row[6],
    )


def arrive(session: Session, update_id: int, chat_id: int | None, now: datetime) -> Identity | None:
    """Claim an update and look up its private chat in one transaction; None for a repeat."""
    with session.begin():
        if not claim_update(session, update_id, now):
            return None
        return who_is(session, chat_id) if chat_id is not None else Identity(kind="unknown")
