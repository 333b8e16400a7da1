"""The audit trail of changes to a person's data (language, consent, links)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from storage.db import Database
from storage.models import AuditEvent, Participant, StaffMember


@dataclass(frozen=True)
class Correction:
    """The latest change of an attendance record that was already set: from what, by whom."""

    at: datetime
    before: str  # an AttendanceStatus value
    by: str  # the staff member's name; empty for a participant's answer or a file


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


def record_many(
    session: Session,
    at: datetime,
    action: str,
    views: Sequence[tuple[int | None, dict[str, Any]]],
    *,
    staff_id: int | None,
    actor: str = "staff",
) -> None:
    """The same view of many people (a page of the caseload, the board) as one statement: a
    page of a hundred people must not cost a hundred round trips. `views`: (participant id,
    detail) per person."""
    if views:
        session.execute(
            insert(AuditEvent),
            [
                {
                    "at": at,
                    "action": action,
                    "participant_id": pid,
                    "staff_id": staff_id,
                    "actor": actor,
                    "detail": detail,
                }
                for pid, detail in views
            ],
        )


def trail(
    session: Session, organisation_id: int, participant_id: int
) -> list[tuple[datetime, str, str, str, dict[str, Any]]]:
    """Who viewed or changed one participant's data, oldest first: (when, actor, staff name,
    action, detail); only for a participant of that organisation (else empty)."""
    person = session.get(Participant, participant_id)
    if person is None or person.organisation_id != organisation_id:
        return []
    rows = session.execute(
        select(AuditEvent, StaffMember.name)
        .outerjoin(StaffMember, StaffMember.id == AuditEvent.staff_id)
        .where(AuditEvent.participant_id == participant_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [(e.at, e.actor, name or "", e.action, e.detail) for e, name in rows]


def noted(db: Database, now: datetime, action: str, staff_id: int, **detail: Any) -> None:
    """A staff member's view or export that is about no one person (a report), audited as a
    use case of its own."""
    with db.write() as session:
        record(session, now, action, staff_id=staff_id, actor="staff", **detail)


def corrections(
    session: Session, participant_ids: Collection[int], since: datetime
) -> dict[tuple[int, datetime], Correction]:
    """The latest correction of each attendance record of these people made since then, by
    (participant, occurrence start)."""
    if not participant_ids:
        return {}
    rows = session.execute(
        select(AuditEvent, StaffMember.name)
        .outerjoin(StaffMember, StaffMember.id == AuditEvent.staff_id)
        .where(
            AuditEvent.action == "attendance_corrected",
            AuditEvent.participant_id.in_(participant_ids),
            AuditEvent.at >= since,
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    found = {}
    for event, name in rows:
        if event.participant_id is not None and "occurrence" in event.detail:
            occurrence = datetime.fromisoformat(event.detail["occurrence"])
            found[(event.participant_id, occurrence)] = Correction(
                event.at, str(event.detail.get("before", "")), name or ""
            )
    return found
