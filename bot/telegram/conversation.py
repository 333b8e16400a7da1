"""Carries out what a flow asks for, and feeds it the taps and typed answers of the chat."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.i18n import N_, _, current_locale, set_locale
from bot.refusals import explain
from bot.services import conversations
from bot.services.actions import Actor
from bot.services.conversations import Outcome
from bot.telegram import appointments, menu
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.render import match_option, say, show, show_choice
from flows.model import Finished, Reprompt, Send, SetLanguage, Stale, Tap, Text
from nlu.understand import interpret

TAP_PLEASE = N_("Please tap one of the buttons.")


def who(update: Update, context: WegwijzerContext) -> Actor:
    user = update.effective_user
    return Actor(
        name=user.first_name if user and user.first_name else "",
        zone=context.runtime.settings.zone,
        quiet=context.runtime.settings.quiet,
    )


async def start_flow(
    update: Update, context: WegwijzerContext, flow_id: str, variables: dict[str, Any]
) -> None:
    """Start a flow for this chat (any run it was in ends) and show its first effects."""
    chat_id = chat_of(update)
    runtime = context.runtime
    outcome = conversations.start(
        runtime.db,
        runtime.flows,
        chat_id,
        flow_id,
        variables,
        runtime.clock.now(),
        who(update, context),
    )
    await perform(context, chat_id, outcome)


async def perform(context: WegwijzerContext, chat_id: int, outcome: Outcome) -> None:
    """Show the effects in order; a language choice changes the language of what follows."""
    for effect in outcome.effects:
        if isinstance(effect, SetLanguage):
            set_locale(effect.language)
        elif isinstance(effect, Send):
            await show(context, chat_id, effect)
        elif isinstance(effect, Reprompt):
            await say(context, chat_id, _(effect.reason or TAP_PLEASE, **effect.params))
            await show(context, chat_id, effect.send)
        elif isinstance(effect, Stale):
            await say(context, chat_id, _("This button is no longer active."))
        elif isinstance(effect, Finished):
            await menu.refresh_commands(context, chat_id)
            if effect.flow_id == "onboarding":
                await appointments.show_next(context, chat_id)
    if outcome.error is not None:
        await say(context, chat_id, explain(outcome.error))


def parse_tap(data: str) -> Tap | None:
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != "fl" or not parts[3].isdigit():
        return None
    return Tap(instance=parts[1], step=parts[2], option=int(parts[3]))


async def tap(update: Update, context: WegwijzerContext) -> None:
    """A button of a flow was pressed."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer()
    await show_choice(query)
    event = parse_tap(query.data or "")
    runtime = context.runtime
    with runtime.session_factory() as session:
        outcome = (
            conversations.handle(
                session,
                runtime.flows,
                update.effective_chat.id,
                event,
                runtime.clock.now(),
                who(update, context),
            )
            if event is not None
            else Outcome([Stale()])
        )
    await perform(context, update.effective_chat.id, outcome or Outcome([Stale()]))


async def _yes_or_no(
    context: WegwijzerContext, session: Any, chat_id: int, text: str, shown: int
) -> int | None:
    """A yes/no question answered in words ("ja hoor", "نعم", "haa"): the button whose value
    is yes or no, when the engine is sure the words mean that."""
    values = conversations.option_values(session, context.runtime.flows, chat_id)
    if len(values) != shown or not {"yes", "no"} <= set(values):
        return None
    engine = await asyncio.to_thread(context.runtime.nlu)
    understood = interpret(
        engine, text, current_locale(), threshold=context.runtime.settings.nlu_threshold
    )
    wanted = {"affirm": "yes", "deny": "no"}.get(understood.intent or "")
    return values.index(wanted) if wanted else None


async def answer_in_words(update: Update, context: WegwijzerContext) -> bool:
    """Text while a flow waits for a tap: accept the button's words or number, else ask again."""
    if context.identity is not None and not context.identity.in_flow:
        return False
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    text = update.message.text or ""  # type: ignore[union-attr]
    runtime = context.runtime
    with runtime.session_factory() as session:
        outcome = conversations.handle(
            session, runtime.flows, chat_id, Text(text), runtime.clock.now(), who(update, context)
        )
        if outcome is None:
            return False
        reprompt = next((e for e in outcome.effects if isinstance(e, Reprompt)), None)
        index = match_option(text, reprompt.send) if reprompt else None
        if reprompt is not None and index is None:
            index = await _yes_or_no(context, session, chat_id, text, len(reprompt.send.buttons))
        if reprompt is not None and index is not None:
            event = parse_tap(reprompt.send.buttons[index].data)
            assert event is not None
            outcome = (
                conversations.handle(
                    session,
                    runtime.flows,
                    chat_id,
                    event,
                    runtime.clock.now(),
                    who(update, context),
                )
                or outcome
            )
    await perform(context, chat_id, outcome)
    return True


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CallbackQueryHandler(tap, pattern=r"^fl:"),
    ]
