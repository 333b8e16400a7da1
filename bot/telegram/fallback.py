"""What the bot says to everything else: typed text, unknown commands, media, old buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.i18n import _
from bot.telegram import questions
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.conversation import answer_in_words
from bot.telegram.menu import help_text
from bot.telegram.render import drop_buttons, say
from bot.telegram.routes import GROUPS, PRIVATE


async def text(update: Update, context: WegwijzerContext) -> None:
    """Typed text: an answer to the open question, or a pointer to what the bot can do."""
    if await answer_in_words(update, context):
        return
    chat_id = chat_of(update)
    audience = context.identity.audience if context.identity else "guest"
    if audience == "participant":
        await questions.own_words(update, context)
    elif audience == "staff":
        if await questions.coach_answer(update, context):
            return
        await say(context, chat_id, _("I did not understand that. Tap /help for the commands."))
    else:
        await say(context, chat_id, help_text("guest"))


async def unknown_command(update: Update, context: WegwijzerContext) -> None:
    """A command the bot does not have."""
    await say(
        context,
        chat_of(update),
        _("I do not know that command. Tap /help to see what I can do."),
    )


async def media(update: Update, context: WegwijzerContext) -> None:
    """Photos, voice notes, stickers, locations and the like."""
    await say(
        context,
        chat_of(update),
        _("I can only read text and buttons. Please type your message, or tap /help."),
    )


async def stale_button(update: Update, context: WegwijzerContext) -> None:
    """A button whose question is over, or data we never made."""
    query = update.callback_query
    if query is not None:
        await query.answer(_("This button is no longer active."))
        await drop_buttons(query.message)


async def group_command(update: Update, context: WegwijzerContext) -> None:
    """Commands in a group chat: personal matters belong in a private chat."""
    await say(
        context,
        chat_of(update),
        _("I only talk with people in a private chat. Tap my name to write to me."),
    )


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CallbackQueryHandler(stale_button),
        MessageHandler(PRIVATE & filters.COMMAND, unknown_command),
        MessageHandler(PRIVATE & filters.TEXT, text),
        MessageHandler(PRIVATE, media),
        MessageHandler(GROUPS & filters.COMMAND, group_command),
    ]
