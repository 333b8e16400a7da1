"""The coach's morning: the 08:30 digest of what is open, and alerts nobody acted on escalated
to the admins after 4 working hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.callbacks import AlertAction
from bot.i18n import N_, _, format_day, format_when, ngettext, use_locale
from bot.services import audit
from bot.services.appointments import attendance
from bot.services.coaching import alerts
from bot.services.coaching.inbox import _open, unreachable
from bot.services.messaging import outbox
from bot.services.messaging.notify import staff_message
from bot.services.people.scope import Scope
from storage.models import (
    PRIORITY_ALERT,
    Alert,
    AlertState,
    OutboxKind,
    Participant,
    StaffMember,
    StaffRole,
)

DIGEST_AT = time(8, 30)

WORK_START, WORK_END = time(9, 0), time(17, 0)


ESCALATE_AFTER = 4  # working hours


def working_day(day: date) -> bool:
    return day.weekday() < 5


def working_deadline(start: datetime, hours: int, zone: ZoneInfo) -> datetime:
    """`hours` working hours (Monday to Friday, 09:00–17:00 local) after `start`."""
    left = timedelta(hours=hours)
    moment = start.astimezone(zone)
    while True:
        day = moment.date()
        opens = datetime.combine(day, WORK_START, tzinfo=zone)
        closes = datetime.combine(day, WORK_END, tzinfo=zone)
        if working_day(day) and moment < closes:
            moment = max(moment, opens)
            if moment + left <= closes:
                return moment + left
            left -= closes - moment
        moment = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def escalate(session: Session, now: datetime, zone: ZoneInfo) -> int:
    """Urgent alerts not picked up within four working hours go to the organisation's admins
    (once each). Returns how many alerts were passed on."""
    passed = 0
    with session.begin():
        waiting = session.execute(
            select(Alert, Participant)
            .join(Participant, Participant.id == Alert.participant_id)
            .where(
                Alert.urgent.is_(True),
                Alert.state == AlertState.OPEN,
                Alert.acknowledged_at.is_(None),
                Alert.escalated_at.is_(None),
            )
        ).all()
        for alert, person in waiting:
            if now < working_deadline(alert.created_at, ESCALATE_AFTER, zone):
                continue
            coach = session.get(StaffMember, person.coach_id or -1)
            admins = session.scalars(
                select(StaffMember).where(
                    StaffMember.organisation_id == alert.organisation_id,
                    StaffMember.role == StaffRole.ADMIN,
                    StaffMember.chat_id.is_not(None),
                )
            ).all()
            rows = []
            for admin in admins:
                with use_locale(admin.language):
                    text = _(
                        "Urgent, and nobody picked it up in 4 working hours "
                        "(coach: {coach}).\n\n{alert}",
                        coach=coach.name if coach else "?",
                        alert=alerts.describe(alert, person),
                    )
                    buttons = [
                        [{"text": _(CALLED), "data": AlertAction("called", alert.id).pack()}],
                        [{"text": _(RESOLVE), "data": AlertAction("resolve", alert.id).pack()}],
                    ]
                rows.append(
                    staff_message(
                        now, f"escalate:{alert.id}:{admin.id}", admin, text, person, buttons
                    )
                )
            outbox.enqueue_many(session, rows)
            alert.escalated_at = now
            audit.record(
                session,
                now,
                "alert_escalated",
                participant_id=person.id,
                actor="system",
                alert_id=alert.id,
                admins=len(admins),
            )
            passed += 1
    return passed


CALLED = N_("📞 I called / spoke to them")


MISS = N_("💬 Send “we miss you”")


SNOOZE_LABEL = N_("💤 Snooze 2 days")


RESOLVE = N_("✅ Resolve")


def _previous_digest(now: datetime, zone: ZoneInfo) -> datetime:
    """08:30 on the working day before today: what came in since then is new."""
    day = now.astimezone(zone).date() - timedelta(days=1)
    while not working_day(day):
        day -= timedelta(days=1)
    return datetime.combine(day, DIGEST_AT, tzinfo=zone)


def digest_text(
    session: Session, mine: Scope, language: str, now: datetime, zone: ZoneInfo
) -> str | None:
    """The coach's morning picture in their language, or None when there is nothing to say.
    Each line is one whole translated sentence."""
    today = now.astimezone(zone).date()
    expected = attendance.expected_on(session, mine, today, zone)
    since = _previous_digest(now, zone)
    with session.begin():
        rows = session.execute(_open(mine, now)).all()
        away = unreachable(session, mine)
        with use_locale(language):
            new = [alerts.describe(a, p) for a, p in rows if a.created_at >= since]
            questions = sum(1 for a, _p in rows if a.kind == "question")
            lines = [
                _(
                    "Good morning {name}. Your day: {day}.",
                    name=mine.staff_name,
                    day=format_day(today),
                )
            ]
            if new:
                lines.append(
                    ngettext(
                        "New since yesterday: {n} alert.",
                        "New since yesterday: {n} alerts.",
                        len(new),
                    )
                )
                lines += [f"• {text}" for text in new]
            older = len(rows) - len(new)
            if older:
                lines.append(
                    ngettext("Still open: {n} older alert.", "Still open: {n} older alerts.", older)
                )
            if questions:
                lines.append(
                    ngettext(
                        "{n} question waits for your answer.",
                        "{n} questions wait for your answer.",
                        questions,
                    )
                )
            if away:
                lines.append(_("Not reachable in Telegram: {names}.", names=", ".join(away)))
            if expected:
                lines.append(
                    ngettext(
                        "Expected today: {n} person.", "Expected today: {n} people.", len(expected)
                    )
                )
                groups: dict[tuple[datetime, str], list[str]] = {}
                for item in expected:
                    groups.setdefault((item.start, item.location), []).append(item.name)
                for (start, place), names in groups.items():
                    lines.append(
                        _(
                            "• {when}, {place}: {names}",
                            when=format_when(start, zone),
                            place=place or "?",
                            names=", ".join(names),
                        )
                    )
            else:
                lines.append(_("Nobody is expected today."))
            if rows:
                lines.append(_("Open /meldingen to act on the alerts."))
    if not rows and not expected and not away:
        return None
    text = "\n".join(lines)
    return text if len(text) <= 4000 else text[:3990] + "\n…"


def send_digests(session: Session, now: datetime, zone: ZoneInfo) -> int:
    """One digest per coach on a working day, from 08:30 (a late start still sends it, once:
    the key is the coach and the day). Returns how many were queued."""
    local = now.astimezone(zone)
    if not working_day(local.date()) or local.time() < DIGEST_AT or local.hour >= 12:
        return 0
    with session.begin():
        coaches = [
            (
                Scope(c.organisation_id, coach_id=c.id, staff_id=c.id, staff_name=c.name),
                c.chat_id,
                c.language,
            )
            for c in session.scalars(
                select(StaffMember).where(
                    StaffMember.role == StaffRole.COACH, StaffMember.chat_id.is_not(None)
                )
            )
        ]
    queued = 0
    for mine, chat_id, language in coaches:
        text = digest_text(session, mine, language, now, zone)
        if text is None:
            continue
        with session.begin():
            queued += outbox.enqueue_many(
                session,
                [
                    outbox.message(
                        now,
                        key=f"digest:{mine.staff_id}:{local.date().isoformat()}",
                        chat_id=chat_id,
                        text=text,
                        kind=OutboxKind.ALERT,
                        priority=PRIORITY_ALERT,
                        staff_id=mine.staff_id,
                        organisation_id=mine.organisation_id,
                        language=language,
                    )
                ],
            )
    return queued
