"""A pretend phone: sends messages and taps buttons through the real Application."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.console.emulator import BotAPIEmulator, user_dict


class Phone:
    """One person in one private chat; returns what they would see after each action."""

    def __init__(
        self,
        app: Application,
        api: BotAPIEmulator,
        chat_id: int,
        language_code: str | None = None,
        name: str = "Amal",
    ) -> None:
        self.app, self.api, self.chat_id = app, api, chat_id
        self.user = user_dict(chat_id, language_code, name)

    async def deliver(self, update: dict[str, Any]) -> list[str]:
        before = len(self.api.sent(self.chat_id))
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return [m.get("text") or m.get("caption", "") for m in self.api.sent(self.chat_id)[before:]]

    async def send(self, text: str) -> list[str]:
        return await self.deliver(self.api.message_update(self.chat_id, text, user=self.user))

    def buttons(self) -> list[str]:
        return [label for label, _ in self.api.buttons(self.chat_id)]

    async def tap(self, which: str | int) -> list[str]:
        """Tap a button of the newest message that has buttons, by label or 1-based number."""
        buttons = self.api.buttons(self.chat_id)
        index = which - 1 if isinstance(which, int) else [b[0] for b in buttons].index(which)
        message = self.api.message_with_buttons(self.chat_id)
        return await self.deliver(
            self.api.callback_update(self.chat_id, buttons[index][1], message, self.user)
        )

    @property
    def last_toast(self) -> str:
        answers = [a for a in self.api.callback_answers if a.get("text")]
        return answers[-1]["text"] if answers else ""


def said(lang: str, msgid: str, **params: object) -> str:
    """What the catalog makes of a text in `lang`, as the person would see it."""
    from bot.i18n import _, use_locale

    with use_locale(lang):
        return _(msgid, **params)


def said_n(lang: str, singular: str, plural: str, n: int, **params: object) -> str:
    """The catalog's plural form for `n` in `lang`."""
    from bot.i18n import ngettext, use_locale

    with use_locale(lang):
        return ngettext(singular, plural, n, **params)
