"""Who is writing: a participant, a staff member, or someone we do not know yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.services.updates import claim_update
from storage import repositories as repo
from storage.models import ParticipantStatus


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
    unreachable: bool = False  # we saw them block the bot; writing again proves otherwise
    consent_version: str | None = None  # the consent text they last agreed to

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
    """Who owns this chat; prepared Core queries, because this runs for every update."""
    connection = session.connection()
    row = connection.execute(repo.IDENTITY_OF_PARTICIPANT, {"chat": chat_id}).first()
    if row is not None:
        return Identity(
            kind="participant",
            id=row.id,
            language=row.language,
            status=row.status,
            stopped=row.stopped_at is not None,
            unreachable=row.unreachable_at is not None,
            name=row.display_name or "",
            organisation=row.organisation or "",
            in_flow=row.in_flow,
            consent_version=row.consent_version,
        )
    staff = connection.execute(repo.IDENTITY_OF_STAFF, {"chat": chat_id}).first()
    if staff is not None:
        return Identity(
            kind="staff",
            id=staff.id,
            language=staff.language,
            name=staff.name,
            organisation=staff.organisation,
            in_flow=staff.in_flow,
        )
    return Identity(
        kind="unknown", in_flow=connection.execute(repo.IN_FLOW, {"chat": chat_id}).scalar_one()
    )


def arrive(session: Session, update_id: int, chat_id: int | None, now: datetime) -> Identity | None:
    """Claim an update and look up its private chat in one transaction; None for a repeat."""
    with session.begin():
        if not claim_update(session, update_id, now):
            return None
        return who_is(session, chat_id) if chat_id is not None else Identity(kind="unknown")
