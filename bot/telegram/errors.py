"""The last resort: log what broke (never the message text) and tell the person kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.i18n import _
from bot.telegram.context import WegwijzerContext

log = logging.getLogger("wegwijzer.errors")


async def on_error(update: object, context: WegwijzerContext) -> None:
    """Log the exception with the update id only, and apologise in a private chat."""
    update_id = update.update_id if isinstance(update, Update) else None
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
