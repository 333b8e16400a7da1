"""A crisis, wherever it is written: inside a flow, before consent, from a chat without a code,
from someone who said no or who left. The safety answer never depends on who writes; the urgent
alert goes to a coach whenever the chat belongs to someone who has one. Before consent that is
still right: a life at risk is a vital interest (AVG art. 6 lid 1 d), so the alert keeps only
what the coach needs to act: the words, the first name, the organisation and the coach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import N_
from bot.services import audit
from bot.services.coaching import alerts
from bot.services.errors import DomainError
from bot.services.people import codes
from bot.services.text import kept
from nlu.understand import Understood
from storage import repositories as repo
from storage.db import Database
from storage.models import Organisation, Participant, ParticipantStatus, Question

QUESTION_MAX = 1000  # characters of the words kept for the coach

CRISIS_HELP = N_(
    "You are not alone. Are you in danger now? Call 112. Do you think about ending your life? "
    "Call 113 or 0800-0113. It is free, day and night. Not safe at home? Call Veilig Thuis: "
    "0800-2000. I have told your coach."
)
# The same help for a chat without a coach: nothing is promised that nobody will do.
CRISIS_HELP_ALONE = N_(
    "You are not alone. Are you in danger now? Call 112. Do you think about ending your life? "
    "Call 113 or 0800-0113. It is free, day and night. Not safe at home? Call Veilig Thuis: "
    "0800-2000."
)
CRISIS_ALERT = N_(
    "{name} wrote something that sounds like a crisis: “{question}” Please contact them today."
)
CRISIS_ALERT_NEW = N_(
    "{name} is signing up with your code and wrote something that sounds like a crisis: "
    "“{question}” They have not agreed to anything yet; this is sent because their safety "
    "comes first. Please contact them today."
)
ONBOARDING = "onboarding"


@dataclass(frozen=True)
class CrisisSeen:
    coach_told: bool  # a coach has an urgent alert about this chat (new, or still open)
    organisation: str | None  # whose help numbers to show after the national ones


def report(
    session: Session,
    chat_id: int,
    text: str,
    understood: Understood,
    first_name: str,
    now: datetime,
) -> CrisisSeen:
    """Raise (at most) one urgent alert for a crisis written in this chat, in one transaction."""
    words = " ".join(kept(text).split())[:QUESTION_MAX]
    with session.begin():
        person = repo.participant_by_chat(session, chat_id)
        message = CRISIS_ALERT
        if person is None or person.coach_id is None:
            person = _signing_up(session, chat_id, person, first_name, now)
            message = CRISIS_ALERT_NEW
        if person is None or person.organisation_id is None:
            return CrisisSeen(False, None)
        organisation = session.get(Organisation, person.organisation_id)
        question_id = None
        if person.status == ParticipantStatus.ACTIVE:  # their questions are counted and erased
            row = Question(
                organisation_id=person.organisation_id,
                participant_id=person.id,
                text=words,
                language=person.language or "nl",
                intent="crisis",
                confidence=round(understood.confidence, 3),
                handled="crisis",
                created_at=now,
            )
            session.add(row)
            session.flush()
            question_id = row.id
        alert = alerts.raise_alert(
            session,
            now,
            person,
            "crisis",
            urgent=True,
            message=message,
            params={"question": words},
            question=words,
            question_id=question_id,
        )
        if alert is not None and question_id is not None:
            session.get(Question, question_id).alert_id = alert.id  # type: ignore[union-attr]
        audit.record(
            session,
            now,
            "crisis_answered",
            participant_id=person.id,
            status=person.status.value if person.status else None,
            alerted=alert is not None,
        )
        told = person.coach_id is not None
        return CrisisSeen(told, organisation.slug if organisation else None)


def report_crisis(
    db: Database, chat_id: int, text: str, understood: Understood, first_name: str, now: datetime
) -> CrisisSeen:
    """`report` as a use case, in its own transaction."""
    with db.read() as session:
        return report(session, chat_id, text, understood, first_name, now)


def _signing_up(
    session: Session, chat_id: int, person: Participant | None, first_name: str, now: datetime
) -> Participant | None:
    """The person behind a chat in the middle of onboarding with a code: the participant the
    coach registered, or (for a group code) this chat's row given that code's coach."""
    state = repo.flow_state(session, chat_id)
    if state is None or state.flow_id != ONBOARDING:
        return person
    code = str((state.state or {}).get("vars", {}).get("code") or "")
    try:
        target = codes.resolve(session, code, now)
    except DomainError:
        return person
    if target.participant_id is not None:
        return session.get(Participant, target.participant_id)
    if target.coach_id is None:
        return person
    if person is None:
        person = Participant(chat_id=chat_id, status=ParticipantStatus.NEW, created_at=now)
        session.add(person)
    if person.status in (ParticipantStatus.NEW, ParticipantStatus.DECLINED):
        person.organisation_id, person.coach_id = target.organisation_id, target.coach_id
        person.display_name = person.display_name or kept(first_name)[:200] or None
        session.flush()
    return person


# "Are you safe right now?": words the crisis model was unsure of. The question itself carries
# the help numbers and alarms nobody; but someone in danger may not tap at all, so their coach
# hears of the silence, once and without urgency, after UNANSWERED_AFTER.
ASKED_SAFE = "are_you_safe"  # Question.handled while the question waits for a tap
UNANSWERED_AFTER = timedelta(hours=2)
SILENCE_WORDS = 2  # at least this many words for silence to reach the coach
SAFETY_UNANSWERED = N_(
    "I asked {name} whether they are safe, because of these words: “{question}” They did not "
    "answer in two hours. Please check on them."
)


def asked_if_safe(db: Database, chat_id: int, text: str, confidence: float, now: datetime) -> bool:
    """Keep the words the bot asked "are you safe?" about, for an active participant with a
    coach (nobody else has anyone to tell): the silence is then told to the coach. One word
    ("mama", "spoon") is asked about but too little to trouble a coach with."""
    words = " ".join(kept(text).split())[:QUESTION_MAX]
    if sum(any(c.isalpha() for c in word) for word in words.split()) < SILENCE_WORDS:
        return False
    with db.write() as session:
        person = repo.participant_by_chat(session, chat_id)
        if (
            person is None
            or person.status != ParticipantStatus.ACTIVE
            or person.coach_id is None
            or person.organisation_id is None
        ):
            return False
        session.add(
            Question(
                organisation_id=person.organisation_id,
                participant_id=person.id,
                text=words,
                language=person.language or "nl",
                intent="crisis",
                confidence=round(confidence, 3),
                handled=ASKED_SAFE,
                created_at=now,
            )
        )
        return True


def waiting_if_safe(db: Database, chat_id: int, now: datetime) -> str | None:
    """The words of the "are you safe?" this chat was asked and has not answered yet, while its
    silence is not yet the coach's: a reply typed in that time ("nee", "لا", "help") answers
    it. Kept in the database, so a restart or another process does not forget the question."""
    with db.read() as session:
        person = repo.participant_by_chat(session, chat_id)
        if person is None:
            return None
        return session.scalars(
            select(Question.text)
            .where(
                Question.participant_id == person.id,
                Question.handled == ASKED_SAFE,
                Question.answered_at.is_(None),
                Question.created_at > now - UNANSWERED_AFTER,
            )
            .order_by(Question.id.desc())
            .limit(1)
        ).first()


def answered_if_safe(db: Database, chat_id: int, now: datetime) -> int:
    """A tap on either button answers every "are you safe?" still waiting in this chat."""
    with db.write() as session:
        person = repo.participant_by_chat(session, chat_id)
        if person is None:
            return 0
        waiting = session.scalars(
            select(Question).where(
                Question.participant_id == person.id,
                Question.handled == ASKED_SAFE,
                Question.answered_at.is_(None),
            )
        ).all()
        for row in waiting:
            row.answered_at, row.answered_by = now, "participant"
        return len(waiting)


def tell_coaches_of_silence(db: Database, now: datetime) -> int:
    """Each "are you safe?" unanswered for UNANSWERED_AFTER becomes one alert for the coach
    (not urgent: nobody said they are in danger), with the words that made the bot ask."""
    told = 0
    with db.write() as session:
        waiting = session.scalars(
            select(Question)
            .where(
                Question.handled == ASKED_SAFE,
                Question.answered_at.is_(None),
                Question.reminded_at.is_(None),
                Question.created_at <= now - UNANSWERED_AFTER,
            )
            .order_by(Question.id)
        ).all()
        for row in waiting:
            row.reminded_at = now
            person = session.get(Participant, row.participant_id)
            if person is None or person.status != ParticipantStatus.ACTIVE:
                continue
            alert = alerts.raise_alert(
                session,
                now,
                person,
                "unsure",
                message=SAFETY_UNANSWERED,
                params={"question": row.text},
                question=row.text,
                question_id=row.id,
            )
            if alert is not None:
                row.alert_id = alert.id
                told += 1
    return told
