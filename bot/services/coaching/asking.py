"""A participant's own words, as use cases: what to do with them (the routing decision), words
that answer an open reminder, an answer from the organisation's content, a question passed to
the coach, "did you mean…", and where the next appointment is. Each opens its own transaction
and returns plain values; the building blocks are in `questions`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.content import QUESTION_INTENTS, AnswerBook
from bot.services.appointments import rsvp, upcoming
from bot.services.coaching import questions
from bot.services.errors import NotAParticipant
from bot.services.people.identity import who_is
from nlu.understand import Understood
from storage.db import Database

Way = Literal[
    "type_it",  # digits, one emoji: nothing to pass on
    "small_talk",
    "help",
    "next_appointment",
    "change_language",
    "address",  # where the next appointment is; else to the coach
    "not_ours",  # sure it is not ours: offer the coach
    "content",  # the organisation's answer; else to the coach
    "choices",  # two answers are close: let them pick
    "coach",
]
WAYS: dict[str, Way] = {  # these intents before the organisation's content
    "greet": "small_talk",
    "thanks": "small_talk",
    "goodbye": "small_talk",
    "affirm": "small_talk",
    "help": "help",
    "next_appointment": "next_appointment",
    "change_language": "change_language",
    "location_address": "address",
    "out_of_scope": "not_ours",
}
# A participant's words while a reminder waits for its answer.
REMINDER_ANSWERS = {
    "affirm": "coming",
    "cancel_appointment": "why",
    "deny": "why",
    "reschedule_appointment": "why",
    "report_sick": "sick",
    "running_late": "late",
}


@dataclass(frozen=True)
class ReminderAnswer:
    """Words that answer an open reminder: ask why, ask how late, or record `answer`."""

    reminder_id: int
    step: Literal["ask_why", "ask_how_late", "record"]
    answer: str = ""
    detail: str | None = None


@dataclass(frozen=True)
class Answer:
    """The organisation's answer, one message per text, the next steps (keys) under the last."""

    texts: list[str]
    buttons: tuple[str, ...]
    question_id: int


@dataclass(frozen=True)
class Passed:
    """The question went to the coach: what to tell the participant (a msgid), and the coach."""

    message: str
    coach: str


@dataclass(frozen=True)
class Place:
    """Where and when the participant is expected next."""

    starts_at: datetime
    place: str
    address: str


def route(understood: Understood) -> Way:
    """What to do with words that are neither a crisis nor an answer to a flow's question."""
    intent = understood.intent
    if understood.reason == "no_words":
        return "type_it"
    if intent in WAYS:
        return WAYS[intent]
    if intent in QUESTION_INTENTS:
        return "content"
    if intent is None and understood.choices:
        return "choices"
    return "coach"


def reminder_answer(
    db: Database, chat_id: int, understood: Understood, now: datetime
) -> ReminderAnswer | None:
    """Words as the answer to an open reminder: "ok" is coming, "ik kan niet komen" asks why,
    "ik ben ziek" is not coming because sick, "ik ben 10 minuten te laat" is late."""
    meaning = REMINDER_ANSWERS.get(understood.intent or "")
    if meaning is None:
        return None
    with db.read() as session:
        found = rsvp.open_reminder(session, chat_id, now, answered_too=meaning != "coming")
    if found is None:
        return None
    if meaning == "why":
        return ReminderAnswer(found, "ask_why")
    if meaning == "sick":
        return ReminderAnswer(found, "record", "not_coming", "sick")
    if meaning == "coming":
        return ReminderAnswer(found, "record", "coming")
    minutes = next(
        (e.get("value") for e in understood.entities if e.get("entity") == "minutes"), None
    )
    if minutes is None or not str(minutes).isdigit():
        return ReminderAnswer(found, "ask_how_late")
    detail = "15" if int(minutes) <= 15 else "30" if int(minutes) <= 30 else "more"
    return ReminderAnswer(found, "record", "late", detail)


def whose(session: Session, chat_id: int) -> tuple[str | None, str]:
    """The participant's organisation (its slug, for its content) and language."""
    with session.begin():
        person = questions.participant_of(session, chat_id)
        return questions.slug_of(session, person), person.language or "nl"


def _content(
    session: Session, chat_id: int, intent: str, book: AnswerBook, now: datetime, zone: ZoneInfo
) -> tuple[list[str], tuple[str, ...]]:
    """The organisation's answer about `intent` in the participant's language, and its buttons."""
    slug, lang = whose(session, chat_id)
    found = book.answer(slug, intent)
    if found is None:
        return [], ()
    return list(book.render(found, lang, now.astimezone(zone).date()) or []), found.buttons


def content_answer(
    db: Database,
    chat_id: int,
    text: str,
    understood: Understood,
    book: AnswerBook,
    now: datetime,
    zone: ZoneInfo,
) -> Answer | None:
    """Answer from the organisation's content (the question kept as answered by the bot);
    None when there is no answer in their language, or they are no participant."""
    with db.read() as session:
        try:
            texts, buttons = _content(session, chat_id, understood.intent or "", book, now, zone)
            if not texts:
                return None
            asked = questions.answered_by_bot(session, chat_id, text, understood, now)
        except NotAParticipant:
            return None
    return Answer(texts, buttons, asked)


def kept_question(
    db: Database, chat_id: int, text: str, understood: Understood, now: datetime, answered: bool
) -> int | None:
    """Keep a question the bot handles itself ("not ours", or "did you mean…" when not
    `answered`), so "ask my coach" can follow it; None for someone who is no participant."""
    with db.read() as session:
        try:
            return questions.answered_by_bot(
                session, chat_id, text, understood, now, answered=answered
            )
        except NotAParticipant:
            return None


def to_coach(
    db: Database,
    chat_id: int,
    text: str,
    understood: Understood,
    now: datetime,
    book: AnswerBook | None,
) -> Passed | None:
    """Pass the question to the coach; None for someone who is no participant. Not sure what
    it means: the participant is told so; sure, but ours to pass on: just that it was passed."""
    with db.read() as session:
        try:
            asked = questions.ask(session, chat_id, text, understood, now, book)
        except NotAParticipant:
            return None
    told = questions.ASKED if understood.intent is None else questions.ASKED_AGAIN
    return Passed(told, asked.coach or "–")


def picked(
    db: Database,
    chat_id: int,
    question_id: int,
    topic: str,
    book: AnswerBook,
    now: datetime,
    zone: ZoneInfo,
) -> Answer | None:
    """The participant picked the topic they meant: its answer (refused when it is not theirs
    or already picked); None for someone who is no participant."""
    with db.read() as session:
        try:
            questions.picked(session, chat_id, question_id, topic, now)
            texts, buttons = _content(session, chat_id, topic, book, now, zone)
        except NotAParticipant:
            return None
    return Answer(texts, buttons, question_id)


def ask_coach_after_all(
    db: Database, chat_id: int, question_id: int, now: datetime, book: AnswerBook | None
) -> str | None:
    """💬 Ask my coach under the bot's answer: the question goes to the coach, once; their
    name, or None for someone who is no participant."""
    with db.read() as session:
        try:
            asked = questions.escalate(session, chat_id, question_id, now, book)
        except NotAParticipant:
            return None
    return asked.coach or "–"


def next_place(db: Database, chat_id: int, now: datetime, zone: ZoneInfo) -> Place | None:
    """Where the next appointment is (or when their location is next open), if it is known."""
    with db.read() as session:
        with session.begin():
            identity = who_is(session, chat_id)
        if identity.id is None:
            return None
        coming = upcoming.next_appointment(
            session, identity.id, now, zone
        ) or upcoming.next_opening(session, identity.id, now, zone)
    if coming is None or not coming.address:
        return None
    return Place(coming.starts_at, coming.place, coming.address)
