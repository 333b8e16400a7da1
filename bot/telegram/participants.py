"""/deelnemers, /deelnemer NAME and /uitnodigen NAME: the coach's people at a glance, one person's
card with taps to change their phase or hand them over, and a personal invite with a QR code."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.i18n import N_, _, format_day, format_when, language_name, ngettext
from bot.refusals import refusal
from bot.services.appointments.reminder_texts import KINDS
from bot.services.errors import Refused
from bot.services.people import participants, scope
from bot.services.people.participants import OUTFLOWS, PHASES, Card, Glance
from bot.telegram.context import WegwijzerContext
from bot.telegram.progress import CHECKINS
from bot.telegram.render import drop_buttons, qr_png, say
from bot.telegram.routes import PRIVATE
from storage.models import AttendanceStatus, Outflow, ParticipantStatus, Phase

PATTERN = r"^dn:(\d+|ph:\d+|to:\d+:\w+|out:\d+|left:\d+:\w+|ho:\d+|hoto:\d+:\d+)$"
PER_MESSAGE = 50
STATUS = {
    AttendanceStatus.PRESENT: N_("✅ present"),
    AttendanceStatus.LATE: N_("⏰ late"),
    AttendanceStatus.EXCUSED: N_("📝 excused"),
    AttendanceStatus.ABSENT: N_("❌ absent"),
}
CHANGE_PHASE, HAND_OVER = N_("🔀 Change phase"), N_("👤 Hand over to another coach")
LEAVES = N_("🚪 Leaves the trajectory")


def phase_name(phase: Phase | None) -> str:
    return _(PHASES[phase]) if phase else "–"


def _line(person: Glance) -> str:
    if person.status == ParticipantStatus.INVITED:
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


async def list_participants(update: Update, context: WegwijzerContext) -> None:
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        with runtime.session_factory() as session, session.begin():
            mine = scope.of_staff(session, chat_id)
            people = participants.overview(session, mine, runtime.clock.now())
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return
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
            InlineKeyboardButton(p.name[:30], callback_data=f"dn:{p.participant_id}") for p in chunk
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        await say(context, chat_id, "\n".join(_line(p) for p in chunk), InlineKeyboardMarkup(rows))
    await say(
        context,
        chat_id,
        _("Tap a name to see more. A new participant: /uitnodigen and their name."),
    )


def card_text(found: Card, context: WegwijzerContext) -> str:
    zone = context.runtime.settings.zone
    lines = []
    if found.phase and found.phase_since:
        lines.append(
            _(
                "{name} · {phase} since {day}",
                name=found.name,
                phase=phase_name(found.phase),
                day=format_day(found.phase_since.astimezone(zone).date()),
            )
        )
    else:
        lines.append(_("{name} · {phase}", name=found.name, phase=phase_name(found.phase)))
    lines.append(
        _(
            "Coach: {coach}. Language: {language}.",
            coach=found.coach or "–",
            language=language_name(found.language) if found.language else "–",
        )
    )
    if found.status == ParticipantStatus.INVITED:
        lines.append(_("Invited, has not started yet."))
    if found.status == ParticipantStatus.LEFT:
        lines.append(_("Has left the trajectory."))
    if found.stopped:
        lines.append(_("⏸ Stopped the messages."))
    if found.unreachable:
        lines.append(_("🔕 Blocked the bot: my messages do not reach them."))
    if found.last_checkin is not None:
        lines.append(
            _("Last check-in: {day}", day=format_day(found.last_checkin.astimezone(zone).date()))
        )
    else:
        lines.append(_("No check-in yet."))
    lines.append("")
    if found.coming:
        lines.append(_("Coming appointments:"))
        lines += [
            _(
                "• {when}: {what}, {place}",
                when=format_when(o.starts_at, zone),
                what=_(KINDS.get(o.kind, KINDS["coach_talk"])),
                place=o.place or "–",
            )
            for o in found.coming
        ]
    else:
        lines.append(_("No appointments coming."))
    lines.append("")
    if found.attendance:
        lines.append(_("Attendance, last 4 weeks:"))
        lines += [
            _("• {day}: {status}", day=format_day(day), status=_(STATUS[status]))
            for day, status in found.attendance
        ]
    else:
        lines.append(_("No attendance recorded in the last 4 weeks."))
    lines.append("")
    if found.alerts:
        lines.append(_("Open alerts (see /meldingen):"))
        lines += [f"• {text}" for text in found.alerts]
    else:
        lines.append(_("No open alerts."))
    text = "\n".join(lines)
    return text if len(text) <= 4000 else text[:3990] + "\n…"


def _card_keyboard(found: Card) -> InlineKeyboardMarkup | None:
    if found.status == ParticipantStatus.LEFT:
        return None
    pid = found.participant_id
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_(CHECKINS), callback_data=f"pg:{pid}")],
            [InlineKeyboardButton(_(CHANGE_PHASE), callback_data=f"dn:ph:{pid}")],
            [InlineKeyboardButton(_(HAND_OVER), callback_data=f"dn:ho:{pid}")],
        ]
    )


async def _show_card(context: WegwijzerContext, chat_id: int, participant_id: int) -> None:
    runtime = context.runtime
    try:
        with runtime.session_factory() as session:
            with session.begin():
                mine = scope.of_staff(session, chat_id)
            found = participants.card(
                session, mine, participant_id, runtime.clock.now(), runtime.settings.zone
            )
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return
    await say(context, chat_id, card_text(found, context), _card_keyboard(found))


async def show_participant(update: Update, context: WegwijzerContext) -> None:
    """/deelnemer NAME: one match shows the card; several give a choice."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    name = " ".join(context.args or [])
    runtime = context.runtime
    if not name.strip():
        await say(
            context, chat_id, _("Write a name after the command, like this: /deelnemer Yonas")
        )
        return
    try:
        with runtime.session_factory() as session, session.begin():
            mine = scope.of_staff(session, chat_id)
            found = [(p.id, p.display_name or "?") for p in participants.find(session, mine, name)]
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return
    if not found:
        await say(context, chat_id, _("None of your participants is called {name}.", name=name))
    elif len(found) == 1:
        await _show_card(context, chat_id, found[0][0])
    else:
        rows = [
            [InlineKeyboardButton(label[:40], callback_data=f"dn:{pid}")]
            for pid, label in found[:20]
        ]
        await say(context, chat_id, _("Which one do you mean?"), InlineKeyboardMarkup(rows))


async def invite(update: Update, context: WegwijzerContext) -> None:
    """/uitnodigen NAME: a personal code, and a QR code that opens the bot with it."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    runtime = context.runtime
    now = runtime.clock.now()
    try:
        with runtime.session_factory() as session, session.begin():
            mine = scope.of_staff(session, chat_id)
            code, expires, person = participants.invite(
                session, mine, " ".join(context.args or []), now
            )
            name = person.display_name or "?"
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return
    link = f"https://t.me/{context.bot.username}?start={code}"
    until = format_day(expires.astimezone(runtime.settings.zone).date())
    await say(
        context,
        chat_id,
        _(
            "Personal code for {name}: {code}\n"
            "They scan the QR code below, or send me: /start {code}\n"
            "The code works once, until {day}.",
            name=name,
            code=code,
            day=until,
        ),
    )
    await context.bot.send_photo(chat_id, qr_png(link), caption=_("QR code for {name}", name=name))


async def tap(update: Update, context: WegwijzerContext) -> None:
    """The taps under the list and the card: open a card, change phase, hand over."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    parts = query.data.split(":")[1:]
    await query.answer()
    if len(parts) == 1:
        await _show_card(context, chat_id, int(parts[0]))
        return
    runtime = context.runtime
    now, zone = runtime.clock.now(), runtime.settings.zone
    action, pid = parts[0], int(parts[1])
    try:
        with runtime.session_factory() as session, session.begin():
            mine = scope.of_staff(session, chat_id)
            person = scope.participant(session, mine, pid)
            name = person.display_name or "?"
            if action == "ph":
                rows = [
                    [InlineKeyboardButton(_(label), callback_data=f"dn:to:{pid}:{phase.value}")]
                    for phase, label in PHASES.items()
                    if phase != person.phase
                ]
                rows.append([InlineKeyboardButton(_(LEAVES), callback_data=f"dn:out:{pid}")])
                text = _("Which phase is {name} in now? Today's date is saved with it.", name=name)
            elif action == "out":
                rows = [
                    [InlineKeyboardButton(_(label), callback_data=f"dn:left:{pid}:{outflow.value}")]
                    for outflow, label in OUTFLOWS.items()
                ]
                text = _("Why does {name} leave? Choose one.", name=name)
            elif action == "to":
                change = participants.change_phase(session, mine, pid, Phase(parts[2]), now, zone)
                rows, text = (
                    [],
                    _(
                        "Saved: {name} is in the phase {phase} from {day}.",
                        name=name,
                        phase=phase_name(change.to_phase),
                        day=format_day(change.on),
                    ),
                )
            elif action == "left":
                change = participants.change_phase(
                    session, mine, pid, None, now, zone, outflow=Outflow(parts[2])
                )
                rows, text = (
                    [],
                    _(
                        "Saved: {name} left on {day} ({outflow}). "
                        "I will not send them messages anymore.",
                        name=name,
                        day=format_day(change.on),
                        outflow=_(OUTFLOWS[Outflow(parts[2])]),
                    ),
                )
            elif action == "ho":
                others = [c for c in participants.coaches(session, mine) if c.id != person.coach_id]
                rows = [
                    [InlineKeyboardButton(c.name[:40], callback_data=f"dn:hoto:{pid}:{c.id}")]
                    for c in others
                ]
                text = (
                    _("Which coach takes over {name}?", name=name)
                    if others
                    else _("There is no other coach in your organisation.")
                )
            else:  # hoto
                coach = participants.hand_over(session, mine, pid, int(parts[2]), now)
                rows, text = (
                    [],
                    _("{name} is now with {coach}. I told them both.", name=name, coach=coach.name),
                )
    except Refused as error:
        await drop_buttons(query.message)  # type: ignore[arg-type]
        await say(context, chat_id, refusal(error))
        return
    except ValueError:  # a phase or category we never offered: an old or made-up button
        await drop_buttons(query.message)  # type: ignore[arg-type]
        await say(context, chat_id, _("This button is no longer active."))
        return
    if action in ("to", "left", "hoto"):
        await drop_buttons(query.message)  # type: ignore[arg-type]
        context.wake_sender()
    await say(context, chat_id, text, InlineKeyboardMarkup(rows) if rows else None)


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("deelnemers", list_participants, filters=PRIVATE),
        CommandHandler("deelnemer", show_participant, filters=PRIVATE),
        CommandHandler("uitnodigen", invite, filters=PRIVATE),
        CallbackQueryHandler(tap, pattern=PATTERN),
    ]
