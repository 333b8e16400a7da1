"""The buttons under a reminder: ✅ coming, ❌ not coming (why?), ⏰ late (how late?)."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.callbacks import ProposalReply, Rsvp
from bot.i18n import N_, _
from bot.services.appointments import proposing, rsvp
from bot.services.appointments.proposing import Closed
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.render import say, show_choice

STALE = N_("This button is no longer active.")
STORED = {"yes": "coming", "why": "not_coming", "late": "late"}  # a tap → the answer it records


def _choices(options: list[tuple[Rsvp, str]]) -> InlineKeyboardMarkup:
    """The follow-up question's buttons, one per row."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=button.pack())] for button, label in options]
    )


async def answer(update: Update, context: WegwijzerContext) -> None:
    """Record the tap, ask the follow-up question, and tell the coach when there is news."""
    query = update.callback_query
    assert query is not None
    chat_id = chat_of(update)
    button = Rsvp.unpack(query.data)
    await show_choice(query)
    if button is None:
        await query.answer(_(STALE))
    elif button.answer == "no":
        await query.answer()
        await ask_why(context, chat_id, button.reminder)
    elif button.answer == "late" and button.detail is None:
        await query.answer()
        await ask_how_late(context, chat_id, button.reminder)
    else:
        await _record_tap(context, query, chat_id, button)


async def _record_tap(
    context: WegwijzerContext, query: CallbackQuery, chat_id: int, button: Rsvp
) -> None:
    """Coming, a reason for not coming, or how late: stored, or too late to answer."""
    stored = STORED[button.answer]
    if not await record(context, chat_id, button.reminder, stored, button.detail):
        await query.answer(_("This appointment has already passed."))
        return
    await query.answer()


async def ask_why(context: WegwijzerContext, chat_id: int, reminder_id: int) -> None:
    """Not coming: ask why, with a button per reason."""
    await say(
        context,
        chat_id,
        _("That is a pity. Why can't you come?"),
        _choices(
            [
                (Rsvp(reminder_id, "why", "sick"), _("🤒 I am sick")),
                (Rsvp(reminder_id, "why", "family"), _("👪 My child or family")),
                (Rsvp(reminder_id, "why", "other"), _("💬 Something else")),
            ]
        ),
    )


async def ask_how_late(context: WegwijzerContext, chat_id: int, reminder_id: int) -> None:
    """Late: ask how late, with a button per length."""
    await say(
        context,
        chat_id,
        _("How late will you be?"),
        _choices(
            [
                (Rsvp(reminder_id, "late", "15"), _("15 minutes")),
                (Rsvp(reminder_id, "late", "30"), _("30 minutes")),
                (Rsvp(reminder_id, "late", "more"), _("More than 30 minutes")),
            ]
        ),
    )


async def record(
    context: WegwijzerContext, chat_id: int, reminder_id: int, stored: str, detail: str | None
) -> bool:
    """Store the answer (tapped or typed) and thank the participant; False when the
    appointment has already started."""
    runtime = context.runtime
    result = rsvp.answer(
        runtime.db,
        chat_id,
        reminder_id,
        stored,
        runtime.clock.now(),
        runtime.settings.zone,
        detail,
    )
    if result is None:
        return False
    context.wake_sender()  # the coach's message is in the outbox
    await say(context, chat_id, _thanks(stored, result.coach))
    return True


def _thanks(stored: str, coach: str) -> str:
    """The thank-you for an answer, naming the coach when there is one."""
    if stored == "coming":
        return _("Thank you! See you then.")
    if stored == "not_coming" and coach:
        return _(
            "Thank you for telling us. {coach} will contact you about a new time.", coach=coach
        )
    if stored == "not_coming":
        return _("Thank you for telling us. Your coach will contact you about a new time.")
    if coach:
        return _("Thank you. I will tell {coach}.", coach=coach)
    return _("Thank you. I will tell your coach.")


CLOSED = {
    "answered": N_("You already answered this."),
    "withdrawn": N_(
        "This proposal is no longer valid. Look at the newest message from your coach."
    ),
    "passed": N_("This time has already passed. Your coach will contact you."),
    "unknown": STALE,
}


async def answer_proposal(update: Update, context: WegwijzerContext) -> None:
    """The participant's one tap on a coach's proposed new time."""
    query = update.callback_query
    assert query is not None
    chat_id = chat_of(update)
    button = ProposalReply.unpack(query.data)
    await show_choice(query)
    await query.answer()
    if button is None:
        await say(context, chat_id, _(STALE))
        return
    runtime = context.runtime
    result = proposing.answer(
        runtime.db,
        chat_id,
        button.proposal,
        button.answer == "yes",
        runtime.clock.now(),
        runtime.settings.zone,
        runtime.settings.quiet,
    )
    if isinstance(result, Closed):
        await say(context, chat_id, _(CLOSED[result.why]))
        return
    context.wake_sender()  # the coach's message is in the outbox
    await say(context, chat_id, result.text)


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CallbackQueryHandler(answer, pattern=Rsvp.matches),
        CallbackQueryHandler(answer_proposal, pattern=ProposalReply.matches),
    ]
