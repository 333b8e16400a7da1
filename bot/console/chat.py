"""`wegwijzer chat`: the same Application, the Bot API emulated, the terminal as the phone."""

from __future__ import annotations

import asyncio
import sys
from typing import Any, TextIO

from telegram import Update

from bot.console.emulator import BotAPIEmulator, EmulatedRequest, user_dict
from bot.i18n import _, resolve_locale, use_locale
from bot.runtime import Runtime
from bot.services import resuming
from bot.services.appointments import reminder_clock
from bot.telegram.app import build_application
from bot.telegram.render import keyboard
from bot.telegram.sender import Sender


class ConsoleChat:
    """Plays one person in one private chat; buttons are shown as numbers to type."""

    def __init__(
        self,
        runtime: Runtime,
        chat_id: int,
        name: str,
        language_code: str | None,
        out: TextIO = sys.stdout,
    ) -> None:
        self.runtime, self.chat_id, self.out = runtime, chat_id, out
        self.user = user_dict(chat_id, language_code, name)
        self.emulator = BotAPIEmulator(record_calls=False)
        self.application = build_application(runtime, request=EmulatedRequest(self.emulator))
        self._shown = 0
        self._answers = 0
        self.sender = Sender(runtime, self.application.bot, name=f"console-{chat_id}")
        self._extended = False

    async def __aenter__(self) -> ConsoleChat:
        await self.application.initialize()
        if self.application.post_init is not None:
            await self.application.post_init(self.application)
        await self._resume()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.application.shutdown()

    async def _resume(self) -> None:
        """After a restart, show the question the chat was waiting on again, with its buttons."""
        waiting = resuming.waiting_question(self.runtime.db, self.runtime.flows, self.chat_id)
        if waiting is None:
            return
        question = waiting.question
        lang = resolve_locale(
            waiting.language,
            self.user.get("language_code"),
            self.runtime.settings.default_language,
        )
        with use_locale(lang):
            await self.application.bot.send_message(
                self.chat_id,
                _(question.text, **question.params),
                reply_markup=keyboard(question.buttons),
            )
        self.flush()

    def update_for(self, line: str) -> dict[str, Any]:
        """A number picks a button of the newest message that has them; "> text" replies to
        the newest message (as a swipe to reply does: a coach answers a question so);
        anything else is text."""
        if line.startswith(">") and self.emulator.sent(self.chat_id):
            newest = self.emulator.sent(self.chat_id)[-1]
            return self.emulator.message_update(
                self.chat_id, line[1:].strip(), user=self.user, extra={"reply_to_message": newest}
            )
        buttons = self.emulator.buttons(self.chat_id)
        if line.strip().isdigit() and 1 <= int(line.strip()) <= len(buttons):
            message = self.emulator.message_with_buttons(self.chat_id)
            return self.emulator.callback_update(
                self.chat_id, buttons[int(line) - 1][1], message, self.user
            )
        return self.emulator.message_update(self.chat_id, line, user=self.user)

    async def send(self, line: str) -> None:
        update = Update.de_json(self.update_for(line), self.application.bot)
        await self.application.process_update(update)
        await self.deliver()

    async def deliver(self) -> None:
        """Due reminders, then messages from the outbox for this chat, then print."""
        settings, db = self.runtime.settings, self.runtime.db
        now = self.runtime.clock.now()
        if not self._extended:
            reminder_clock.extend(db, now, settings.zone, settings.quiet)
            self._extended = True
        reminder_clock.queue_due(db, now, settings.zone, settings.quiet)
        while await self.sender.drain_once(only_chat=self.chat_id):
            pass
        self.flush()

    async def watch(self, every: float = 1.0) -> None:
        """On a terminal: show messages that arrive while the person is not typing."""
        while True:
            await asyncio.sleep(every)
            await self.deliver()

    def flush(self) -> None:
        """Print what the bot sent since last time: texts, toasts, and numbered buttons."""
        for answer in self.emulator.callback_answers[self._answers :]:
            if answer.get("text"):
                print(f"  ({answer['text']})", file=self.out)
        self._answers = len(self.emulator.callback_answers)
        messages = self.emulator.sent(self.chat_id)
        for message in messages[self._shown :]:
            print("", file=self.out)
            for line in (message.get("text") or message.get("caption") or "").splitlines():
                print(f"  {line}", file=self.out)
            rows = message.get("reply_markup", {}).get("inline_keyboard", [])
            labels = [button["text"] for row in rows for button in row]
            for number, label in enumerate(labels, 1):
                print(f"    [{number}] {label}", file=self.out)
        self._shown = len(messages)
        self.out.flush()


async def run_console(
    runtime: Runtime,
    chat_id: int,
    name: str,
    language_code: str | None,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
) -> None:
    """Read one message per line; interactive on a terminal, scripted when piped."""
    interactive = stdin.isatty()
    async with ConsoleChat(runtime, chat_id, name, language_code, out) as chat:
        if interactive:
            print(
                "Wegwijzer console. Type a message or /start CODE; a number taps a button; "
                "> text replies to the newest message; Ctrl-D ends.",
                file=out,
            )
        watcher = asyncio.create_task(chat.watch()) if interactive else None
        await chat.deliver()
        while True:
            if interactive:
                try:
                    line = await asyncio.to_thread(input, "\n> ")
                except EOFError:
                    break
            else:
                line = stdin.readline()
                if not line:
                    break
                line = line.rstrip("\n")
                print(f"\n> {line}", file=out)
            if line.strip():
                await chat.send(line)
        if watcher is not None:
            watcher.cancel()
