"""Broadcasts: an organisation's message to groups, a text per language, sent via the outbox.

A broadcast is stored first (scheduled); when its time comes `materialise_due` writes one
outbox row per recipient in one transaction, so a crash either queued all of it or none.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from sqlalchemy import func, or_, select, true, update
from sqlalchemy.orm import Session

from bot.callbacks import Acknowledge
from bot.i18n import LANGUAGES, _, use_locale
from bot.services import audit
from bot.services.errors import Refused
from bot.services.messaging import outbox
from storage import repositories as repo
from storage.models import (
    PRIORITY_BULK,
    Broadcast,
    BroadcastState,
    BroadcastTarget,
    Group,
    GroupKind,
    GroupMembership,
    Organisation,
    Outbox,
    OutboxKind,
    OutboxState,
    Participant,
    ParticipantStatus,
)

# Room kept for the line "This message is only available in Dutch." above a text.
MAX_TEXT = 3800


class BroadcastRefused(Refused):
    """Something about a broadcast is not right; `reason` names it for the message."""


@dataclass
class Draft:
    organisation_id: int
    texts: dict[str, str]
    group_ids: list[int] = field(default_factory=list)
    everyone: bool = False
    default_language: str = "nl"
    scheduled_for: datetime | None = None
    with_ack: bool = False
    insist: bool = False
    staff_id: int | None = None
    once: str = ""  # a web form's token: the same form sent twice makes one broadcast


def check(session: Session, draft: Draft, now: datetime) -> None:
    """Refuse a draft that cannot be sent; raises BroadcastRefused."""
    texts = {lang: text.strip() for lang, text in draft.texts.items() if text and text.strip()}
    if draft.default_language not in texts:
        raise BroadcastRefused("empty")
    for lang, text in texts.items():
        if lang not in LANGUAGES:
            raise BroadcastRefused("language", language=lang)
        if len(text) > MAX_TEXT:
            raise BroadcastRefused("too_long", language=lang, length=len(text), limit=MAX_TEXT)
    if not draft.everyone and not draft.group_ids:
        raise BroadcastRefused("no_group")
    owned = set(
        session.scalars(
            select(Group.id).where(
                Group.id.in_(draft.group_ids), Group.organisation_id == draft.organisation_id
            )
        )
    )
    if set(draft.group_ids) - owned:
        raise BroadcastRefused("unknown_group")
    if draft.scheduled_for is not None and draft.scheduled_for < now.replace(
        second=0, microsecond=0
    ):
        raise BroadcastRefused("in_the_past")
    draft.texts = texts


def create(session: Session, draft: Draft, now: datetime) -> Broadcast:
    """Store a checked broadcast, to go out at its time (now if none)."""
    with session.begin():
        check(session, draft, now)
        broadcast = Broadcast(
            organisation_id=draft.organisation_id,
            staff_id=draft.staff_id,
            texts=draft.texts,
            default_language=draft.default_language,
            everyone=draft.everyone,
            with_ack=draft.with_ack,
            insist=draft.insist,
            scheduled_for=draft.scheduled_for or now,
            state=BroadcastState.SCHEDULED,
            created_at=now,
        )
        session.add(broadcast)
        session.flush()
        session.add_all(
            BroadcastTarget(broadcast_id=broadcast.id, group_id=group_id)
            for group_id in sorted(set(draft.group_ids))
        )
        if draft.staff_id is not None:  # the organisation's audit trail names who wrote it
            made: dict[str, Any] = {"staff_id": draft.staff_id, "broadcast": broadcast.id}
            made.update({"once": draft.once} if draft.once else {})
            audit.record(session, now, "broadcast_created", actor="staff", **made)
        return broadcast


def group_ids_by_name(session: Session, organisation_id: int, names: list[str]) -> list[int]:
    """Groups of one organisation by name (case-insensitive); unknown names are refused."""
    found: list[int] = []
    for name in names:
        group_id = session.scalar(
            select(Group.id).where(
                Group.organisation_id == organisation_id,
                func.lower(Group.name) == name.strip().lower(),
            )
        )
        if group_id is None:
            raise BroadcastRefused("unknown_group", name=name)
        found.append(group_id)
    return found


def condition(
    session: Session, organisation_id: int, group_ids: list[int], everyone: bool
) -> tuple[Any, list[Group]]:
    """The condition on Participant for a broadcast's people (None: nobody), and its chats."""
    groups = list(
        session.scalars(
            select(Group).where(Group.id.in_(group_ids), Group.organisation_id == organisation_id)
        )
    )
    chats = [group for group in groups if group.telegram_chat_id]
    if everyone:
        return true(), chats
    conditions = []
    for group in groups:
        if group.telegram_chat_id:
            continue
        if group.kind == GroupKind.LOCATION and group.location_id:
            conditions.append(Participant.location_id == group.location_id)
        elif group.kind == GroupKind.PHASE and group.phase:
            conditions.append(Participant.phase == group.phase)
        elif group.kind == GroupKind.LANGUAGE and group.language:
            conditions.append(Participant.language == group.language)
        else:
            conditions.append(
                Participant.id.in_(
                    select(GroupMembership.participant_id).where(
                        GroupMembership.group_id == group.id
                    )
                )
            )
    return (or_(*conditions) if conditions else None), chats


def linked(organisation_id: int) -> list[Any]:
    """Who can be an audience at all: active and on a chat."""
    return [
        Participant.organisation_id == organisation_id,
        Participant.status == ParticipantStatus.ACTIVE,
        Participant.chat_id.is_not(None),
    ]


def audience(
    session: Session, organisation_id: int, group_ids: list[int], everyone: bool
) -> tuple[list[Participant], list[Group]]:
    """Linked participants a broadcast is for, and the Telegram group chats it goes to."""
    who, chats = condition(session, organisation_id, group_ids, everyone)
    if who is None:
        return [], chats
    query = select(Participant).where(*linked(organisation_id), who).order_by(Participant.id)
    return list(session.scalars(query)), chats


def reachable(people: list[Participant]) -> tuple[list[Participant], Counter]:
    """Who can get a message now, and how many were skipped for which reason."""
    kept: list[Participant] = []
    skipped: Counter[str] = Counter()
    for person in people:
        if person.stopped_at is not None:
            skipped["stopped"] += 1
        elif person.unreachable_at is not None:
            skipped["unreachable"] += 1
        else:
            kept.append(person)
    return kept, skipped


def text_for(broadcast: Broadcast, language: str) -> str:
    """The text as one recipient reads it: their language, or the default with a note."""
    if language in broadcast.texts:
        return broadcast.texts[language]
    default = broadcast.default_language
    with use_locale(language):
        name = Locale.parse(default).get_display_name(language) or default
        note = _("This message is only available in {language}.", language=name)
    return f"{note}\n\n{broadcast.texts[default]}"


def ack_buttons(broadcast: Broadcast, language: str) -> list[list[dict[str, str]]] | None:
    if not broadcast.with_ack:
        return None
    with use_locale(language):
        return [[{"text": _("👍 Understood"), "data": Acknowledge(broadcast.id).pack()}]]


def materialise_due(
    session: Session, now: datetime, zone: ZoneInfo, quiet: tuple[time, time]
) -> list[int]:
    """Queue every broadcast whose time has come; returns their ids."""
    started: list[int] = []
    with session.begin():
        due = session.scalars(
            select(Broadcast)
            .where(Broadcast.state == BroadcastState.SCHEDULED, Broadcast.scheduled_for <= now)
            .with_for_update(skip_locked=True)
        ).all()
        for broadcast in due:
            _materialise(session, broadcast, now, zone, quiet)
            started.append(broadcast.id)
    return started


def _materialise(
    session: Session, broadcast: Broadcast, now: datetime, zone: ZoneInfo, quiet: tuple[time, time]
) -> None:
    targets = list(
        session.scalars(
            select(BroadcastTarget.group_id).where(BroadcastTarget.broadcast_id == broadcast.id)
        )
    )
    everybody, chats = audience(session, broadcast.organisation_id, targets, broadcast.everyone)
    people, skipped = reachable(everybody)
    at = now if broadcast.insist else outbox.after_quiet(now, zone, quiet)
    common: dict[str, Any] = {
        "kind": OutboxKind.BROADCAST,
        "priority": PRIORITY_BULK,
        "not_before": at,
        "respect_quiet_hours": not broadcast.insist,
        "broadcast_id": broadcast.id,
        "organisation_id": broadcast.organisation_id,
    }
    rows = []
    for person in people:
        language = person.language or broadcast.default_language
        rows.append(
            outbox.message(
                now,
                key=f"broadcast:{broadcast.id}:p{person.id}",
                chat_id=person.chat_id,
                text=text_for(broadcast, language),
                buttons=ack_buttons(broadcast, language),
                participant_id=person.id,
                language=language,
                **common,
            )
        )
    for group in chats:
        rows.append(
            outbox.message(
                now,
                key=f"broadcast:{broadcast.id}:g{group.id}",
                chat_id=group.telegram_chat_id,
                text=broadcast.texts[broadcast.default_language],
                group_id=group.id,
                language=broadcast.default_language,
                **common,
            )
        )
    outbox.enqueue_many(session, rows)
    broadcast.state, broadcast.started_at = BroadcastState.SENDING, now
    broadcast.skipped = dict(skipped)


def organisation_of_staff(session: Session, chat_id: int) -> int:
    """The organisation whose broadcasts this chat may see and stop; refused for non-staff."""
    with session.begin():
        staff = repo.staff_by_chat(session, chat_id)
        if staff is None:
            raise BroadcastRefused("not_staff")
        return staff.organisation_id


def _owned(session: Session, broadcast_id: int, organisation_id: int) -> Broadcast:
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.organisation_id != organisation_id:
        raise BroadcastRefused("unknown_broadcast")
    return broadcast


def cancel_or_stop(
    session: Session,
    broadcast_id: int,
    organisation_id: int,
    now: datetime,
    staff_id: int | None = None,
) -> tuple[BroadcastState, int]:
    """Cancel a scheduled broadcast, or stop a running one; returns the state and how many
    queued messages were cancelled. Who did it goes into the audit trail."""
    with session.begin():
        broadcast = _owned(session, broadcast_id, organisation_id)
        if broadcast.state not in (BroadcastState.SCHEDULED, BroadcastState.SENDING):
            raise BroadcastRefused("already_over")
        started = broadcast.state == BroadcastState.SENDING
        cancelled = outbox.cancel(session, Outbox.broadcast_id == broadcast.id) if started else 0
        broadcast.state = BroadcastState.STOPPED if started else BroadcastState.CANCELLED
        broadcast.stopped_at = now
        made = {"broadcast": broadcast.id, "organisation_id": organisation_id, "unsent": cancelled}
        action = f"broadcast_{broadcast.state.value}"  # broadcast_cancelled, broadcast_stopped
        audit.record(session, now, action, actor="staff", staff_id=staff_id, **made)
        return broadcast.state, cancelled


def acknowledge(session: Session, broadcast_id: int, chat_id: int, now: datetime) -> bool:
    """The recipient pressed "understood"; True the first time."""
    with session.begin():
        result = session.execute(
            update(Outbox)
            .where(
                Outbox.broadcast_id == broadcast_id,
                Outbox.chat_id == chat_id,
                Outbox.state == OutboxState.SENT,
                Outbox.acked_at.is_(None),
            )
            .values(acked_at=now)
        )
        return bool(getattr(result, "rowcount", 0))


@dataclass
class Report:
    """A broadcast's delivery as plain values (an adapter never reads the row)."""

    broadcast_id: int
    state: BroadcastState
    scheduled_for: datetime
    organisation: str
    by_state: Counter
    by_language: dict[str, Counter]
    skipped: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_state.values())


def report(session: Session, broadcast_id: int, organisation_id: int) -> Report:
    """Delivery per state and per language, "understood" presses, and who was skipped."""
    with session.begin():
        broadcast = _owned(session, broadcast_id, organisation_id)
        rows = session.execute(
            select(
                Outbox.language, Outbox.state, func.count(Outbox.id), func.count(Outbox.acked_at)
            )
            .where(Outbox.broadcast_id == broadcast.id)
            .group_by(Outbox.language, Outbox.state)
        ).all()
        by_state: Counter = Counter()
        by_language: dict[str, Counter] = {}
        for language, state, count, acked in rows:
            by_state[state.value] += count
            per = by_language.setdefault(language or "?", Counter())
            per[state.value] += count
            per["understood"] += acked
        organisation = session.get(Organisation, organisation_id)
        return Report(
            broadcast.id,
            broadcast.state,
            broadcast.scheduled_for,
            organisation.name if organisation else "",
            by_state,
            by_language,
            dict(broadcast.skipped or {}),
        )


def recent(session: Session, organisation_id: int, limit: int = 5) -> list[Broadcast]:
    with session.begin():
        return list(
            session.scalars(
                select(Broadcast)
                .where(Broadcast.organisation_id == organisation_id)
                .order_by(Broadcast.id.desc())
                .limit(limit)
            )
        )
