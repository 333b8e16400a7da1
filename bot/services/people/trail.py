"""The audit trail of one participant, for their organisation (the command line's `audit`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.services import audit
from storage.db import Database
from storage.models import Participant


@dataclass(frozen=True)
class Trail:
    """How many participants matched, and when exactly one did, who viewed or changed their
    data: (when, actor, staff name, action, detail), oldest first."""

    matches: int
    events: list[tuple[datetime, str, str, str, dict[str, Any]]] = field(default_factory=list)


def of_participant(db: Database, organisation_id: int, wanted: str) -> Trail:
    """The trail of the organisation's participant with this number, or this exact name."""
    wanted = wanted.strip()
    with db.write() as session:
        query = select(Participant.id).where(Participant.organisation_id == organisation_id)
        query = query.where(
            Participant.id == int(wanted)
            if wanted.isdigit()
            else Participant.display_name == wanted
        )
        found = session.scalars(query).all()
        if len(found) != 1:
            return Trail(len(found))
        return Trail(1, audit.trail(session, organisation_id, found[0]))
