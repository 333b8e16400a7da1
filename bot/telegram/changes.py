"""A coach makes appointments (/afspraak) and changes them: /afspraken → participant →
occurrence → move or cancel; and "📅 Propose a new time" under a "cannot come" alert. Every tap
is checked again in the service layer, so an old button or another coach's data gets a kind
refusal, never a change."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import AppointmentsOf, AppointmentStep, Callback, NewTime
from bot.i18n import _, format_when
from bot.services.appointments import booking, changing, proposing
from bot.services.appointments.reminder_texts import KINDS
from bot.services.appointments.rescheduling import occurrence_from
from bot.telegram import appointments
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.conversation import start_flow
from bot.telegram.render import drop_buttons, say
from bot.telegram.routes import PRIVATE
from bot.telegram.staff import staff_only


async def _tapped(update: Update) -> None:
    """Answer the tap and take the buttons off its message, before anything is checked."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await drop_buttons(query.message if isinstance(query.message, Message) else None)


def _rows(*buttons: tuple[str, Callback]) -> InlineKeyboardMarkup:
    """One button per row."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data.pack())] for text, data in buttons]
    )


def _label(start: datetime, kind: str, context: WegwijzerContext) -> str:
    """An occurrence as the coach reads it: when, and what kind."""
    return _(
        "{when} · {kind}",
        when=format_when(start, context.runtime.settings.zone),
        kind=_(KINDS[kind]),
    )


@staff_only
async def make_appointment(update: Update, context: WegwijzerContext) -> None:
    """/afspraak: a coach makes an appointment for one of their participants."""
    variables = booking.booking_options(context.runtime.db, context.scope)
    await start_flow(update, context, "appointment", variables)


async def appointments_command(update: Update, context: WegwijzerContext) -> None:
    """/afspraken: staff choose whose appointments to change; participants see their own."""
    identity = context.identity
    if identity is not None and identity.kind == "staff":
        await choose_participant(update, context)
        return
    await appointments.list_appointments(update, context)


@staff_only
async def choose_participant(update: Update, context: WegwijzerContext) -> None:
    """/afspraken from staff: whose appointments (their own participants; an admin's: all)."""
    people = changing.people(context.runtime.db, context.scope)
    await say(
        context,
        chat_of(update),
        _("Whose appointments do you want to see?"),
        _rows(*[(name[:40], AppointmentsOf(pid)) for pid, name in people]),
    )


async def appointments_of_button(update: Update, context: WegwijzerContext) -> None:
    """A participant chosen under /afspraken: the buttons go, their coming ones are shown."""
    await _tapped(update)
    await show_coming(update, context)


@staff_only
async def show_coming(update: Update, context: WegwijzerContext) -> None:
    """The participant's coming appointments, one button each."""
    query = update.callback_query
    button = AppointmentsOf.unpack(query.data if query else None)
    if button is None:
        return
    runtime = context.runtime
    now, zone = runtime.clock.now(), runtime.settings.zone
    name, found = changing.coming(runtime.db, context.scope, button.participant, now, zone)
    chat_id = chat_of(update)
    if not found:
        text = _("{name} has no appointments in the coming four weeks.", name=name)
        await say(context, chat_id, text)
        return
    await say(
        context,
        chat_id,
        _("The coming appointments of {name}. Tap one to move or cancel it.", name=name),
        _rows(
            *[
                (
                    _label(item.start, item.kind, context),
                    AppointmentStep("open", item.appointment, int(item.start.timestamp())),
                )
                for item in found
            ]
        ),
    )


async def appointment_button(update: Update, context: WegwijzerContext) -> None:
    """A step in changing an occurrence: the buttons go, then the next choice or the change."""
    await _tapped(update)
    await take_step(update, context)


@staff_only
async def take_step(update: Update, context: WegwijzerContext) -> None:
    """Show the next choice, or do what was confirmed."""
    query = update.callback_query
    button = AppointmentStep.unpack(query.data if query else None)
    if button is None:
        return
    chat_id, at = chat_of(update), button.at or 0
    if button.step == "open":
        await _what_to_do(context, chat_id, button.appointment, at)
    elif button.step == "move":
        variables = changing.move_start(context.runtime.db, context.scope, button.appointment, at)
        await start_flow(update, context, "new_time", variables)
    elif button.step in ("cancel", "stop"):
        await _confirm(context, chat_id, button)
    elif button.step in ("cancel_yes", "stop_yes"):
        await _cancel(context, chat_id, button)
    else:
        await say(context, chat_id, _("OK, nothing was changed."))


async def _what_to_do(context: WegwijzerContext, chat_id: int, aid: int, at: int) -> None:
    """Ask what to do with an occurrence that can still be changed."""
    runtime = context.runtime
    found = changing.changeable(runtime.db, context.scope, aid, at, runtime.clock.now())
    choices: list[tuple[str, Callback]] = [
        (_("🕒 Move this one"), AppointmentStep("move", aid, at)),
        (_("🗑 Cancel this one"), AppointmentStep("cancel", aid, at)),
    ]
    if found.series:
        choices.append((_("🗑 Stop the whole series"), AppointmentStep("stop", aid, at)))
    await say(
        context,
        chat_id,
        _(
            "{name}: {appointment}. What do you want to do?",
            name=found.name,
            appointment=_label(found.start, found.kind, context),
        ),
        _rows(*choices),
    )


async def _confirm(context: WegwijzerContext, chat_id: int, button: AppointmentStep) -> None:
    """Cancel one, or stop the series: ask first, naming whom it is about."""
    aid, at = button.appointment, button.at or 0
    name = changing.name_of(context.runtime.db, context.scope, aid)
    if button.step == "cancel":
        when = format_when(occurrence_from(at), context.runtime.settings.zone)
        question = _(
            "Cancel the appointment of {name} on {when}? {name} gets a message.",
            name=name,
            when=when,
        )
    else:
        question = _(
            "Stop all coming appointments of this series for {name}? {name} gets a message.",
            name=name,
        )
    yes = AppointmentStep("cancel_yes" if button.step == "cancel" else "stop_yes", aid, at)
    keep = AppointmentStep("keep", aid, at)
    await say(
        context, chat_id, question, _rows((_("✅ Yes, cancel"), yes), (_("↩️ No, keep it"), keep))
    )


async def _cancel(context: WegwijzerContext, chat_id: int, button: AppointmentStep) -> None:
    """Cancel the occurrence, or the whole series, and say whether they hear of it."""
    runtime = context.runtime
    done = changing.cancel(
        runtime.db,
        context.scope,
        button.appointment,
        (button.at or 0) if button.step == "cancel_yes" else None,
        runtime.clock.now(),
        runtime.settings.zone,
        runtime.settings.quiet,
    )
    context.wake_sender()
    await say(context, chat_id, done.said("cancel"))


async def propose_button(update: Update, context: WegwijzerContext) -> None:
    """ "📅 Propose a new time" under a "cannot come" alert: ask the coach for the time."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await propose(update, context)


@staff_only
async def propose(update: Update, context: WegwijzerContext) -> None:
    """Start the "new time" flow for the alert's missed appointment."""
    query = update.callback_query
    button = NewTime.unpack(query.data if query else None)
    if button is None:
        return
    variables = proposing.start_proposing(context.runtime.db, context.scope, button.alert)
    await start_flow(update, context, "new_time", variables)


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("afspraak", make_appointment, filters=PRIVATE),
        CommandHandler("afspraken", appointments_command, filters=PRIVATE),
        CallbackQueryHandler(appointments_of_button, pattern=AppointmentsOf.matches),
        CallbackQueryHandler(appointment_button, pattern=AppointmentStep.matches),
        CallbackQueryHandler(propose_button, pattern=NewTime.matches),
    ]
