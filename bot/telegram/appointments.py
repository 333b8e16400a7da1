"""Telling a participant about their appointments, with the date written in full."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.i18n import N_, _, format_when
from bot.refusals import refusal
from bot.services import conversations
from bot.services.appointments import booking, upcoming
from bot.services.appointments.reminder_texts import WHAT
from bot.services.errors import Refused
from bot.services.people.identity import who_is
from bot.telegram.context import WegwijzerContext
from bot.telegram.conversation import perform, who
from bot.telegram.render import say
from bot.telegram.routes import PRIVATE

NOT_CONNECTED = N_(
    "You are not connected yet, so I know no appointments of yours. Send /start with your code."
)


async def show_next(context: WegwijzerContext, chat_id: int) -> bool:
    """Say when and where the participant is expected next, if anywhere (False: nowhere)."""
    runtime = context.runtime
    zone = runtime.settings.zone
    with runtime.session_factory() as session:
        with session.begin():
            identity = who_is(session, chat_id)
        if not identity.linked or identity.id is None:
            return False
        now = runtime.clock.now()
        coming = upcoming.next_appointment(session, identity.id, now, zone)
        if coming is None:
            coming = upcoming.next_opening(session, identity.id, now, zone)
    if coming is None:
        return False
    if coming.kind is None:
        await say(
            context,
            chat_id,
            _(
                "You are welcome at {place} on {when}. Come in and say hello!",
                place=coming.place,
                when=format_when(coming.starts_at, zone),
            ),
        )
        return True
    await say(
        context,
        chat_id,
        _(WHAT[coming.kind], when=format_when(coming.starts_at, zone), place=coming.place),
    )
    return True


async def list_appointments(update: Update, context: WegwijzerContext) -> None:
    """/afspraken: the participant's coming appointments, each with its full date."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    identity = context.identity
    if identity is None or not identity.linked or identity.id is None:
        await say(
            context,
            chat_id,
            _(NOT_CONNECTED),
        )
        return
    runtime = context.runtime
    zone = runtime.settings.zone
    with runtime.session_factory() as session:
        found = upcoming.coming(session, identity.id, runtime.clock.now(), zone)
    if not found:
        await say(context, chat_id, _("You have no appointments in the coming four weeks."))
        return
    lines = [
        _(WHAT[item.kind], when=format_when(item.starts_at, zone), place=item.place)
        for item in found
        if item.kind is not None
    ]
    await say(context, chat_id, "\n\n".join(lines))


async def make_appointment(update: Update, context: WegwijzerContext) -> None:
    """/afspraak: a coach makes an appointment for one of their participants."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        with runtime.session_factory() as session:
            variables = booking.options(session, chat_id)
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return
    if not variables["participant_options"]:
        await say(context, chat_id, _("You have no participants yet."))
        return
    with runtime.session_factory() as session:
        outcome = conversations.begin(
            session,
            runtime.flows,
            chat_id,
            "appointment",
            variables,
            runtime.clock.now(),
            who(update, context),
        )
    await perform(context, chat_id, outcome)


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("afspraak", make_appointment, filters=PRIVATE),
    ]
