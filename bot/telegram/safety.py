"""Crisis first: every text and caption in a private chat is read for a crisis before any other
handler sees it, whatever the chat is doing (a flow's button question, consent, a reminder's
"why?") and whoever writes (linked or not, stopped, declined, left). The flow waits where it
was; the safety answer comes at once, in the chat's language."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.i18n import N_, _, answer_text
from bot.services import safety
from bot.telegram.context import WegwijzerContext
from bot.telegram.render import say
from nlu.understand import interpret

HELP_NEARBY = N_("More help near you:\n{numbers}")
HELP_LINE = N_("{name}: {number}. {what}")


async def crisis_first(update: Update, context: WegwijzerContext) -> None:
    """Answer words that sound like a crisis, tell the coach, and let nothing else handle them."""
    message = update.effective_message
    chat = update.effective_chat
    identity = context.identity
    if message is None or chat is None or identity is None or identity.kind == "staff":
        return  # staff quote crises in their replies: their words are passed on, not judged
    text = message.text or message.caption or ""
    if not text.strip() or text.startswith("/"):
        return
    runtime = context.runtime
    engine = await asyncio.to_thread(runtime.nlu)
    understood = interpret(engine, text, threshold=runtime.settings.nlu_threshold)
    context.understood = understood  # the question handler reads the same judgement
    if not understood.crisis:
        return
    user = update.effective_user
    with runtime.session_factory() as session:
        seen = safety.report(
            session,
            chat.id,
            text,
            understood,
            (user.first_name if user else "") or "",
            runtime.clock.now(),
        )
    context.wake_sender()
    await say(
        context, chat.id, _(safety.CRISIS_HELP if seen.coach_told else safety.CRISIS_HELP_ALONE)
    )
    numbers = runtime.answers.help_numbers(seen.organisation)
    if numbers:
        lines = [
            _(HELP_LINE, name=n.name, number=n.number, what=answer_text(n.what)) for n in numbers
        ]
        await say(context, chat.id, _(HELP_NEARBY, numbers="\n".join(lines)))
    raise ApplicationHandlerStop
