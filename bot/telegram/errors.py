"""The adapter's one error handler: a domain refusal becomes the kind sentence in the person's
language (the only place `Refused` is turned into words for Telegram); anything else is the last
resort: log what broke (never the message text) and apologise."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.i18n import _
from bot.refusals import explain
from bot.services.errors import DomainError
from bot.telegram.context import WegwijzerContext
from bot.telegram.render import drop_buttons, say

log = logging.getLogger("wegwijzer.errors")


async def on_error(update: object, context: WegwijzerContext) -> None:
    """Log the exception with the update id only, and apologise in a private chat."""
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, DomainError) and isinstance(update, Update):
        await refused(update, context, context.error)
        return
    if isinstance(context.error, Forbidden):
        log.info("update %s: the chat blocked the bot or left", update_id)
        return
    log.error("handler failed for update %s", update_id, exc_info=context.error)
    context.bot_data["errors"] = context.bot_data.get("errors", 0) + 1
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != update.effective_chat.PRIVATE:
        return
    try:
        await context.bot.send_message(
            update.effective_chat.id, _("Sorry, something went wrong on my side. Please try again.")
        )
    except TelegramError:
        log.warning("could not apologise for update %s", update_id)


async def refused(update: Update, context: WegwijzerContext, error: DomainError) -> None:
    """Say why it cannot be done; a tapped button is answered, and one of a handler marked
    `buttons_go_when_refused` loses its buttons first (a resolved alert, someone not yours)."""
    if update.effective_chat is None:
        return
    query = update.callback_query
    if query is not None:  # no spinner left turning, whether or not the handler answered
        try:
            await query.answer()
        except TelegramError:
            log.info("update %s: the button was answered already", update.update_id)
        if error.buttons_go:
            await drop_buttons(query.message)
    await say(context, update.effective_chat.id, explain(error))
