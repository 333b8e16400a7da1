"""Check-ins seen back: the coach opens a participant's answers per domain (with the change since
last time, their own scores beside them, and a chart as a photo) and records their own score
after a talk; the participant sees their own answers with /voortgang, worded encouragingly."""

from __future__ import annotations

import asyncio

from babel.lists import format_list
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.charts import chart_png
from bot.i18n import N_, _, current_locale, format_day
from bot.refusals import refusal
from bot.services.checkins.signals import DOMAIN_NAMES
from bot.services.coaching import progress
from bot.services.coaching.progress import DomainRow, Progress
from bot.services.errors import NotAParticipant, Refused
from bot.services.people import scope
from bot.telegram.checkins import FOR_PARTICIPANTS, NOT_CONNECTED
from bot.telegram.context import WegwijzerContext
from bot.telegram.render import drop_buttons, say
from bot.telegram.routes import PRIVATE
from flows.steps.scale import DOMAINS, LEVELS

PATTERN = r"^pg:\d+(:\w+(:[1-5])?)?$|^pgs:\d+$"
CHECKINS = N_("📊 Check-ins")
SCORE = N_("✍️ Give your own score")
HEADER = N_("Check-ins of {name}. These are their own answers, not an official ZRM score.")
ROW = N_("{domain}: {level} of 5 on {day}")
ROW_UP = N_("{domain}: {level} of 5 on {day}, up from {before}")
ROW_DOWN = N_("{domain}: {level} of 5 on {day}, down from {before}")
ROW_COACH = N_("{domain}, coach's score: {level} of 5 on {day}")
AGENDA = N_(
    "The coach's score differs from their own answer on: {domains}. Talk about it next time."
)
NONE_YET = N_("{name} has not answered a check-in yet.")
WHICH = N_("Which topic do you score for {name}?")
HOW_MUCH = N_("Your score for {name} on {domain}, after your talk:")
SCORES = (
    N_("1 acute problems"),
    N_("2 not self-sufficient"),
    N_("3 limited self-sufficiency"),
    N_("4 sufficiently self-sufficient"),
    N_("5 fully self-sufficient"),
)
SAVED = N_("Saved: your score for {name} on {domain} is {level} of 5.")
MINE = N_("Your answers. Thank you for sharing them!")
MINE_ROW = N_("{domain}: {answer}")
MINE_ROW_BEFORE = N_("{domain}: {answer} (last time: {before})")
BETTER = N_("Better than last time: {domains}. Well done!")
KEEP = N_("Every answer helps your coach to help you.")
MINE_NONE = N_("You have not answered any questions yet. Send /hoegaathet to start.")


def domain_name(domain: str) -> str:
    name = _(DOMAIN_NAMES[domain])
    return name[:1].upper() + name[1:]


def staff_text(found: Progress, zone: object) -> str:
    if not found.rows:
        return _(NONE_YET, name=found.name)
    lines = [_(HEADER, name=found.name), ""]
    for row in found.rows:
        if row.level is not None and row.at is not None:
            msgid = ROW if row.change == 0 else ROW_UP if row.change > 0 else ROW_DOWN
            marker = "" if row.change == 0 else "⬆️ " if row.change > 0 else "⬇️ "
            lines.append(
                marker
                + _(
                    msgid,
                    domain=domain_name(row.domain),
                    level=row.level,
                    day=format_day(row.at.astimezone(zone).date()),  # type: ignore[arg-type]
                    before=row.before,
                )
            )
        if row.coach_level is not None and row.coach_at is not None:
            lines.append(
                "   "
                + _(
                    ROW_COACH,
                    domain=domain_name(row.domain),
                    level=row.coach_level,
                    day=format_day(row.coach_at.astimezone(zone).date()),  # type: ignore[arg-type]
                )
            )
    if found.agenda:
        names = format_list([_(DOMAIN_NAMES[d]) for d in found.agenda], locale=current_locale())
        lines += ["", _(AGENDA, domains=names)]
    return "\n".join(lines)


def own_text(found: Progress) -> str:
    if not found.rows:
        return _(MINE_NONE)
    lines = [_(MINE), ""]
    for row in found.rows:
        assert row.level is not None
        answer = _(LEVELS[row.level - 1])
        if row.before is None:
            lines.append(_(MINE_ROW, domain=domain_name(row.domain), answer=answer))
        else:
            lines.append(
                _(
                    MINE_ROW_BEFORE,
                    domain=domain_name(row.domain),
                    answer=answer,
                    before=_(LEVELS[row.before - 1]),
                )
            )
    better = [_(DOMAIN_NAMES[r.domain]) for r in found.rows if r.change > 0]
    lines.append("")
    if better:
        lines.append(_(BETTER, domains=format_list(better, locale=current_locale())))
    else:
        lines.append(_(KEEP))
    return "\n".join(lines)


async def my_progress(update: Update, context: WegwijzerContext) -> None:
    """/voortgang: the participant's own answers, in their language."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    identity = context.identity
    if identity is not None and identity.audience == "staff":
        await say(context, chat_id, _(FOR_PARTICIPANTS))
        return
    with context.runtime.session_factory() as session:
        try:
            found = progress.for_participant(session, chat_id)
        except NotAParticipant:
            await say(context, chat_id, _(NOT_CONNECTED))
            return
    await say(context, chat_id, own_text(found))


async def show(context: WegwijzerContext, chat_id: int, participant_id: int) -> None:
    """A participant's check-ins for their coach: the text, then the chart."""
    runtime = context.runtime
    zone = runtime.settings.zone
    with runtime.session_factory() as session:
        with session.begin():
            mine = scope.of_staff(session, chat_id)
        found = progress.for_staff(session, mine, participant_id, runtime.clock.now())
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_(SCORE), callback_data=f"pgs:{participant_id}")]]
    )
    await say(context, chat_id, staff_text(found, zone), markup)
    if found.rows:
        picture = await asyncio.to_thread(_draw, found, zone, current_locale())
        await context.bot.send_photo(chat_id, picture, caption=_(HEADER, name=found.name))


def _draw(found: Progress, zone: object, lang: str) -> bytes:
    from bot.i18n import use_locale

    with use_locale(lang):  # a worker thread starts without the update's locale
        return chart_png(found, zone)  # type: ignore[arg-type]


async def tap(update: Update, context: WegwijzerContext) -> None:
    """📊 Check-ins on the card, ✍️ a score: choose the topic, then the level."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    await query.answer()
    head, number, *rest = query.data.split(":")
    pid = int(number)
    runtime = context.runtime
    try:
        if head == "pg" and not rest:
            await show(context, chat_id, pid)
            return
        with runtime.session_factory() as session:
            with session.begin():
                mine = scope.of_staff(session, chat_id)
                name = scope.participant(session, mine, pid).display_name or "?"
            if head == "pgs":
                rows = [
                    [InlineKeyboardButton(domain_name(d), callback_data=f"pg:{pid}:{d}")]
                    for d in DOMAINS
                ]
                await say(context, chat_id, _(WHICH, name=name), InlineKeyboardMarkup(rows))
                return
            domain = rest[0]
            if domain not in DOMAINS:
                raise Refused("unknown_domain")
            if len(rest) == 1:
                rows = [
                    [InlineKeyboardButton(_(label), callback_data=f"pg:{pid}:{domain}:{i + 1}")]
                    for i, label in enumerate(SCORES)
                ]
                text = _(HOW_MUCH, name=name, domain=_(DOMAIN_NAMES[domain]))
                await say(context, chat_id, text, InlineKeyboardMarkup(rows))
                return
            row: DomainRow = progress.record_score(
                session, mine, pid, domain, int(rest[1]), runtime.clock.now()
            )
    except Refused as error:
        await say(context, chat_id, refusal(error))
        return
    await drop_buttons(query.message)  # type: ignore[arg-type]
    await say(
        context,
        chat_id,
        _(SAVED, name=name, domain=_(DOMAIN_NAMES[domain]), level=row.coach_level),
    )


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("voortgang", my_progress, filters=PRIVATE),
        CallbackQueryHandler(tap, pattern=PATTERN),
    ]
