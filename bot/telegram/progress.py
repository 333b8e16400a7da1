"""Check-ins seen back: the coach opens a participant's answers per domain (with the change since
last time, their own scores beside them, and a chart as a photo) and records their own score
after a talk; the participant sees their own answers with /voortgang, worded encouragingly."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from babel.lists import format_list
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import ParticipantCheckins, ScoreHowMuch, ScoreLevel, ScoreWhichTopic
from bot.charts import chart_png
from bot.i18n import N_, _, current_locale, format_day, use_locale
from bot.services.checkins.signals import DOMAIN_NAMES
from bot.services.coaching import progress
from bot.services.coaching.progress import DomainRow, Progress
from bot.telegram.checkins import FOR_PARTICIPANTS, NOT_CONNECTED
from bot.telegram.context import WegwijzerContext, chat_of
from bot.telegram.render import drop_buttons, say
from bot.telegram.routes import PRIVATE
from bot.telegram.staff import staff_only
from flows.steps.scale import DOMAINS, LEVELS

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


def staff_text(found: Progress, zone: ZoneInfo) -> str:
    """The coach's view: per domain the last answer, its change, and their own score."""
    if not found.rows:
        return _(NONE_YET, name=found.name)
    lines = [_(HEADER, name=found.name), ""]
    for row in found.rows:
        lines += _row_lines(row, zone)
    if found.agenda:
        names = format_list([_(DOMAIN_NAMES[d]) for d in found.agenda], locale=current_locale())
        lines += ["", _(AGENDA, domains=names)]
    return "\n".join(lines)


def _row_lines(row: DomainRow, zone: ZoneInfo) -> list[str]:
    """One domain: the participant's last answer (⬆️/⬇️ since the one before), the coach's."""
    lines = []
    if row.level is not None and row.at is not None:
        msgid = ROW if row.change == 0 else ROW_UP if row.change > 0 else ROW_DOWN
        marker = "" if row.change == 0 else "⬆️ " if row.change > 0 else "⬇️ "
        day = format_day(row.at.astimezone(zone).date())
        name = domain_name(row.domain)
        lines.append(marker + _(msgid, domain=name, level=row.level, day=day, before=row.before))
    if row.coach_level is not None and row.coach_at is not None:
        day = format_day(row.coach_at.astimezone(zone).date())
        coach = _(ROW_COACH, domain=domain_name(row.domain), level=row.coach_level, day=day)
        lines.append("   " + coach)
    return lines


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
    chat_id = chat_of(update)
    identity = context.identity
    if identity is not None and identity.audience == "staff":
        await say(context, chat_id, _(FOR_PARTICIPANTS))
        return
    found = progress.own(context.runtime.db, chat_id)
    if found is None:
        await say(context, chat_id, _(NOT_CONNECTED))
        return
    await say(context, chat_id, own_text(found))


async def show(context: WegwijzerContext, chat_id: int, participant_id: int) -> None:
    """A participant's check-ins for their coach: the text, then the chart."""
    runtime = context.runtime
    zone = runtime.settings.zone
    found = progress.of_participant(runtime.db, context.scope, participant_id, runtime.clock.now())
    score = ScoreWhichTopic(participant_id).pack()
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(_(SCORE), callback_data=score)]])
    await say(context, chat_id, staff_text(found, zone), markup)
    if found.rows:
        picture = await asyncio.to_thread(_draw, found, zone, current_locale())
        await context.bot.send_photo(chat_id, picture, caption=_(HEADER, name=found.name))


def _draw(found: Progress, zone: ZoneInfo, lang: str) -> bytes:
    with use_locale(lang):  # a worker thread starts without the update's locale
        return chart_png(found, zone)


@staff_only
async def open_checkins(update: Update, context: WegwijzerContext) -> None:
    """📊 Check-ins on the card: the participant's answers and the chart."""
    query = update.callback_query
    assert query is not None
    button = ParticipantCheckins.unpack(query.data)
    assert button is not None  # registered for this family only
    await query.answer()
    await show(context, chat_of(update), button.participant_id)


@staff_only
async def choose_topic(update: Update, context: WegwijzerContext) -> None:
    """✍️ Give your own score: which topic?"""
    query = update.callback_query
    assert query is not None
    button = ScoreWhichTopic.unpack(query.data)
    assert button is not None  # registered for this family only
    await query.answer()
    pid = button.participant_id
    name = progress.name_to_score(context.runtime.db, context.scope, pid)
    rows = [
        [InlineKeyboardButton(domain_name(d), callback_data=ScoreHowMuch(pid, d).pack())]
        for d in DOMAINS
    ]
    await say(context, chat_of(update), _(WHICH, name=name), InlineKeyboardMarkup(rows))


@staff_only
async def choose_level(update: Update, context: WegwijzerContext) -> None:
    """A topic chosen: which level, 1 to 5?"""
    query = update.callback_query
    assert query is not None
    button = ScoreHowMuch.unpack(query.data)
    assert button is not None  # registered for this family only
    await query.answer()
    pid, domain = button.participant_id, button.domain
    name = progress.name_to_score(context.runtime.db, context.scope, pid, domain)
    rows = [
        [InlineKeyboardButton(_(label), callback_data=ScoreLevel(pid, domain, i + 1).pack())]
        for i, label in enumerate(SCORES)
    ]
    text = _(HOW_MUCH, name=name, domain=_(DOMAIN_NAMES[domain]))
    await say(context, chat_of(update), text, InlineKeyboardMarkup(rows))


@staff_only
async def record_score(update: Update, context: WegwijzerContext) -> None:
    """The coach's own score, saved beside the participant's answers."""
    query = update.callback_query
    assert query is not None
    button = ScoreLevel.unpack(query.data)
    assert button is not None  # registered for this family only
    await query.answer()
    runtime = context.runtime
    name, row = progress.score(
        runtime.db,
        context.scope,
        button.participant_id,
        button.domain,
        button.level,
        runtime.clock.now(),
    )
    await drop_buttons(query.message if isinstance(query.message, Message) else None)
    domain = _(DOMAIN_NAMES[button.domain])
    await say(context, chat_of(update), _(SAVED, name=name, domain=domain, level=row.coach_level))


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        CommandHandler("voortgang", my_progress, filters=PRIVATE),
        CallbackQueryHandler(open_checkins, pattern=ParticipantCheckins.matches),
        CallbackQueryHandler(choose_topic, pattern=ScoreWhichTopic.matches),
        CallbackQueryHandler(choose_level, pattern=ScoreHowMuch.matches),
        CallbackQueryHandler(record_score, pattern=ScoreLevel.matches),
    ]
