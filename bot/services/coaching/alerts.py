"""Alerts for coaches: one open alert per participant and kind, told through the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.callbacks import Callback
from bot.i18n import N_, _, use_locale
from bot.services.messaging import outbox
from bot.services.messaging.notify import staff_message
from storage.models import (
    PRIORITY_BULK,
    Alert,
    AlertState,
    Outbox,
    Participant,
    StaffMember,
)

TEXTS = {
    "unreachable": N_(
        "{name} has blocked Wegwijzer, so my messages no longer reach them. "
        "Please contact them in another way."
    ),
}


def raise_alert(
    session: Session,
    now: datetime,
    participant: Participant,
    kind: str,
    urgent: bool = False,
    episode: bool = True,
    message: str | None = None,
    params: dict[str, Any] | None = None,
    actions: tuple[tuple[str | Callable[[], str], Callable[[int], Callback]], ...] = (),
    **detail: Any,
) -> Alert | None:
    """Open an alert and queue the coach's message (msgid `message`, else the kind's, with
    {name} and `params`, in the coach's language), in the caller's transaction.
    With `episode`, nothing new while the same kind is still open for this participant.
    `actions` are buttons under it: (label msgid, the button's family, made from the alert's
    id).
    A label may be a function that writes it, called in the coach's language.
    """
    open_one = (
        None
        if not episode
        else session.scalars(
            select(Alert).where(
                Alert.participant_id == participant.id,
                Alert.kind == kind,
                Alert.state != AlertState.RESOLVED,
            )
        ).first()
    )
    if open_one is not None or participant.organisation_id is None:
        return None
    # The msgid and its values, so the inbox and the digest can say it again in any language.
    said = {"message": message or TEXTS.get(kind), "params": params or {}}
    alert = Alert(
        organisation_id=participant.organisation_id,
        participant_id=participant.id,
        coach_id=participant.coach_id,
        kind=kind,
        urgent=urgent,
        detail={**detail, **said},
        state=AlertState.OPEN,
        created_at=now,
    )
    session.add(alert)
    session.flush()
    coach = session.get(StaffMember, participant.coach_id) if participant.coach_id else None
    if coach is not None and coach.chat_id is not None:
        with use_locale(coach.language):
            text = describe(alert, participant)
            buttons = [
                [
                    {
                        "text": label() if callable(label) else _(label),
                        "data": _data(button, alert.id),
                    }
                ]
                for label, button in actions
            ]
        outbox.enqueue_many(
            session,
            [staff_message(now, f"alert:{alert.id}", coach, text, participant, buttons or None)],
        )
    return alert


def _data(button: Callable[[int], Callback], alert_id: int) -> str:
    """A button under an alert: its family made from the alert's id."""
    return button(alert_id).pack()


def participant_blocked(session: Session, chat_id: int, now: datetime) -> bool:
    """The bot was blocked: mark the participant unreachable, cancel their queued bulk,
    and tell their coach once. False when the chat is no participant of ours."""
    with session.begin():
        participant = session.scalars(
            select(Participant).where(Participant.chat_id == chat_id)
        ).first()
        if participant is None:
            return False
        first_time = participant.unreachable_at is None
        participant.unreachable_at = participant.unreachable_at or now
        outbox.cancel(session, Outbox.chat_id == chat_id, Outbox.priority >= PRIORITY_BULK)
        if first_time:
            raise_alert(session, now, participant, "unreachable")
        return True


def reachable_again(session: Session, chat_id: int, now: datetime) -> None:
    """They wrote to us, so they unblocked the bot: clear the mark and close that alert."""
    with session.begin():
        participant = session.scalars(
            select(Participant).where(Participant.chat_id == chat_id)
        ).first()
        if participant is None:
            return
        participant.unreachable_at = None
        for alert in session.scalars(
            select(Alert).where(
                Alert.participant_id == participant.id,
                Alert.kind == "unreachable",
                Alert.state != AlertState.RESOLVED,
            )
        ):
            alert.state, alert.closed_at = AlertState.RESOLVED, now


def describe(alert: Alert, participant: Participant | None) -> str:
    """The alert's one line, in the current language."""
    name = (participant.display_name if participant else None) or "?"
    msgid = alert.detail.get("message") or TEXTS.get(alert.kind)
    try:
        if msgid:
            return _(msgid, name=name, **alert.detail.get("params", {}))
    except (KeyError, IndexError):
        pass  # values missing from an old alert: the plain line below still says who
    return _("{name} needs your attention.", name=name)


def tell_staff(
    session: Session,
    now: datetime,
    staff: StaffMember | None,
    key: str,
    msgid: str,
    participant: Participant | None = None,
    **params: Any,
) -> bool:
    """One message to a staff member in their language, through the outbox (once per key);
    False when they have no chat."""
    if staff is None or staff.chat_id is None:
        return False
    with use_locale(staff.language):
        text = _(msgid, **params)
    outbox.enqueue_many(
        session,
        [staff_message(now, key, staff, text, participant)],
    )
    return True
