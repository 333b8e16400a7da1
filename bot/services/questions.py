"""A participant's own words: a crisis gets the safety answer at once and an urgent alert; a
question the bot cannot answer for sure goes to their coach as an alert with their words and
the engine's best guesses (in the coach's language), and the participant is told. The coach
answers by replying to that alert in Telegram; the answer reaches the participant through the
outbox, marked as coming from their coach. No machine translation: the coach's words are passed
on as written. Unanswered questions stay in the inbox and the morning digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import N_, _, use_locale
from bot.services import alerts, audit, outbox, scope
from bot.services.errors import NotAParticipant, Refused
from nlu.understand import Understood
from storage import repositories as repo
from storage.models import (
    PRIORITY_PERSONAL,
    Alert,
    AlertState,
    Outbox,
    OutboxKind,
    Participant,
    ParticipantStatus,
    StaffMember,
)

QUESTION_MAX = 1000  # characters of a question kept for the coach

CRISIS_HELP = N_(
    "You are not alone. Are you in danger now? Call 112. Do you think about ending your life? "
    "Call 113 or 0800-0113. It is free, day and night. Not safe at home? Call Veilig Thuis: "
    "0800-2000. I have told your coach."
)
CRISIS_ALERT = N_(
    "{name} wrote something that sounds like a crisis: “{question}” Please contact them today."
)
ASKED = N_(
    "I am not sure about the answer. I have sent your question to your coach {coach}. "
    "They will answer you here."
)
QUESTION_ALERT = N_(
    "{name} asked: “{question}” Maybe it is about: {guesses}. Reply to this message to answer."
)
ANSWERED = N_("Your coach {coach} answers:\n{answer}")
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
    crisis: bool
    coach: str


def _person(session: Session, chat_id: int) -> Participant:
    person = repo.participant_by_chat(session, chat_id)
    if person is None or person.status != ParticipantStatus.ACTIVE:
        raise NotAParticipant(chat_id)
    return person


def ask(session: Session, chat_id: int, text: str, understood: Understood, now: datetime) -> Asked:
    """Raise the crisis alert (urgent) or the question alert for the coach."""
    question = text.strip()[:QUESTION_MAX]
    with session.begin():
        person = _person(session, chat_id)
        coach = session.get(StaffMember, person.coach_id or -1)
        if understood.crisis:
            alerts.raise_alert(
                session,
                now,
                person,
                "crisis",
                urgent=True,
                message=CRISIS_ALERT,
                params={"question": question},
                question=question,
            )
        else:
            with use_locale(coach.language if coach else "nl"):
                guesses = ", ".join(_(TOPICS[g]) for g in understood.guesses if g in TOPICS)
            alerts.raise_alert(
                session,
                now,
                person,
                "question",
                episode=False,
                message=QUESTION_ALERT,
                params={"question": question, "guesses": guesses or "–"},
                question=question,
                guesses=list(understood.guesses),
                confidence=round(understood.confidence, 3),
                why=understood.reason,
            )
        audit.record(
            session,
            now,
            "question_asked",
            participant_id=person.id,
            crisis=understood.crisis,
            intent=understood.intent,
        )
        return Asked(understood.crisis, coach.name if coach else "")


def answer(session: Session, coach_chat: int, replied_to: int, text: str, now: datetime) -> str:
    """The coach replied to a question alert in Telegram: pass the answer on to the
    participant in their chat (once per reply), close the question. Returns their name."""
    answer_text = text.strip()
    with session.begin():
        mine = scope.of_staff(session, coach_chat)
        sent = session.scalars(
            select(Outbox).where(
                Outbox.chat_id == coach_chat, Outbox.telegram_message_id == replied_to
            )
        ).first()
        alert_id = _alert_of(sent)
        if alert_id is None:
            raise Refused("not_a_question")
        alert = scope.alert(session, mine, alert_id)
        if alert.kind not in ("question", "crisis"):
            raise Refused("not_a_question")
        person = session.get(Participant, alert.participant_id or -1)
        if person is None or person.chat_id is None:
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
                    key=f"answer:{alert.id}:{replied_to}:{len(alert.detail.get('answers', []))}",
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
        alert.detail = {
            **alert.detail,
            "answers": [*alert.detail.get("answers", []), {"at": now.isoformat()}],
        }
        alert.state, alert.closed_at = AlertState.RESOLVED, now
        alert.acknowledged_at = alert.acknowledged_at or now
        audit.record(
            session,
            now,
            "question_answered",
            participant_id=person.id,
            staff_id=mine.staff_id,
            actor="staff",
            alert_id=alert.id,
        )
        return person.display_name or "?"


def _alert_of(sent: Outbox | None) -> int | None:
    """The alert an outbox message to a coach was about (its key is alert:<id>…)."""
    if sent is None:
        return None
    parts = sent.idempotency_key.split(":")
    if len(parts) >= 2 and parts[0] == "alert" and parts[1].isdigit():
        return int(parts[1])
    return None


def open_questions(session: Session, participant_id: int) -> list[Alert]:
    return list(
        session.scalars(
            select(Alert).where(
                Alert.participant_id == participant_id,
                Alert.kind == "question",
                Alert.state != AlertState.RESOLVED,
            )
        )
    )
