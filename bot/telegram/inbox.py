"""/meldingen: the coach's open alerts, urgent first, one message each with the taps that act on
it; and the participant's answer under a "we miss you" message."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.i18n import _, format_when, ngettext
from bot.refusals import refusal
from bot.services.coaching import inbox, questions
from bot.services.coaching.inbox import Item
from bot.services.errors import Refused
from bot.services.people import scope
from bot.telegram.context import WegwijzerContext
from bot.telegram.render import drop_buttons, say
from bot.telegram.routes import PRIVATE

PATTERN = r"^al:(called|snooze|resolve|miss):\d+$"
CHOICE_PATTERN = r"^alm:\d+:\d$"
ANSWER_PATTERN = r"^mu:\d+:(back|call)$"


def _text(item: Item, context: WegwijzerContext) -> str:
    zone = context.runtime.settings.zone
    lines = [f"🔴 {item.text}" if item.urgent else item.text]
    lines.append(_("Since {when}.", when=format_when(item.created_at, zone)))
    if item.acknowledged:
        lines.append(_("📞 Picked up."))
    return "\n".join(lines)


def _keyboard(item: Item) -> InlineKeyboardMarkup:
    rows = []
    if not item.acknowledged:
        rows.append(
            [InlineKeyboardButton(_(inbox.CALLED), callback_data=f"al:called:{item.alert_id}")]
        )
    if item.reachable:
        rows.append([InlineKeyboardButton(_(inbox.MISS), callback_data=f"al:miss:{item.alert_id}")])
    if item.kind == "question":  # answer with one of the organisation's answers, or note it
        rows.append(
            [InlineKeyboardButton(_(questions.OTHER_TOPIC), callback_data=f"qt:{item.alert_id}")]
        )
    rows.append(
        [
            InlineKeyboardButton(_(inbox.SNOOZE_LABEL), callback_data=f"al:snooze:{item.alert_id}"),
            InlineKeyboardButton(_(inbox.RESOLVE), callback_data=f"al:resolve:{item.alert_id}"),
        ]
    )
    return InlineKeyboardMarkup(rows)


async def show_inbox(update: Update, context: WegwijzerContext) -> None:
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    runtime = context.runtime
    now = runtime.clock.now()
    try:
        with runtime.session_factory() as session, session.begin():
            mine = scope.of_staff(session, chat_id)
            items, total = inbox.open_items(session, mine, now)
            away = inbox.unreachable(session, mine)
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return
    if not items:
        await say(context, chat_id, _("No open alerts. Well done!"))
    else:
        await say(
            context,
            chat_id,
            ngettext(
                "{n} open alert. Urgent ones come first.",
                "{n} open alerts. Urgent ones come first.",
                total,
            ),
        )
        shown = []
        for item in items:
            sent = await say(context, chat_id, _text(item, context), _keyboard(item))
            if item.kind in ("question", "crisis"):
                shown.append((item.alert_id, sent.message_id))
        if shown:  # a reply to one of these answers the question, as a reply to the alert does
            with runtime.session_factory() as session:
                inbox.remember_shown(session, chat_id, shown)
        if total > len(items):
            await say(
                context,
                chat_id,
                ngettext(
                    "And {n} more. Handle these first, then send /meldingen again.",
                    "And {n} more. Handle these first, then send /meldingen again.",
                    total - len(items),
                ),
            )
    if away:
        await say(
            context,
            chat_id,
            _(
                "Not reachable in Telegram (they blocked the bot): {names}. "
                "Please contact them in another way.",
                names=", ".join(away),
            ),
        )


async def tap(update: Update, context: WegwijzerContext) -> None:
    """Called, snooze, resolve: change the alert and redraw its message; "we miss you": offer
    the texts to choose from."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    _prefix, action, number = query.data.split(":")
    runtime = context.runtime
    now = runtime.clock.now()
    try:
        with runtime.session_factory() as session, session.begin():
            mine = scope.of_staff(session, chat_id)
            if action == "miss":
                texts = inbox.miss_you_preview(session, mine, int(number))
                item = None
            else:
                item = inbox.act(session, mine, int(number), action, now)
    except Refused as error:
        await query.answer()
        await drop_buttons(query.message)  # type: ignore[arg-type]
        await say(context, chat_id, refusal(error))
        return
    await query.answer(_("Saved."))
    if item is None:
        lines = [_("Which message shall I send? They get it in their own language.")]
        lines += [f"{key}. {text}" for key, text in texts.items()]
        buttons = [InlineKeyboardButton(key, callback_data=f"alm:{number}:{key}") for key in texts]
        await say(context, chat_id, "\n\n".join(lines), InlineKeyboardMarkup([buttons]))
        return
    text = _text(item, context)
    if action == "called":
        markup: InlineKeyboardMarkup | None = _keyboard(item)
    elif action == "snooze":
        when = format_when(now + inbox.SNOOZE, context.runtime.settings.zone)
        text += "\n" + _("💤 Snoozed until {when}.", when=when)
        markup = None
    else:
        text += "\n" + _("✅ Resolved.")
        markup = None
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest:
        pass  # the same text again (a double tap)


async def choose(update: Update, context: WegwijzerContext) -> None:
    """The coach chose one of the "we miss you" texts: it goes out through the outbox."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    _prefix, number, choice = query.data.split(":")
    runtime = context.runtime
    try:
        with runtime.session_factory() as session, session.begin():
            mine = scope.of_staff(session, chat_id)
            person = inbox.miss_you(session, mine, int(number), choice, runtime.clock.now())
            name = person.display_name or "?"
    except Refused as error:
        await query.answer()
        await drop_buttons(query.message)  # type: ignore[arg-type]
        await say(context, chat_id, refusal(error))
        return
    context.wake_sender()
    await query.answer(_("Saved."))
    await drop_buttons(query.message)  # type: ignore[arg-type]
    await say(context, chat_id, _("Sent to {name}, in their own language.", name=name))


async def answer(update: Update, context: WegwijzerContext) -> None:
    """The participant answered "I will come again" or "please call me"."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    _prefix, number, choice = query.data.split(":")
    runtime = context.runtime
    with runtime.session_factory() as session, session.begin():
        ok = inbox.answer_miss_you(session, chat_id, int(number), choice, runtime.clock.now())
    await drop_buttons(query.message)  # type: ignore[arg-type]
    if not ok:
        await query.answer(_("This button is no longer active."))
        return
    await query.answer()
    context.wake_sender()
    if choice == "back":
        await say(context, chat_id, _("Good to hear! See you soon."))
    else:
        await say(context, chat_id, _("OK. I will ask your coach to call you."))


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("meldingen", show_inbox, filters=PRIVATE),
        CallbackQueryHandler(tap, pattern=PATTERN),
        CallbackQueryHandler(choose, pattern=CHOICE_PATTERN),
        CallbackQueryHandler(answer, pattern=ANSWER_PATTERN),
    ]
