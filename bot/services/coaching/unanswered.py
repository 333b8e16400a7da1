"""Questions nobody answered yet: the coach is reminded once, the next working morning."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.content import AnswerBook
from bot.i18n import _, format_when, use_locale
from bot.services.coaching.digest import DIGEST_AT, working_day
from bot.services.coaching.questions import STILL_OPEN, slug_of, topic_actions
from bot.services.messaging import outbox
from bot.services.messaging.notify import staff_message
from storage.models import (
    Alert,
    AlertState,
    Participant,
    Question,
    StaffMember,
)


def remind_unanswered(
    session: Session, now: datetime, zone: ZoneInfo, book: AnswerBook | None = None
) -> int:
    """On a working morning: each question from an earlier day still not answered is shown
    to its coach once more, with the same buttons (a reply to it answers the question)."""
    local = now.astimezone(zone)
    if not working_day(local.date()) or local.time() < DIGEST_AT:
        return 0
    start_of_day = datetime.combine(local.date(), time(0), zone)
    reminded = 0
    with session.begin():
        rows = session.execute(
            select(Question, Alert)
            .join(Alert, Alert.id == Question.alert_id)
            .where(
                Question.handled == "coach",
                Question.answered_at.is_(None),
                Question.reminded_at.is_(None),
                Question.created_at < start_of_day,
                Alert.state != AlertState.RESOLVED,
            )
        ).all()
        for row, alert in rows:
            if alert.snoozed_until is not None and alert.snoozed_until > now:
                continue
            person = session.get(Participant, row.participant_id)
            coach = session.get(StaffMember, alert.coach_id or -1)
            row.reminded_at = now
            if person is None or coach is None or coach.chat_id is None:
                continue
            with use_locale(coach.language):
                text = _(
                    STILL_OPEN,
                    when=format_when(row.created_at, zone),
                    name=person.display_name or "?",
                    question=row.text,
                )
                buttons = [
                    [
                        {
                            "text": label() if callable(label) else _(label),
                            "data": button(alert.id).pack(),
                        }
                    ]
                    for label, button in topic_actions(
                        book, slug_of(session, person), alert.detail.get("guesses", [])
                    )
                ]
            reminded += outbox.enqueue_many(
                session,
                [staff_message(now, f"alert:{alert.id}:still_open", coach, text, person, buttons)],
            )
    return reminded


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
