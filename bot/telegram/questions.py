"""Questions in their own words: crisis first (the safety answer at once, the coach alerted
urgently); small talk answered; what the bot cannot answer for sure goes to the coach, and the
participant is told. A coach answers by replying to the question's alert."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.i18n import N_, _
from bot.refusals import refusal
from bot.services import questions
from bot.services.errors import NotAParticipant, Refused
from bot.telegram import appointments
from bot.telegram.context import WegwijzerContext
from bot.telegram.menu import help_text
from bot.telegram.render import say
from nlu.understand import interpret

TYPE_IT = N_("I can only read text and buttons. Please type your message, or tap /help.")
SMALL_TALK = {
    "greet": N_("Hello! Ask me your question, or tap /help to see what I can do."),
    "thanks": N_("You are welcome!"),
    "goodbye": N_("Goodbye! See you soon."),
    "affirm": N_("OK!"),
}


async def own_words(update: Update, context: WegwijzerContext) -> None:
    """A participant typed something while no question was waiting."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    text = update.message.text or ""  # type: ignore[union-attr]
    runtime = context.runtime
    engine = await asyncio.to_thread(runtime.nlu)
    understood = interpret(engine, text, threshold=runtime.settings.nlu_threshold)
    if understood.reason == "no_words":  # digits, one emoji: nothing to pass on
        await say(context, chat_id, _(TYPE_IT))
        return
    if understood.crisis:
        await say(context, chat_id, _(questions.CRISIS_HELP))  # before anything else
    elif understood.intent in SMALL_TALK:
        await say(context, chat_id, _(SMALL_TALK[understood.intent]))
        return
    elif understood.intent == "help":
        await say(context, chat_id, help_text("participant"))
        return
    elif understood.intent == "next_appointment":
        await appointments.show_next(context, chat_id)
        return
    elif understood.intent == "change_language":
        from bot.telegram.onboarding import change_language

        await change_language(update, context)
        return
    try:
        with runtime.session_factory() as session:
            asked = questions.ask(session, chat_id, text, understood, runtime.clock.now())
    except NotAParticipant:
        return
    context.wake_sender()
    if not asked.crisis:
        await say(context, chat_id, _(questions.ASKED, coach=asked.coach or "–"))


async def coach_answer(update: Update, context: WegwijzerContext) -> bool:
    """Staff replied to one of the bot's messages: if it was a question, pass the answer on."""
    message = update.message
    if message is None or message.reply_to_message is None:
        return False
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        with runtime.session_factory() as session:
            name = questions.answer(
                session,
                chat_id,
                message.reply_to_message.message_id,
                message.text or "",
                runtime.clock.now(),
            )
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return True
    context.wake_sender()
    await say(context, chat_id, _("Sent to {name}, in their chat.", name=name))
    return True
