"""/deelnemers, /deelnemer NAME and /uitnodigen NAME: the coach's people at a glance, one person's
card with taps to change their phase or hand them over, and a personal invite with a QR code."""

from __future__ import annotations

from typing import cast

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import (
    ChangePhase,
    HandOver,
    HandOverTo,
    LeavesTrajectory,
    LeftBecause,
    MoveToPhase,
    OpenParticipant,
    OutflowName,
    ParticipantCheckins,
    PhaseName,
)
from bot.i18n import N_, _, format_day, format_when, language_name, ngettext
from bot.services.appointments.attendance import STATUS_NAMES
from bot.services.appointments.reminder_texts import KINDS
from bot.services.people import caseload
from bot.services.people.participants import OUTFLOW_NAMES, PHASE_NAMES, Card, Glance
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.progress import CHECKINS
from bot.telegram.render import drop_buttons, qr_png, say
from bot.telegram.routes import PRIVATE
from bot.telegram.staff import buttons_go_when_refused, staff_only

PER_MESSAGE = 50
CHANGE_PHASE, HAND_OVER = N_("🔀 Change phase"), N_("👤 Hand over to another coach")
LEAVES = N_("🚪 Leaves the trajectory")


def phase_name(phase: str | None) -> str:
    return _(PHASE_NAMES[phase]) if phase else "–"


def _line(person: Glance) -> str:
    if person.status == "invited":
        return _("{name} · invited, has not started yet", name=person.name)
    values = {
        "name": person.name,
        "phase": phase_name(person.phase),
        "came": person.came,
        "absent": person.absent,
        "excused": person.excused,
    }
    if person.open_alerts:
        line = _(
            "{name} · {phase} · came {came}, absent {absent}, excused {excused} · ⚠️ {alerts} open",
            alerts=person.open_alerts,
            **values,
        )
    else:
        line = _("{name} · {phase} · came {came}, absent {absent}, excused {excused}", **values)
    return line if person.reachable else f"🔕 {line}"


@staff_only
async def list_participants(update: Update, context: WegwijzerContext) -> None:
    """/deelnemers: everyone in scope, a line each, with their names as buttons."""
    chat_id = chat_of(update)
    people = caseload.overview(context.runtime.db, context.scope, context.runtime.clock.now())
    if not people:
        await say(
            context,
            chat_id,
            _("You have no participants yet. Invite someone with /uitnodigen and their name."),
        )
        return
    await say(
        context,
        chat_id,
        ngettext(
            "{n} participant. Attendance counts the last 4 weeks.",
            "{n} participants. Attendance counts the last 4 weeks.",
            len(people),
        ),
    )
    for first in range(0, len(people), PER_MESSAGE):
        chunk = people[first : first + PER_MESSAGE]
        buttons = [
            InlineKeyboardButton(
                p.name[:30], callback_data=OpenParticipant(p.participant_id).pack()
            )
            for p in chunk
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        await say(context, chat_id, "\n".join(_line(p) for p in chunk), InlineKeyboardMarkup(rows))
    await say(
        context,
        chat_id,
        _("Tap a name to see more. A new participant: /uitnodigen and their name."),
    )


def card_text(found: Card, context: WegwijzerContext) -> str:
    """A participant's card: who, their state, appointments, attendance and open alerts."""
    lines = [*_who(found, context), *_state(found, context), ""]
    lines += [*_coming(found, context), "", *_attendance(found), "", *_alerts(found)]
    text = "\n".join(lines)
    return text if len(text) <= 4000 else text[:3990] + "\n…"


def _who(found: Card, context: WegwijzerContext) -> list[str]:
    """Name and phase (since when), coach and language."""
    zone = context.runtime.settings.zone
    if found.phase and found.phase_since:
        since = format_day(found.phase_since.astimezone(zone).date())
        first = _(
            "{name} · {phase} since {day}",
            name=found.name,
            phase=phase_name(found.phase),
            day=since,
        )
    else:
        first = _("{name} · {phase}", name=found.name, phase=phase_name(found.phase))
    language = language_name(found.language) if found.language else "–"
    return [
        first,
        _("Coach: {coach}. Language: {language}.", coach=found.coach or "–", language=language),
    ]


def _state(found: Card, context: WegwijzerContext) -> list[str]:
    """Invited or left, stopped or unreachable, and their last check-in."""
    lines = []
    if found.status == "invited":
        lines.append(_("Invited, has not started yet."))
    if found.status == "left":
        lines.append(_("Has left the trajectory."))
    if found.stopped:
        lines.append(_("⏸ Stopped the messages."))
    if found.unreachable:
        lines.append(_("🔕 Blocked the bot: my messages do not reach them."))
    if found.last_checkin is not None:
        day = found.last_checkin.astimezone(context.runtime.settings.zone).date()
        lines.append(_("Last check-in: {day}", day=format_day(day)))
    else:
        lines.append(_("No check-in yet."))
    return lines


UNKNOWN_KIND = "coach_talk"


def _kind(kind: str | None) -> str:
    """What kind of appointment, in the reader's language (a talk with the coach if unknown)."""
    msgid = KINDS[kind or UNKNOWN_KIND]
    return _(msgid)


def _coming(found: Card, context: WegwijzerContext) -> list[str]:
    if not found.coming:
        return [_("No appointments coming.")]
    zone = context.runtime.settings.zone
    return [_("Coming appointments:")] + [
        _(
            "• {when}: {what}, {place}",
            when=format_when(o.starts_at, zone),
            what=_kind(o.kind.value if o.kind else None),
            place=o.place or "–",
        )
        for o in found.coming
    ]


def _attendance(found: Card) -> list[str]:
    if not found.attendance:
        return [_("No attendance recorded in the last 4 weeks.")]
    return [_("Attendance, last 4 weeks:")] + [
        _("• {day}: {status}", day=format_day(day), status=_(STATUS_NAMES[status]))
        for day, status in found.attendance
    ]


def _alerts(found: Card) -> list[str]:
    if not found.alerts:
        return [_("No open alerts.")]
    return [_("Open alerts (see /meldingen):")] + [f"• {text}" for text in found.alerts]


def _card_keyboard(found: Card) -> InlineKeyboardMarkup | None:
    if found.status == "left":
        return None
    pid = found.participant_id
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_(CHECKINS), callback_data=ParticipantCheckins(pid).pack())],
            [InlineKeyboardButton(_(CHANGE_PHASE), callback_data=ChangePhase(pid).pack())],
            [InlineKeyboardButton(_(HAND_OVER), callback_data=HandOver(pid).pack())],
        ]
    )


async def _show_card(context: WegwijzerContext, chat_id: int, participant_id: int) -> None:
    runtime = context.runtime
    found = caseload.card(
        runtime.db, context.scope, participant_id, runtime.clock.now(), runtime.settings.zone
    )
    await say(context, chat_id, card_text(found, context), _card_keyboard(found))


@staff_only
async def show_participant(update: Update, context: WegwijzerContext) -> None:
    """/deelnemer NAME: one match shows the card; several give a choice."""
    chat_id = chat_of(update)
    name = " ".join(context.args or [])
    if not name.strip():
        await say(
            context, chat_id, _("Write a name after the command, like this: /deelnemer Yonas")
        )
        return
    found = caseload.named(context.runtime.db, context.scope, name)
    if not found:
        await say(context, chat_id, _("None of your participants is called {name}.", name=name))
    elif len(found) == 1:
        await _show_card(context, chat_id, found[0][0])
    else:
        rows = [
            [InlineKeyboardButton(label[:40], callback_data=OpenParticipant(pid).pack())]
            for pid, label in found[:20]
        ]
        await say(context, chat_id, _("Which one do you mean?"), InlineKeyboardMarkup(rows))


@staff_only
async def invite(update: Update, context: WegwijzerContext) -> None:
    """/uitnodigen NAME: a personal code, and a QR code that opens the bot with it."""
    chat_id = chat_of(update)
    runtime = context.runtime
    invited = caseload.invite(
        runtime.db, context.scope, " ".join(context.args or []), runtime.clock.now()
    )
    link = f"https://t.me/{context.bot.username}?start={invited.code}"
    until = format_day(invited.expires.astimezone(runtime.settings.zone).date())
    await say(
        context,
        chat_id,
        _(
            "Personal code for {name}: {code}\n"
            "They scan the QR code below, or send me: /start {code}\n"
            "The code works once, until {day}.",
            name=invited.name,
            code=invited.code,
            day=until,
        ),
    )
    caption = _("QR code for {name}", name=invited.name)
    await context.bot.send_photo(chat_id, qr_png(link), caption=caption)


async def _tapped(update: Update) -> CallbackQuery:
    """The tap, answered (the buttons say what happens next)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    return query


async def _saved(
    update: Update, context: WegwijzerContext, query: CallbackQuery, text: str
) -> None:
    """A change is saved: the card's question loses its buttons, the sender is woken."""
    await drop_buttons(query.message if isinstance(query.message, Message) else None)
    context.wake_sender()
    await say(context, chat_of(update), text)


def _rows(options: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data)] for data, label in options]
    )


@staff_only
async def open_card(update: Update, context: WegwijzerContext) -> None:
    """A name tapped in the list or among the matches: their card."""
    query = await _tapped(update)
    button = OpenParticipant.unpack(query.data)
    assert button is not None  # registered for this family only
    await _show_card(context, chat_of(update), button.participant_id)


@staff_only
@buttons_go_when_refused
async def choose_phase(update: Update, context: WegwijzerContext) -> None:
    """🔀 Change phase: the other phases, and leaving."""
    query = await _tapped(update)
    button = ChangePhase.unpack(query.data)
    assert button is not None  # registered for this family only
    pid = button.participant_id
    found = caseload.phases_to_choose(context.runtime.db, context.scope, pid)
    options = [
        (MoveToPhase(pid, cast(PhaseName, phase)).pack(), _(label))
        for phase, label in found.options
    ]
    options.append((LeavesTrajectory(pid).pack(), _(LEAVES)))
    text = _("Which phase is {name} in now? Today's date is saved with it.", name=found.name)
    await say(context, chat_of(update), text, _rows(options))


@staff_only
@buttons_go_when_refused
async def choose_outflow(update: Update, context: WegwijzerContext) -> None:
    """🚪 Leaves the trajectory: why? One category."""
    query = await _tapped(update)
    button = LeavesTrajectory.unpack(query.data)
    assert button is not None  # registered for this family only
    pid = button.participant_id
    found = caseload.outflows_to_choose(context.runtime.db, context.scope, pid)
    options = [
        (LeftBecause(pid, cast(OutflowName, value)).pack(), _(label))
        for value, label in found.options
    ]
    text = _("Why does {name} leave? Choose one.", name=found.name)
    await say(context, chat_of(update), text, _rows(options))


@staff_only
@buttons_go_when_refused
async def move_to_phase(update: Update, context: WegwijzerContext) -> None:
    """A new phase chosen: saved with today's date."""
    query = await _tapped(update)
    button = MoveToPhase.unpack(query.data)
    assert button is not None  # registered for this family only
    runtime = context.runtime
    step = caseload.move_to_phase(
        runtime.db,
        context.scope,
        button.participant_id,
        button.phase,
        runtime.clock.now(),
        runtime.settings.zone,
    )
    text = _(
        "Saved: {name} is in the phase {phase} from {day}.",
        name=step.name,
        phase=phase_name(step.phase),
        day=format_day(step.on),
    )
    await _saved(update, context, query, text)


@staff_only
@buttons_go_when_refused
async def leaves_because(update: Update, context: WegwijzerContext) -> None:
    """They leave, with this outflow category: saved, and no more messages to them."""
    query = await _tapped(update)
    button = LeftBecause.unpack(query.data)
    assert button is not None  # registered for this family only
    runtime = context.runtime
    step = caseload.leave(
        runtime.db,
        context.scope,
        button.participant_id,
        button.outflow,
        runtime.clock.now(),
        runtime.settings.zone,
    )
    text = _(
        "Saved: {name} left on {day} ({outflow}). I will not send them messages anymore.",
        name=step.name,
        day=format_day(step.on),
        outflow=_(OUTFLOW_NAMES[button.outflow]),
    )
    await _saved(update, context, query, text)


@staff_only
@buttons_go_when_refused
async def choose_coach(update: Update, context: WegwijzerContext) -> None:
    """👤 Hand over: the organisation's other coaches."""
    query = await _tapped(update)
    button = HandOver.unpack(query.data)
    assert button is not None  # registered for this family only
    pid = button.participant_id
    found = caseload.coaches_to_choose(context.runtime.db, context.scope, pid)
    options = [(HandOverTo(pid, int(cid)).pack(), name[:40]) for cid, name in found.options]
    text = (
        _("Which coach takes over {name}?", name=found.name)
        if options
        else _("There is no other coach in your organisation.")
    )
    await say(context, chat_of(update), text, _rows(options) if options else None)


@staff_only
@buttons_go_when_refused
async def hand_over_to(update: Update, context: WegwijzerContext) -> None:
    """The coach who takes over: both are told."""
    query = await _tapped(update)
    button = HandOverTo.unpack(query.data)
    assert button is not None  # registered for this family only
    runtime = context.runtime
    name, coach = caseload.hand_over(
        runtime.db, context.scope, button.participant_id, button.coach_id, runtime.clock.now()
    )
    text = _("{name} is now with {coach}. I told them both.", name=name, coach=coach)
    await _saved(update, context, query, text)


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("deelnemers", list_participants, filters=PRIVATE),
        CommandHandler("deelnemer", show_participant, filters=PRIVATE),
        CommandHandler("uitnodigen", invite, filters=PRIVATE),
        CallbackQueryHandler(open_card, pattern=OpenParticipant.matches),
        CallbackQueryHandler(choose_phase, pattern=ChangePhase.matches),
        CallbackQueryHandler(choose_outflow, pattern=LeavesTrajectory.matches),
        CallbackQueryHandler(move_to_phase, pattern=MoveToPhase.matches),
        CallbackQueryHandler(leaves_because, pattern=LeftBecause.matches),
        CallbackQueryHandler(choose_coach, pattern=HandOver.matches),
        CallbackQueryHandler(hand_over_to, pattern=HandOverTo.matches),
    ]
