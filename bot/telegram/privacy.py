"""/mijngegevens: what I keep about you, in your language, and all of it as a file on request;
/vergeetmij: after a plain confirmation, everything about you is erased."""

from __future__ import annotations

import io
import json

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.i18n import N_, _, format_day, language_name, ngettext
from bot.services.errors import NotAParticipant
from bot.services.people import privacy
from bot.services.people.participants import PHASES
from bot.telegram.checkins import NOT_CONNECTED
from bot.telegram.context import WegwijzerContext
from bot.telegram.render import say, show_choice
from bot.telegram.routes import PRIVATE
from storage.models import Phase

PATTERN = r"^pv:(file|forget|yes|no)$"
AS_FILE = N_("📄 Send me all my data as a file")
FORGET = N_("🗑 Forget me")
YES = N_("🗑 Yes, delete everything")
NO = N_("↩️ No, keep my data")
ASK = N_(
    "Do you want me to forget you? I delete everything I know about you: your name, "
    "appointments, attendance and answers. Your coach gets a message that you left. "
    "This cannot be undone."
)
STAFF = N_("This is for participants. Staff data is managed by your organisation.")


def summary_text(found: privacy.Summary, context: WegwijzerContext) -> str:
    zone = context.runtime.settings.zone
    lines = [_("This is what I keep about you:"), ""]
    lines.append(_("Your name: {name}", name=found.name or "–"))
    if found.language:
        lines.append(_("Your language: {language}", language=language_name(found.language)))
    if found.organisation:
        lines.append(
            _(
                "Your organisation: {organisation}. Your coach: {coach}.",
                organisation=found.organisation,
                coach=found.coach or "–",
            )
        )
    if found.phase and found.phase_since:
        lines.append(
            _(
                "Your step: {phase}, since {day}.",
                phase=_(PHASES[Phase(found.phase)]),
                day=format_day(found.phase_since.astimezone(zone).date(), with_year=True),
            )
        )
    lines.append(ngettext("{n} appointment", "{n} appointments", found.appointments))
    lines.append(ngettext("{n} attendance record", "{n} attendance records", found.attendance))
    lines.append(
        ngettext("{n} answer to my questions", "{n} answers to my questions", found.answers)
    )
    lines.append(
        ngettext("{n} question you asked me", "{n} questions you asked me", found.questions)
    )
    lines.append(ngettext("{n} message from me", "{n} messages from me", found.messages))
    if found.consent_at:
        lines.append(
            _(
                "You said yes to this on {day}.",
                day=format_day(found.consent_at.astimezone(zone).date(), with_year=True),
            )
        )
    lines += [
        "",
        _(
            "Only your coach and the staff of {organisation} can see this. Nobody else.",
            organisation=found.organisation or "–",
        ),
    ]
    return "\n".join(lines)


async def my_data(update: Update, context: WegwijzerContext) -> None:
    """/mijngegevens: a readable summary, with the file and erasing one tap away."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    if context.identity is not None and context.identity.kind == "staff":
        await say(context, chat_id, _(STAFF))
        return
    with context.runtime.session_factory() as session:
        try:
            found = privacy.summary(session, chat_id)
        except NotAParticipant:
            await say(context, chat_id, _(NOT_CONNECTED))
            return
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_(AS_FILE), callback_data="pv:file")],
            [InlineKeyboardButton(_(FORGET), callback_data="pv:forget")],
        ]
    )
    await say(context, chat_id, summary_text(found, context), markup)


async def forget_me(update: Update, context: WegwijzerContext) -> None:
    """/vergeetmij: ask once more, in plain words, before anything is deleted."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    identity = context.identity
    if identity is not None and identity.kind == "staff":
        await say(context, chat_id, _(STAFF))
        return
    if identity is None or identity.kind != "participant":
        await say(context, chat_id, _("I keep nothing about you."))
        return
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_(YES), callback_data="pv:yes")],
            [InlineKeyboardButton(_(NO), callback_data="pv:no")],
        ]
    )
    await say(context, chat_id, _(ASK), markup)


async def tap(update: Update, context: WegwijzerContext) -> None:
    """The buttons under /mijngegevens and /vergeetmij."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    await query.answer()
    choice = query.data.split(":")[1]
    if choice == "forget":
        await forget_me(update, context)
        return
    await show_choice(query)
    if choice == "no":
        await say(context, chat_id, _("OK. I keep your data. Nothing has changed."))
        return
    runtime = context.runtime
    now = runtime.clock.now()
    with runtime.session_factory() as session:
        try:
            if choice == "file":
                data = privacy.export(session, chat_id, now)
            else:
                privacy.forget_me(session, chat_id, now, runtime.settings.zone)
        except NotAParticipant:
            await say(context, chat_id, _("I keep nothing about you."))
            return
    if choice == "file":
        body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        await context.bot.send_document(
            chat_id,
            io.BytesIO(body),
            filename="wegwijzer-my-data.json",
            caption=_("All your data. Only you received this file."),
        )
        return
    context.wake_sender()  # the coach's message
    await say(
        context,
        chat_id,
        _(
            "Done. I have forgotten you. Want to use Wegwijzer again later? "
            "Ask your coach for a new code."
        ),
    )


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("mijngegevens", my_data, filters=PRIVATE),
        CommandHandler("vergeetmij", forget_me, filters=PRIVATE),
        CallbackQueryHandler(tap, pattern=PATTERN),
    ]
