"""A coach answers a participant's question: in their own words (a Telegram reply), or with
one of the organisation's answers in the participant's language; and notes its topic."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.callbacks import MyAppointments
from bot.content import AnswerBook
from bot.i18n import _, use_locale
from bot.services import audit
from bot.services.coaching.questions import (
    ANSWERED,
    MY_APPOINTMENTS,
    PICKED,
    TOPICS,
    _alert_of,
    slug_of,
)
from bot.services.errors import Refused
from bot.services.messaging import outbox
from bot.services.people import scope
from bot.services.text import kept
from storage.db import Database
from storage.models import (
    PRIORITY_PERSONAL,
    Alert,
    AlertState,
    Organisation,
    Outbox,
    OutboxKind,
    Participant,
    Question,
    StaffMember,
)


def _question_alert(
    session: Session, mine: scope.Scope, alert_id: int
) -> tuple[Alert, Participant]:
    alert = scope.alert(session, mine, alert_id)
    if alert.kind not in ("question", "crisis"):
        raise Refused("not_a_question")
    person = session.get(Participant, alert.participant_id or -1)
    if person is None:
        raise Refused("not_yours")
    return alert, person


def _row(session: Session, alert: Alert) -> Question | None:
    return session.scalars(select(Question).where(Question.alert_id == alert.id)).first()


def _close(alert: Alert, now: datetime, how: str) -> None:
    alert.detail = {
        **alert.detail,
        "answers": [*alert.detail.get("answers", []), {"at": now.isoformat(), "how": how}],
    }
    alert.state, alert.closed_at = AlertState.RESOLVED, now
    alert.acknowledged_at = alert.acknowledged_at or now


def answer(session: Session, coach_chat: int, replied_to: int, text: str, now: datetime) -> str:
    """The coach replied to a question alert in Telegram: pass the answer on to the
    participant in their chat (once per reply), close the question. Returns their name."""
    with session.begin():
        mine = scope.of_staff(session, coach_chat)
        sent = session.scalars(
            select(Outbox).where(
                Outbox.chat_id == coach_chat, Outbox.telegram_message_id == replied_to
            )
        ).first()
        alert_id = _alert_of(sent) or _shown_in_inbox(session, mine, coach_chat, replied_to)
        if alert_id is None:
            raise Refused("not_a_question")
        alert, person = _question_alert(session, mine, alert_id)
        return _in_words(session, mine, alert, person, text, str(replied_to), now)


def _in_words(
    session: Session,
    mine: scope.Scope,
    alert: Alert,
    person: Participant,
    text: str,
    reply_key: str,
    now: datetime,
) -> str:
    """The coach's own words to the participant (in the caller's transaction), marked as
    coming from their coach; the question is closed. Their name."""
    answer_text = kept(text).strip()
    if person.chat_id is None:
        raise Refused("not_yours")
    if not answer_text or len(answer_text) > 3500:
        raise Refused("empty" if not answer_text else "answer_too_long")
    staff = session.get(StaffMember, mine.staff_id or -1)
    with use_locale(person.language or "nl"):
        message = _(ANSWERED, coach=staff.name if staff else "", answer=answer_text)
    outbox.enqueue_many(
        session,
        [
            outbox.message(
                now,
                key=f"answer:{alert.id}:{reply_key}:{len(alert.detail.get('answers', []))}",
                chat_id=person.chat_id,
                text=message,
                kind=OutboxKind.RELAY,
                priority=PRIORITY_PERSONAL,
                participant_id=person.id,
                organisation_id=person.organisation_id,
                staff_id=mine.staff_id,
                language=person.language,
            )
        ],
    )
    _close(alert, now, "words")
    row = _row(session, alert)
    if row is not None:
        row.answered_by, row.answered_at = "coach_words", now
    audit.record(
        session,
        now,
        "question_answered",
        participant_id=person.id,
        staff_id=mine.staff_id,
        actor="staff",
        alert_id=alert.id,
        via="words",
    )
    return person.display_name or "?"


def alert_replied(session: Session, coach_chat: int, replied_to: int) -> int | None:
    """The question alert a coach's reply was to (for the topic buttons after it), if any."""
    with session.begin():
        sent = session.scalars(
            select(Outbox).where(
                Outbox.chat_id == coach_chat, Outbox.telegram_message_id == replied_to
            )
        ).first()
        mine = scope.of_staff(session, coach_chat)
        return _alert_of(sent) or _shown_in_inbox(session, mine, coach_chat, replied_to)


def _shown_in_inbox(
    session: Session, mine: scope.Scope, coach_chat: int, message_id: int
) -> int | None:
    """The question alert that /meldingen showed in that message (alert_handling)."""
    for alert in session.scalars(
        select(Alert)
        .where(
            Alert.organisation_id == mine.organisation_id,
            Alert.kind.in_(("question", "crisis")),
            Alert.detail.is_not(None),
        )
        .order_by(Alert.id.desc())
        .limit(500)  # the newest: /meldingen shows open ones, answered soon after
    ):
        if [coach_chat, message_id] in alert.detail.get("shown", []):
            return scope.alert(session, mine, alert.id).id  # still theirs to answer
    return None


def send_answer(
    session: Session,
    coach_chat: int,
    alert_id: int,
    intent: str,
    book: AnswerBook,
    now: datetime,
    today: date,
) -> str:
    """The coach picked one of the organisation's answers: the participant gets it in their
    own language, marked as coming from their coach; the question is closed and marked with
    that intent. A second tap on the same answer sends nothing more (the outbox keys)."""
    with session.begin():
        mine = scope.of_staff(session, coach_chat)
        return _with_answer(session, mine, alert_id, intent, book, now, today)


def _with_answer(
    session: Session,
    mine: scope.Scope,
    alert_id: int,
    intent: str,
    book: AnswerBook,
    now: datetime,
    today: date,
) -> str:
    """One of the organisation's answers to the participant, in the caller's transaction."""
    alert, person = _question_alert(session, mine, alert_id)
    if person.chat_id is None:
        raise Refused("not_yours")
    answer_ = book.answer(slug_of(session, person), intent)
    lang = person.language or "nl"
    texts = book.render(answer_, lang, today) if answer_ is not None else None
    if answer_ is None or not texts:
        raise Refused("no_answer_in_language")
    staff = session.get(StaffMember, mine.staff_id or -1)
    with use_locale(lang):
        texts[0] = _(PICKED, coach=staff.name if staff else "", answer=texts[0])
        buttons = (
            [[{"text": _(MY_APPOINTMENTS), "data": MyAppointments().pack()}]]
            if "appointments" in answer_.buttons
            else None
        )
    outbox.enqueue_many(
        session,
        [
            outbox.message(
                now,
                key=f"picked:{alert.id}:{intent}:{number}",
                chat_id=person.chat_id,
                text=text,
                buttons=buttons if number == len(texts) - 1 else None,
                kind=OutboxKind.RELAY,
                priority=PRIORITY_PERSONAL,
                participant_id=person.id,
                organisation_id=person.organisation_id,
                staff_id=mine.staff_id,
                language=lang,
            )
            for number, text in enumerate(texts)
        ],
    )
    _close(alert, now, "answer")
    row = _row(session, alert)
    if row is not None:
        row.answered_by, row.answered_at, row.answer_intent = "coach_answer", now, intent
        row.marked_intent, row.marked_at = intent, now
    audit.record(
        session,
        now,
        "question_answered",
        participant_id=person.id,
        staff_id=mine.staff_id,
        actor="staff",
        alert_id=alert.id,
        via="answer",
        intent=intent,
    )
    return person.display_name or "?"


def mark(session: Session, coach_chat: int, alert_id: int, intent: str, now: datetime) -> str:
    """The coach says which intent the question was: it goes into `wegwijzer nlu review`."""
    if intent not in TOPICS:
        raise Refused("unknown_topic")
    with session.begin():
        mine = scope.of_staff(session, coach_chat)
        alert, person = _question_alert(session, mine, alert_id)
        row = _row(session, alert)
        if row is None:
            raise Refused("not_a_question")
        row.marked_intent, row.marked_at = intent, now
        audit.record(
            session,
            now,
            "question_marked",
            participant_id=person.id,
            staff_id=mine.staff_id,
            actor="staff",
            alert_id=alert.id,
            intent=intent,
        )
        return person.display_name or "?"


def topics_for(
    session: Session, coach_chat: int, alert_id: int, book: AnswerBook
) -> list[tuple[str, bool]]:
    """Every topic for the coach to choose from, and whether the organisation has an answer."""
    with session.begin():
        mine = scope.of_staff(session, coach_chat)
        _alert, person = _question_alert(session, mine, alert_id)
        slug = slug_of(session, person)
        found = [(intent, book.answer(slug, intent) is not None) for intent in TOPICS]
        return sorted(found, key=lambda pair: not pair[1])  # the answered ones first


def reply(
    db: Database, coach_chat: int, replied_to: int, text: str, now: datetime
) -> tuple[str, int | None]:
    """The coach replied to a question (its alert, or its message in /meldingen): the answer
    goes to the participant. Their name, and the alert, to offer noting its topic."""
    with db.read() as session:
        name = answer(session, coach_chat, replied_to, text, now)
        return name, alert_replied(session, coach_chat, replied_to)


def topics(
    db: Database, coach_chat: int, alert_id: int, book: AnswerBook
) -> list[tuple[str, bool]]:
    """Every topic, and whether the organisation has an answer about it (those first)."""
    with db.read() as session:
        return topics_for(session, coach_chat, alert_id, book)


def send_topic_answer(
    db: Database,
    coach_chat: int,
    alert_id: int,
    topic: str,
    book: AnswerBook,
    now: datetime,
    zone: ZoneInfo,
) -> str:
    """📄 The organisation's answer about `topic` goes to the participant, in their language;
    their name."""
    with db.read() as session:
        return send_answer(
            session, coach_chat, alert_id, topic, book, now, now.astimezone(zone).date()
        )


def note_topic(db: Database, coach_chat: int, alert_id: int, topic: str, now: datetime) -> str:
    """🏷 The question was about `topic` (for `wegwijzer nlu review`); the participant's name."""
    with db.read() as session:
        return mark(session, coach_chat, alert_id, topic, now)


def answer_topics(db: Database, staff: scope.Scope, book: AnswerBook) -> list[str]:
    """The topics the staff member's organisation has an answer about: what the web board
    offers to send (in the participant's language) under a question."""
    with db.read() as session:
        organisation = session.get(Organisation, staff.organisation_id)
        slug = organisation.slug if organisation else None
        return [intent for intent in TOPICS if book.answer(slug, intent) is not None]


def answer_open_question(
    db: Database,
    staff: scope.Scope,
    alert_id: int,
    now: datetime,
    *,
    words: str = "",
    topic: str = "",
    book: AnswerBook,
    zone: ZoneInfo,
) -> str:
    """The web board's answer to a question alert in the staff member's scope: the
    organisation's answer about `topic`, or the coach's own `words`. A question that is
    already answered is refused, so a second click sends nothing. The participant's name."""
    with db.write() as session:
        alert, person = _question_alert(session, staff, alert_id)
        if alert.state == AlertState.RESOLVED:
            raise Refused("alert_closed")
        if topic:
            if topic not in TOPICS:
                raise Refused("unknown_topic")
            today = now.astimezone(zone).date()
            return _with_answer(session, staff, alert_id, topic, book, now, today)
        return _in_words(session, staff, alert, person, words, "web", now)
