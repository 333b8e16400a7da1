"""Language, consent and linking a chat to an organisation and coach."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.services import audit
from bot.services.actions import Actor
from bot.services.errors import (
    AlreadyLinked,
    InviteExpired,
    InviteUnknown,
    NotAParticipant,
    TooManyTries,
)
from bot.services.people import codes
from bot.services.text import kept
from storage import repositories as repo
from storage.models import (
    ConsentRecord,
    FailedStart,
    InviteKind,
    Participant,
    ParticipantStatus,
    Phase,
    StaffMember,
)

# Bump when the consent text changes: participants are then asked again (see the privacy issue).
CONSENT_VERSION = "2026-11"


# Wrong codes a chat may try before it has to wait (codes are long and random; this only
# stops a script from trying many).
TRIES, TRIES_WINDOW = 5, timedelta(minutes=15)


def check_can_start(session: Session, chat_id: int, code: str, now: datetime) -> codes.InviteTarget:
    """Resolve a /start code for this chat; refuse if the chat is already linked elsewhere, or
    after too many wrong codes in a short time (each wrong one is counted)."""
    try:
        return _check_can_start(session, chat_id, code, now)
    except (InviteUnknown, InviteExpired):
        with session.begin():
            session.add(FailedStart(chat_id=chat_id, at=now))
        raise


def forget_failed_starts(session: Session, now: datetime) -> int:
    with session.begin():
        result = session.execute(
            delete(FailedStart).where(FailedStart.at < now - timedelta(days=1))
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _check_can_start(
    session: Session, chat_id: int, code: str, now: datetime
) -> codes.InviteTarget:
    with session.begin():
        tries = session.scalar(
            select(func.count())
            .select_from(FailedStart)
            .where(FailedStart.chat_id == chat_id, FailedStart.at > now - TRIES_WINDOW)
        )
        if (tries or 0) >= TRIES:
            raise TooManyTries(chat_id)
        participant = repo.participant_by_chat(session, chat_id)
        if participant is not None and participant.status == ParticipantStatus.ACTIVE:
            assert participant.organisation is not None
            raise AlreadyLinked(participant.organisation.name)
        target = codes.resolve(session, code, now)
        staff = repo.staff_by_chat(session, chat_id)
        if staff is not None and target.kind != InviteKind.STAFF:
            raise AlreadyLinked(staff.organisation.name)
        return target


def set_language(
    session: Session, chat_id: int, language: str, now: datetime, actor: str = "participant"
) -> None:
    """Store a language choice; for an unknown chat this is the only thing we keep."""
    with session.begin():
        staff = repo.staff_by_chat(session, chat_id)
        if staff is not None:
            if staff.language != language:
                audit.record(
                    session,
                    now,
                    "language_changed",
                    staff_id=staff.id,
                    actor="staff",
                    old=staff.language,
                    new=language,
                )
                staff.language = language
            return
        participant = repo.participant_by_chat(session, chat_id)
        if participant is None:
            participant = Participant(chat_id=chat_id, status=ParticipantStatus.NEW, created_at=now)
            session.add(participant)
            session.flush()
        if participant.language != language:
            audit.record(
                session,
                now,
                "language_changed",
                participant_id=participant.id,
                actor=actor,
                old=participant.language,
                new=language,
            )
            participant.language = language


def accept_consent(
    session: Session, chat_id: int, code: str, display_name: str, now: datetime
) -> Participant:
    """Record a yes and link the chat to the organisation and coach of the invite."""
    with session.begin():
        target = codes.resolve(session, code, now)
        invite = repo.invite_by_code(session, target.code)
        assert invite is not None
        current = repo.participant_by_chat(session, chat_id)
        language = current.language if current else None
        if current is not None and current.status == ParticipantStatus.ACTIVE:
            raise AlreadyLinked(target.organisation)
        participant = current
        if target.participant_id is not None:  # a coach registered this person beforehand
            participant = session.get(Participant, target.participant_id)
            if participant is None:
                raise InviteUnknown(code)
            if current is not None and current.id != participant.id:
                session.delete(current)
                session.flush()
            participant.chat_id = chat_id
        elif participant is None:
            participant = Participant(chat_id=chat_id, created_at=now)
            session.add(participant)
        participant.language = language or participant.language
        participant.display_name = participant.display_name or kept(display_name)[:200] or None
        participant.organisation_id = target.organisation_id
        participant.location_id = target.location_id or participant.location_id
        participant.coach_id = target.coach_id
        participant.status = ParticipantStatus.ACTIVE
        participant.phase = participant.phase or Phase.ACTIVERING
        participant.phase_since = participant.phase_since or now
        participant.started_on = participant.started_on or now.date()  # imports bring their own
        participant.linked_at = now
        participant.stopped_at = None
        invite.uses += 1
        session.flush()
        _consent(session, participant.id, True, now)
        audit.record(
            session,
            now,
            "linked",
            participant_id=participant.id,
            organisation_id=target.organisation_id,
            coach_id=target.coach_id,
            invite=invite.kind.value,
        )
        return participant


def decline_consent(session: Session, chat_id: int, now: datetime) -> None:
    """Record a no: the participant row keeps only the chat, the language and this answer."""
    with session.begin():
        participant = repo.participant_by_chat(session, chat_id)
        if participant is None:
            participant = Participant(chat_id=chat_id, created_at=now)
            session.add(participant)
        participant.status = ParticipantStatus.DECLINED
        participant.display_name = None
        participant.organisation_id = participant.location_id = participant.coach_id = None
        participant.phase = participant.phase_since = participant.linked_at = None
        session.flush()
        _consent(session, participant.id, False, now)


def link_staff(session: Session, chat_id: int, code: str, now: datetime) -> StaffMember:
    """Connect a coach's or coordinator's Telegram chat to their staff record."""
    with session.begin():
        target = codes.resolve(session, code, now)
        staff = session.get(StaffMember, target.staff_id) if target.staff_id else None
        if staff is None:
            raise InviteUnknown(code)
        other = repo.participant_by_chat(session, chat_id)
        if other is not None and other.status == ParticipantStatus.ACTIVE:
            assert other.organisation is not None
            raise AlreadyLinked(other.organisation.name)
        if other is not None:  # someone who only chose a language: that chat is staff now
            session.delete(other)
        staff.chat_id = chat_id
        invite = repo.invite_by_code(session, target.code)
        assert invite is not None
        invite.uses += 1
        audit.record(session, now, "staff_linked", staff_id=staff.id, actor="staff")
        session.flush()
        return staff


def set_stopped(session: Session, chat_id: int, stopped: bool, now: datetime) -> bool:
    """/stop, or writing again after it; True when something changed."""
    with session.begin():
        participant = repo.participant_by_chat(session, chat_id)
        if participant is None:
            raise NotAParticipant(chat_id)
        if (participant.stopped_at is not None) == stopped:
            return False
        participant.stopped_at = now if stopped else None
        audit.record(
            session,
            now,
            "messages_stopped" if stopped else "messages_resumed",
            participant_id=participant.id,
        )
        return True


def renew_consent(session: Session, chat_id: int, now: datetime) -> None:
    """A yes to a changed consent text: everything stays, with the new version on record."""
    with session.begin():
        participant = repo.participant_by_chat(session, chat_id)
        if participant is None:
            raise NotAParticipant(chat_id)
        _consent(session, participant.id, True, now, "consent_renewed")


def withdraw_consent(session: Session, chat_id: int, now: datetime, zone: ZoneInfo) -> None:
    """A no to a changed consent text: everything about them is erased (their coach is told);
    only the chat, their language and this answer stay, as after a no at the start."""
    from bot.services.people import privacy

    with session.begin():
        participant = repo.participant_by_chat(session, chat_id)
        if participant is None:
            raise NotAParticipant(chat_id)
        language = participant.language
        privacy.erase(session, participant.id, now, zone, "declined")
        remaining = Participant(
            chat_id=chat_id, language=language, status=ParticipantStatus.DECLINED, created_at=now
        )
        session.add(remaining)
        session.flush()
        _consent(session, remaining.id, False, now)


def _consent(
    session: Session, participant_id: int, accepted: bool, now: datetime, action: str = ""
) -> None:
    """The answer on record with the version of the text it answered, and in the audit trail."""
    session.add(
        ConsentRecord(
            participant_id=participant_id, version=CONSENT_VERSION, accepted=accepted, at=now
        )
    )
    audit.record(
        session,
        now,
        action or ("consent_given" if accepted else "consent_declined"),
        participant_id=participant_id,
        version=CONSENT_VERSION,
    )


# The consent flow's actions (see bot.services.actions): what each button of the consent
# question does, inside the flow step's transaction.


def accept_action(
    session: Session, chat: int, v: dict[str, Any], now: datetime, actor: Actor
) -> None:
    accept_consent(session, chat, v["code"], actor.name, now)


def decline_action(
    session: Session, chat: int, v: dict[str, Any], now: datetime, actor: Actor
) -> None:
    decline_consent(session, chat, now)


def renew_action(
    session: Session, chat: int, v: dict[str, Any], now: datetime, actor: Actor
) -> None:
    renew_consent(session, chat, now)


def withdraw_action(
    session: Session, chat: int, v: dict[str, Any], now: datetime, actor: Actor
) -> None:
    withdraw_consent(session, chat, now, actor.zone)
