"""A participant's rights over their data (AVG/GDPR): see what is stored, take all of it as a
file, and have it erased. Erasing keeps only anonymous counts per month for the organisation's
figures (attendance per status, phase steps, outflow); the texts of messages to and about them
are blanked, their queued messages cancelled, and their coach told that they left.
The same erase serves retention: people who left the trajectory long ago are erased daily."""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.i18n import N_
from bot.services import audit
from bot.services.coaching import alerts
from bot.services.errors import NotAParticipant
from bot.services.impact import records
from bot.services.messaging import outbox
from storage import repositories as repo
from storage.db import Database
from storage.models import (
    Alert,
    AnonymousCount,
    Appointment,
    AppointmentAnswer,
    Attendance,
    AuditEvent,
    CheckinInvitation,
    ConsentRecord,
    FlowState,
    Outbox,
    OutboxState,
    Participant,
    ParticipantStatus,
    PhaseChange,
    Question,
    Reminder,
    Signal,
    StaffMember,
    ZrmMeasurement,
    table_of,
)

log = logging.getLogger("wegwijzer.privacy")

LEFT_SERVICE = N_(
    "{name} has left Wegwijzer and asked me to forget them. Their appointments, attendance and "
    "answers are deleted. Please contact them in another way if you need to."
)


@dataclass
class Summary:
    """What /mijngegevens shows, in words, before the whole file."""

    name: str
    language: str | None
    organisation: str
    coach: str
    phase: str | None
    phase_since: datetime | None
    consent_at: datetime | None
    appointments: int = 0
    attendance: int = 0
    answers: int = 0  # check-in answers
    messages: int = 0  # messages the bot sent them
    questions: int = 0  # questions in their own words
    counts: dict[str, int] = field(default_factory=dict)


def _person(session: Session, chat_id: int) -> Participant:
    person = repo.participant_by_chat(session, chat_id)
    if person is None or person.status not in (ParticipantStatus.ACTIVE, ParticipantStatus.LEFT):
        raise NotAParticipant(chat_id)
    return person


def _count(session: Session, model: type, person: Participant) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(model).where(model.participant_id == person.id)  # type: ignore[attr-defined]
        )
        or 0
    )


def summary(session: Session, chat_id: int) -> Summary:
    """The participant's own data at a glance (refused for someone not linked)."""
    with session.begin():
        person = _person(session, chat_id)
        coach = session.get(StaffMember, person.coach_id or -1)
        consent = session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.participant_id == person.id, ConsentRecord.accepted.is_(True))
            .order_by(ConsentRecord.at.desc())
        ).first()
        return Summary(
            name=person.display_name or "",
            language=person.language,
            organisation=person.organisation.name if person.organisation else "",
            coach=coach.name if coach else "",
            phase=person.phase.value if person.phase else None,
            phase_since=person.phase_since,
            consent_at=consent.at if consent else None,
            appointments=_count(session, Appointment, person),
            attendance=_count(session, Attendance, person),
            answers=session.scalar(  # a skipped question is no answer
                select(func.count())
                .select_from(Signal)
                .where(
                    Signal.participant_id == person.id,
                    Signal.source == "self",
                    Signal.level.is_not(None),
                )
            )
            or 0,
            messages=session.scalar(  # to them, and delivered: not the coach's alerts about them
                select(func.count())
                .select_from(Outbox)
                .where(
                    Outbox.participant_id == person.id,
                    Outbox.chat_id == person.chat_id,
                    Outbox.state == OutboxState.SENT,
                )
            )
            or 0,
            questions=_count(session, Question, person),
        )


def _rows(session: Session, model: type[Any], where: Any, skip: tuple[str, ...] = ()) -> list[dict]:
    columns = [c for c in table_of(model).columns if c.name not in skip]
    return [
        {c.name: _plain(getattr(row, c.key)) for c in columns}
        for row in session.scalars(select(model).where(where))
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def export(session: Session, chat_id: int, now: datetime) -> dict[str, Any]:
    """Everything stored about the participant, as plain JSON-ready data (the right of access):
    their record, consent, appointments and answers, attendance, check-in answers and the
    coach's scores, phase steps, reminders, alerts about them, messages sent to them and to
    staff about them, and who looked at their data. The request itself is audited."""
    with session.begin():
        person = _person(session, chat_id)
        pid = person.id
        data = {
            "exported_at": now.isoformat(),
            "participant": _rows(session, Participant, Participant.id == pid)[0],
            "organisation": person.organisation.name if person.organisation else None,
            "consent": _rows(session, ConsentRecord, ConsentRecord.participant_id == pid),
            "appointments": _rows(session, Appointment, Appointment.participant_id == pid),
            "appointment_answers": _rows(
                session, AppointmentAnswer, AppointmentAnswer.participant_id == pid
            ),
            "attendance": _rows(session, Attendance, Attendance.participant_id == pid),
            "checkin_answers": _rows(session, Signal, Signal.participant_id == pid),
            "checkin_invitations": _rows(
                session, CheckinInvitation, CheckinInvitation.participant_id == pid
            ),
            "phase_changes": _rows(session, PhaseChange, PhaseChange.participant_id == pid),
            "zrm_scores_by_your_coach": _rows(
                session, ZrmMeasurement, ZrmMeasurement.participant_id == pid
            ),
            "alerts_for_the_coach": _rows(session, Alert, Alert.participant_id == pid),
            "questions_you_asked": _rows(session, Question, Question.participant_id == pid),
            "reminders": _rows(
                session,
                Reminder,
                Reminder.appointment_id.in_(
                    select(Appointment.id).where(Appointment.participant_id == pid)
                ),
            ),
            "messages_to_you": _rows(
                session,
                Outbox,
                (Outbox.participant_id == pid) & (Outbox.chat_id == chat_id),
                skip=("claimed_by", "claimed_at", "idempotency_key"),
            ),
            "messages_about_you_to_staff": _rows(
                session,
                Outbox,
                (Outbox.participant_id == pid) & (Outbox.chat_id != chat_id),
                skip=("claimed_by", "claimed_at", "idempotency_key", "chat_id", "staff_id"),
            ),
            "who_saw_or_changed_your_data": _rows(
                session, AuditEvent, AuditEvent.participant_id == pid
            ),
        }
        audit.record(session, now, "data_exported", participant_id=pid)
    return data


def _month(day: date) -> date:
    return day.replace(day=1)


def _tally(session: Session, organisation_id: int, counts: Counter[tuple[str, str, date]]) -> None:
    for (metric, key, month), n in counts.items():
        row = session.scalars(
            select(AnonymousCount).where(
                AnonymousCount.organisation_id == organisation_id,
                AnonymousCount.metric == metric,
                AnonymousCount.key == key,
                AnonymousCount.month == month,
            )
        ).first()
        if row is None:
            session.add(
                AnonymousCount(
                    organisation_id=organisation_id, metric=metric, key=key, month=month, count=n
                )
            )
        else:
            row.count += n


def erase(session: Session, participant_id: int, now: datetime, zone: ZoneInfo, why: str) -> None:
    """Delete or anonymise everything about one participant, in the caller's transaction; their
    coach is told first (unless they were never linked)."""
    person = session.get(Participant, participant_id)
    if person is None:
        return
    counts: Counter[tuple[str, str, date]] = Counter()
    for day, status in session.execute(
        select(Attendance.day, Attendance.status).where(Attendance.participant_id == person.id)
    ):
        counts["attendance", status.value, _month(day)] += 1
    for step in session.scalars(select(PhaseChange).where(PhaseChange.participant_id == person.id)):
        before = step.from_phase.value if step.from_phase else "-"
        if step.to_phase is not None:
            counts["phase", f"{before}>{step.to_phase.value}", _month(step.on)] += 1
        else:
            counts[
                "outflow", step.outflow.value if step.outflow else "onbekend", _month(step.on)
            ] += 1
    counts["erased", why, _month(now.astimezone(zone).date())] += 1
    records.keep(session, person, now.astimezone(zone).date())  # the figures of closed years
    _blank_what_quotes(session, person)
    if person.organisation_id is not None:
        _tally(session, person.organisation_id, counts)
        coach = session.get(StaffMember, person.coach_id or -1)
        if person.status == ParticipantStatus.ACTIVE and why in ("asked", "declined"):
            alerts.tell_staff(
                session,
                now,
                coach,
                f"{outbox.FORGET_WHEN_DONE}{secrets.token_hex(8)}",
                LEFT_SERVICE,
                name=person.display_name or "?",
            )
    chat = person.chat_id
    mentions = or_(Outbox.participant_id == person.id, Outbox.chat_id == (chat or -1))
    session.execute(
        update(Outbox)
        .where(mentions, Outbox.state.in_([OutboxState.QUEUED, OutboxState.SENDING]))
        .values(state=OutboxState.CANCELLED)
    )
    session.execute(
        update(Outbox)
        .where(mentions)
        .values(text="", buttons=None, participant_id=None, language=None)
    )
    if chat is not None:
        session.execute(update(Outbox).where(Outbox.chat_id == chat).values(chat_id=0))
        session.execute(delete(FlowState).where(FlowState.chat_id == chat))
    session.execute(
        update(AuditEvent).where(AuditEvent.participant_id == person.id).values(participant_id=None)
    )
    audit.record(session, now, "participant_erased", actor="system", reason=why)
    session.delete(person)  # the rest goes with it (ON DELETE CASCADE)
    session.flush()


def _blank_what_quotes(session: Session, person: Participant) -> None:
    """Messages to staff that name or quote them without being linked to them (the coach's
    morning digest lists several people), sent or not: blanked, within their organisation."""
    if person.organisation_id is None:
        return
    quotes = [
        text.strip()
        for text in session.scalars(
            select(Question.text).where(Question.participant_id == person.id)
        )
        if len(text.strip()) >= 8
    ]
    name = (person.display_name or "").strip()
    found = [Outbox.text.contains(quote, autoescape=True) for quote in quotes]
    if len(name) >= 2:
        found.append(Outbox.text.contains(name, autoescape=True))
    if found:
        session.execute(
            update(Outbox)
            .where(Outbox.organisation_id == person.organisation_id, or_(*found))
            .values(text="", buttons=None)
        )


def forget_me(session: Session, chat_id: int, now: datetime, zone: ZoneInfo) -> None:
    """/vergeetmij, confirmed."""
    with session.begin():
        person = repo.participant_by_chat(session, chat_id)
        if person is None:
            raise NotAParticipant(chat_id)
        erase(session, person.id, now, zone, "asked")


def retention(session: Session, now: datetime, zone: ZoneInfo, months: int) -> int:
    """Erase who left the trajectory more than `months` ago (and people who never finished
    signing up or said no, after the same time). Returns how many."""
    cutoff = now - timedelta(days=round(months * 30.44))
    with session.begin():
        left_on = (
            select(PhaseChange.participant_id, func.max(PhaseChange.on).label("on"))
            .where(PhaseChange.to_phase.is_(None))
            .group_by(PhaseChange.participant_id)
            .subquery()
        )
        ids = set(
            session.scalars(
                select(Participant.id)
                .outerjoin(left_on, left_on.c.participant_id == Participant.id)
                .where(
                    Participant.status == ParticipantStatus.LEFT,
                    or_(
                        left_on.c.on < cutoff.astimezone(zone).date(),
                        and_(left_on.c.on.is_(None), Participant.created_at < cutoff),
                    ),
                )
            )
        )
        ids |= set(
            session.scalars(
                select(Participant.id).where(
                    Participant.status.in_([ParticipantStatus.NEW, ParticipantStatus.DECLINED]),
                    Participant.created_at < cutoff,
                )
            )
        )
        for pid in sorted(ids):
            erase(session, pid, now, zone, "retention")
    if ids:
        log.info("retention: erased %d participants", len(ids))
    return len(ids)


def summary_of(db: Database, chat_id: int) -> Summary | None:
    """/mijngegevens as a use case: the summary, or None for a chat that is no participant."""
    with db.read() as session:
        try:
            return summary(session, chat_id)
        except NotAParticipant:
            return None


def export_of(db: Database, chat_id: int, now: datetime) -> dict[str, Any] | None:
    """All my data as a use case; None for a chat that is no participant."""
    with db.read() as session:
        try:
            return export(session, chat_id, now)
        except NotAParticipant:
            return None


def forget(db: Database, chat_id: int, now: datetime, zone: ZoneInfo) -> bool:
    """/vergeetmij, confirmed, as a use case; False for a chat that is no participant."""
    with db.read() as session:
        try:
            forget_me(session, chat_id, now, zone)
        except NotAParticipant:
            return False
    return True
