"""The consent text changed: a linked participant is asked again, before anything else they do
is handled (so nothing new is stored until they say yes)."""

from __future__ import annotations

from telegram import Update

from bot.services import conversations
from bot.services.people import onboarding
from bot.telegram.context import WegwijzerContext
from bot.telegram.conversation import perform, who
from storage import repositories as repo

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
    runtime = context.runtime
    with runtime.session_factory() as session:
        with session.begin():
            state = repo.flow_state(session, chat.id)
            asking = state is not None and state.flow_id == FLOW
        query = update.callback_query
        if asking and ((query and (query.data or "").startswith("fl:")) or update.message):
            if update.message is None or not (update.message.text or "").startswith("/"):
                return False  # their answer to the question: the flow takes it
        outcome = conversations.begin(
            session,
            runtime.flows,
            chat.id,
            FLOW,
            {"organisation": identity.organisation},
            runtime.clock.now(),
            who(update, context),
        )
    if query is not None:
        await query.answer()
    await perform(context, chat.id, outcome)
    return True
