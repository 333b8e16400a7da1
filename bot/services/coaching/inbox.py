"""The coach's inbox: open alerts, urgent first, each with one tap to act; the 08:30 digest; and
an urgent alert nobody picked up within four working hours passed on to the organisation's staff.

Acting on an alert is checked against the scope here, audited, and written into the alert's
own log, so the digest and the next coach see what was done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from bot.callbacks import AlertAction, MissYouAnswer
from bot.i18n import N_, _, format_day, format_when, ngettext, use_locale
from bot.services import audit
from bot.services.appointments import attendance
from bot.services.coaching import alerts
from bot.services.errors import Refused
from bot.services.messaging import outbox
from bot.services.messaging.notify import tell
from bot.services.people import scope
from bot.services.people.scope import Scope
from storage.models import (
    PRIORITY_ALERT,
    Alert,
    AlertState,
    OutboxKind,
    Participant,
    ParticipantStatus,
    StaffMember,
    StaffRole,
)

SNOOZE = timedelta(days=2)
ACTIONS = ("called", "snooze", "resolve")
# Kind, short, in the participant's own language; never a word about sanctions (seed 003).
MISS_YOU = {
    "1": N_("Hello {name}. We missed you. How are you? You are always welcome back."),
    "2": N_("Hello {name}. It is quiet without you. Is everything all right with you?"),
    "3": N_(
        "Hello {name}. Is something difficult for you right now? "
        "Tell us. We can look for a solution together."
    ),
}
MISS_YOU_ANSWERS: dict[Literal["back", "call"], str] = {
    "back": N_("🙂 I will come again"),
    "call": N_("📞 Please call me"),
}
MISS_YOU_TOLD = {
    "back": N_("{name} answered your message: “I will come again”."),
    "call": N_("{name} answered your message: “Please call me”."),
}
DIGEST_AT = time(8, 30)
WORK_START, WORK_END = time(9, 0), time(17, 0)
ESCALATE_AFTER = 4  # working hours
SHOWN = 20  # alerts per /meldingen; the rest is counted


@dataclass(frozen=True)
class Item:
    """One open alert as the coach sees it; `text` is already in the reader's language."""

    alert_id: int
    participant_id: int | None
    name: str
    text: str
    created_at: datetime
    urgent: bool
    acknowledged: bool
    reachable: bool  # a "we miss you" can reach them
    kind: str = ""


def _open(mine: Scope, now: datetime) -> Select[tuple[Alert, Participant]]:
    query = (
        select(Alert, Participant)
        .join(Participant, Participant.id == Alert.participant_id)
        .where(
            Alert.organisation_id == mine.organisation_id,
            Participant.organisation_id == mine.organisation_id,
            Alert.state != AlertState.RESOLVED,
            or_(Alert.snoozed_until.is_(None), Alert.snoozed_until <= now),
        )
    )
    if mine.coach_id is not None:
        query = query.where(Participant.coach_id == mine.coach_id)
    return query.order_by(Alert.urgent.desc(), Alert.created_at, Alert.id)


def reachable(person: Participant) -> bool:
    return (
        person.chat_id is not None
        and person.status == ParticipantStatus.ACTIVE
        and person.stopped_at is None
        and person.unreachable_at is None
    )


def _item(alert: Alert, person: Participant) -> Item:
    return Item(
        alert_id=alert.id,
        participant_id=person.id,
        name=person.display_name or "?",
        text=alerts.describe(alert, person),
        created_at=alert.created_at,
        urgent=alert.urgent,
        acknowledged=alert.acknowledged_at is not None,
        reachable=reachable(person) and alert.kind not in ("unreachable", "question", "crisis"),
        kind=alert.kind,
    )


def open_items(session: Session, mine: Scope, now: datetime) -> tuple[list[Item], int]:
    """The open alerts in scope (snoozed ones wait), urgent first then oldest; and how many
    there are in all. Texts in the current language. Each shown alert is an audited view (in
    the caller's transaction): alerts are sensitive data about the participant."""
    rows = session.execute(_open(mine, now)).all()
    shown = [_item(alert, person) for alert, person in rows[:SHOWN]]
    for item in shown:
        audit.record(
            session,
            now,
            "alert_viewed",
            participant_id=item.participant_id,
            staff_id=mine.staff_id,
            actor="staff",
            alert_id=item.alert_id,
        )
    return shown, len(rows)


def unreachable(session: Session, mine: Scope) -> list[str]:
    """Names of participants in scope who blocked the bot."""
    return [
        person.display_name or "?"
        for person in session.scalars(
            scope.participants(mine).where(Participant.unreachable_at.is_not(None))
        )
    ]


def _log(alert: Alert, now: datetime, mine: Scope, action: str, **extra: object) -> None:
    entry = {"at": now.isoformat(), "staff_id": mine.staff_id, "action": action, **extra}
    alert.detail = {**alert.detail, "log": [*alert.detail.get("log", []), entry]}


def act(session: Session, mine: Scope, alert_id: int, action: str, now: datetime) -> Item:
    """I called them, snooze two days, or resolve; in the caller's transaction."""
    if action not in ACTIONS:
        raise Refused("unknown_alert")
    alert = scope.alert(session, mine, alert_id)
    if alert.state == AlertState.RESOLVED:
        raise Refused("alert_closed")
    person = session.get(Participant, alert.participant_id or -1)
    assert person is not None  # scope.alert checked them
    if action == "called":
        alert.state = AlertState.ACKNOWLEDGED
        alert.acknowledged_at = alert.acknowledged_at or now
    elif action == "snooze":
        alert.snoozed_until = now + SNOOZE
        alert.acknowledged_at = alert.acknowledged_at or now
    else:
        alert.state, alert.closed_at = AlertState.RESOLVED, now
        alert.acknowledged_at = alert.acknowledged_at or now
    _log(alert, now, mine, action)
    audit.record(
        session,
        now,
        f"alert_{action}",
        participant_id=person.id,
        staff_id=mine.staff_id,
        actor="staff",
        alert_id=alert.id,
    )
    session.flush()
    return _item(alert, person)


def miss_you_preview(session: Session, mine: Scope, alert_id: int) -> dict[str, str]:
    """The pre-written texts, in the current (coach's) language, to choose from."""
    alert = scope.alert(session, mine, alert_id)
    person = session.get(Participant, alert.participant_id or -1)
    assert person is not None
    if not reachable(person) or alert.kind == "unreachable":
        raise Refused("cannot_reach", name=person.display_name or "?")
    return {key: _(msgid, name=person.display_name or "") for key, msgid in MISS_YOU.items()}


def miss_you(
    session: Session, mine: Scope, alert_id: int, choice: str, now: datetime
) -> Participant:
    """Send the chosen text to the participant in their language, once per alert and day;
    the alert counts as picked up."""
    if choice not in MISS_YOU:
        raise Refused("unknown_alert")
    alert = scope.alert(session, mine, alert_id)
    if alert.state == AlertState.RESOLVED:
        raise Refused("alert_closed")
    person = session.get(Participant, alert.participant_id or -1)
    assert person is not None
    if not reachable(person) or alert.kind == "unreachable":
        raise Refused("cannot_reach", name=person.display_name or "?")
    with use_locale(person.language or "nl"):
        buttons = [
            [{"text": _(label), "data": MissYouAnswer(alert.id, answer).pack()}]
            for answer, label in MISS_YOU_ANSWERS.items()
        ]
    tell(
        session,
        person,
        f"missyou:{alert.id}:{now.date().isoformat()}",
        now,
        MISS_YOU[choice],
        buttons=buttons,
        name=person.display_name or "",
    )
    alert.state = AlertState.ACKNOWLEDGED
    alert.acknowledged_at = alert.acknowledged_at or now
    _log(alert, now, mine, "miss_you", text=choice)
    audit.record(
        session,
        now,
        "alert_miss_you",
        participant_id=person.id,
        staff_id=mine.staff_id,
        actor="staff",
        alert_id=alert.id,
    )
    return person


def answer_miss_you(
    session: Session, chat_id: int, alert_id: int, answer: str, now: datetime
) -> bool:
    """The participant tapped an answer under "we miss you": tell their coach (once per answer).
    False when the button is not theirs or the answer unknown."""
    alert = session.get(Alert, alert_id)
    person = session.scalars(select(Participant).where(Participant.chat_id == chat_id)).first()
    if alert is None or person is None or alert.participant_id != person.id:
        return False
    if answer not in MISS_YOU_TOLD:
        return False
    alert.detail = {
        **alert.detail,
        "log": [*alert.detail.get("log", []), {"at": now.isoformat(), "answer": answer}],
    }
    alerts.tell_staff(
        session,
        now,
        session.get(StaffMember, person.coach_id or -1),
        f"missyou-answer:{alert.id}:{answer}",
        MISS_YOU_TOLD[answer],
        person,
        name=person.display_name or "?",
    )
    return True


# ---- working hours, the digest and escalation -------------------------------------------


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
                    outbox.message(
                        now,
                        key=f"escalate:{alert.id}:{admin.id}",
                        chat_id=admin.chat_id,  # type: ignore[arg-type]
                        text=text,
                        buttons=buttons,
                        kind=OutboxKind.ALERT,
                        priority=PRIORITY_ALERT,
                        staff_id=admin.id,
                        organisation_id=alert.organisation_id,
                        participant_id=person.id,
                        language=admin.language,
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
