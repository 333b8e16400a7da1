"""Who is writing: a participant, a staff member, or someone we do not know yet."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

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
    """One lookup per update; staff win if a chat is somehow both."""
    staff = repo.staff_by_chat(session, chat_id)
    if staff is not None:
        return Identity(
            kind="staff",
            id=staff.id,
            language=staff.language,
            name=staff.name,
            organisation=staff.organisation.name,
        )
    participant = repo.participant_by_chat(session, chat_id)
    if participant is None:
        return Identity(kind="unknown")
    return Identity(
        kind="participant",
        id=participant.id,
        language=participant.language,
        status=participant.status,
        stopped=participant.stopped_at is not None,
        name=participant.display_name or "",
        organisation=participant.organisation.name if participant.organisation else "",
    )
