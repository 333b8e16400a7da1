"""Carries out what a flow asks for, and feeds it the taps and typed answers of the chat."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.callbacks import FlowTap
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


def parse_tap(data: object) -> Tap | None:
    """A flow's button as the engine's event; None for data that is not one."""
    button = FlowTap.unpack(data)
    return Tap(button.run, button.step, button.option) if button is not None else None


async def tap(update: Update, context: WegwijzerContext) -> None:
    """A button of a flow was pressed."""
    query = update.callback_query
    chat_id = chat_of(update)
    if query is None:
        return
    await query.answer()
    await show_choice(query)
    event = parse_tap(query.data)
    runtime = context.runtime
    outcome = (
        conversations.feed(
            runtime.db, runtime.flows, chat_id, event, runtime.clock.now(), who(update, context)
        )
        if event is not None
        else None
    )
    await perform(context, chat_id, outcome or Outcome([Stale()]))


async def _yes_or_no(context: WegwijzerContext, chat_id: int, text: str, shown: int) -> int | None:
    """A yes/no question answered in words ("ja hoor", "نعم", "haa"): the button whose value
    is yes or no, when the engine is sure the words mean that."""
    runtime = context.runtime
    values = conversations.words_for_option(runtime.db, runtime.flows, chat_id)
    if len(values) != shown or not {"yes", "no"} <= set(values):
        return None
    engine = await runtime.language_engine()
    understood = interpret(engine, text, current_locale(), threshold=runtime.settings.nlu_threshold)
    wanted = {"affirm": "yes", "deny": "no"}.get(understood.intent or "")
    return values.index(wanted) if wanted else None


async def answer_in_words(update: Update, context: WegwijzerContext) -> bool:
    """Text while a flow waits for a tap: accept the button's words or number, else ask again."""
    message = update.message
    if (context.identity is not None and not context.identity.in_flow) or message is None:
        return False
    chat_id, text = chat_of(update), message.text or ""
    runtime, actor = context.runtime, who(update, context)
    outcome = conversations.feed(
        runtime.db, runtime.flows, chat_id, Text(text), runtime.clock.now(), actor
    )
    if outcome is None:
        return False
    reprompt = next((e for e in outcome.effects if isinstance(e, Reprompt)), None)
    if reprompt is not None:
        index = match_option(text, reprompt.send)
        if index is None:
            index = await _yes_or_no(context, chat_id, text, len(reprompt.send.buttons))
        event = parse_tap(reprompt.send.buttons[index].data) if index is not None else None
        if event is not None:
            tapped = conversations.feed(
                runtime.db, runtime.flows, chat_id, event, runtime.clock.now(), actor
            )
            outcome = tapped or outcome
    await perform(context, chat_id, outcome)
    return True


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CallbackQueryHandler(tap, pattern=rf"^{FlowTap.prefix}:"),
    ]
