"""/help, /stop and the chat's own command menu, in the chat's language."""

from __future__ import annotations

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import MenuChoice
from bot.i18n import N_, _
from bot.services.errors import NotAParticipant
from bot.services.people import chats
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.render import drop_buttons, say
from bot.telegram.routes import PRIVATE

HELP, LANGUAGE, STOP, START = (
    N_("What I can do"),
    N_("Choose your language"),
    N_("Stop my messages"),
    N_("Start with your code"),
)
WRITE, FOLLOW = N_("Send a message to groups"), N_("Follow sent messages")
APPOINTMENTS = N_("My appointments")
HOW = N_("How are you doing? (a short check-in)")
PROGRESS = N_("My answers over time")
MY_DATA = N_("What I keep about you")
APPOINTMENT = N_("Make an appointment")
CHANGE = N_("Move or cancel appointments")
TODAY = N_("Who is expected today")
ALERTS = N_("Open alerts")
PEOPLE = N_("My participants")
INVITE = N_("Invite a new participant")
QR = N_("Check-in code of a location")
WEB = N_("Log in to the web app")
COMMANDS = {
    "participant": [
        ("help", HELP),
        ("afspraken", APPOINTMENTS),
        ("hoegaathet", HOW),
        ("voortgang", PROGRESS),
        ("taal", LANGUAGE),
        ("mijngegevens", MY_DATA),
        ("stop", STOP),
    ],
    "staff": [
        ("help", HELP),
        ("meldingen", ALERTS),
        ("deelnemers", PEOPLE),
        ("uitnodigen", INVITE),
        ("vandaag", TODAY),
        ("qr", QR),
        ("afspraak", APPOINTMENT),
        ("afspraken", CHANGE),
        ("bericht", WRITE),
        ("berichten", FOLLOW),
        ("web", WEB),
        ("taal", LANGUAGE),
    ],
    "guest": [("start", START), ("taal", LANGUAGE), ("help", HELP)],
}


async def refresh_commands(context: WegwijzerContext, chat_id: int) -> None:
    """Give this chat a command menu that fits who they are, in their language."""
    runtime = context.runtime
    identity = chats.who_is(runtime.db, chat_id)
    commands = [BotCommand(name, _(text)) for name, text in COMMANDS[identity.audience]]
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError:
        pass  # a menu is a convenience; the /help text says the same


def help_text(kind: str) -> str:
    if kind == "participant":
        return _(
            "This is what I can do for you:\n/afspraken – your appointments\n"
            "/hoegaathet – tell me how you are doing (a few short questions)\n"
            "/voortgang – your answers over time\n"
            "/taal – choose another language\n"
            "/mijngegevens – what I keep about you\n"
            "/vergeetmij – delete everything about you\n"
            "/stop – stop my messages\n"
            "/help – show this list again\nI also remind you of your appointments."
        )
    if kind == "staff":
        return _(
            "Commands for staff:\n/meldingen – open alerts about your participants\n"
            "/deelnemers – your participants at a glance (/deelnemer NAME for one)\n"
            "/uitnodigen NAME – a personal code and QR code for someone new\n"
            "/vandaag – who is expected today (attendance)\n"
            "/qr – today's check-in code of a location\n"
            "/afspraak – make an appointment\n"
            "/afspraken – move or cancel appointments\n"
            "/bericht – send a message to groups\n"
            "/berichten – follow sent messages\n/taal – choose your language\n"
            "/help – show this list again\nIn a Telegram group, /groep connects that group."
        )
    return _(
        "Wegwijzer helps people in a trajectory with their appointments and questions. "
        "To start, you need a code from your coach. Send /start, a space and your code."
    )


async def show_help(update: Update, context: WegwijzerContext) -> None:
    """Show what this person can do, with buttons for the common steps."""
    chat_id = chat_of(update)
    kind = context.identity.audience if context.identity else "guest"
    buttons = [
        [
            InlineKeyboardButton(
                _("🌐 Choose your language"), callback_data=MenuChoice("taal").pack()
            )
        ]
    ]
    if kind == "participant":
        buttons.append(
            [InlineKeyboardButton(_("⏸ Stop my messages"), callback_data=MenuChoice("stop").pack())]
        )
    await say(context, chat_id, help_text(kind), InlineKeyboardMarkup(buttons))
    await refresh_commands(context, chat_id)


async def stop(update: Update, context: WegwijzerContext) -> None:
    """Stop all messages until the participant writes again."""
    chat_id = chat_of(update)
    query = update.callback_query
    if query is not None:
        await query.answer()
        await drop_buttons(query.message)
    runtime = context.runtime
    try:
        chats.set_stopped(runtime.db, chat_id, True, runtime.clock.now())
    except NotAParticipant:
        if context.identity and context.identity.kind == "staff":
            await say(context, chat_id, _("Staff keep getting messages about their participants."))
        else:
            await say(context, chat_id, _("You are not connected yet, so I send you no messages."))
        return
    await say(
        context,
        chat_id,
        _("OK. I will not send you messages anymore. Write to me when you want them again."),
    )


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler(["help", "hulp", "menu"], show_help, filters=PRIVATE),
        CommandHandler("stop", stop, filters=PRIVATE),
        CallbackQueryHandler(stop, pattern=MenuChoice("stop").pack()),
    ]
