"""Check-ins: /hoegaathet, or ▶️ Start under an invitation, runs the check-in flow with the
domains chosen for this time; ⏰ Not now says when I ask again."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.i18n import N_, _
from bot.services import conversations
from bot.services.checkins import invitations
from bot.services.checkins.invitations import InvitationClosed
from bot.services.errors import NotAParticipant
from bot.telegram.context import WegwijzerContext
from bot.telegram.conversation import perform, who
from bot.telegram.render import say, show_choice
from bot.telegram.routes import PRIVATE

FLOW = "checkin"
PATTERN = r"^ci:(go|later):\d+$"
FOR_PARTICIPANTS = N_("Check-ins are for participants. You see their answers with /deelnemer.")
NOT_CONNECTED = N_("You are not connected yet. Send /start, a space and your code.")
CLOSED = {
    "done": N_("You have already answered these questions. Thank you!"),
    "expired": N_("This check-in is closed. You can start a new one with /hoegaathet."),
    "unknown": N_("This button is no longer active."),
}


async def _begin(update: Update, context: WegwijzerContext, invitation: int | None) -> None:
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    runtime = context.runtime
    now = runtime.clock.now()
    with runtime.session_factory() as session:
        try:
            plan = invitations.begin(session, chat_id, now, invitation)
        except InvitationClosed as closed:
            await say(context, chat_id, _(CLOSED[closed.why]))
            return
        except NotAParticipant:
            await say(
                context,
                chat_id,
                _("You are not connected yet. Send /start, a space and your code."),
            )
            return
        outcome = conversations.begin(
            session, runtime.flows, chat_id, FLOW, plan.variables(), now, who(update, context)
        )
    await perform(context, chat_id, outcome)


async def start_checkin(update: Update, context: WegwijzerContext) -> None:
    """/hoegaathet: the open invitation's questions, or a weekly check-in of their own."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    identity = context.identity
    if identity is None or identity.audience != "participant":
        text = (
            _(FOR_PARTICIPANTS) if identity and identity.audience == "staff" else _(NOT_CONNECTED)
        )
        await say(context, chat_id, text)
        return
    await _begin(update, context, None)


async def invitation_button(update: Update, context: WegwijzerContext) -> None:
    """▶️ Start or ⏰ Not now under an invitation."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    await query.answer()
    await show_choice(query)
    _prefix, choice, number = query.data.split(":")
    if choice == "go":
        await _begin(update, context, int(number))
        return
    chat_id = update.effective_chat.id
    runtime = context.runtime
    with runtime.session_factory() as session:
        try:
            again = invitations.later(session, chat_id, int(number), runtime.clock.now())
        except InvitationClosed as closed:
            await say(context, chat_id, _(CLOSED[closed.why]))
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
        CallbackQueryHandler(invitation_button, pattern=PATTERN),
    ]
