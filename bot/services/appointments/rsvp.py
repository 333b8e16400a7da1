"""Answers to reminders: coming, not coming (and why), late (and how late); the coach is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.callbacks import NewTime
from bot.i18n import N_, format_when, use_locale
from bot.services.appointments import attendance
from bot.services.coaching import alerts
from bot.services.errors import DomainError
from storage import repositories as repo
from storage.db import Database
from storage.models import AppointmentAnswer, Reminder, ReminderState, StaffMember

NOT_COMING = {
    "sick": N_("{name} cannot come on {when}: they are sick."),
    "family": N_("{name} cannot come on {when}, because of their child or family."),
    "other": N_("{name} cannot come on {when}, for another reason."),
}
PROPOSE = N_("📅 Propose a new time")
LATE = {
    "15": N_("{name} will be about 15 minutes late on {when}."),
    "30": N_("{name} will be about 30 minutes late on {when}."),
    "more": N_("{name} will be more than 30 minutes late on {when}."),
}


class AnswerTooLate(DomainError):
    """The appointment has already started (or the reminder is not this person's)."""


@dataclass(frozen=True)
class Answered:
    answer: str
    coach: str


def _mine(session: Session, chat_id: int, reminder_id: int, now: datetime) -> Reminder:
    """The reminder, if it belongs to this chat's participant and is not over."""
    person = repo.participant_by_chat(session, chat_id)
    reminder = session.get(Reminder, reminder_id)
    if person is None or reminder is None or reminder.participant_id != person.id:
        raise AnswerTooLate(reminder_id)
    if reminder.occurrence_start <= now:
        raise AnswerTooLate(reminder_id)
    return reminder


def record(
    session: Session,
    chat_id: int,
    reminder_id: int,
    answer: str,
    now: datetime,
    zone: ZoneInfo,
    detail: str | None = None,
) -> Answered:
    """Store the answer for that occurrence (a later answer replaces an earlier one); for
    "not coming" with a reason and "late" with minutes, tell the coach."""
    with session.begin():
        reminder = _mine(session, chat_id, reminder_id, now)
        row = session.scalars(
            select(AppointmentAnswer).where(
                AppointmentAnswer.appointment_id == reminder.appointment_id,
                AppointmentAnswer.occurrence_start == reminder.occurrence_start,
            )
        ).first()
        if row is None:
            row = AppointmentAnswer(
                appointment_id=reminder.appointment_id,
                participant_id=reminder.participant_id,
                occurrence_start=reminder.occurrence_start,
                answer=answer,
                answered_at=now,
            )
            session.add(row)
        row.answer, row.answered_at = answer, now
        row.reason = detail if answer == "not_coming" else None
        row.minutes_late = (
            {"15": 15, "30": 30, "more": 45}.get(detail or "") if answer == "late" else None
        )
        person = repo.participant_by_chat(session, chat_id)
        assert person is not None
        attendance.from_answer(
            session,
            person,
            reminder.appointment_id,
            reminder.occurrence_start,
            answer,
            row.reason,
            now,
            zone,
        )
        coach = session.get(StaffMember, person.coach_id or -1)
        table = NOT_COMING if answer == "not_coming" else LATE if answer == "late" else {}
        if detail in table:
            with use_locale(coach.language if coach else "nl"):
                when = format_when(reminder.occurrence_start, zone)
            alerts.raise_alert(
                session,
                now,
                person,
                answer,
                episode=False,
                message=table[detail],
                params={"when": when},
                actions=((PROPOSE, NewTime),) if answer == "not_coming" else (),
                appointment_id=reminder.appointment_id,
                reason=detail,
                occurrence=reminder.occurrence_start.isoformat(),
            )
        return Answered(answer, coach.name if coach else "")


def answer(
    db: Database,
    chat_id: int,
    reminder_id: int,
    given: str,
    now: datetime,
    zone: ZoneInfo,
    detail: str | None = None,
) -> Answered | None:
    """`record` as a use case; None when the appointment has already started (or the reminder
    is not this chat's), so the answer came too late."""
    with db.read() as session:
        try:
            return record(session, chat_id, reminder_id, given, now, zone, detail)
        except AnswerTooLate:
            return None


OPEN_FOR = timedelta(hours=36)  # a reminder this recent, not yet answered, is what "ok" means


def open_reminder(
    session: Session, chat_id: int, now: datetime, answered_too: bool = False
) -> int | None:
    """The reminder a participant's words most likely answer: the newest one sent in the last
    36 hours, for an occurrence still to come, that they have not answered yet (or, with
    `answered_too`, answered already: "I am sick after all" changes an earlier answer)."""
    with session.begin():
        person = repo.participant_by_chat(session, chat_id)
        if person is None:
            return None
        for reminder in session.scalars(
            select(Reminder)
            .where(
                Reminder.participant_id == person.id,
                Reminder.state == ReminderState.QUEUED,
                Reminder.queued_at >= now - OPEN_FOR,
                Reminder.occurrence_start > now,
            )
            .order_by(Reminder.queued_at.desc())
        ):
            answered = session.scalars(
                select(AppointmentAnswer.id).where(
                    AppointmentAnswer.appointment_id == reminder.appointment_id,
                    AppointmentAnswer.occurrence_start == reminder.occurrence_start,
                )
            ).first()
            return None if answered is not None and not answered_too else reminder.id
        return None
