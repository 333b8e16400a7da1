"""Demo participants linked to chats without going through onboarding (for message tests)."""

from __future__ import annotations

from sqlalchemy import select

from bot.services.people.onboarding import CONSENT_VERSION
from storage.models import ConsentRecord, Participant, ParticipantStatus, StaffMember

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
        session.flush()
        for pid in ids.values():  # as if each said yes during onboarding
            session.add(
                ConsentRecord(participant_id=pid, version=CONSENT_VERSION, accepted=True, at=now)
            )
        session.scalars(select(StaffMember).order_by(StaffMember.id)).first().chat_id = COACH_CHAT
        return ids


OTHER_COACH_CHAT, ADMIN_CHAT, STRANGER_CHAT = 2002, 2009, 2077


def add_colleagues(session_factory, now) -> None:
    """Beside the demo coach: a second coach (Kees) and an admin (Ans) in the demo organisation,
    and an admin of another organisation (Vreemd), each with a chat."""
    from storage.models import Organisation, StaffRole

    with session_factory() as session, session.begin():
        org = session.scalars(select(Organisation)).one()
        other = Organisation(slug="elders", name="Elders", created_at=now)
        session.add(other)
        session.flush()
        for organisation_id, name, role, chat_id in (
            (org.id, "Kees", StaffRole.COACH, OTHER_COACH_CHAT),
            (org.id, "Ans", StaffRole.ADMIN, ADMIN_CHAT),
            (other.id, "Vreemd", StaffRole.ADMIN, STRANGER_CHAT),
        ):
            session.add(
                StaffMember(
                    organisation_id=organisation_id,
                    name=name,
                    role=role,
                    chat_id=chat_id,
                    language="nl",
                    created_at=now,
                )
            )
