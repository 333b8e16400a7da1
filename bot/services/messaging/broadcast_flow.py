"""The actions of the /bericht flow: a preview as each language will see it, and sending."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.broadcast_texts import report_text
from bot.i18n import LANGUAGES, _, language_name, ngettext
from bot.services.actions import Actor
from bot.services.messaging import broadcasts
from bot.services.messaging.broadcasts import BroadcastRefused, Draft
from flows.model import Effect, Send
from storage import repositories as repo
from storage.models import Broadcast, BroadcastState, Group, Organisation

MORNING = time(9, 0)


def group_options(session: Session, organisation_id: int) -> list[dict[str, str]]:
    """The organisation's groups as the flow's buttons."""
    groups = session.scalars(
        select(Group).where(Group.organisation_id == organisation_id).order_by(Group.name)
    )
    return [{"value": f"g:{group.id}", "label": group.name[:60]} for group in groups]


def _staff_organisation(session: Session, chat_id: int) -> Organisation:
    staff = repo.staff_by_chat(session, chat_id)
    if staff is None:
        raise BroadcastRefused("not_staff")
    return staff.organisation


def _when(variables: dict[str, Any], now: datetime, zone: ZoneInfo) -> datetime | None:
    choice = variables.get("when_choice")
    local = now.astimezone(zone)
    if choice == "tomorrow":
        return datetime.combine(local.date() + timedelta(days=1), MORNING, tzinfo=zone)
    if choice == "other" and variables.get("when"):
        parts = variables["when"]
        year = parts.get("year") or local.year
        try:
            moment = datetime(
                year, parts["month"], parts["day"], parts["hour"], parts["minute"], tzinfo=zone
            )
        except ValueError:
            raise BroadcastRefused("in_the_past") from None
        if parts.get("year") is None and moment < local - timedelta(days=1):
            moment = moment.replace(year=year + 1)  # "05-01" typed in December
        return moment
    return None


def draft_from(
    session: Session, chat_id: int, variables: dict[str, Any], now: datetime, zone: ZoneInfo
) -> Draft:
    organisation = _staff_organisation(session, chat_id)
    targets = variables.get("targets", [])
    staff = repo.staff_by_chat(session, chat_id)
    return Draft(
        organisation_id=organisation.id,
        texts={
            lang: variables[f"text_{lang}"] for lang in LANGUAGES if variables.get(f"text_{lang}")
        },
        group_ids=[int(t[2:]) for t in targets if t.startswith("g:")],
        everyone="everyone" in targets,
        default_language="nl",
        scheduled_for=_when(variables, now, zone),
        with_ack=variables.get("with_ack") == "yes",
        insist=variables.get("when_choice") == "urgent",
        staff_id=staff.id if staff else None,
    )


def preview(
    session: Session, chat_id: int, variables: dict[str, Any], now: datetime, actor: Actor
) -> list[Effect]:
    """How each language will see the message, and how many people get it."""
    with session.begin():
        draft = draft_from(session, chat_id, variables, now, actor.zone)
        broadcasts.check(session, draft, now)
        people, chats = broadcasts.audience(
            session, draft.organisation_id, draft.group_ids, draft.everyone
        )
        kept, skipped = broadcasts.reachable(people)
    sample = Broadcast(
        id=0, texts=draft.texts, default_language=draft.default_language, with_ack=False
    )
    effects: list[Effect] = []
    for language in LANGUAGES:
        header = _(
            "This is how people who read {language} will see it:", language=language_name(language)
        )
        effects.append(Send(f"{header}\n\n{broadcasts.text_for(sample, language)}", literal=True))
    effects.append(
        Send(
            ngettext("It goes to {n} person.", "It goes to {n} people.", len(kept) + len(chats)),
            literal=True,
        )
    )
    if skipped:
        effects.append(
            Send(
                _(
                    "Not sent to {stopped} people who used /stop and {unreachable} "
                    "who blocked the bot.",
                    stopped=skipped["stopped"],
                    unreachable=skipped["unreachable"],
                ),
                literal=True,
            )
        )
    return effects


def create(
    session: Session, chat_id: int, variables: dict[str, Any], now: datetime, actor: Actor
) -> list[Effect]:
    """Store the broadcast; the sender starts it at its time."""
    with session.begin():
        draft = draft_from(session, chat_id, variables, now, actor.zone)
    broadcast = broadcasts.create(session, draft, now)
    report = broadcasts.report(session, broadcast.id, draft.organisation_id)
    lines = [report_text(report, actor.zone)]
    if broadcast.state == BroadcastState.SCHEDULED:
        lines.append(_("Tap /berichten to follow it, or to stop it."))
    return [Send("\n\n".join(lines), literal=True)]
