"""/meldingen: the coach's open alerts, urgent first, one message each with the taps that act on
it; and the participant's answer under a "we miss you" message."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import AlertAction, MissYouAnswer, MissYouOffer, MissYouText, ShowTopics
from bot.i18n import _, format_when, ngettext
from bot.services.coaching import alert_handling, digest, questions
from bot.services.coaching.alert_handling import Acted
from bot.services.coaching.inbox import Item
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.render import drop_buttons, say
from bot.telegram.routes import PRIVATE
from bot.telegram.staff import buttons_go_when_refused, staff_only


def _text(item: Item, context: WegwijzerContext) -> str:
    zone = context.runtime.settings.zone
    lines = [f"🔴 {item.text}" if item.urgent else item.text]
    lines.append(_("Since {when}.", when=format_when(item.created_at, zone)))
    if item.acknowledged:
        lines.append(_("📞 Picked up."))
    return "\n".join(lines)


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(_(label), callback_data=data)


def _keyboard(item: Item) -> InlineKeyboardMarkup:
    number = item.alert_id
    rows = []
    if not item.acknowledged:
        rows.append([_button(digest.CALLED, AlertAction("called", number).pack())])
    if item.reachable:
        rows.append([_button(digest.MISS, MissYouOffer(number).pack())])
    if item.kind == "question":  # answer with one of the organisation's answers, or note it
        rows.append([_button(questions.OTHER_TOPIC, ShowTopics(number).pack())])
    rows.append(
        [
            _button(digest.SNOOZE_LABEL, AlertAction("snooze", number).pack()),
            _button(digest.RESOLVE, AlertAction("resolve", number).pack()),
        ]
    )
    return InlineKeyboardMarkup(rows)


async def _drop_buttons(query: CallbackQuery) -> None:
    """The tapped message loses its buttons (an inline or inaccessible one has none to lose)."""
    await drop_buttons(query.message if isinstance(query.message, Message) else None)


@staff_only
async def show_inbox(update: Update, context: WegwijzerContext) -> None:
    """/meldingen: the open alerts, one message each, and who cannot be reached."""
    chat_id = chat_of(update)
    runtime = context.runtime
    found = alert_handling.open_alerts(runtime.db, context.scope, runtime.clock.now())
    if not found.items:
        await say(context, chat_id, _("No open alerts. Well done!"))
    else:
        await _show_alerts(context, chat_id, found)
    if found.unreachable:
        await say(
            context,
            chat_id,
            _(
                "Not reachable in Telegram (they blocked the bot): {names}. "
                "Please contact them in another way.",
                names=", ".join(found.unreachable),
            ),
        )


async def _show_alerts(
    context: WegwijzerContext, chat_id: int, found: alert_handling.Inbox
) -> None:
    """How many are open, each alert with its taps, and how many more wait."""
    await say(
        context,
        chat_id,
        ngettext(
            "{n} open alert. Urgent ones come first.",
            "{n} open alerts. Urgent ones come first.",
            found.total,
        ),
    )
    shown = []
    for item in found.items:
        sent = await say(context, chat_id, _text(item, context), _keyboard(item))
        if item.kind in ("question", "crisis"):
            shown.append((item.alert_id, sent.message_id))
    if shown:  # a reply to one of these answers the question, as a reply to the alert does
        alert_handling.shown(context.runtime.db, chat_id, shown)
    if found.total > len(found.items):
        await say(
            context,
            chat_id,
            ngettext(
                "And {n} more. Handle these first, then send /meldingen again.",
                "And {n} more. Handle these first, then send /meldingen again.",
                found.total - len(found.items),
            ),
        )


@staff_only
@buttons_go_when_refused
async def act_on_alert(update: Update, context: WegwijzerContext) -> None:
    """Called, snooze, resolve: change the alert and redraw its message."""
    query = update.callback_query
    assert query is not None
    button = AlertAction.unpack(query.data)
    assert button is not None  # registered for this family only
    runtime = context.runtime
    acted = alert_handling.act(
        runtime.db, context.scope, button.alert_id, button.action, runtime.clock.now()
    )
    await query.answer(_("Saved."))
    text, markup = _redrawn(acted, button.action, context)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest:
        pass  # the same text again (a double tap)


def _redrawn(
    acted: Acted, action: str, context: WegwijzerContext
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The alert's message after a tap: picked up keeps its taps, snoozed and resolved none."""
    text = _text(acted.item, context)
    if action == "called":
        return text, _keyboard(acted.item)
    if acted.snoozed_until is not None:
        when = format_when(acted.snoozed_until, context.runtime.settings.zone)
        return text + "\n" + _("💤 Snoozed until {when}.", when=when), None
    return text + "\n" + _("✅ Resolved."), None


@staff_only
@buttons_go_when_refused
async def offer_miss_you(update: Update, context: WegwijzerContext) -> None:
    """💬 "we miss you": the texts to choose from, in the coach's language."""
    query = update.callback_query
    assert query is not None
    button = MissYouOffer.unpack(query.data)
    assert button is not None  # registered for this family only
    texts = alert_handling.miss_you_texts(context.runtime.db, context.scope, button.alert_id)
    await query.answer(_("Saved."))
    lines = [_("Which message shall I send? They get it in their own language.")]
    lines += [f"{key}. {text}" for key, text in texts.items()]
    buttons = [
        InlineKeyboardButton(key, callback_data=MissYouText(button.alert_id, key).pack())
        for key in texts
    ]
    await say(context, chat_of(update), "\n\n".join(lines), InlineKeyboardMarkup([buttons]))


@staff_only
@buttons_go_when_refused
async def choose(update: Update, context: WegwijzerContext) -> None:
    """The coach chose one of the "we miss you" texts: it goes out through the outbox."""
    query = update.callback_query
    assert query is not None
    button = MissYouText.unpack(query.data)
    assert button is not None  # registered for this family only
    runtime = context.runtime
    name = alert_handling.send_miss_you(
        runtime.db, context.scope, button.alert_id, button.choice, runtime.clock.now()
    )
    context.wake_sender()
    await query.answer(_("Saved."))
    await _drop_buttons(query)
    await say(context, chat_of(update), _("Sent to {name}, in their own language.", name=name))


async def answer(update: Update, context: WegwijzerContext) -> None:
    """The participant answered "I will come again" or "please call me"."""
    query = update.callback_query
    assert query is not None
    button = MissYouAnswer.unpack(query.data)
    assert button is not None  # registered for this family only
    chat_id = chat_of(update)
    runtime = context.runtime
    ok = alert_handling.miss_you_answered(
        runtime.db, chat_id, button.alert_id, button.answer, runtime.clock.now()
    )
    await _drop_buttons(query)
    if not ok:
        await query.answer(_("This button is no longer active."))
        return
    await query.answer()
    context.wake_sender()
    if button.answer == "back":
        await say(context, chat_id, _("Good to hear! See you soon."))
    else:
        await say(context, chat_id, _("OK. I will ask your coach to call you."))


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("meldingen", show_inbox, filters=PRIVATE),
        CallbackQueryHandler(act_on_alert, pattern=AlertAction.matches),
        CallbackQueryHandler(offer_miss_you, pattern=MissYouOffer.matches),
        CallbackQueryHandler(choose, pattern=MissYouText.matches),
        CallbackQueryHandler(answer, pattern=MissYouAnswer.matches),
    ]
