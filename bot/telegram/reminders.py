"""The buttons under a reminder: ✅ coming, ❌ not coming (why?), ⏰ late (how late?)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.i18n import N_, _
from bot.services.appointments import rescheduling, rsvp
from bot.services.appointments.rsvp import AnswerTooLate
from bot.telegram.context import WegwijzerContext
from bot.telegram.render import say, show_choice

PATTERN = r"^rsvp:\d+:(yes|no|late|why:(sick|family|other)|late:(15|30|more))$"


def _choices(reminder_id: int, step: str, options: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=f"rsvp:{reminder_id}:{step}:{value}")]
            for value, label in options
        ]
    )


async def answer(update: Update, context: WegwijzerContext) -> None:
    """Record the tap, ask the follow-up question, and tell the coach when there is news."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    parts = query.data.split(":")
    reminder_id, choice = int(parts[1]), parts[2]
    detail = parts[3] if len(parts) > 3 else None
    await show_choice(query)
    if choice == "no":
        await query.answer()
        await ask_why(context, chat_id, reminder_id)
        return
    if choice == "late" and detail is None:
        await query.answer()
        await ask_how_late(context, chat_id, reminder_id)
        return
    stored = {"yes": "coming", "why": "not_coming", "late": "late"}[choice]
    if not await record(context, chat_id, reminder_id, stored, detail):
        await query.answer(_("This appointment has already passed."))
        return
    await query.answer()


async def ask_why(context: WegwijzerContext, chat_id: int, reminder_id: int) -> None:
    await say(
        context,
        chat_id,
        _("That is a pity. Why can't you come?"),
        _choices(
            reminder_id,
            "why",
            [
                ("sick", _("🤒 I am sick")),
                ("family", _("👪 My child or family")),
                ("other", _("💬 Something else")),
            ],
        ),
    )


async def ask_how_late(context: WegwijzerContext, chat_id: int, reminder_id: int) -> None:
    await say(
        context,
        chat_id,
        _("How late will you be?"),
        _choices(
            reminder_id,
            "late",
            [
                ("15", _("15 minutes")),
                ("30", _("30 minutes")),
                ("more", _("More than 30 minutes")),
            ],
        ),
    )


async def record(
    context: WegwijzerContext, chat_id: int, reminder_id: int, stored: str, detail: str | None
) -> bool:
    """Store the answer (tapped or typed) and thank the participant; False when the
    appointment has already started."""
    runtime = context.runtime
    try:
        with runtime.session_factory() as session:
            result = rsvp.record(
                session,
                chat_id,
                reminder_id,
                stored,
                runtime.clock.now(),
                runtime.settings.zone,
                detail,
            )
    except AnswerTooLate:
        return False
    sender = context.bot_data.get("sender")
    if sender is not None:
        sender.wake.set()  # the coach's message is in the outbox
    if stored == "coming":
        await say(context, chat_id, _("Thank you! See you then."))
    elif stored == "not_coming" and result.coach:
        await say(
            context,
            chat_id,
            _(
                "Thank you for telling us. {coach} will contact you about a new time.",
                coach=result.coach,
            ),
        )
    elif stored == "not_coming":
        await say(
            context,
            chat_id,
            _("Thank you for telling us. Your coach will contact you about a new time."),
        )
    elif result.coach:
        await say(context, chat_id, _("Thank you. I will tell {coach}.", coach=result.coach))
    else:
        await say(context, chat_id, _("Thank you. I will tell your coach."))
    return True


PROPOSAL_PATTERN = r"^tp:\d+:(yes|no)$"
CLOSED = {
    "answered": N_("You already answered this."),
    "withdrawn": N_(
        "This proposal is no longer valid. Look at the newest message from your coach."
    ),
    "passed": N_("This time has already passed. Your coach will contact you."),
    "unknown": N_("This button is no longer active."),
}


async def answer_proposal(update: Update, context: WegwijzerContext) -> None:
    """The participant's one tap on a coach's proposed new time."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    _prefix, proposal_id, choice = query.data.split(":")
    runtime = context.runtime
    await show_choice(query)
    try:
        with runtime.session_factory() as session:
            result = rescheduling.answer_proposal(
                session,
                chat_id,
                int(proposal_id),
                choice == "yes",
                runtime.clock.now(),
                runtime.settings.zone,
                runtime.settings.quiet,
            )
    except rescheduling.ProposalClosed as closed:
        await query.answer()
        await say(context, chat_id, _(CLOSED[closed.why]))
        return
    await query.answer()
    sender = context.bot_data.get("sender")
    if sender is not None:
        sender.wake.set()  # the coach's message is in the outbox
    await say(context, chat_id, result.text)


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CallbackQueryHandler(answer, pattern=PATTERN),
        CallbackQueryHandler(answer_proposal, pattern=PROPOSAL_PATTERN),
    ]
