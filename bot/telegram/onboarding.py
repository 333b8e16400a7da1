"""/start: begin onboarding with an invite code, or explain how to get one."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.i18n import _
from bot.refusals import explain
from bot.services import conversations
from bot.services.appointments import attendance
from bot.services.errors import DomainError
from bot.services.people import onboarding
from bot.services.people.codes import InviteKind
from bot.telegram import menu
from bot.telegram.context import WegwijzerContext
from bot.telegram.conversation import perform, who
from bot.telegram.render import say
from bot.telegram.routes import PRIVATE


async def start(update: Update, context: WegwijzerContext) -> None:
    """Start onboarding from a deep-link or typed code."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    identity = context.identity
    runtime = context.runtime
    now = runtime.clock.now()
    if not context.args:
        if identity and identity.audience == "staff":
            await say(
                context,
                chat_id,
                _(
                    "Hello {name}. You are connected as staff of {organisation}.",
                    name=identity.name,
                    organisation=identity.organisation,
                ),
            )
        elif identity and identity.linked:
            await say(
                context,
                chat_id,
                _(
                    "You are already connected to {organisation}. Tap /help to see what I can do.",
                    organisation=identity.organisation,
                ),
            )
        else:
            await say(context, chat_id, menu.help_text("guest"))
        return
    code = context.args[0][:64]
    if await _check_in(context, chat_id, code):
        return
    try:
        with runtime.session_factory() as session:
            target = onboarding.check_can_start(session, chat_id, code, now)
            if target.kind == InviteKind.STAFF:
                staff = onboarding.link_staff(session, chat_id, code, now)
                await say(
                    context,
                    chat_id,
                    _(
                        "Welcome {name}. You are now connected as staff of {organisation}.",
                        name=staff.name,
                        organisation=target.organisation,
                    ),
                )
                await menu.refresh_commands(context, chat_id)
                return
            variables = {
                "organisation": target.organisation,
                "coach": target.coach,
                "code": target.code,
            }
            outcome = conversations.begin(
                session, runtime.flows, chat_id, "onboarding", variables, now, who(update, context)
            )
    except DomainError as error:
        await say(context, chat_id, explain(error))
        return
    await perform(context, chat_id, outcome)


async def change_language(update: Update, context: WegwijzerContext) -> None:
    """Let anyone pick another language at any time."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    if update.callback_query:
        await update.callback_query.answer()
    runtime = context.runtime
    with runtime.session_factory() as session:
        outcome = conversations.begin(
            session,
            runtime.flows,
            chat_id,
            "language",
            {},
            runtime.clock.now(),
            who(update, context),
        )
    await perform(context, chat_id, outcome)


async def _check_in(context: WegwijzerContext, chat_id: int, payload: str) -> bool:
    """The location's QR code of the day: check in and say welcome. False when the payload is
    not a check-in code (then it is an invite code)."""
    runtime = context.runtime
    try:
        with runtime.session_factory() as session:
            done = attendance.check_in(
                session, chat_id, payload, runtime.clock.now(), runtime.settings.zone
            )
    except DomainError as error:  # a refusal, or too many wrong codes
        await say(context, chat_id, explain(error))
        return True
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
        CallbackQueryHandler(change_language, pattern=r"^menu:taal$"),
    ]
