"""A participant's own words. Every question is kept as a row (`Question`), so what became of it
can be followed, counted and erased (a crisis is `safety`'s, before any of this). A question the
organisation has an answer for is answered from its content in the participant's language.
Anything else goes to their coach as an alert with their words and the engine's best guesses (in
the coach's language), and the participant is told. The coach answers by replying to that alert
in Telegram, or by picking one of the existing answers, which the participant gets in their own
language; either way marked as coming from their coach. No machine translation: the coach's
words are passed on as written. The coach may mark which intent a question was (for `wegwijzer
nlu review`). Unanswered questions remind the coach the next working morning."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.callbacks import Callback, SendTopicAnswer, ShowTopics
from bot.content import AnswerBook
from bot.i18n import N_, _, use_locale
from bot.services import audit
from bot.services.coaching import alerts
from bot.services.errors import NotAParticipant, Refused
from bot.services.messaging import outbox
from bot.services.messaging.notify import staff_message
from bot.services.text import kept
from nlu.understand import Understood
from storage import repositories as repo
from storage.models import (
    Alert,
    AlertState,
    Organisation,
    Outbox,
    OutboxState,
    Participant,
    ParticipantStatus,
    Question,
    StaffMember,
)

QUESTION_MAX = 1000  # characters of a question kept for the coach
THREAD_WINDOW = timedelta(minutes=30)  # questions this close together are one alert thread
THREAD_SHOWN = 10  # the newest questions the coach's message shows

ASKED = N_(
    "I am not sure about the answer. I have sent your question to your coach {coach}. "
    "They will answer you here."
)
QUESTION_ALERT = N_(
    "{name} asked: “{question}” Maybe it is about: {guesses}. Reply to this message to answer "
    "in your own words, or tap a topic to send my answer about it in their language."
)
STILL_ASKING = N_(
    "{name} read my answer about {topic}, but still has a question: “{question}” Reply to "
    "this message to answer."
)
STILL_OPEN = N_(
    "Not answered yet, since {when}: {name} asked: “{question}” Reply to this message to "
    "answer, or tap a topic."
)
THREAD_ALERT = N_(
    "{name} asked several questions, one after the other:\n{questions}\nReply to this message "
    "to answer in your own words, or tap a topic."
)
ANSWERED = N_("Your coach {coach} answers:\n{answer}")
PICKED = N_("Your coach {coach} sends you this answer:\n{answer}")
PICK = N_("📄 Send: {topic}")
OTHER_TOPIC = N_("🏷 Another topic")
NOTE_TOPIC = N_("🏷 Note the topic")
WHICH_TOPIC = N_(
    "What was the question about? I note it, so that I learn. A topic with 📄 also sends my "
    "answer about it, in their language."
)
ANSWER_SENT = N_("I sent {name} my answer about {topic}, in their language.")
NOTED = N_("Noted: {topic}. Thank you, this helps me learn.")
ASKED_AGAIN = N_("I have sent your question to your coach {coach}. They will answer you here.")
# The next steps under an answer (content names them by key).
MY_APPOINTMENTS = N_("📅 My appointments")
BUTTON_LABELS = {"appointments": MY_APPOINTMENTS, "ask_coach": N_("💬 Ask my coach")}
# What the engine's guess means, for the coach (in the coach's language).
TOPICS = {
    "greet": N_("saying hello"),
    "goodbye": N_("saying goodbye"),
    "thanks": N_("saying thank you"),
    "affirm": N_("yes"),
    "deny": N_("no"),
    "help": N_("what the bot can do"),
    "change_language": N_("another language"),
    "next_appointment": N_("their next appointment"),
    "cancel_appointment": N_("cannot come"),
    "report_sick": N_("being sick"),
    "running_late": N_("coming late"),
    "reschedule_appointment": N_("moving an appointment"),
    "trajectory_phases": N_("the steps of the trajectory"),
    "trajectory_schedule": N_("days and hours"),
    "location_address": N_("the address"),
    "course_info": N_("the course (Entree, MBO-1)"),
    "volunteer_contract": N_("the volunteer contract"),
    "paid_work": N_("paid work and vacancies"),
    "benefit_keep": N_("keeping the benefit"),
    "volunteer_allowance": N_("volunteer allowance"),
    "travel_costs": N_("travel costs"),
    "work_and_benefit": N_("income and benefit"),
    "childcare": N_("childcare"),
    "debt_help": N_("debts and letters"),
    "language_course": N_("Dutch lessons and inburgering"),
    "talk_to_coach": N_("talking to the coach"),
    "crisis": N_("a crisis"),
    "out_of_scope": N_("something else"),
}


@dataclass(frozen=True)
class Asked:
    coach: str
    question_id: int


def participant_of(session: Session, chat_id: int) -> Participant:
    person = repo.participant_by_chat(session, chat_id)
    if person is None or person.status != ParticipantStatus.ACTIVE:
        raise NotAParticipant(chat_id)
    return person


def slug_of(session: Session, person: Participant) -> str | None:
    organisation = session.get(Organisation, person.organisation_id or -1)
    return organisation.slug if organisation else None


def _pick_label(topic: str) -> str:
    return _(PICK, topic=_(TOPICS[topic]))


def topic_actions(
    book: AnswerBook | None, slug: str | None, guesses: list[str] | tuple[str, ...]
) -> tuple[tuple[str | Callable[[], str], Callable[[int], Callback]], ...]:
    """Under a question alert: the best guesses that have an answer (one tap sends it), and
    every other topic; each button is made from the alert's id."""
    actions: list[tuple[str | Callable[[], str], Callable[[int], Callback]]] = []
    for guess in list(guesses)[:3]:
        if book is not None and book.answer(slug, guess) is not None:
            actions.append((partial(_pick_label, guess), partial(SendTopicAnswer, guess)))
    return (*actions, (OTHER_TOPIC, ShowTopics))


def _new_question(
    session: Session,
    person: Participant,
    text: str,
    understood: Understood,
    handled: str,
    now: datetime,
) -> Question:
    question = Question(
        organisation_id=person.organisation_id,
        participant_id=person.id,
        text=text,
        language=person.language or "nl",
        intent=understood.intent or (understood.guesses[0] if understood.guesses else None),
        confidence=round(understood.confidence, 3),
        handled=handled,
        created_at=now,
    )
    session.add(question)
    session.flush()
    return question


def ask(
    session: Session,
    chat_id: int,
    text: str,
    understood: Understood,
    now: datetime,
    book: AnswerBook | None = None,
) -> Asked:
    """Raise the question alert for the coach (a crisis is `safety.report`'s)."""
    question = kept(text).strip()[:QUESTION_MAX]
    with session.begin():
        person = participant_of(session, chat_id)
        coach = session.get(StaffMember, person.coach_id or -1)
        row = _new_question(session, person, question, understood, "coach", now)
        thread = _open_thread(session, person, now)
        if thread is not None:  # more questions soon after: the same alert and message, updated
            _add_to_thread(session, thread, person, coach, question, now)
            row.alert_id = thread.id
            audit.record(session, now, "question_asked", participant_id=person.id)
            return Asked(coach.name if coach else "", row.id)
        with use_locale(coach.language if coach else "nl"):
            guesses = ", ".join(_(TOPICS[g]) for g in understood.guesses if g in TOPICS)
        alert = alerts.raise_alert(
            session,
            now,
            person,
            "question",
            episode=False,
            message=QUESTION_ALERT,
            params={"question": question, "guesses": guesses or "–"},
            actions=topic_actions(book, slug_of(session, person), understood.guesses),
            question=question,
            question_id=row.id,
            guesses=list(understood.guesses),
            confidence=round(understood.confidence, 3),
            why=understood.reason,
        )
        row.alert_id = alert.id if alert else None
        audit.record(
            session,
            now,
            "question_asked",
            participant_id=person.id,
            intent=understood.intent,
        )
        return Asked(coach.name if coach else "", row.id)


def _open_thread(session: Session, person: Participant, now: datetime) -> Alert | None:
    """Their question alert of the last THREAD_WINDOW that nobody has answered yet."""
    return session.scalars(
        select(Alert)
        .where(
            Alert.participant_id == person.id,
            Alert.kind == "question",
            Alert.state == AlertState.OPEN,
            Alert.created_at > now - THREAD_WINDOW,
        )
        .order_by(Alert.id.desc())
    ).first()


def _add_to_thread(
    session: Session,
    alert: Alert,
    person: Participant,
    coach: StaffMember | None,
    question: str,
    now: datetime,
) -> None:
    """One more question in the alert; the coach's message says them all (edited once sent)."""
    asked = [*alert.detail.get("thread", [alert.detail.get("question", "")]), question]
    shown = "\n".join(f"• {q}" for q in asked[-THREAD_SHOWN:])
    alert.detail = {
        **alert.detail,
        "thread": asked,
        "message": THREAD_ALERT,
        "params": {"questions": shown},
    }
    first = session.scalars(
        select(Outbox).where(Outbox.idempotency_key == f"alert:{alert.id}")
    ).first()
    if first is None or coach is None or coach.chat_id is None:
        return
    with use_locale(coach.language):
        text = alerts.describe(alert, person)
    if (
        first.state in (OutboxState.QUEUED, OutboxState.SENDING)
        and first.telegram_message_id is None
    ):
        first.text = text  # not on the wire yet: the one message says it all
        return
    outbox.enqueue_many(
        session,
        [
            {
                **staff_message(
                    now, f"alert:{alert.id}:thread:{len(asked)}", coach, text, person, first.buttons
                ),
                "telegram_message_id": first.telegram_message_id,  # an edit of that message
            }
        ],
    )


def answered_by_bot(
    session: Session,
    chat_id: int,
    text: str,
    understood: Understood,
    now: datetime,
    answered: bool = True,
) -> int:
    """Keep the question the bot answered from content, so "ask my coach" can follow it; or,
    not `answered`, one whose answer the participant will pick from two ("did you mean…")."""
    with session.begin():
        person = participant_of(session, chat_id)
        row = _new_question(
            session, person, kept(text).strip()[:QUESTION_MAX], understood, "bot", now
        )
        if answered:
            row.answered_by, row.answered_at, row.answer_intent = "bot", now, understood.intent
        return row.id


def picked(session: Session, chat_id: int, question_id: int, intent: str, now: datetime) -> None:
    """The participant picked which answer they meant: that one is theirs, once."""
    with session.begin():
        person = participant_of(session, chat_id)
        row = session.get(Question, question_id)
        if row is None or row.participant_id != person.id:
            raise Refused("not_yours")
        if row.handled != "bot" or row.answered_at is not None or intent not in TOPICS:
            raise Refused("already_picked")
        row.answered_by, row.answered_at, row.answer_intent = "bot", now, intent
        row.intent = intent


def escalate(
    session: Session, chat_id: int, question_id: int, now: datetime, book: AnswerBook | None
) -> Asked:
    """The participant tapped 💬 Ask my coach under the bot's answer: the same question goes
    to the coach, once."""
    with session.begin():
        person = participant_of(session, chat_id)
        row = session.get(Question, question_id)
        if row is None or row.participant_id != person.id:
            raise Refused("not_yours")
        if row.alert_id is not None or row.handled != "bot":
            raise Refused("already_asked")
        coach = session.get(StaffMember, person.coach_id or -1)
        answered = row.answer_intent not in (None, "out_of_scope")
        # Not answered yet ("did you mean…?"): the engine's best guess goes with it.
        topic = row.answer_intent or row.intent or "out_of_scope"
        with use_locale(coach.language if coach else "nl"):
            topic_text = _(TOPICS.get(topic, TOPICS["out_of_scope"]))
        alert = alerts.raise_alert(
            session,
            now,
            person,
            "question",
            episode=False,
            # "something else" was not really an answer: ask as if it came in just now
            message=STILL_ASKING if answered else QUESTION_ALERT,
            params={"question": row.text, "topic": topic_text, "guesses": topic_text},
            actions=topic_actions(book, slug_of(session, person), [topic]),
            question=row.text,
            question_id=row.id,
            guesses=[topic],
            why="asked_after_answer",
        )
        row.handled, row.alert_id = "coach", alert.id if alert else None
        audit.record(session, now, "question_asked", participant_id=person.id, intent=topic)
        return Asked(coach.name if coach else "", row.id)


def _alert_of(sent: Outbox | None) -> int | None:
    """The alert an outbox message to a coach was about (its key is alert:<id>…)."""
    if sent is None:
        return None
    parts = sent.idempotency_key.split(":")
    if len(parts) >= 2 and parts[0] == "alert" and parts[1].isdigit():
        return int(parts[1])
    return None
