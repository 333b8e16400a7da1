"""Telling a participant about their appointments, with the date written in full."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.i18n import N_, _, format_when
from bot.services.appointments import upcoming
from bot.services.appointments.reminder_texts import WHAT
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.render import say

NOT_CONNECTED = N_(
    "You are not connected yet, so I know no appointments of yours. Send /start with your code."
)


async def show_next(context: WegwijzerContext, chat_id: int) -> bool:
    """Say when and where the participant is expected next, if anywhere (False: nowhere)."""
    runtime = context.runtime
    zone = runtime.settings.zone
    coming = upcoming.next_for_chat(runtime.db, chat_id, runtime.clock.now(), zone)
    if coming is None:
        return False
    when = format_when(coming.starts_at, zone)
    if coming.kind is None:
        text = _(
            "You are welcome at {place} on {when}. Come in and say hello!",
            place=coming.place,
            when=when,
        )
    else:
        text = _(WHAT[coming.kind], when=when, place=coming.place)
    await say(context, chat_id, text)
    return True


async def list_appointments(update: Update, context: WegwijzerContext) -> None:
    """/afspraken: the participant's coming appointments, each with its full date."""
    chat_id = chat_of(update)
    identity = context.identity
    if identity is None or not identity.linked or identity.id is None:
        await say(context, chat_id, _(NOT_CONNECTED))
        return
    runtime = context.runtime
    zone = runtime.settings.zone
    found = upcoming.coming_of(runtime.db, identity.id, runtime.clock.now(), zone)
    if not found:
        await say(context, chat_id, _("You have no appointments in the coming four weeks."))
        return
    lines = [
        _(WHAT[item.kind], when=format_when(item.starts_at, zone), place=item.place)
        for item in found
        if item.kind is not None
    ]
    await say(context, chat_id, "\n\n".join(lines))


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return []  # /afspraken is answered by `changes` (staff choose, participants see theirs)
