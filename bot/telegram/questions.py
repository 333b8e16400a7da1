"""Questions in their own words (a crisis never gets here: `safety` answers it first); words that
answer an open reminder ("ok", "ik kan niet komen") are taken as that answer; small talk
answered; questions the organisation has an answer for are answered from its content, in the
participant's language, with the next step as buttons; the rest goes to the coach, and the
participant is told. A coach answers by replying to the question's alert, or by picking one of
the answers (📄), and can note the topic (🏷) so the engine learns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.callbacks import (
    AskMyCoach,
    MyAppointments,
    NoteTopic,
    PickedTopic,
    SendTopicAnswer,
    ShowTopics,
)
from bot.i18n import N_, _, current_locale, format_when
from bot.services.coaching import asking, questions, replies
from bot.services.coaching.asking import Answer
from bot.telegram import appointments, reminders
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.menu import help_text
from bot.telegram.onboarding import change_language
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
WHICH_ONE = N_("I am not sure what you mean. Is your question about one of these?")
SOMETHING_ELSE = N_("💬 Something else: ask my coach")

Reply = Callable[[Update, WegwijzerContext, str, Understood], Awaitable[None]]


async def own_words(update: Update, context: WegwijzerContext, words: str | None = None) -> None:
    """A participant typed something while no flow question was waiting (or, with `words`,
    said they are safe after words that made the bot ask)."""
    chat_id = chat_of(update)
    text = words if words is not None else _typed(update)
    understood = context.understood if words is None else None  # read by the crisis check
    if understood is None:
        understood = await _understand(context, text)
    way = asking.route(understood)
    if way != "type_it" and await _answers_reminder(context, chat_id, understood):
        return
    await REPLIES[way](update, context, text, understood)


def _typed(update: Update) -> str:
    return update.message.text or "" if update.message is not None else ""


async def _understand(context: WegwijzerContext, text: str) -> Understood:
    """What the engine makes of the words, in the chat's language."""
    runtime = context.runtime
    engine = await runtime.language_engine()
    return interpret(engine, text, current_locale(), threshold=runtime.settings.nlu_threshold)


async def _answers_reminder(
    context: WegwijzerContext, chat_id: int, understood: Understood
) -> bool:
    """Words as the answer to an open reminder: ask why, ask how late, or record it."""
    runtime = context.runtime
    found = asking.reminder_answer(runtime.db, chat_id, understood, runtime.clock.now())
    if found is None:
        return False
    if found.step == "ask_why":
        await reminders.ask_why(context, chat_id, found.reminder_id)
        return True
    if found.step == "ask_how_late":
        await reminders.ask_how_late(context, chat_id, found.reminder_id)
        return True
    return await reminders.record(context, chat_id, found.reminder_id, found.answer, found.detail)


async def _type_it(update: Update, context: WegwijzerContext, text: str, u: Understood) -> None:
    await say(context, chat_of(update), _(TYPE_IT))


async def _small_talk(update: Update, context: WegwijzerContext, text: str, u: Understood) -> None:
    await say(context, chat_of(update), _(SMALL_TALK[u.intent or ""]))


async def _help(update: Update, context: WegwijzerContext, text: str, u: Understood) -> None:
    await say(context, chat_of(update), help_text("participant"))


async def _next(update: Update, context: WegwijzerContext, text: str, u: Understood) -> None:
    """Their next appointment, or that nothing is planned."""
    chat_id = chat_of(update)
    if not await appointments.show_next(context, chat_id):
        await say(context, chat_id, _(NOTHING_PLANNED))


async def _language(update: Update, context: WegwijzerContext, text: str, u: Understood) -> None:
    await change_language(update, context)


async def _address(update: Update, context: WegwijzerContext, text: str, u: Understood) -> None:
    """Where the next appointment is (or the open door); else the coach is asked."""
    runtime = context.runtime
    zone = runtime.settings.zone
    place = asking.next_place(runtime.db, chat_of(update), runtime.clock.now(), zone)
    if place is None:
        await _hand_over(update, context, text, u)
        return
    when = format_when(place.starts_at, zone)
    said = _(NEXT_PLACE, when=when, place=place.place, address=place.address)
    await say(context, chat_of(update), said)


async def _not_ours(update: Update, context: WegwijzerContext, text: str, u: Understood) -> None:
    """Sure it is not ours: say what I help with, and offer to ask the coach."""
    runtime = context.runtime
    chat_id = chat_of(update)
    asked = asking.kept_question(runtime.db, chat_id, text, u, runtime.clock.now(), True)
    if asked is not None:
        await say(context, chat_id, _(OUT_OF_SCOPE), _buttons(asked, ("ask_coach",)))


async def _content(update: Update, context: WegwijzerContext, text: str, u: Understood) -> None:
    """The organisation's answer in their language; else the coach answers."""
    runtime = context.runtime
    chat_id = chat_of(update)
    found = asking.content_answer(
        runtime.db, chat_id, text, u, runtime.answers, runtime.clock.now(), runtime.settings.zone
    )
    if found is None:
        await _hand_over(update, context, text, u)
        return
    await _send(context, chat_id, found)


async def _offer_choices(
    update: Update, context: WegwijzerContext, text: str, u: Understood
) -> None:
    """Two answers are close: let the participant pick, or pass the question to the coach."""
    runtime = context.runtime
    chat_id = chat_of(update)
    asked = asking.kept_question(runtime.db, chat_id, text, u, runtime.clock.now(), False)
    if asked is None:
        return
    rows = [
        [
            InlineKeyboardButton(
                _(questions.TOPICS[intent]), callback_data=PickedTopic(intent, asked).pack()
            )
        ]
        for intent in u.choices
    ]
    rows.append([InlineKeyboardButton(_(SOMETHING_ELSE), callback_data=AskMyCoach(asked).pack())])
    await say(context, chat_id, _(WHICH_ONE), InlineKeyboardMarkup(rows))


async def _hand_over(update: Update, context: WegwijzerContext, text: str, u: Understood) -> None:
    """The question goes to the coach, and the participant is told."""
    runtime = context.runtime
    chat_id = chat_of(update)
    passed = asking.to_coach(runtime.db, chat_id, text, u, runtime.clock.now(), runtime.answers)
    if passed is None:
        return
    context.wake_sender()
    await say(context, chat_id, _(passed.message, coach=passed.coach))


REPLIES: dict[asking.Way, Reply] = {
    "type_it": _type_it,
    "small_talk": _small_talk,
    "help": _help,
    "next_appointment": _next,
    "change_language": _language,
    "address": _address,
    "not_ours": _not_ours,
    "content": _content,
    "choices": _offer_choices,
    "coach": _hand_over,
}


def _buttons(question_id: int, keys: tuple[str, ...]) -> InlineKeyboardMarkup | None:
    data = {"appointments": MyAppointments().pack(), "ask_coach": AskMyCoach(question_id).pack()}
    rows = [
        [InlineKeyboardButton(_(questions.BUTTON_LABELS[key]), callback_data=data[key])]
        for key in keys
    ]
    return InlineKeyboardMarkup(rows) if rows else None


async def _send(context: WegwijzerContext, chat_id: int, found: Answer) -> None:
    """One message per text, the next steps under the last."""
    for number, message in enumerate(found.texts):
        last = number == len(found.texts) - 1
        markup = _buttons(found.question_id, found.buttons) if last else None
        await say(context, chat_id, message, markup)


async def _tapped(update: Update) -> CallbackQuery:
    """The tap, answered."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    return query


async def my_appointments(update: Update, context: WegwijzerContext) -> None:
    """📅 My appointments under an answer."""
    await _tapped(update)
    await appointments.list_appointments(update, context)


async def picked_topic(update: Update, context: WegwijzerContext) -> None:
    """The answer they meant, out of two close ones."""
    query = await _tapped(update)
    button = PickedTopic.unpack(query.data)
    assert button is not None  # registered for this family only
    runtime = context.runtime
    found = asking.picked(
        runtime.db,
        chat_of(update),
        button.question_id,
        button.topic,
        runtime.answers,
        runtime.clock.now(),
        runtime.settings.zone,
    )
    if found is None:
        return
    await show_choice(query)
    if found.texts:
        await _send(context, chat_of(update), found)


async def ask_my_coach(update: Update, context: WegwijzerContext) -> None:
    """💬 Ask my coach under an answer (or "something else"): the question goes to the coach."""
    query = await _tapped(update)
    button = AskMyCoach.unpack(query.data)
    assert button is not None  # registered for this family only
    runtime = context.runtime
    coach = asking.ask_coach_after_all(
        runtime.db, chat_of(update), button.question_id, runtime.clock.now(), runtime.answers
    )
    if coach is None:
        return
    await show_choice(query)
    context.wake_sender()
    await say(context, chat_of(update), _(questions.ASKED_AGAIN, coach=coach))


async def coach_answer(update: Update, context: WegwijzerContext) -> bool:
    """Staff replied to one of the bot's messages: if it was a question, pass the answer on,
    then offer to note the question's topic."""
    message = update.message
    if message is None or message.reply_to_message is None:
        return False
    chat_id = chat_of(update)
    runtime = context.runtime
    replied_to = message.reply_to_message.message_id
    name, alert_id = replies.reply(
        runtime.db, chat_id, replied_to, message.text or "", runtime.clock.now()
    )
    context.wake_sender()
    note = ShowTopics(alert_id).pack() if alert_id is not None else None
    button = InlineKeyboardButton(_(questions.NOTE_TOPIC), callback_data=note)
    markup = InlineKeyboardMarkup([[button]]) if note is not None else None
    await say(context, chat_id, _("Sent to {name}, in their chat.", name=name), markup)
    return True


async def show_topics(update: Update, context: WegwijzerContext) -> None:
    """🏷 under a question: every topic, those with an answer (📄) first."""
    query = await _tapped(update)
    button = ShowTopics.unpack(query.data)
    assert button is not None  # registered for this family only
    runtime = context.runtime
    alert_id = button.alert_id
    found = replies.topics(runtime.db, chat_of(update), alert_id, runtime.answers)
    rows = [[_topic_button(topic, has_answer, alert_id)] for topic, has_answer in found]
    await say(context, chat_of(update), _(questions.WHICH_TOPIC), InlineKeyboardMarkup(rows))


def _topic_button(topic: str, has_answer: bool, alert_id: int) -> InlineKeyboardButton:
    """📄 a topic the organisation has an answer about (sends it), or just the topic (notes it)."""
    name = _(questions.TOPICS[topic])
    if has_answer:
        data = SendTopicAnswer(topic, alert_id).pack()
        return InlineKeyboardButton(_(questions.PICK, topic=name), callback_data=data)
    return InlineKeyboardButton(name, callback_data=NoteTopic(topic, alert_id).pack())


async def send_topic_answer(update: Update, context: WegwijzerContext) -> None:
    """📄 a topic: the organisation's answer goes to the participant in their language."""
    query = await _tapped(update)
    button = SendTopicAnswer.unpack(query.data)
    assert button is not None  # registered for this family only
    runtime = context.runtime
    name = replies.send_topic_answer(
        runtime.db,
        chat_of(update),
        button.alert_id,
        button.topic,
        runtime.answers,
        runtime.clock.now(),
        runtime.settings.zone,
    )
    await show_choice(query)
    context.wake_sender()
    topic = _(questions.TOPICS[button.topic])
    await say(context, chat_of(update), _(questions.ANSWER_SENT, name=name, topic=topic))


async def note_topic(update: Update, context: WegwijzerContext) -> None:
    """🏷 a topic without an answer: noted, so the engine learns."""
    query = await _tapped(update)
    button = NoteTopic.unpack(query.data)
    assert button is not None  # registered for this family only
    runtime = context.runtime
    replies.note_topic(
        runtime.db, chat_of(update), button.alert_id, button.topic, runtime.clock.now()
    )
    await show_choice(query)
    topic = _(questions.TOPICS[button.topic])
    await say(context, chat_of(update), _(questions.NOTED, topic=topic))


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CallbackQueryHandler(my_appointments, pattern=MyAppointments.matches),
        CallbackQueryHandler(picked_topic, pattern=PickedTopic.matches),
        CallbackQueryHandler(ask_my_coach, pattern=AskMyCoach.matches),
        CallbackQueryHandler(show_topics, pattern=ShowTopics.matches),
        CallbackQueryHandler(send_topic_answer, pattern=SendTopicAnswer.matches),
        CallbackQueryHandler(note_topic, pattern=NoteTopic.matches),
    ]
