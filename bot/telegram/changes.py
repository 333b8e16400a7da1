"""A coach changes appointments: /afspraken → participant → occurrence → move or cancel; and
"📅 Propose a new time" under a "cannot come" alert. Every tap is checked again in the service
layer, so an old button or another coach's data gets a kind refusal, never a change."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.i18n import _, format_when
from bot.refusals import refusal
from bot.services import conversations
from bot.services.appointments import rescheduling
from bot.services.appointments.reminder_texts import KINDS
from bot.services.errors import Refused
from bot.services.people import scope
from bot.telegram import appointments
from bot.telegram.context import WegwijzerContext
from bot.telegram.conversation import perform, who
from bot.telegram.render import drop_buttons, say
from bot.telegram.routes import PRIVATE

PATTERN = r"^ap:(p|o|m|c|s|cy|sy|n):\d+(:\d+)?$"


def _rows(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data)] for text, data in buttons]
    )


def _label(start: datetime, kind: str, context: WegwijzerContext) -> str:
    return _(
        "{when} · {kind}",
        when=format_when(start, context.runtime.settings.zone),
        kind=_(KINDS[kind]),
    )


async def appointments_command(update: Update, context: WegwijzerContext) -> None:
    """/afspraken: staff choose whose appointments to change; participants see their own."""
    identity = context.identity
    if identity is not None and identity.kind == "staff":
        await choose_participant(context, update.effective_chat.id)  # type: ignore[union-attr]
        return
    await appointments.list_appointments(update, context)


async def choose_participant(context: WegwijzerContext, chat_id: int) -> None:
    """/afspraken from staff: whose appointments (their own participants; an admin's: all)."""
    runtime = context.runtime
    try:
        with runtime.session_factory() as session, session.begin():
            mine = scope.of_staff(session, chat_id)
            people = [
                (p.id, p.display_name or "?") for p in session.scalars(scope.participants(mine))
            ]
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return
    if not people:
        await say(context, chat_id, refusal(Refused("no_participants")))
        return
    await say(
        context,
        chat_id,
        _("Whose appointments do you want to see?"),
        _rows(*[(name[:40], f"ap:p:{pid}") for pid, name in people[:40]]),
    )


async def _occurrences(
    context: WegwijzerContext, chat_id: int, mine: scope.Scope, pid: int
) -> None:
    runtime = context.runtime
    with runtime.session_factory() as session:
        name, found = rescheduling.coming_for(
            session, mine, pid, runtime.clock.now(), runtime.settings.zone
        )
    if not found:
        await say(
            context, chat_id, _("{name} has no appointments in the coming four weeks.", name=name)
        )
        return
    await say(
        context,
        chat_id,
        _("The coming appointments of {name}. Tap one to move or cancel it.", name=name),
        _rows(
            *[
                (_label(start, kind, context), f"ap:o:{aid}:{int(start.timestamp())}")
                for aid, start, kind, _series in found
            ]
        ),
    )


async def _what_to_do(
    context: WegwijzerContext, chat_id: int, mine: scope.Scope, aid: int, at: int
) -> None:
    runtime = context.runtime
    start = rescheduling.occurrence_from(at)
    with runtime.session_factory() as session, session.begin():
        appointment = scope.appointment(session, mine, aid)
        if start <= runtime.clock.now() or appointment.cancelled_at is not None:
            raise Refused("unknown_appointment")
        person = scope.participant(session, mine, appointment.participant_id)
        name, kind, series = (
            person.display_name or "?",
            appointment.kind.value,
            appointment.rrule is not None,
        )
    choices = [
        (_("🕒 Move this one"), f"ap:m:{aid}:{at}"),
        (_("🗑 Cancel this one"), f"ap:c:{aid}:{at}"),
    ]
    if series:
        choices.append((_("🗑 Stop the whole series"), f"ap:s:{aid}:{at}"))
    await say(
        context,
        chat_id,
        _(
            "{name}: {appointment}. What do you want to do?",
            name=name,
            appointment=_label(start, kind, context),
        ),
        _rows(*choices),
    )


async def _confirm(
    context: WegwijzerContext, chat_id: int, mine: scope.Scope, step: str, aid: int, at: int
) -> None:
    runtime = context.runtime
    with runtime.session_factory() as session, session.begin():
        appointment = scope.appointment(session, mine, aid)
        person = scope.participant(session, mine, appointment.participant_id)
        name = person.display_name or "?"
    start = rescheduling.occurrence_from(at)
    if step == "c":
        question = _(
            "Cancel the appointment of {name} on {when}? {name} gets a message.",
            name=name,
            when=format_when(start, runtime.settings.zone),
        )
    else:
        question = _(
            "Stop all coming appointments of this series for {name}? {name} gets a message.",
            name=name,
        )
    await say(
        context,
        chat_id,
        question,
        _rows(
            (_("✅ Yes, cancel"), f"ap:{step}y:{aid}:{at}"),
            (_("↩️ No, keep it"), f"ap:n:{aid}:{at}"),
        ),
    )


async def _cancel(
    context: WegwijzerContext, chat_id: int, mine: scope.Scope, step: str, aid: int, at: int
) -> None:
    runtime = context.runtime
    occurrence = rescheduling.occurrence_from(at) if step == "cy" else None
    with runtime.session_factory() as session:
        done = rescheduling.cancel(
            session,
            mine,
            aid,
            occurrence,
            runtime.clock.now(),
            runtime.settings.zone,
            runtime.settings.quiet,
        )
    _wake(context)
    await say(context, chat_id, done.said("cancel"))


def _wake(context: WegwijzerContext) -> None:
    sender = context.bot_data.get("sender")
    if sender is not None:
        sender.wake.set()


async def appointment_button(update: Update, context: WegwijzerContext) -> None:
    """Every `ap:` tap: show the next choice, or do what was confirmed."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    await query.answer()
    await drop_buttons(query.message)  # type: ignore[arg-type]
    parts = query.data.split(":")
    step, first = parts[1], int(parts[2])
    at = int(parts[3]) if len(parts) > 3 else 0
    runtime = context.runtime
    try:
        with runtime.session_factory() as session, session.begin():
            mine = scope.of_staff(session, chat_id)
        if step == "p":
            await _occurrences(context, chat_id, mine, first)
        elif step == "o":
            await _what_to_do(context, chat_id, mine, first, at)
        elif step == "m":
            await _move(update, context, mine, first, at)
        elif step in ("c", "s"):
            await _confirm(context, chat_id, mine, step, first, at)
        elif step in ("cy", "sy"):
            await _cancel(context, chat_id, mine, step, first, at)
        else:
            await say(context, chat_id, _("OK, nothing was changed."))
    except Refused as error:
        await say(context, chat_id, refusal(error))


async def _move(
    update: Update, context: WegwijzerContext, mine: scope.Scope, aid: int, at: int
) -> None:
    runtime = context.runtime
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    with runtime.session_factory() as session, session.begin():
        appointment = scope.appointment(session, mine, aid)
        person = scope.participant(session, mine, appointment.participant_id)
        variables = {
            "mode": "move",
            "appointment": aid,
            "occurrence": at,
            "name": person.display_name or "?",
        }
    with runtime.session_factory() as session:
        outcome = conversations.begin(
            session,
            runtime.flows,
            chat_id,
            "new_time",
            variables,
            runtime.clock.now(),
            who(update, context),
        )
    await perform(context, chat_id, outcome)


async def propose_button(update: Update, context: WegwijzerContext) -> None:
    """ "📅 Propose a new time" under a "cannot come" alert: ask the coach for the time."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    await query.answer()
    runtime = context.runtime
    try:
        with runtime.session_factory() as session:
            with session.begin():
                mine = scope.of_staff(session, chat_id)
            variables = rescheduling.proposal_start(session, mine, int(query.data.split(":")[1]))
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return
    with runtime.session_factory() as session:
        outcome = conversations.begin(
            session,
            runtime.flows,
            chat_id,
            "new_time",
            variables,
            runtime.clock.now(),
            who(update, context),
        )
    await perform(context, chat_id, outcome)


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("afspraken", appointments_command, filters=PRIVATE),
        CallbackQueryHandler(appointment_button, pattern=PATTERN),
        CallbackQueryHandler(propose_button, pattern=r"^newtime:\d+$"),
    ]
