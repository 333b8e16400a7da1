"""/vandaag: the coach's day list. One message per group (a place and a starting time), one row
per person: their name with what is recorded, and ✅ present · ⏰ late · ❌ absent. A tap
updates the list in place; "everyone present" marks everyone not marked yet."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import EveryonePresent, Mark, MarkName, QrCode
from bot.i18n import N_, _, format_day, format_when, ngettext
from bot.services.appointments import day_list as days
from bot.services.appointments.attendance import Expected
from bot.services.appointments.day_list import Group
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.render import qr_png, say
from bot.telegram.routes import PRIVATE
from bot.telegram.staff import staff_only

MARKS = {None: "❔", "present": "✅", "late": "⏰", "excused": "📝", "absent": "❌"}
TAPS: dict[str, Literal["present", "late", "absent"]] = {
    "p": "present",
    "l": "late",
    "a": "absent",
}
STALE = N_("This button is no longer active.")
PER_MESSAGE = 20  # rows of four buttons; Telegram allows 100 buttons in one keyboard
SIGNS: tuple[tuple[str, Literal["p", "l", "a"]], ...] = (("✅", "p"), ("⏰", "l"), ("❌", "a"))


def _groups(found: list[Expected]) -> list[list[Expected]]:
    """The expected by place and starting time, at most PER_MESSAGE to a message."""
    groups: dict[tuple[datetime, int | None], list[Expected]] = {}
    for item in found:
        groups.setdefault((item.start, item.location_id), []).append(item)
    return [
        members[i : i + PER_MESSAGE]
        for members in groups.values()
        for i in range(0, len(members), PER_MESSAGE)
    ]


def _row(item: Expected) -> list[InlineKeyboardButton]:
    """A person's name with their mark, and ✅ ⏰ ❌."""
    at = int(item.start.timestamp())
    name = f"{MARKS[item.status]} {item.name[:24]}"
    return [
        InlineKeyboardButton(name, callback_data=MarkName().pack()),
        *[
            InlineKeyboardButton(sign, callback_data=Mark(item.appointment_id, at, tap).pack())
            for sign, tap in SIGNS
        ],
    ]


def _keyboard(members: list[Expected]) -> InlineKeyboardMarkup:
    """A row per person, and "everyone present" while someone is not marked."""
    rows = [_row(item) for item in members]
    if any(item.status is None for item in members):
        first = members[0]
        everyone = EveryonePresent(first.location_id or 0, int(first.start.timestamp()))
        rows.append([InlineKeyboardButton(_("✅ Everyone present"), callback_data=everyone.pack())])
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


@staff_only
async def day_list(update: Update, context: WegwijzerContext) -> None:
    """/vandaag [day]: who is expected, a message with buttons per group."""
    chat_id = chat_of(update)
    runtime = context.runtime
    zone, now = runtime.settings.zone, runtime.clock.now()
    day = _which_day(list(context.args or []), now.astimezone(zone).date())
    if day is None:
        await say(context, chat_id, _("Write the day like this: /vandaag 23-11"))
        return
    found = days.expected(runtime.db, context.scope, day, now, zone)
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
        where = _(
            "{place}, {when}", place=first.location or "?", when=format_when(first.start, zone)
        )
        await say(context, chat_id, where, _keyboard(members))


async def tap(update: Update, context: WegwijzerContext) -> None:
    """A button of the day list: the name in a row does nothing, a mark is recorded."""
    query = update.callback_query
    assert query is not None
    if MarkName.matches(query.data):
        await query.answer()
        return
    await _mark(update, context)


@staff_only
async def _mark(update: Update, context: WegwijzerContext) -> None:
    """A mark, or "everyone present": record it, then redraw that group's list in place."""
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    zone, now = runtime.settings.zone, runtime.clock.now()
    mark, everyone = Mark.unpack(query.data), EveryonePresent.unpack(query.data)
    if mark is not None:
        group = days.mark_one(
            runtime.db, context.scope, mark.appointment, mark.at, TAPS[mark.mark], now, zone
        )
    elif everyone is not None:
        group = days.mark_everyone(
            runtime.db, context.scope, everyone.location or None, everyone.at, now, zone
        )
    else:
        await query.answer(_(STALE))
        return
    await query.answer(_("Saved."))
    await _redraw(query, group)


def _day_list_button(data: object) -> bool:
    """For the registration: a mark, "everyone present", or the name in a row."""
    return Mark.matches(data) or EveryonePresent.matches(data) or MarkName.matches(data)


async def _redraw(query: CallbackQuery, group: Group) -> None:
    """Show the group's new marks in the message tapped (the part with the tapped person)."""
    members = list(group.members)
    chunks = [members[i : i + PER_MESSAGE] for i in range(0, len(members), PER_MESSAGE)]
    shown = next(
        (c for c in chunks if any(e.participant_id == group.tapped for e in c)),
        chunks[0] if chunks else [],
    )
    if shown and query.message is not None:
        try:
            await query.edit_message_reply_markup(reply_markup=_keyboard(shown))
        except BadRequest:
            pass  # unchanged (a second tap on the same mark)


@staff_only
async def qr_codes(update: Update, context: WegwijzerContext) -> None:
    """/qr: choose a location; the bot sends today's check-in code for it as a printable image."""
    chat_id = chat_of(update)
    places = days.checkin_places(context.runtime.db, context.scope)
    if not places:
        await say(context, chat_id, _("Your organisation has no locations yet."))
        return
    rows = [
        [InlineKeyboardButton(name[:40], callback_data=QrCode(pid).pack())] for pid, name in places
    ]
    await say(
        context,
        chat_id,
        _("Which location? You get today's check-in code to print or show on a screen."),
        InlineKeyboardMarkup(rows),
    )


async def qr_tap(update: Update, context: WegwijzerContext) -> None:
    """A location under /qr: answered at once, then today's code of that place."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await send_code(update, context)


@staff_only
async def send_code(update: Update, context: WegwijzerContext) -> None:
    """Today's check-in code of the tapped place, as a QR image to print."""
    query = update.callback_query
    button = QrCode.unpack(query.data if query else None)
    if button is None:
        return
    runtime = context.runtime
    code = days.todays_code(
        runtime.db, context.scope, button.location, runtime.clock.now(), runtime.settings.zone
    )
    link = f"https://t.me/{context.bot.username}?start={code.payload}"
    await context.bot.send_photo(
        chat_of(update),
        qr_png(link),
        caption=_(
            "{place}, {day}: scan this code with your phone to check in. It works only today.",
            place=code.place,
            day=format_day(code.day),
        ),
    )


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("vandaag", day_list, filters=PRIVATE),
        CommandHandler("qr", qr_codes, filters=PRIVATE),
        CallbackQueryHandler(tap, pattern=_day_list_button),
        CallbackQueryHandler(qr_tap, pattern=QrCode.matches),
    ]
