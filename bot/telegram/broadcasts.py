"""Staff broadcasts in Telegram: /bericht to compose, /berichten to follow, 👍 to acknowledge."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import Acknowledge, BroadcastRefresh, BroadcastStop
from bot.i18n import _
from bot.services.messaging import following
from bot.services.messaging.following import Followed
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.conversation import start_flow
from bot.telegram.render import drop_buttons, say
from bot.telegram.routes import GROUPS, PRIVATE
from bot.telegram.staff import staff_only


@staff_only
async def compose(update: Update, context: WegwijzerContext) -> None:
    """Start composing a broadcast (staff only)."""
    options = following.group_options(context.runtime.db, context.scope.organisation_id)
    await start_flow(update, context, "broadcast", {"group_options": options})


def _buttons(report: Followed) -> InlineKeyboardMarkup:
    number = report.broadcast_id
    row = [InlineKeyboardButton(_("🔄 Refresh"), callback_data=BroadcastRefresh(number).pack())]
    if report.ending == "cancel":
        row.append(InlineKeyboardButton(_("✖️ Cancel"), callback_data=BroadcastStop(number).pack()))
    elif report.ending == "stop":
        row.append(InlineKeyboardButton(_("⏹ Stop"), callback_data=BroadcastStop(number).pack()))
    return InlineKeyboardMarkup([row])


@staff_only
async def follow(update: Update, context: WegwijzerContext) -> None:
    """The organisation's recent broadcasts with their delivery reports."""
    chat_id = chat_of(update)
    runtime = context.runtime
    reports = following.recent_reports(
        runtime.db, context.scope.organisation_id, runtime.settings.zone
    )
    if not reports:
        await say(
            context,
            chat_id,
            _("Your organisation has not sent any messages yet. Tap /bericht to write one."),
        )
        return
    for report in reports:
        await show_report(context, chat_id, report)


async def show_report(context: WegwijzerContext, chat_id: int, report: Followed) -> None:
    await say(context, chat_id, report.text, _buttons(report))


async def _drop_buttons(query: CallbackQuery) -> None:
    """The tapped message loses its buttons (an inline or inaccessible one has none to lose)."""
    await drop_buttons(query.message if isinstance(query.message, Message) else None)


async def _redraw(update: Update, context: WegwijzerContext, report: Followed) -> None:
    """The report again, as a new message; the old one loses its buttons."""
    query = update.callback_query
    assert query is not None
    await _drop_buttons(query)
    await show_report(context, chat_of(update), report)


@staff_only
async def refresh_report(update: Update, context: WegwijzerContext) -> None:
    """🔄 under a report; checked against the presser's organisation."""
    query = update.callback_query
    assert query is not None
    button = BroadcastRefresh.unpack(query.data)
    assert button is not None  # registered for this family only
    await query.answer()
    runtime = context.runtime
    report = following.refreshed(
        runtime.db, context.scope.organisation_id, button.broadcast_id, runtime.settings.zone
    )
    await _redraw(update, context, report)


@staff_only
async def stop_broadcast(update: Update, context: WegwijzerContext) -> None:
    """✖️ or ⏹ under a report: cancel or stop it; checked against the presser's organisation."""
    query = update.callback_query
    assert query is not None
    button = BroadcastStop.unpack(query.data)
    assert button is not None  # registered for this family only
    await query.answer()
    runtime = context.runtime
    report = following.ended(
        runtime.db,
        context.scope.organisation_id,
        button.broadcast_id,
        runtime.clock.now(),
        runtime.settings.zone,
        context.scope.staff_id,
    )
    await _redraw(update, context, report)


async def understood(update: Update, context: WegwijzerContext) -> None:
    """A recipient pressed 👍 under a broadcast."""
    query = update.callback_query
    assert query is not None
    button = Acknowledge.unpack(query.data)
    assert button is not None  # registered for this family only
    runtime = context.runtime
    following.understood(runtime.db, button.broadcast_id, chat_of(update), runtime.clock.now())
    await query.answer(_("Thank you! 👍"))
    await _drop_buttons(query)


async def connect_group(update: Update, context: WegwijzerContext) -> None:
    """/groep in a Telegram group: a staff member makes it a broadcast target."""
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None
    organisation = following.connect_group(
        context.runtime.db,
        user.id if user else 0,
        chat.id,
        chat.title or str(chat.id),
        context.runtime.clock.now(),
    )
    await say(
        context,
        chat.id,
        _(
            "This group is now connected to {organisation}. Staff can "
            "send messages here with /bericht.",
            organisation=organisation,
        ),
    )


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("bericht", compose, filters=PRIVATE),
        CommandHandler("berichten", follow, filters=PRIVATE),
        CommandHandler("groep", connect_group, filters=GROUPS),
        CallbackQueryHandler(refresh_report, pattern=BroadcastRefresh.matches),
        CallbackQueryHandler(stop_broadcast, pattern=BroadcastStop.matches),
        CallbackQueryHandler(understood, pattern=Acknowledge.matches),
    ]
