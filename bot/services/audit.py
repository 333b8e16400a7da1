"""The audit trail of changes to a person's data (language, consent, links)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.models import AuditEvent


def record(
    session: Session,
    at: datetime,
    action: str,
    *,
    participant_id: int | None = None,
    staff_id: int | None = None,
    actor: str = "participant",
    **detail: Any,
) -> None:
    """Add an event to the caller's transaction; never the message text of a participant."""
    session.add(
        AuditEvent(
            at=at,
            action=action,
            participant_id=participant_id,
            staff_id=staff_id,
            actor=actor,
            detail=detail,
        )
    )
