"""/web: a staff member's one-time login link for the web app (five minutes, usable once)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.i18n import _, format_when
from bot.services.access import logins
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.render import say
from bot.telegram.routes import PRIVATE
from bot.telegram.staff import staff_only


@staff_only
async def web_link(update: Update, context: WegwijzerContext) -> None:
    runtime = context.runtime
    made = logins.link_for_chat(runtime.db, chat_of(update), runtime.clock.now())
    url = f"{runtime.settings.web_address}/login/{made.token}"
    await say(
        context,
        chat_of(update),
        _(
            "Your login link for the web app. It works once, until {when}. Do not share it.\n{url}",
            when=format_when(made.expires_at, runtime.settings.zone),
            url=url,
        ),
    )


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [CommandHandler("web", web_link, filters=PRIVATE)]
