"""Check-in invitations: rows with a due time before anything is sent (the database is the truth,
the clock only wakes them up). Each week one per participant, at the organisation's weekday and
hour, moved off their appointments and out of the quiet hours; the first of each month asks every
domain. One reminder the next day, then it expires. Which domains the weekly one asks is chosen
when it starts: the ones that were low last time, then those asked longest ago."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.actions import Actor
from bot.services.errors import DomainError, NotAParticipant
from flows.steps.scale import DOMAINS
from storage import repositories as repo
from storage.models import (
    CheckinInvitation,
    Organisation,
    Participant,
    ParticipantStatus,
    Signal,
)

log = logging.getLogger("wegwijzer.invitations")

WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
DEFAULT_PLAN: dict[str, Any] = {
    "weekday": "tu",  # the day of the weekly invitation
    "at": "10:00",  # local time
    "size": 4,  # domains in the weekly one, besides those that were low last time
    "domains": list(DOMAINS),  # the organisation's matrix: which domains it asks about
    "monthly": True,  # the first invitation of a month asks every domain
    "remind_after_hours": 24,
    "expire_after_hours": 72,
    "enabled": True,
}
LOW = 2  # an answer at this level or below is asked again next time


class InvitationClosed(DomainError):
    """The invitation expired, was answered already, or is not this chat's."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass(frozen=True)
class Begin:
    """What the check-in flow starts with."""

    kind: str
    domains: list[str]
    invitation_id: int | None

    def variables(self) -> dict[str, Any]:
        return {"kind": self.kind, "domains": self.domains, "invitation": self.invitation_id}


def plan_of(organisation: Organisation | None) -> dict[str, Any]:
    """The organisation's settings over the defaults; a wrong value falls back (and is logged)."""
    plan = dict(DEFAULT_PLAN)
    for key, value in ((organisation.checkin_plan if organisation else None) or {}).items():
        if key in DEFAULT_PLAN and _valid(key, value):
            plan[key] = value
        else:
            log.warning(
                "organisation %s: ignoring check-in setting %s",
                organisation.slug if organisation else "?",
                key,
            )
    return plan


def _valid(key: str, value: Any) -> bool:
    if key == "weekday":
        return value in WEEKDAYS
    if key == "at":
        try:
            time.fromisoformat(str(value))
        except ValueError:
            return False
        return True
    if key == "domains":
        return isinstance(value, list) and bool(value) and all(d in DOMAINS for d in value)
    if key in ("monthly", "enabled"):
        return isinstance(value, bool)
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 24 * 14


def open_invitation(
    session: Session, person: Participant, now: datetime
) -> CheckinInvitation | None:
    """The invitation this participant can answer now, if any."""
    return session.scalars(
        select(CheckinInvitation)
        .where(
            CheckinInvitation.participant_id == person.id,
            CheckinInvitation.state.in_(["sent", "reminded"]),
            CheckinInvitation.expires_at > now,
        )
        .order_by(CheckinInvitation.due_at.desc())
        .limit(1)
    ).first()


def begin(session: Session, chat_id: int, now: datetime, invitation_id: int | None = None) -> Begin:
    """What the check-in of this chat asks: the tapped invitation's (refused when it is closed
    or not theirs), else their open one, else a weekly one of their own (/hoegaathet)."""
    with session.begin():
        person = repo.participant_by_chat(session, chat_id)
        if person is None or person.status != ParticipantStatus.ACTIVE:
            raise NotAParticipant(chat_id)
        if invitation_id is not None:
            invitation = session.get(CheckinInvitation, invitation_id)
            if invitation is None or invitation.participant_id != person.id:
                raise InvitationClosed("unknown")
            if invitation.state == "done":
                raise InvitationClosed("done")
            if (
                invitation.state not in ("sent", "reminded", "started")
                or invitation.expires_at <= now
            ):
                raise InvitationClosed("expired")
        else:
            invitation = open_invitation(session, person, now)
        plan = plan_of(person.organisation)
        kind = invitation.kind if invitation else "weekly"
        domains = choose_domains(session, person.id, plan, kind)
        if invitation is not None:
            invitation.state, invitation.domains = "started", domains
            invitation.started_at = invitation.started_at or now
        return Begin(kind, domains, invitation.id if invitation else None)


def later(session: Session, chat_id: int, invitation_id: int, now: datetime) -> bool:
    """ "Not now": True when a reminder will still come, False when this was the last ask."""
    with session.begin():
        person = repo.participant_by_chat(session, chat_id)
        invitation = session.get(CheckinInvitation, invitation_id)
        if person is None or invitation is None or invitation.participant_id != person.id:
            raise InvitationClosed("unknown")
        if invitation.state == "done":
            raise InvitationClosed("done")
        return invitation.state == "sent" and invitation.remind_at > now


def finish(session: Session, chat_id: int, variables: dict[str, Any], now: datetime) -> None:
    """The `checkin_done` action: the invitation it came from is answered."""
    invitation_id = variables.get("invitation")
    if invitation_id is None:
        return
    with session.begin():
        invitation = session.get(CheckinInvitation, int(invitation_id))
        person = repo.participant_by_chat(session, chat_id)
        if invitation is not None and person is not None and invitation.participant_id == person.id:
            invitation.state, invitation.done_at = "done", now


def choose_domains(
    session: Session, participant_id: int, plan: dict[str, Any], kind: str
) -> list[str]:
    """Monthly: every domain of the organisation's matrix. Weekly: the ones answered low last
    time, always, then the ones asked longest ago (never asked first), up to `size`."""
    pool = list(plan["domains"])
    if kind == "monthly":
        return pool
    level: dict[str, int | None] = {}
    asked: dict[str, datetime] = {}
    for domain, value, at in session.execute(
        select(Signal.domain, Signal.level, Signal.at)
        .where(Signal.participant_id == participant_id, Signal.source == "self")
        .order_by(Signal.at.desc(), Signal.id.desc())
    ):
        asked.setdefault(domain, at)
        if value is not None:
            level.setdefault(domain, value)
    low = [d for d in pool if (level.get(d) or LOW + 1) <= LOW]
    never = datetime.min.replace(tzinfo=UTC)
    rest = sorted(
        (d for d in pool if d not in low), key=lambda d: (asked.get(d, never), pool.index(d))
    )
    chosen = set(low) | set(rest[: max(0, plan["size"] - len(low))])
    return [d for d in pool if d in chosen]


def finish_action(
    session: Session, chat: int, v: dict[str, Any], now: datetime, actor: Actor
) -> None:
    """The check-in flow's last action (see bot.services.actions)."""
    finish(session, chat, v, now)
