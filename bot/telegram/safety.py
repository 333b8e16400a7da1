"""Crisis first: every text and caption in a private chat is read for a crisis before any other
handler sees it, whatever the chat is doing (a flow's button question, consent, a reminder's
"why?") and whoever writes (linked or not, stopped, declined, left). The flow waits where it
was; the safety answer comes at once, in the chat's language."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop

from bot.callbacks import AreYouSafe
from bot.i18n import N_, _, answer_text, current_locale
from bot.services.coaching import safety
from bot.telegram.context import WegwijzerContext
from bot.telegram.questions import own_words
from bot.telegram.render import say, show_choice
from nlu.understand import Understood, interpret, negated

HELP_NEARBY = N_("More help near you:\n{numbers}")
HELP_LINE = N_("{name}: {number}. {what}")
# The help numbers come with the question: someone in danger whose words fell short of `sure`
# sees 112 and 113 at once, without a tap (the measured `crisis_recall_asked`).
ARE_YOU_SAFE = N_(
    "I want to be sure that you are OK. Are you safe right now?\n"
    "Not safe? Call 112, or 113 (free, day and night)."
)
NEED_HELP = N_("🆘 I need help now")
I_AM_SAFE = N_("🙂 I am safe")
GLAD = N_("Good. Thank you for telling me.")
UNSURE = "unsure_words"  # chat_data key: the words that made the bot ask (memory only)
UNSURE_AT = "unsure_at"  # chat_data key: when the bot asked
# A reply typed to "are you safe?" instead of a tap: "no" and a plea for help are 🆘, "yes" is 🙂.
# Unsure words again (two words or more) are 🆘 too: twice in a row is no longer a doubt.
SAYS_HELP = frozenset({"deny", "help"})
SAYS_SAFE = frozenset({"affirm"})


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
    engine = await runtime.language_engine()
    understood = interpret(engine, text, current_locale(), threshold=runtime.settings.nlu_threshold)
    context.understood = understood  # the question handler reads the same judgement
    user = update.effective_user
    first_name = user.first_name if user else ""
    if not understood.crisis:
        asked = _waiting_for_safe(context, chat.id)
        if asked is not None:
            await _typed_answer(update, context, asked, text, understood, first_name)
    if understood.maybe_crisis and not understood.crisis:
        if context.chat_data is not None:
            context.chat_data[UNSURE] = text
            context.chat_data[UNSURE_AT] = runtime.clock.now()
        safety.asked_if_safe(
            runtime.db, chat.id, text, understood.confidence, runtime.clock.now()
        )  # kept before the question goes out: silence reaches the coach
        await _ask_if_safe(context, chat.id)
        raise ApplicationHandlerStop
    if not understood.crisis:
        return
    await _safety_answer(context, chat.id, text, understood, first_name)
    raise ApplicationHandlerStop


async def _ask_if_safe(context: WegwijzerContext, chat_id: int) -> None:
    buttons = [
        [InlineKeyboardButton(_(NEED_HELP), callback_data=AreYouSafe("help").pack())],
        [InlineKeyboardButton(_(I_AM_SAFE), callback_data=AreYouSafe("ok").pack())],
    ]
    await say(context, chat_id, _(ARE_YOU_SAFE), InlineKeyboardMarkup(buttons))


def _waiting_for_safe(context: WegwijzerContext, chat_id: int) -> str | None:
    """The words this chat was asked "are you safe?" about, if that question still waits: from
    the database for a participant (it outlives a restart), else from this process's memory."""
    runtime = context.runtime
    now = runtime.clock.now()
    memory = context.chat_data or {}
    at = memory.get(UNSURE_AT)
    if (
        isinstance(at, datetime)
        and UNSURE in memory
        and now - at < safety.UNANSWERED_AFTER
    ):
        return str(memory[UNSURE])
    return safety.waiting_if_safe(runtime.db, chat_id, now)


async def _typed_answer(
    update: Update,
    context: WegwijzerContext,
    asked: str,
    text: str,
    understood: Understood,
    first_name: str,
) -> None:
    """A typed reply to "are you safe?" counts like the button it means. Anything else (a new
    question, a sticker's words) is handled as usual and the question keeps waiting."""
    chat = update.effective_chat
    if chat is None:
        return
    said_first = understood.intent or (understood.guesses[0] if understood.guesses else None)
    again = (
        understood.maybe_crisis
        and said_first not in SAYS_SAFE
        and len(text.split()) >= safety.SILENCE_WORDS
    )
    both = set(understood.guesses[:2]) | {said_first}
    if (both & SAYS_HELP and both & SAYS_SAFE) or (said_first in SAYS_SAFE and negated(text)):
        # "nee hoor, alles goed", "ما انا بأمان" (not safe), "geen zorgen, ik ben veilig": a yes
        # and a no in one message. Ask again, with the buttons, rather than guess.
        await _ask_if_safe(context, chat.id)
        raise ApplicationHandlerStop
    if said_first in SAYS_HELP or again:
        _forget_asked(context, chat.id)
        said_so = Understood("crisis", 1.0, True, "asked", ("crisis",))
        await _safety_answer(context, chat.id, f"{asked} — {text}", said_so, first_name)
        raise ApplicationHandlerStop
    if understood.intent in SAYS_SAFE:
        _forget_asked(context, chat.id)
        await say(context, chat.id, _(GLAD))
        identity = context.identity
        if identity is not None and identity.audience == "participant" and not identity.in_flow:
            await own_words(update, context, asked)
        raise ApplicationHandlerStop


def _forget_asked(context: WegwijzerContext, chat_id: int) -> None:
    """The question is answered: in memory and in the database (its silence is not reported)."""
    if context.chat_data is not None:
        context.chat_data.pop(UNSURE, None)
        context.chat_data.pop(UNSURE_AT, None)
    safety.answered_if_safe(context.runtime.db, chat_id, context.runtime.clock.now())


async def answer_are_you_safe(update: Update, context: WegwijzerContext) -> None:
    """🆘 I need help now: the safety answer and the coach told; 🙂 I am safe: go on."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    await query.answer()
    await show_choice(query)
    words = (context.chat_data or {}).get(UNSURE) or safety.waiting_if_safe(
        context.runtime.db, chat.id, context.runtime.clock.now()
    )
    _forget_asked(context, chat.id)
    if AreYouSafe.unpack(query.data) == AreYouSafe("help"):
        user = update.effective_user
        said_so = Understood("crisis", 1.0, True, "asked", ("crisis",))
        await _safety_answer(
            context, chat.id, words or _(NEED_HELP), said_so, (user.first_name if user else "")
        )
        raise ApplicationHandlerStop
    await say(context, chat.id, _(GLAD))
    identity = context.identity
    if (
        words
        and identity is not None
        and identity.audience == "participant"
        and not identity.in_flow
    ):
        await own_words(update, context, words)
    raise ApplicationHandlerStop


async def _safety_answer(
    context: WegwijzerContext, chat_id: int, text: str, understood: Understood, first_name: str
) -> None:
    """The safety answer, the organisation's help numbers, and the coach told (once)."""
    runtime = context.runtime
    seen = safety.report_crisis(
        runtime.db, chat_id, text, understood, first_name or "", runtime.clock.now()
    )
    context.wake_sender()
    help_text = safety.CRISIS_HELP if seen.coach_told else safety.CRISIS_HELP_ALONE
    await say(context, chat_id, _(help_text))
    numbers = runtime.answers.help_numbers(seen.organisation)
    if numbers:
        lines = [
            _(HELP_LINE, name=n.name, number=n.number, what=answer_text(n.what)) for n in numbers
        ]
        await say(context, chat_id, _(HELP_NEARBY, numbers="\n".join(lines)))
