"""Demo participants linked to chats without going through onboarding (for message tests)."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Participant, ParticipantStatus, StaffMember

CHATS = {"Yonas": 3101, "Amina": 3102, "Rami": 3103, "Fatima": 3104}
COACH_CHAT = 2001


def link_demo_people(session_factory, now) -> dict[str, int]:
    """Give the demo participants and the coach a chat; returns name → participant id."""
    with session_factory() as session, session.begin():
        ids = {}
        for person in session.scalars(select(Participant)):
            person.chat_id = CHATS[person.display_name]
            person.status = ParticipantStatus.ACTIVE
            person.linked_at = now
            ids[person.display_name] = person.id
        session.scalars(select(StaffMember)).first().chat_id = COACH_CHAT
        return ids
