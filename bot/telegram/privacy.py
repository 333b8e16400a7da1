"""/mijngegevens: what I keep about you, in your language, and all of it as a file on request;
/vergeetmij: after a plain confirmation, everything about you is erased."""

from __future__ import annotations

import io
import json

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import ForgetMeAnswer, ForgetMeAsk, MyDataFile
from bot.i18n import N_, _, format_day, language_name, ngettext
from bot.services.people import privacy
from bot.services.people.participants import PHASE_NAMES
from bot.telegram.checkins import NOT_CONNECTED
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.render import say, show_choice
from bot.telegram.routes import PRIVATE

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
NOTHING_KEPT = N_("I keep nothing about you.")
FORGOTTEN = N_(
    "Done. I have forgotten you. Want to use Wegwijzer again later? Ask your coach for a new code."
)


def summary_text(found: privacy.Summary, context: WegwijzerContext) -> str:
    """What /mijngegevens says: who I think you are, then how much I keep of each kind."""
    lines = [*_who_you_are(found, context), *_how_much(found)]
    if found.consent_at:
        day = found.consent_at.astimezone(context.runtime.settings.zone).date()
        lines.append(_("You said yes to this on {day}.", day=format_day(day, with_year=True)))
    lines += [
        "",
        _(
            "Only your coach and the staff of {organisation} can see this. Nobody else.",
            organisation=found.organisation or "–",
        ),
    ]
    return "\n".join(lines)


def _who_you_are(found: privacy.Summary, context: WegwijzerContext) -> list[str]:
    """Name, language, organisation and coach, and the step of the trajectory."""
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
                phase=_(PHASE_NAMES[found.phase]),
                day=format_day(found.phase_since.astimezone(zone).date(), with_year=True),
            )
        )
    return lines


def _how_much(found: privacy.Summary) -> list[str]:
    """How many appointments, answers, questions and messages I keep."""
    return [
        ngettext("{n} appointment", "{n} appointments", found.appointments),
        ngettext("{n} attendance record", "{n} attendance records", found.attendance),
        ngettext("{n} answer to my questions", "{n} answers to my questions", found.answers),
        ngettext("{n} question you asked me", "{n} questions you asked me", found.questions),
        ngettext("{n} message from me", "{n} messages from me", found.messages),
    ]


async def my_data(update: Update, context: WegwijzerContext) -> None:
    """/mijngegevens: a readable summary, with the file and erasing one tap away."""
    chat_id = chat_of(update)
    if context.identity is not None and context.identity.kind == "staff":
        await say(context, chat_id, _(STAFF))
        return
    found = privacy.summary_of(context.runtime.db, chat_id)
    if found is None:
        await say(context, chat_id, _(NOT_CONNECTED))
        return
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_(AS_FILE), callback_data=MyDataFile().pack())],
            [InlineKeyboardButton(_(FORGET), callback_data=ForgetMeAsk().pack())],
        ]
    )
    await say(context, chat_id, summary_text(found, context), markup)


async def forget_me(update: Update, context: WegwijzerContext) -> None:
    """/vergeetmij: ask once more, in plain words, before anything is deleted."""
    chat_id = chat_of(update)
    identity = context.identity
    if identity is not None and identity.kind == "staff":
        await say(context, chat_id, _(STAFF))
        return
    if identity is None or identity.kind != "participant":
        await say(context, chat_id, _(NOTHING_KEPT))
        return
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_(YES), callback_data=ForgetMeAnswer("yes").pack())],
            [InlineKeyboardButton(_(NO), callback_data=ForgetMeAnswer("no").pack())],
        ]
    )
    await say(context, chat_id, _(ASK), markup)


async def ask_to_forget(update: Update, context: WegwijzerContext) -> None:
    """🗑 under /mijngegevens: the same question as /vergeetmij."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await forget_me(update, context)


async def send_my_data(update: Update, context: WegwijzerContext) -> None:
    """📄 under /mijngegevens: everything I keep about them, as a JSON file in their chat."""
    query = update.callback_query
    assert query is not None
    chat_id = chat_of(update)
    await query.answer()
    await show_choice(query)
    data = privacy.export_of(context.runtime.db, chat_id, context.runtime.clock.now())
    if data is None:
        await say(context, chat_id, _(NOTHING_KEPT))
        return
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    await context.bot.send_document(
        chat_id,
        io.BytesIO(body),
        filename="wegwijzer-my-data.json",
        caption=_("All your data. Only you received this file."),
    )


async def answer_forget_me(update: Update, context: WegwijzerContext) -> None:
    """Yes or no to "Do you want me to forget you?": yes erases everything about them."""
    query = update.callback_query
    assert query is not None
    chat_id = chat_of(update)
    await query.answer()
    button = ForgetMeAnswer.unpack(query.data)
    await show_choice(query)
    if button is None or button.answer == "no":
        await say(context, chat_id, _("OK. I keep your data. Nothing has changed."))
        return
    runtime = context.runtime
    if not privacy.forget(runtime.db, chat_id, runtime.clock.now(), runtime.settings.zone):
        await say(context, chat_id, _(NOTHING_KEPT))
        return
    context.wake_sender()  # the coach's message
    await say(context, chat_id, _(FORGOTTEN))


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("mijngegevens", my_data, filters=PRIVATE),
        CommandHandler("vergeetmij", forget_me, filters=PRIVATE),
        CallbackQueryHandler(send_my_data, pattern=MyDataFile.matches),
        CallbackQueryHandler(ask_to_forget, pattern=ForgetMeAsk.matches),
        CallbackQueryHandler(answer_forget_me, pattern=ForgetMeAnswer.matches),
    ]
