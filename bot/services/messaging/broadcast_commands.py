"""Broadcasts from the command line and the web app, for one organisation: create one, follow
its report, cancel or stop it, list the recent ones; on the web also who a draft reaches and
how each language will read it. Use cases with their own session; the building
blocks in `broadcasts` commit, and refuse with `BroadcastRefused`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.i18n import LANGUAGES
from bot.services.messaging import broadcasts
from bot.services.messaging.broadcasts import BroadcastRefused, Draft, Report
from storage.db import Database
from storage.models import (
    AuditEvent,
    Broadcast,
    BroadcastState,
    BroadcastTarget,
    Group,
    Outbox,
    Participant,
    StaffMember,
)

FORM_LIVES = timedelta(hours=12)  # no session, so no preview page, lasts longer
LIVE_BEFORE = timedelta(hours=1)  # a scheduled broadcast this close to its time is followed


def report(db: Database, broadcast_id: int, organisation_id: int) -> Report:
    """The delivery report of one of the organisation's broadcasts."""
    with db.read() as session:
        return broadcasts.report(session, broadcast_id, organisation_id)


def cancel_or_stop(
    db: Database,
    broadcast_id: int,
    organisation_id: int,
    now: datetime,
    staff_id: int | None = None,
) -> None:
    """Cancel a scheduled broadcast, or stop a running one (audited, with who did it)."""
    with db.read() as session:
        broadcasts.cancel_or_stop(session, broadcast_id, organisation_id, now, staff_id)


def recent_reports(db: Database, organisation_id: int, limit: int) -> list[Report]:
    """The reports of the organisation's newest broadcasts, newest first."""
    with db.read() as session:
        return [
            broadcasts.report(session, item.id, organisation_id)
            for item in broadcasts.recent(session, organisation_id, limit)
        ]


def group_ids(db: Database, organisation_id: int, names: list[str]) -> list[int]:
    """The organisation's groups with these names; refused for a name it has no group of."""
    with db.write() as session:
        return broadcasts.group_ids_by_name(session, organisation_id, names)


def create_once(db: Database, draft: Draft, now: datetime) -> int:
    """Check and save a broadcast from a web form, which may arrive twice (a double click, a
    reload): the same form's token (`draft.once`) gives the first one back, never a twin. The
    write lock comes first, so a second request waits and then finds the first."""
    with db.step() as session:
        if draft.once:
            earlier = session.scalar(
                select(AuditEvent.detail["broadcast"].as_integer()).where(
                    AuditEvent.at >= now - FORM_LIVES,
                    AuditEvent.action == "broadcast_created",
                    AuditEvent.staff_id == draft.staff_id,
                    AuditEvent.detail["once"].as_string() == draft.once,
                )
            )
            if earlier is not None:
                return int(earlier)
        return broadcasts.create(session, draft, now).id


def create(db: Database, draft: Draft, now: datetime) -> Report:
    """Check and save a broadcast (sent now or at its time); then its report."""
    with db.read() as session:
        broadcast = broadcasts.create(session, draft, now)
        return broadcasts.report(session, broadcast.id, draft.organisation_id)


# The web app's use cases (bot/web/organisation.py): the same checks and the same rows as the
# command line and the /bericht flow; the outbox does the sending.


@dataclass(frozen=True)
class Target:
    """A group an admin can send to: a location's, a phase's, a language's, a list, a chat."""

    group_id: int
    name: str
    kind: str  # location, phase, language, custom, chat


@dataclass(frozen=True)
class Audience:
    """Who a draft would reach: per language (theirs, or the default one) how many can get it,
    how many are skipped, and how many Telegram group chats."""

    languages: dict[str, int]
    stopped: int
    unreachable: int
    chats: int

    @property
    def people(self) -> int:
        return sum(self.languages.values())


@dataclass(frozen=True)
class Seen:
    """One language's view of a draft: the text as the participant gets it (their own, or the
    default one under a note), and the 👍 button's label when asked."""

    language: str
    people: int
    own: bool
    text: str
    button: str | None


@dataclass(frozen=True)
class Listed:
    """One line of the organisation's list of broadcasts."""

    broadcast_id: int
    state: str
    scheduled_for: datetime
    created_at: datetime
    by: str
    text: str
    messages: int
    delivered: int
    waiting: int


@dataclass(frozen=True)
class Shown:
    """One broadcast as its page shows it: the report, what was written, for whom."""

    report: Report
    texts: dict[str, str]
    with_ack: bool
    insist: bool
    everyone: bool
    groups: list[str]
    by: str
    created_at: datetime
    live: bool  # still on its way: the page refreshes itself


def targets(db: Database, organisation_id: int) -> list[Target]:
    """The organisation's groups, by name."""
    with db.read() as session:
        return [
            Target(g.id, g.name, "chat" if g.telegram_chat_id else g.kind.value)
            for g in session.scalars(
                select(Group).where(Group.organisation_id == organisation_id).order_by(Group.name)
            )
        ]


def _audience(
    session: Session, organisation_id: int, group_ids: list[int], everyone: bool, default: str
) -> Audience:
    who, chats = broadcasts.condition(session, organisation_id, group_ids, everyone)
    languages: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    if who is not None:
        why = case(
            (Participant.stopped_at.is_not(None), "stopped"),
            (Participant.unreachable_at.is_not(None), "unreachable"),
            else_="send",
        )
        for language, reason, count in session.execute(
            select(Participant.language, why, func.count(Participant.id))
            .where(*broadcasts.linked(organisation_id), who)
            .group_by(Participant.language, why)
        ):
            if reason == "send":
                languages[language or default] += count
            else:
                skipped[reason] += count
    ordered = {lang: languages[lang] for lang in LANGUAGES if languages[lang]}
    ordered.update({lang: n for lang, n in languages.items() if lang not in ordered})
    return Audience(ordered, skipped["stopped"], skipped["unreachable"], len(chats))


def audience(
    db: Database, organisation_id: int, group_ids: list[int], everyone: bool, default: str = "nl"
) -> Audience:
    """How many people per language a choice of groups reaches (one grouped query)."""
    with db.read() as session:
        return _audience(session, organisation_id, group_ids, everyone, default)


def preview(db: Database, draft: Draft, now: datetime) -> tuple[Audience, list[Seen]]:
    """Check a draft (refused as `create` would) and show it as each language will read it:
    every language of its audience, and every language it has a text in."""
    with db.read() as session, session.begin():
        broadcasts.check(session, draft, now)
        found = _audience(
            session, draft.organisation_id, draft.group_ids, draft.everyone, draft.default_language
        )
    sample = Broadcast(
        id=0, texts=draft.texts, default_language=draft.default_language, with_ack=draft.with_ack
    )
    shown = [lang for lang in LANGUAGES if lang in found.languages or lang in draft.texts]
    seen = []
    for language in shown:
        buttons = broadcasts.ack_buttons(sample, language)
        seen.append(
            Seen(
                language,
                found.languages.get(language, 0),
                language in draft.texts,
                broadcasts.text_for(sample, language),
                buttons[0][0]["text"] if buttons else None,
            )
        )
    return found, seen


def moment(day: str, hour: str, zone: ZoneInfo) -> datetime:
    """A day (YYYY-MM-DD) and a 24-hour time (HH:MM) on the organisation's clock."""
    try:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(hour), tzinfo=zone)
    except ValueError:
        raise BroadcastRefused("bad_when") from None


def listing(db: Database, organisation_id: int, limit: int = 50) -> list[Listed]:
    """The organisation's newest broadcasts with their delivery in one grouped query."""
    with db.read() as session:
        found = session.execute(
            select(Broadcast, StaffMember.name)
            .outerjoin(StaffMember, StaffMember.id == Broadcast.staff_id)
            .where(Broadcast.organisation_id == organisation_id)
            .order_by(Broadcast.id.desc())
            .limit(limit)
        ).all()
        counts: dict[int, Counter[str]] = {item.id: Counter() for item, _name in found}
        for broadcast_id, state, count in session.execute(
            select(Outbox.broadcast_id, Outbox.state, func.count(Outbox.id))
            .where(Outbox.broadcast_id.in_(list(counts)))
            .group_by(Outbox.broadcast_id, Outbox.state)
        ):
            counts[broadcast_id][state.value] += count
        return [
            Listed(
                item.id,
                item.state.value,
                item.scheduled_for,
                item.created_at,
                name or "",
                str(item.texts.get(item.default_language, "")),
                sum(counts[item.id].values()),
                counts[item.id]["sent"],
                counts[item.id]["queued"] + counts[item.id]["sending"],
            )
            for item, name in found
        ]


def shown(db: Database, broadcast_id: int, organisation_id: int, now: datetime) -> Shown:
    """One of the organisation's broadcasts with its report; refused (as nobody's) for
    another organisation's."""
    with db.read() as session:
        found = broadcasts.report(session, broadcast_id, organisation_id)
        item = session.get(Broadcast, broadcast_id)
        assert item is not None  # report() checked it is the organisation's
        by = session.get(StaffMember, item.staff_id) if item.staff_id else None
        names = session.scalars(
            select(Group.name)
            .join(BroadcastTarget, BroadcastTarget.group_id == Group.id)
            .where(BroadcastTarget.broadcast_id == item.id)
            .order_by(Group.name)
        ).all()
        waiting = found.by_state["queued"] + found.by_state["sending"]
        live = (found.state == BroadcastState.SENDING and waiting > 0) or (
            found.state == BroadcastState.SCHEDULED and item.scheduled_for <= now + LIVE_BEFORE
        )
        return Shown(
            found,
            dict(item.texts),
            item.with_ack,
            item.insist,
            item.everyone,
            list(names),
            by.name if by else "",
            item.created_at,
            live,
        )
