"""Questions in their own words (a crisis never gets here: `safety` answers it first); words that
answer an open reminder ("ok", "ik kan niet komen") are taken as that answer; small talk
answered; questions the organisation has an answer for are answered from its content, in the
participant's language, with the next step as buttons; the rest goes to the coach, and the
participant is told. A coach answers by replying to the question's alert, or by picking one of
the answers (📄), and can note the topic (🏷) so the engine learns."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.content import QUESTION_INTENTS
from bot.i18n import N_, _, current_locale, format_when
from bot.refusals import refusal
from bot.services.appointments import rsvp
from bot.services.appointments import upcoming as appointment_service
from bot.services.coaching import questions
from bot.services.errors import NotAParticipant, Refused
from bot.services.people.identity import who_is
from bot.telegram import appointments, reminders
from bot.telegram.context import WegwijzerContext
from bot.telegram.menu import help_text
from bot.telegram.render import say, show_choice
from nlu.understand import Understood, interpret

TYPE_IT = N_("I can only read text and buttons. Please type your message, or tap /help.")
SMALL_TALK = {
    "greet": N_("Hello! Ask me your question, or tap /help to see what I can do."),
    "thanks": N_("You are welcome!"),
    "goodbye": N_("Goodbye! See you soon."),
    "affirm": N_("OK!"),
}
NEXT_PLACE = N_("Your next appointment is on {when}, at {place}: {address}.")
NO_ADDRESS = N_("I do not know where your next appointment is. I have asked your coach.")
OUT_OF_SCOPE = N_(
    "I help with your appointments and your questions about the trajectory, money and "
    "courses. I cannot answer this. Do you want me to ask your coach?"
)
NOTHING_PLANNED = N_("You have no appointments in the coming four weeks.")
# A participant's words while a reminder waits for its answer.
REMINDER_ANSWERS = {
    "affirm": "coming",
    "cancel_appointment": "why",
    "deny": "why",
    "reschedule_appointment": "why",
    "report_sick": "sick",
    "running_late": "late",
}

WHICH_ONE = N_("I am not sure what you mean. Is your question about one of these?")
SOMETHING_ELSE = N_("💬 Something else: ask my coach")
PATTERN = r"^an:(appts|coach:\d+|pick:[a-z_]+:\d+)$"
COACH_PATTERN = r"^(qa|qm):[a-z_]+:\d+$|^qt:\d+$"


async def own_words(update: Update, context: WegwijzerContext, words: str | None = None) -> None:
    """A participant typed something while no flow question was waiting (or, with `words`,
    said they are safe after words that made the bot ask)."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    text = words if words is not None else update.message.text or ""  # type: ignore[union-attr]
    runtime = context.runtime
    understood = context.understood if words is None else None  # read by the crisis check
    if understood is None:
        engine = await asyncio.to_thread(runtime.nlu)
        understood = interpret(
            engine, text, current_locale(), threshold=runtime.settings.nlu_threshold
        )
    if understood.reason == "no_words":  # digits, one emoji: nothing to pass on
        await say(context, chat_id, _(TYPE_IT))
        return
    if await _answers_reminder(context, chat_id, understood):
        return
    if understood.intent in SMALL_TALK:
        await say(context, chat_id, _(SMALL_TALK[understood.intent]))
    elif understood.intent == "help":
        await say(context, chat_id, help_text("participant"))
    elif understood.intent == "next_appointment":
        if not await appointments.show_next(context, chat_id):
            await say(context, chat_id, _(NOTHING_PLANNED))
    elif understood.intent == "change_language":
        from bot.telegram.onboarding import change_language

        await change_language(update, context)
    elif understood.intent == "location_address":
        if not await _address(context, chat_id):
            await _hand_over(context, chat_id, text, understood)
    elif understood.intent == "out_of_scope":  # sure it is not ours: offer the coach
        await _not_ours(context, chat_id, text, understood)
    elif understood.intent in QUESTION_INTENTS:
        if not await _answer(context, chat_id, text, understood):
            await _hand_over(context, chat_id, text, understood)
    elif understood.intent is None and understood.choices:
        await _offer_choices(context, chat_id, text, understood)
    else:
        await _hand_over(context, chat_id, text, understood)


async def _hand_over(
    context: WegwijzerContext, chat_id: int, text: str, understood: Understood
) -> None:
    runtime = context.runtime
    try:
        with runtime.session_factory() as session:
            asked = questions.ask(
                session, chat_id, text, understood, runtime.clock.now(), runtime.answers
            )
    except NotAParticipant:
        return
    context.wake_sender()
    # Not sure what it means: say so; sure, but ours to pass on (talk_to_coach): just pass it.
    told = questions.ASKED if understood.intent is None else questions.ASKED_AGAIN
    await say(context, chat_id, _(told, coach=asked.coach or "–"))


async def _answers_reminder(
    context: WegwijzerContext, chat_id: int, understood: Understood
) -> bool:
    """Words as the answer to an open reminder: "ok" is coming, "ik kan niet komen" asks why,
    "ik ben ziek" is not coming because sick, "ik ben 10 minuten te laat" is late."""
    meaning = REMINDER_ANSWERS.get(understood.intent or "")
    if meaning is None:
        return False
    runtime = context.runtime
    with runtime.session_factory() as session:
        reminder_id = rsvp.open_reminder(
            session, chat_id, runtime.clock.now(), answered_too=meaning != "coming"
        )
    if reminder_id is None:
        return False
    if meaning == "why":
        await reminders.ask_why(context, chat_id, reminder_id)
        return True
    if meaning == "late":
        minutes = next(
            (e.get("value") for e in understood.entities if e.get("entity") == "minutes"), None
        )
        if minutes is None or not str(minutes).isdigit():
            await reminders.ask_how_late(context, chat_id, reminder_id)
            return True
        detail = "15" if int(minutes) <= 15 else "30" if int(minutes) <= 30 else "more"
        return await reminders.record(context, chat_id, reminder_id, "late", detail)
    if meaning == "sick":
        return await reminders.record(context, chat_id, reminder_id, "not_coming", "sick")
    return await reminders.record(context, chat_id, reminder_id, "coming", None)


async def _address(context: WegwijzerContext, chat_id: int) -> bool:
    """Where the next appointment is (or the open door), from the organisation's locations."""
    runtime = context.runtime
    zone = runtime.settings.zone
    with runtime.session_factory() as session:
        with session.begin():
            identity = who_is(session, chat_id)
        if identity.id is None:
            return False
        now = runtime.clock.now()
        coming = appointment_service.next_appointment(
            session, identity.id, now, zone
        ) or appointment_service.next_opening(session, identity.id, now, zone)
    if coming is None or not coming.address:
        return False
    await say(
        context,
        chat_id,
        _(
            NEXT_PLACE,
            when=format_when(coming.starts_at, zone),
            place=coming.place,
            address=coming.address,
        ),
    )
    return True


async def _not_ours(
    context: WegwijzerContext, chat_id: int, text: str, understood: Understood
) -> None:
    runtime = context.runtime
    try:
        with runtime.session_factory() as session:
            question_id = questions.answered_by_bot(
                session, chat_id, text, understood, runtime.clock.now()
            )
    except NotAParticipant:
        return
    await say(context, chat_id, _(OUT_OF_SCOPE), _buttons(question_id, ("ask_coach",)))


def _buttons(question_id: int, keys: tuple[str, ...]) -> InlineKeyboardMarkup | None:
    data = {"appointments": "an:appts", "ask_coach": f"an:coach:{question_id}"}
    rows = [
        [InlineKeyboardButton(_(questions.BUTTON_LABELS[key]), callback_data=data[key])]
        for key in keys
    ]
    return InlineKeyboardMarkup(rows) if rows else None


async def _answer(
    context: WegwijzerContext, chat_id: int, text: str, understood: Understood
) -> bool:
    """Answer from the organisation's content, one message at a time, the next steps under
    the last; False when there is no answer in this language (the coach answers instead)."""
    runtime = context.runtime
    with runtime.session_factory() as session:
        try:
            texts, buttons = _content(context, session, chat_id, understood.intent or "")
            if not texts:
                return False
            question_id = questions.answered_by_bot(
                session, chat_id, text, understood, runtime.clock.now()
            )
        except NotAParticipant:
            return False
    await _send(context, chat_id, texts, buttons, question_id)
    return True


def _content(
    context: WegwijzerContext, session: Any, chat_id: int, intent: str
) -> tuple[list[str], tuple[str, ...]]:
    """The organisation's answer about `intent` in the participant's language, and its buttons."""
    runtime = context.runtime
    book = runtime.answers
    slug, lang = questions.whose(session, chat_id)
    found = book.answer(slug, intent)
    if found is None:
        return [], ()
    today = runtime.clock.now().astimezone(runtime.settings.zone).date()
    return list(book.render(found, lang, today) or []), found.buttons


async def _send(
    context: WegwijzerContext,
    chat_id: int,
    texts: list[str],
    buttons: tuple[str, ...],
    question_id: int,
) -> None:
    for number, message in enumerate(texts):
        last = number == len(texts) - 1
        await say(context, chat_id, message, _buttons(question_id, buttons) if last else None)


async def _offer_choices(
    context: WegwijzerContext, chat_id: int, text: str, understood: Understood
) -> None:
    """Two answers are close: let the participant pick, or pass the question to the coach."""
    runtime = context.runtime
    try:
        with runtime.session_factory() as session:
            question_id = questions.answered_by_bot(
                session, chat_id, text, understood, runtime.clock.now(), answered=False
            )
    except NotAParticipant:
        return
    rows = [
        [
            InlineKeyboardButton(
                _(questions.TOPICS[intent]), callback_data=f"an:pick:{intent}:{question_id}"
            )
        ]
        for intent in understood.choices
    ]
    rows.append([InlineKeyboardButton(_(SOMETHING_ELSE), callback_data=f"an:coach:{question_id}")])
    await say(context, chat_id, _(WHICH_ONE), InlineKeyboardMarkup(rows))


async def tap(update: Update, context: WegwijzerContext) -> None:
    """📅 My appointments or 💬 Ask my coach under an answer, or the answer they meant."""
    query = update.callback_query
    assert query is not None and query.data is not None
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    await query.answer()
    if query.data == "an:appts":
        await appointments.list_appointments(update, context)
        return
    runtime = context.runtime
    if query.data.startswith("an:pick:"):
        _an, _pick, intent, number = query.data.split(":")
        try:
            with runtime.session_factory() as session:
                questions.picked(session, chat_id, int(number), intent, runtime.clock.now())
                texts, buttons = _content(context, session, chat_id, intent)
        except NotAParticipant:
            return
        except Refused as error:
            await say(context, chat_id, refusal(error))
            return
        await show_choice(query)
        if texts:
            await _send(context, chat_id, texts, buttons, int(number))
        return
    try:
        with runtime.session_factory() as session:
            asked = questions.escalate(
                session,
                chat_id,
                int(query.data.rsplit(":", 1)[1]),
                runtime.clock.now(),
                runtime.answers,
            )
    except NotAParticipant:
        return
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return
    await show_choice(query)
    context.wake_sender()
    await say(context, chat_id, _(questions.ASKED_AGAIN, coach=asked.coach or "–"))


async def coach_answer(update: Update, context: WegwijzerContext) -> bool:
    """Staff replied to one of the bot's messages: if it was a question, pass the answer on,
    then offer to note the question's topic."""
    message = update.message
    if message is None or message.reply_to_message is None:
        return False
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    runtime = context.runtime
    replied_to = message.reply_to_message.message_id
    try:
        with runtime.session_factory() as session:
            name = questions.answer(
                session, chat_id, replied_to, message.text or "", runtime.clock.now()
            )
            alert_id = questions.alert_replied(session, chat_id, replied_to)
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return True
    context.wake_sender()
    markup = (
        InlineKeyboardMarkup(
            [[InlineKeyboardButton(_(questions.NOTE_TOPIC), callback_data=f"qt:{alert_id}")]]
        )
        if alert_id is not None
        else None
    )
    await say(context, chat_id, _("Sent to {name}, in their chat.", name=name), markup)
    return True


async def coach_tap(update: Update, context: WegwijzerContext) -> None:
    """📄 send an answer, 🏷 show every topic, or note one (qa: / qt: / qm:)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    runtime = context.runtime
    parts = query.data.split(":")
    kind, alert_id = parts[0], int(parts[-1])
    now = runtime.clock.now()
    try:
        with runtime.session_factory() as session:
            if kind == "qt":
                topics = questions.topics_for(session, chat_id, alert_id, runtime.answers)
            elif kind == "qa":
                name = questions.send_answer(
                    session,
                    chat_id,
                    alert_id,
                    parts[1],
                    runtime.answers,
                    now,
                    now.astimezone(runtime.settings.zone).date(),
                )
            else:
                name = questions.mark(session, chat_id, alert_id, parts[1], now)
    except Refused as error:
        await query.answer()
        await say(context, chat_id, refusal(error))
        return
    await query.answer()
    if kind == "qt":
        rows = [
            [
                InlineKeyboardButton(
                    _(questions.PICK, topic=_(questions.TOPICS[intent]))
                    if has_answer
                    else _(questions.TOPICS[intent]),
                    callback_data=f"{'qa' if has_answer else 'qm'}:{intent}:{alert_id}",
                )
            ]
            for intent, has_answer in topics
        ]
        await say(context, chat_id, _(questions.WHICH_TOPIC), InlineKeyboardMarkup(rows))
        return
    await show_choice(query)
    if kind == "qa":
        context.wake_sender()
        await say(
            context,
            chat_id,
            _(questions.ANSWER_SENT, name=name, topic=_(questions.TOPICS[parts[1]])),
        )
    else:
        await say(context, chat_id, _(questions.NOTED, topic=_(questions.TOPICS[parts[1]])))


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CallbackQueryHandler(tap, pattern=PATTERN),
        CallbackQueryHandler(coach_tap, pattern=COACH_PATTERN),
    ]
