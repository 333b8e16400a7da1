"""build_application: every handler registered in one place."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import jobs
from bot.i18n import LANGUAGES, _, use_locale
from bot.runtime import Runtime
from bot.telegram import (
    appointments,
    attendance,
    broadcasts,
    changes,
    checkins,
    conversation,
    fallback,
    inbox,
    membership,
    menu,
    onboarding,
    participants,
    privacy,
    progress,
    questions,
    reminders,
    safety,
)
from bot.telegram.context import WegwijzerContext
from bot.telegram.edge import gate, prepare
from bot.telegram.errors import on_error
from bot.telegram.ratelimit import PriorityRateLimiter
from bot.telegram.sender import start_sender, stop_sender

OFFLINE_TOKEN = "0:offline"  # the console and tests need a token-shaped string, never a real one


async def post_init(application: Application) -> None:
    """Default command menus per language; the outbox sender when this process runs one."""
    if application.bot_data.get("run_sender"):
        await start_sender(application)
    for lang in LANGUAGES:
        with use_locale(lang):
            commands = [BotCommand(name, _(text)) for name, text in menu.COMMANDS["guest"]]
        try:
            await application.bot.set_my_commands(commands, language_code=lang)
        except TelegramError:
            pass


def build_application(
    runtime: Runtime,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    run_sender: bool = False,
) -> Application:
    settings = runtime.settings
    base = settings.telegram_api_base_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token or OFFLINE_TOKEN)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .context_types(ContextTypes(context=WegwijzerContext))
        .post_init(post_init)
        .post_stop(stop_sender)
        .rate_limiter(PriorityRateLimiter(settings.send_rate))
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    application = builder.build()
    application.bot_data["runtime"] = runtime
    application.bot_data["run_sender"] = run_sender
    add_handlers(application)
    application.add_error_handler(on_error)
    if application.job_queue is not None:
        jobs.schedule(application.job_queue, settings.zone)
    return application


def add_handlers(application: Application) -> None:
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    application.add_handler(TypeHandler(Update, prepare), group=-3)
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & filters.UpdateType.MESSAGES
            & (filters.TEXT | filters.CAPTION)
            & ~filters.COMMAND,
            safety.crisis_first,
        ),
        group=-2,
    )
    application.add_handler(  # before any consent question: safety first here too
        CallbackQueryHandler(safety.answer_are_you_safe, pattern=safety.PATTERN), group=-2
    )
    application.add_handler(TypeHandler(Update, gate), group=-1)
    application.add_handlers(
        [
            CommandHandler("start", onboarding.start, filters=private),
            CommandHandler(["taal", "language"], onboarding.change_language, filters=private),
            CommandHandler(["help", "hulp", "menu"], menu.show_help, filters=private),
            CommandHandler("stop", menu.stop, filters=private),
            CommandHandler("afspraken", changes.appointments_command, filters=private),
            CommandHandler("hoegaathet", checkins.start_checkin, filters=private),
            CommandHandler("voortgang", progress.my_progress, filters=private),
            CommandHandler("mijngegevens", privacy.my_data, filters=private),
            CommandHandler("vergeetmij", privacy.forget_me, filters=private),
            CommandHandler("afspraak", appointments.make_appointment, filters=private),
            CommandHandler("vandaag", attendance.day_list, filters=private),
            CommandHandler("qr", attendance.qr_codes, filters=private),
            CommandHandler("meldingen", inbox.show_inbox, filters=private),
            CommandHandler("deelnemers", participants.list_participants, filters=private),
            CommandHandler("deelnemer", participants.show_participant, filters=private),
            CommandHandler("uitnodigen", participants.invite, filters=private),
            CommandHandler("bericht", broadcasts.compose, filters=private),
            CommandHandler("berichten", broadcasts.follow, filters=private),
            CommandHandler("groep", broadcasts.connect_group, filters=groups),
            CallbackQueryHandler(broadcasts.report_button, pattern=r"^bc:(report|stop):\d+$"),
            CallbackQueryHandler(broadcasts.understood, pattern=r"^ack:\d+$"),
            CallbackQueryHandler(reminders.answer, pattern=reminders.PATTERN),
            CallbackQueryHandler(reminders.answer_proposal, pattern=reminders.PROPOSAL_PATTERN),
            CallbackQueryHandler(changes.appointment_button, pattern=changes.PATTERN),
            CallbackQueryHandler(attendance.tap, pattern=attendance.PATTERN),
            CallbackQueryHandler(attendance.qr_tap, pattern=r"^qr:\d+$"),
            CallbackQueryHandler(inbox.tap, pattern=inbox.PATTERN),
            CallbackQueryHandler(participants.tap, pattern=participants.PATTERN),
            CallbackQueryHandler(inbox.choose, pattern=inbox.CHOICE_PATTERN),
            CallbackQueryHandler(inbox.answer, pattern=inbox.ANSWER_PATTERN),
            CallbackQueryHandler(changes.propose_button, pattern=r"^newtime:\d+$"),
            CallbackQueryHandler(checkins.invitation_button, pattern=checkins.PATTERN),
            CallbackQueryHandler(progress.tap, pattern=progress.PATTERN),
            CallbackQueryHandler(privacy.tap, pattern=privacy.PATTERN),
            CallbackQueryHandler(questions.tap, pattern=questions.PATTERN),
            CallbackQueryHandler(questions.coach_tap, pattern=questions.COACH_PATTERN),
            CallbackQueryHandler(conversation.tap, pattern=r"^fl:"),
            CallbackQueryHandler(onboarding.change_language, pattern=r"^menu:taal$"),
            CallbackQueryHandler(menu.stop, pattern=r"^menu:stop$"),
            CallbackQueryHandler(fallback.stale_button),
            MessageHandler(private & filters.COMMAND, fallback.unknown_command),
            MessageHandler(private & filters.TEXT, fallback.text),
            MessageHandler(private, fallback.media),
            MessageHandler(groups & filters.COMMAND, fallback.group_command),
            ChatMemberHandler(membership.blocked_or_back, ChatMemberHandler.MY_CHAT_MEMBER),
        ]
    )
