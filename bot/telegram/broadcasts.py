"""Staff broadcasts in Telegram: /bericht to compose, /berichten to follow, 👍 to acknowledge."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.broadcast_texts import report_text
from bot.i18n import _
from bot.refusals import refusal
from bot.services import conversations
from bot.services.messaging import broadcast_flow, broadcasts
from bot.services.messaging.broadcasts import BroadcastRefused, Report
from bot.services.people import groups
from bot.telegram.context import WegwijzerContext
from bot.telegram.conversation import perform, who
from bot.telegram.render import drop_buttons, say
from bot.telegram.routes import GROUPS, PRIVATE
from storage.models import BroadcastState


async def compose(update: Update, context: WegwijzerContext) -> None:
    """Start composing a broadcast (staff only)."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        with runtime.session_factory() as session:
            options = broadcast_flow.group_options(
                session, broadcasts.organisation_of_staff(session, chat_id)
            )
    except BroadcastRefused as error:
        await say(context, chat_id, refusal(error))
        return
    with runtime.session_factory() as session:
        outcome = conversations.begin(
            session,
            runtime.flows,
            chat_id,
            "broadcast",
            {"group_options": options},
            runtime.clock.now(),
            who(update, context),
        )
    await perform(context, chat_id, outcome)


def _buttons(broadcast_id: int, state: BroadcastState) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton(_("🔄 Refresh"), callback_data=f"bc:report:{broadcast_id}")]
    if state == BroadcastState.SCHEDULED:
        row.append(InlineKeyboardButton(_("✖️ Cancel"), callback_data=f"bc:stop:{broadcast_id}"))
    elif state == BroadcastState.SENDING:
        row.append(InlineKeyboardButton(_("⏹ Stop"), callback_data=f"bc:stop:{broadcast_id}"))
    return InlineKeyboardMarkup([row])


async def follow(update: Update, context: WegwijzerContext) -> None:
    """The organisation's recent broadcasts with their delivery reports."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        with runtime.session_factory() as session:
            organisation_id = broadcasts.organisation_of_staff(session, chat_id)
            recent = broadcasts.recent(session, organisation_id)
            reports = [broadcasts.report(session, item.id, organisation_id) for item in recent]
    except BroadcastRefused as error:
        await say(context, chat_id, refusal(error))
        return
    if not reports:
        await say(
            context,
            chat_id,
            _("Your organisation has not sent any messages yet. Tap /bericht to write one."),
        )
        return
    for report in reports:
        await show_report(context, chat_id, report)


async def show_report(context: WegwijzerContext, chat_id: int, report: Report) -> None:
    await say(
        context,
        chat_id,
        report_text(report, context.runtime.settings.zone),
        _buttons(report.broadcast.id, report.broadcast.state),
    )


async def report_button(update: Update, context: WegwijzerContext) -> None:
    """🔄 or ⏹ under a report; checked against the presser's organisation."""
    query = update.callback_query
    assert query is not None and query.data is not None
    action, number = query.data.split(":")[1:]
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        with runtime.session_factory() as session:
            organisation_id = broadcasts.organisation_of_staff(session, chat_id)
            if action == "stop":
                broadcasts.cancel_or_stop(
                    session, int(number), organisation_id, runtime.clock.now()
                )
            report = broadcasts.report(session, int(number), organisation_id)
    except BroadcastRefused as error:
        await query.answer()
        await say(context, chat_id, refusal(error))
        return
    await query.answer()
    await drop_buttons(query.message)  # type: ignore[arg-type]
    await show_report(context, chat_id, report)


async def understood(update: Update, context: WegwijzerContext) -> None:
    """A recipient pressed 👍 under a broadcast."""
    query = update.callback_query
    assert query is not None and query.data is not None
    runtime = context.runtime
    with runtime.session_factory() as session:
        broadcasts.acknowledge(
            session,
            int(query.data.split(":")[1]),
            update.effective_chat.id,  # type: ignore[union-attr]
            runtime.clock.now(),
        )
    await query.answer(_("Thank you! 👍"))
    await drop_buttons(query.message)  # type: ignore[arg-type]


async def connect_group(update: Update, context: WegwijzerContext) -> None:
    """/groep in a Telegram group: a staff member makes it a broadcast target."""
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None
    runtime = context.runtime
    with runtime.session_factory() as session:
        organisation = groups.connect_chat(
            session,
            user.id if user else 0,
            chat.id,
            chat.title or str(chat.id),
            runtime.clock.now(),
        )
    if organisation is None:
        await say(context, chat.id, refusal(BroadcastRefused("not_staff")))
        return
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
        CallbackQueryHandler(report_button, pattern=r"^bc:(report|stop):\d+$"),
        CallbackQueryHandler(understood, pattern=r"^ack:\d+$"),
    ]
