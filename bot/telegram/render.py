"""Turn flow effects and texts into Telegram messages in the current locale."""

from __future__ import annotations

import asyncio
import io
import re

import segno
from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
)
from telegram.error import BadRequest, NetworkError

from bot.i18n import N_, _, language_name
from bot.telegram.context import WegwijzerContext
from flows.model import Button, Send

_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
CHOSEN = N_("{question}\n\n✓ {choice}")
REPLY_ATTEMPTS = 4


def label(button: Button) -> str:
    if button.kind == "language":
        return language_name(button.label)
    return button.label if button.kind == "literal" else _(button.label)


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """One button per row: big targets on small screens, and no left/right order to get wrong."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label(b), callback_data=b.data)] for b in buttons]
    )


async def show(context: WegwijzerContext, chat_id: int, send: Send) -> Message:
    text = send.text if send.literal else _(send.text, **send.params)
    return await say(context, chat_id, text, keyboard(send.buttons))


async def say(
    context: WegwijzerContext, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Send a translated reply as plain text (never parsed as HTML), retrying network hiccups
    a few times (the rate limiter waits out 429s); a person who wrote should get their answer."""
    for attempt in range(REPLY_ATTEMPTS):
        try:
            return await context.bot.send_message(chat_id, text, reply_markup=markup)
        except NetworkError as error:
            if isinstance(error, BadRequest) or attempt == REPLY_ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.2 * 2**attempt)
    raise AssertionError("unreachable")


async def drop_buttons(message: MaybeInaccessibleMessage | None) -> None:
    """Take the buttons off a message once tapped, so an old question cannot be answered twice."""
    if not isinstance(message, Message):
        return  # none, or too old for the bot to see (and so to edit)
    try:
        await message.edit_reply_markup(reply_markup=None)
    except BadRequest:
        pass  # too old to edit, or already without buttons


async def show_choice(query: CallbackQuery) -> None:
    """Take the buttons off a tapped question and keep what was chosen under it ("✓ 🙂 Good"),
    so the chat shows every answer given; a message that cannot be edited just loses them."""
    message = query.message
    if not isinstance(message, Message):
        return  # an inline message, or one too old for the Bot API to return
    markup = message.reply_markup
    choice = next(
        (
            button.text
            for row in (markup.inline_keyboard if markup else ())
            for button in row
            if button.callback_data == query.data
        ),
        None,
    )
    if choice is None or not message.text:
        await drop_buttons(message)
        return
    try:
        await message.edit_text(_(CHOSEN, question=message.text, choice=choice), reply_markup=None)
    except BadRequest:
        await drop_buttons(message)


def match_option(text: str, send: Send) -> int | None:
    """Typed instead of tapped: accept the button's number or its words (in the user's language)."""
    wanted = _NOT_WORD.sub(" ", text).strip().casefold()
    if not wanted:
        return None
    if wanted.isdigit() and 1 <= int(wanted) <= len(send.buttons):
        return int(wanted) - 1
    for index, button in enumerate(send.buttons):
        words = _NOT_WORD.sub(" ", label(button)).strip().casefold()
        if wanted == words:
            return index
    return None


def qr_png(url: str) -> bytes:
    """A QR code big enough to print, and to scan from a phone at arm's length."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()
