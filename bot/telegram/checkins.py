"""/hoegaathet: a participant starts the short check-in themselves; their taps run the flow."""

from __future__ import annotations

from telegram import Update

from bot.i18n import _
from bot.services import conversations
from bot.telegram.context import WegwijzerContext
from bot.telegram.conversation import perform, who
from bot.telegram.render import say

FLOW = "checkin_weekly"


async def start_checkin(update: Update, context: WegwijzerContext) -> None:
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    identity = context.identity
    if identity is None or identity.audience != "participant":
        text = (
            _("Check-ins are for participants. You see their answers with /deelnemer.")
            if identity and identity.audience == "staff"
            else _("You are not connected yet. Send /start, a space and your code.")
        )
        await say(context, chat_id, text)
        return
    runtime = context.runtime
    with runtime.session_factory() as session:
        outcome = conversations.begin(
            session, runtime.flows, chat_id, FLOW, {}, runtime.clock.now(), who(update, context)
        )
    await perform(context, chat_id, outcome)
