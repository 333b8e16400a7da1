"""The consent text changed: a linked participant is asked again, before anything else they do
is handled (so nothing new is stored until they say yes)."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import FlowTap
from bot.services import conversations
from bot.services.people import onboarding
from bot.telegram.context import WegwijzerContext
from bot.telegram.conversation import start_flow

FLOW = "reconsent"


async def ask_again_if_needed(update: Update, context: WegwijzerContext) -> bool:
    """True when this update was held back for the consent question (shown again)."""
    identity = context.identity
    chat = update.effective_chat
    if (
        identity is None
        or chat is None
        or not identity.linked
        or identity.consent_version == onboarding.CONSENT_VERSION
    ):
        return False
    asking = conversations.current_flow(context.runtime.db, chat.id) == FLOW
    query = update.callback_query
    if asking and ((query and FlowTap.matches(query.data)) or update.message):
        if update.message is None or not (update.message.text or "").startswith("/"):
            return False  # their answer to the question: the flow takes it
    if query is not None:
        await query.answer()
    await start_flow(update, context, FLOW, {"organisation": identity.organisation})
    return True
