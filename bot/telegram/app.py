"""build_application: every handler registered in one place."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import jobs
from bot.callbacks import AreYouSafe
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
    web,
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
        CallbackQueryHandler(safety.answer_are_you_safe, pattern=AreYouSafe.matches), group=-2
    )
    application.add_handler(TypeHandler(Update, gate), group=-1)
    for feature in (
        onboarding,
        menu,
        changes,
        checkins,
        progress,
        privacy,
        appointments,
        attendance,
        inbox,
        participants,
        broadcasts,
        reminders,
        questions,
        conversation,
        membership,
        web,
        fallback,
    ):  # fallback last: it answers what nobody else did
        application.add_handlers(feature.handlers())
