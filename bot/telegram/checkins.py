"""Check-ins: /hoegaathet, or ▶️ Start under an invitation, runs the check-in flow with the
domains chosen for this time; ⏰ Not now says when I ask again."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import CheckinInvite
from bot.i18n import N_, _
from bot.services.checkins import answering
from bot.services.checkins.answering import Closed
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.conversation import perform, who
from bot.telegram.render import say, show_choice
from bot.telegram.routes import PRIVATE

FOR_PARTICIPANTS = N_("Check-ins are for participants. You see their answers with /deelnemer.")
NOT_CONNECTED = N_("You are not connected yet. Send /start, a space and your code.")
STALE = N_("This button is no longer active.")
CLOSED = {
    "done": N_("You have already answered these questions. Thank you!"),
    "expired": N_("This check-in is closed. You can start a new one with /hoegaathet."),
    "unknown": STALE,
    "not_connected": NOT_CONNECTED,
}


async def _begin(update: Update, context: WegwijzerContext, invitation: int | None) -> None:
    """Start the check-in flow, or say why it is closed."""
    chat_id = chat_of(update)
    runtime = context.runtime
    started = answering.start(
        runtime.db, runtime.flows, chat_id, runtime.clock.now(), who(update, context), invitation
    )
    if isinstance(started, Closed):
        await say(context, chat_id, _(CLOSED[started.why]))
        return
    await perform(context, chat_id, started)


async def start_checkin(update: Update, context: WegwijzerContext) -> None:
    """/hoegaathet: the open invitation's questions, or a weekly check-in of their own."""
    identity = context.identity
    if identity is None or identity.audience != "participant":
        text = (
            _(FOR_PARTICIPANTS) if identity and identity.audience == "staff" else _(NOT_CONNECTED)
        )
        await say(context, chat_of(update), text)
        return
    await _begin(update, context, None)


async def invitation_button(update: Update, context: WegwijzerContext) -> None:
    """▶️ Start or ⏰ Not now under an invitation."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await show_choice(query)
    button = CheckinInvite.unpack(query.data)
    if button is None:
        await say(context, chat_of(update), _(STALE))
    elif button.choice == "start":
        await _begin(update, context, button.invitation)
    else:
        await _not_now(context, chat_of(update), button.invitation)


async def _not_now(context: WegwijzerContext, chat_id: int, invitation: int) -> None:
    """⏰ Not now: say when I ask again."""
    runtime = context.runtime
    again = answering.later(runtime.db, chat_id, invitation, runtime.clock.now())
    if isinstance(again, Closed):
        await say(context, chat_id, _(CLOSED[again.why]))
        return
    await say(
        context,
        chat_id,
        _("OK. I will ask you again tomorrow.")
        if again
        else _("OK. You can start any time with /hoegaathet."),
    )


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("hoegaathet", start_checkin, filters=PRIVATE),
        CallbackQueryHandler(invitation_button, pattern=CheckinInvite.matches),
    ]
