"""/vandaag: the coach's day list. One message per group (a place and a starting time), one row
per person: their name with what is recorded, and ✅ present · ⏰ late · ❌ absent. A tap
updates the list in place; "everyone present" marks everyone not marked yet."""

from __future__ import annotations

from datetime import date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.i18n import _, format_day, format_when, ngettext
from bot.refusals import refusal
from bot.services.appointments import attendance
from bot.services.appointments.attendance import Expected
from bot.services.errors import Refused
from bot.services.people import scope
from bot.telegram.context import WegwijzerContext
from bot.telegram.render import qr_png, say
from bot.telegram.routes import PRIVATE
from storage.models import AttendanceStatus

PATTERN = r"^at:(\d+:\d+:[pla]|all:\d+:\d+|noop)$"
MARKS = {
    None: "❔",
    AttendanceStatus.PRESENT: "✅",
    AttendanceStatus.LATE: "⏰",
    AttendanceStatus.EXCUSED: "📝",
    AttendanceStatus.ABSENT: "❌",
}
TAPS = {"p": AttendanceStatus.PRESENT, "l": AttendanceStatus.LATE, "a": AttendanceStatus.ABSENT}
PER_MESSAGE = 20  # rows of four buttons; Telegram allows 100 buttons in one keyboard


def _groups(found: list[Expected]) -> list[list[Expected]]:
    groups: dict[tuple[datetime, int | None], list[Expected]] = {}
    for item in found:
        groups.setdefault((item.start, item.location_id), []).append(item)
    return [
        members[i : i + PER_MESSAGE]
        for members in groups.values()
        for i in range(0, len(members), PER_MESSAGE)
    ]


def _keyboard(members: list[Expected]) -> InlineKeyboardMarkup:
    rows = []
    for item in members:
        stamp = f"{item.appointment_id}:{int(item.start.timestamp())}"
        rows.append(
            [
                InlineKeyboardButton(
                    f"{MARKS[item.status]} {item.name[:24]}", callback_data="at:noop"
                ),
                InlineKeyboardButton("✅", callback_data=f"at:{stamp}:p"),
                InlineKeyboardButton("⏰", callback_data=f"at:{stamp}:l"),
                InlineKeyboardButton("❌", callback_data=f"at:{stamp}:a"),
            ]
        )
    if any(item.status is None for item in members):
        first = members[0]
        rows.append(
            [
                InlineKeyboardButton(
                    _("✅ Everyone present"),
                    callback_data=f"at:all:{first.location_id or 0}:{int(first.start.timestamp())}",
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


def _which_day(args: list[str], today: date) -> date | None:
    """No argument: today. "23-11": that day this year (to correct an earlier day)."""
    if not args:
        return today
    try:
        day_text, month_text = args[0].replace("/", "-").split("-")[:2]
        return date(today.year, int(month_text), int(day_text))
    except ValueError:
        return None


async def day_list(update: Update, context: WegwijzerContext) -> None:
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    runtime = context.runtime
    zone = runtime.settings.zone
    today = runtime.clock.now().astimezone(zone).date()
    day = _which_day(list(context.args or []), today)
    if day is None:
        await say(context, chat_id, _("Write the day like this: /vandaag 23-11"))
        return
    if day > today:
        await say(context, chat_id, refusal(Refused("not_yet")))
        return
    try:
        with runtime.session_factory() as session:
            with session.begin():
                mine = scope.of_staff(session, chat_id)
            found = attendance.expected_on(session, mine, day, zone)
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return
    if not found:
        await say(context, chat_id, _("Nobody is expected on {day}.", day=format_day(day)))
        return
    await say(
        context,
        chat_id,
        ngettext(
            "{day}: {n} person expected. Tap ✅ present, ⏰ late or ❌ absent.",
            "{day}: {n} people expected. Tap ✅ present, ⏰ late or ❌ absent.",
            len(found),
            day=format_day(day),
        ),
    )
    for members in _groups(found):
        first = members[0]
        await say(
            context,
            chat_id,
            _("{place}, {when}", place=first.location or "?", when=format_when(first.start, zone)),
            _keyboard(members),
        )


async def tap(update: Update, context: WegwijzerContext) -> None:
    """A mark, or "everyone present": record it, then redraw that group's list in place."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    if query.data == "at:noop":
        await query.answer()
        return
    runtime = context.runtime
    zone, now = runtime.settings.zone, runtime.clock.now()
    parts = query.data.split(":")
    try:
        with runtime.session_factory() as session:
            with session.begin():
                mine = scope.of_staff(session, chat_id)
            tapped: int | None = None
            if parts[1] == "all":
                location_id = int(parts[2]) or None
                start = datetime.fromtimestamp(int(parts[3]), now.tzinfo)
                attendance.everyone_present(session, mine, location_id, start, now, zone)
            else:
                start = datetime.fromtimestamp(int(parts[2]), now.tzinfo)
                tapped = attendance.mark(
                    session, mine, int(parts[1]), start, TAPS[parts[3]], now, zone
                )
            day = attendance.expected_on(session, mine, start.astimezone(zone).date(), zone)
            if tapped is not None:
                location_id = next(
                    (e.location_id for e in day if e.participant_id == tapped and e.start == start),
                    None,
                )
            members = [e for e in day if e.start == start and e.location_id == location_id]
    except Refused as error:
        await query.answer()
        await say(context, chat_id, refusal(error))
        return
    await query.answer(_("Saved."))
    chunks = [members[i : i + PER_MESSAGE] for i in range(0, len(members), PER_MESSAGE)]
    shown = next(
        (c for c in chunks if any(e.participant_id == tapped for e in c)),
        chunks[0] if chunks else [],
    )
    if shown and query.message is not None:
        try:
            await query.edit_message_reply_markup(reply_markup=_keyboard(shown))
        except BadRequest:
            pass  # unchanged (a second tap on the same mark)


async def qr_codes(update: Update, context: WegwijzerContext) -> None:
    """/qr: choose a location; the bot sends today's check-in code for it as a printable image."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        with runtime.session_factory() as session, session.begin():
            mine = scope.of_staff(session, chat_id)
            places = [(p.id, p.name) for p in attendance.checkin_locations(session, mine)]
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return
    if not places:
        await say(context, chat_id, _("Your organisation has no locations yet."))
        return
    rows = [[InlineKeyboardButton(name[:40], callback_data=f"qr:{pid}")] for pid, name in places]
    await say(
        context,
        chat_id,
        _("Which location? You get today's check-in code to print or show on a screen."),
        InlineKeyboardMarkup(rows),
    )


async def qr_tap(update: Update, context: WegwijzerContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    runtime = context.runtime
    today = runtime.clock.now().astimezone(runtime.settings.zone).date()
    await query.answer()
    try:
        with runtime.session_factory() as session, session.begin():
            mine = scope.of_staff(session, chat_id)
            location = attendance.checkin_location(session, mine, int(query.data.split(":")[1]))
            payload, place = attendance.checkin_payload(location, today), location.name
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return
    link = f"https://t.me/{context.bot.username}?start={payload}"
    await context.bot.send_photo(
        chat_id,
        qr_png(link),
        caption=_(
            "{place}, {day}: scan this code with your phone to check in. It works only today.",
            place=place,
            day=format_day(today),
        ),
    )


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("vandaag", day_list, filters=PRIVATE),
        CommandHandler("qr", qr_codes, filters=PRIVATE),
        CallbackQueryHandler(tap, pattern=PATTERN),
        CallbackQueryHandler(qr_tap, pattern=r"^qr:\d+$"),
    ]
