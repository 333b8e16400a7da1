"""Runs first for every update: drop repeats, find out who writes, pick the language; then,
after the crisis check (`safety`), welcome back someone who had stopped and ask for consent
again when its text changed."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.i18n import _, resolve_locale, set_locale
from bot.services.people import chats
from bot.telegram.consent import ask_again_if_needed
from bot.telegram.context import WegwijzerContext
from bot.telegram.render import say

log = logging.getLogger("wegwijzer.updates")


async def prepare(update: Update, context: WegwijzerContext) -> None:
    """Claim the update, look up the chat and set the locale for the handlers after this one."""
    runtime = context.runtime
    now = runtime.clock.now()
    query = update.callback_query
    if query is not None and query.message is None:  # an inline message: never one of ours
        code = query.from_user.language_code if query.from_user else None
        set_locale(resolve_locale(None, code, runtime.settings.default_language))
        await query.answer(_("This button is no longer active."))
        raise ApplicationHandlerStop
    chat = update.effective_chat
    private = chat.id if chat is not None and chat.type == chat.PRIVATE else None
    identity = chats.arrive(runtime.db, update.update_id, private, now)
    if identity is None:
        raise ApplicationHandlerStop
    context.identity = identity
    if runtime.settings.log_message_text and update.effective_message is not None:
        log.debug("update %s text %r", update.update_id, update.effective_message.text)
    user = update.effective_user
    set_locale(
        resolve_locale(
            identity.language,
            user.language_code if user else None,
            runtime.settings.default_language,
        )
    )
    acted = update.message or update.edited_message or update.callback_query
    if identity.unreachable and chat is not None and acted:  # they wrote: not blocked after all
        chats.reachable_again(runtime.db, chat.id, now)


async def gate(update: Update, context: WegwijzerContext) -> None:
    """Welcome back a stopped participant; ask for consent again when its text changed."""
    runtime = context.runtime
    now = runtime.clock.now()
    chat = update.effective_chat
    identity = context.identity
    if identity is None:
        raise ApplicationHandlerStop
    if identity.kind == "participant" and identity.stopped and update.message and chat:
        if (update.message.text or "").split("@")[0].strip().lower() == "/stop":
            return
        chats.set_stopped(runtime.db, chat.id, False, now)
        await say(context, chat.id, _("Welcome back! You will get messages from me again."))
    if await ask_again_if_needed(update, context):
        raise ApplicationHandlerStop
