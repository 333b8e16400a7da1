"""The coach's inbox: open alerts, urgent first, each with one tap to act; the 08:30 digest; and
an urgent alert nobody picked up within four working hours passed on to the organisation's staff.

Acting on an alert is checked against the scope here, audited, and written into the alert's
own log, so the digest and the next coach see what was done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from bot.callbacks import MissYouAnswer
from bot.i18n import N_, _, use_locale
from bot.services import audit
from bot.services.coaching import alerts
from bot.services.errors import Refused
from bot.services.messaging.notify import tell
from bot.services.people import scope
from bot.services.people.scope import Scope
from storage.models import (
    Alert,
    AlertState,
    Participant,
    ParticipantStatus,
    StaffMember,
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
        reachable=reachable(person)
        and alert.kind not in ("unreachable", "question", "crisis", "unsure"),
        kind=alert.kind,
    )


def open_items(
    session: Session, mine: Scope, now: datetime, limit: int = SHOWN
) -> tuple[list[Item], int]:
    """The open alerts in scope (snoozed ones wait), urgent first then oldest; and how many
    there are in all. Texts in the current language. Each shown alert is an audited view (in
    the caller's transaction): alerts are sensitive data about the participant."""
    query = _open(mine, now)
    shown = [_item(alert, person) for alert, person in session.execute(query.limit(limit))]
    total = len(shown)
    if total == limit:  # there may be more: count them without loading them
        counted = query.order_by(None).with_only_columns(func.count(Alert.id))
        total = session.scalar(counted) or 0
    viewed = [(item.participant_id, {"alert_id": item.alert_id}) for item in shown]
    audit.record_many(session, now, "alert_viewed", viewed, staff_id=mine.staff_id)
    return shown, total


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
