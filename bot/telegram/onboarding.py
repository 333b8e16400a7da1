"""/start: begin onboarding with an invite code, or explain how to get one."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import MenuChoice
from bot.i18n import _
from bot.services.people import chats
from bot.services.people.chats import StaffWelcome
from bot.telegram import menu
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.conversation import perform, start_flow, who
from bot.telegram.render import say
from bot.telegram.routes import PRIVATE


async def start(update: Update, context: WegwijzerContext) -> None:
    """Start onboarding from a deep-link or typed code."""
    chat_id = chat_of(update)
    if not context.args:
        await say(context, chat_id, _without_code(context))
        return
    code = context.args[0][:64]
    if await _check_in(context, chat_id, code):
        return
    runtime = context.runtime
    started = chats.start_with_code(
        runtime.db, runtime.flows, chat_id, code, runtime.clock.now(), who(update, context)
    )
    if isinstance(started, StaffWelcome):
        welcome = _(
            "Welcome {name}. You are now connected as staff of {organisation}.",
            name=started.name,
            organisation=started.organisation,
        )
        await say(context, chat_id, welcome)
        await menu.refresh_commands(context, chat_id)
        return
    await perform(context, chat_id, started)


def _without_code(context: WegwijzerContext) -> str:
    """/start alone: who they are to us, or how to get a code."""
    identity = context.identity
    if identity and identity.audience == "staff":
        return _(
            "Hello {name}. You are connected as staff of {organisation}.",
            name=identity.name,
            organisation=identity.organisation,
        )
    if identity and identity.linked:
        return _(
            "You are already connected to {organisation}. Tap /help to see what I can do.",
            organisation=identity.organisation,
        )
    return menu.help_text("guest")


async def change_language(update: Update, context: WegwijzerContext) -> None:
    """Let anyone pick another language at any time."""
    if update.callback_query:
        await update.callback_query.answer()
    await start_flow(update, context, "language", {})


async def _check_in(context: WegwijzerContext, chat_id: int, payload: str) -> bool:
    """The location's QR code of the day: check in and say welcome. False when the payload is
    not a check-in code (then it is an invite code)."""
    runtime = context.runtime
    done = chats.check_in(runtime.db, chat_id, payload, runtime.clock.now(), runtime.settings.zone)
    if done is None:
        return False
    if done.already:
        await say(
            context, chat_id, _("You are already checked in at {place}. ✅", place=done.place)
        )
    else:
        await say(
            context,
            chat_id,
            _(
                "Welcome, {name}! You are checked in at {place}. ✅",
                name=done.name,
                place=done.place,
            ),
        )
    return True


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("start", start, filters=PRIVATE),
        CommandHandler(["taal", "language"], change_language, filters=PRIVATE),
        CallbackQueryHandler(change_language, pattern=MenuChoice("taal").pack()),
    ]
