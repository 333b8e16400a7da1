"""The sender: drains the outbox within Telegram's limits and records every outcome."""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application, ExtBot

from bot.runtime import Runtime
from bot.services.messaging import delivery
from bot.services.messaging.outbox import Claimed
from bot.telegram.ratelimit import seconds

log = logging.getLogger("wegwijzer.sender")
BROADCASTS = timedelta(seconds=5)  # how often a sender looks for broadcasts that are due


def markup(buttons: list | None) -> InlineKeyboardMarkup | None:
    """The stored rows of buttons as Telegram's inline keyboard (None without buttons)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b["text"], callback_data=b["data"]) for b in row] for row in buttons]
    )


class Sender:
    """One per process; several processes may share a PostgreSQL database."""

    def __init__(self, runtime: Runtime, bot: ExtBot, name: str | None = None) -> None:
        self.runtime, self.bot = runtime, bot
        self.name = name or f"sender-{secrets.token_hex(4)}"
        self.wake = asyncio.Event()
        self.stopping = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_broadcast_check: datetime | None = None

    async def run(self, idle: float = 1.0) -> None:
        """Drain until stopped, `SENDER_CONCURRENCY` sends in flight; `wake` cuts a wait short."""
        self.recover()
        while not self.stopping:
            concurrency = self.runtime.settings.sender_concurrency
            free = concurrency - len(self._tasks)
            # claim in batches (a claim is a transaction), not one row per freed slot
            worth_it = free >= max(1, concurrency // 2) or not self._tasks
            started = self._start(self._claim(free)) if worth_it else 0
            if started:
                continue
            if self._tasks:
                await asyncio.wait(
                    list(self._tasks), return_when=asyncio.FIRST_COMPLETED, timeout=idle
                )
                continue
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), idle)
            except TimeoutError:
                self.recover()

    def recover(self) -> None:
        """Requeue what a dead sender left in flight once its lease is over (even at start)."""
        lease = timedelta(seconds=self.runtime.settings.outbox_lease_seconds)
        count = delivery.recover(self.runtime.db, self.runtime.clock.now(), lease)
        if count:
            log.warning("requeued %d messages left in flight by a stopped sender", count)

    def start_due_broadcasts(self, now: datetime) -> None:
        """Broadcasts whose time has come become outbox rows (any sender process may do it)."""
        settings = self.runtime.settings
        started = delivery.start_due_broadcasts(self.runtime.db, now, settings.zone, settings.quiet)
        for broadcast_id in started:
            log.info("broadcast %d queued", broadcast_id)

    def _claim(self, limit: int, only_chat: int | None = None) -> list[Claimed]:
        """Start due broadcasts now and then, and claim up to `limit` due messages."""
        settings = self.runtime.settings
        now = self.runtime.clock.now()
        if self._last_broadcast_check is None or now - self._last_broadcast_check >= BROADCASTS:
            self._last_broadcast_check = now
            self.start_due_broadcasts(now)
        return delivery.claim(
            self.runtime.db, self.name, now, limit, settings.zone, settings.quiet, only_chat
        )

    def _start(self, batch: list[Claimed]) -> int:
        """Send each claimed message in its own task; returns how many started."""
        for item in batch:
            task = asyncio.create_task(self._send_logged(item))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(batch)

    async def drain_once(self, only_chat: int | None = None, limit: int | None = None) -> int:
        """Claim one batch (`limit`, else twice the concurrency), send it all; returns how many."""
        batch = self._claim(limit or self.runtime.settings.sender_concurrency * 2, only_chat)
        self._start(batch)
        if batch:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        return len(batch)

    async def stop(self) -> None:
        """Stop claiming and wait for the sends in flight."""
        self.stopping = True
        self.wake.set()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _send_logged(self, item: Claimed) -> None:
        """`send`, with an unexpected error logged and the message marked failed."""
        try:
            await self.send(item)
        except Exception:
            log.exception("outbox %s: unexpected error", item.id)
            delivery.failed(self.runtime.db, item.id, "unexpected error in the sender")

    async def send(self, item: Claimed) -> None:
        """Send one claimed message and record the outcome."""
        runtime = self.runtime
        try:
            if item.edits is not None:  # the same message, updated (a thread of questions)
                await self._edit(item)
                delivery.sent(runtime.db, item.id, item.edits, runtime.clock.now())
                return
            message = await self.bot.send_message(
                item.chat_id,
                item.text,
                reply_markup=markup(item.buttons),
                rate_limit_args={"bulk": True},
            )
        except RetryAfter as error:  # the limiter already waited and retried; try again later
            self._retry(item, str(error), timedelta(seconds=seconds(error)))
        except ChatMigrated as error:
            delivery.moved(runtime.db, item, error.new_chat_id)
        except Forbidden as error:
            delivery.blocked(runtime.db, item.id, item.chat_id, str(error), runtime.clock.now())
        except BadRequest as error:
            delivery.failed(runtime.db, item.id, str(error))
        except NetworkError as error:  # timeouts, dropped connections, 5xx
            self._retry(item, str(error), timedelta(seconds=min(2**item.attempts, 300)))
        else:
            delivery.sent(runtime.db, item.id, message.message_id, runtime.clock.now())

    async def _edit(self, item: Claimed) -> None:
        """Put the new text (and buttons) on the message sent before; unchanged is fine."""
        try:
            await self.bot.edit_message_text(
                item.text,
                chat_id=item.chat_id,
                message_id=item.edits,
                reply_markup=markup(item.buttons),
                rate_limit_args={"bulk": True},
            )
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise

    def _retry(self, item: Claimed, error: str, after: timedelta) -> None:
        """Try again `after` from now, unless the attempts are used up."""
        runtime = self.runtime
        delivery.retry_later(
            runtime.db,
            item,
            error,
            runtime.clock.now() + after,
            runtime.settings.sender_max_attempts,
        )


async def run_sender_only(runtime: Runtime, application: Application) -> None:
    """`wegwijzer sender`: drain the outbox until SIGTERM or SIGINT, without taking updates."""
    async with application:
        sender = Sender(runtime, application.bot)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(sender.stop()))
        log.info("%s draining the outbox", sender.name)
        await sender.run()


async def start_sender(application: Application) -> None:
    """post_init hook: run the sender beside polling or the webhook."""
    runtime: Runtime = application.bot_data["runtime"]
    sender = Sender(runtime, application.bot)
    application.bot_data["sender"] = sender
    application.bot_data["sender_task"] = asyncio.create_task(sender.run(), name="outbox-sender")


async def stop_sender(application: Application) -> None:
    """post_stop hook: let the sender finish what it has in flight."""
    sender: Sender | None = application.bot_data.get("sender")
    if sender is not None:
        await sender.stop()
        await application.bot_data["sender_task"]
