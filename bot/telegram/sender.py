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
from bot.services.coaching import alerts
from bot.services.messaging import broadcasts, outbox
from bot.services.messaging.outbox import Claimed
from bot.telegram.ratelimit import seconds

log = logging.getLogger("wegwijzer.sender")
BROADCASTS = timedelta(seconds=5)  # how often a sender looks for broadcasts that are due


def markup(buttons: list | None) -> InlineKeyboardMarkup | None:
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
        """Drain until stopped, keeping `SENDER_CONCURRENCY` sends in flight so the rate limiter
        always has the next message ready; `wake` cuts an idle wait short."""
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
        """Requeue what a dead sender left in flight, once its lease is over.

        Even on SQLite another sender process may be alive, so there is no shortcut at start."""
        lease = timedelta(seconds=self.runtime.settings.outbox_lease_seconds)
        with self.runtime.session_factory() as session:
            count = outbox.recover(session, self.runtime.clock.now(), lease)
        if count:
            log.warning("requeued %d messages left in flight by a stopped sender", count)

    def start_due_broadcasts(self, now: datetime) -> None:
        """Broadcasts whose time has come become outbox rows (any sender process may do it)."""
        settings = self.runtime.settings
        with self.runtime.session_factory() as session:
            started = broadcasts.materialise_due(session, now, settings.zone, settings.quiet)
        for broadcast_id in started:
            log.info("broadcast %d queued", broadcast_id)

    def _claim(self, limit: int, only_chat: int | None = None) -> list[Claimed]:
        """Start due broadcasts now and then, and claim up to `limit` due messages."""
        settings = self.runtime.settings
        now = self.runtime.clock.now()
        if self._last_broadcast_check is None or now - self._last_broadcast_check >= BROADCASTS:
            self._last_broadcast_check = now
            self.start_due_broadcasts(now)
        quiet = outbox.is_quiet(now, settings.zone, settings.quiet)
        with self.runtime.session_factory() as session:
            return outbox.claim(session, self.name, now, limit, quiet, only_chat)

    def _start(self, batch: list[Claimed]) -> int:
        for item in batch:
            task = asyncio.create_task(self._send_logged(item))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(batch)

    async def drain_once(self, only_chat: int | None = None, limit: int | None = None) -> int:
        """Claim one batch (of `limit`, else twice the concurrency) and send all of it, at once
        (tests and the console); returns how many."""
        batch = self._claim(limit or self.runtime.settings.sender_concurrency * 2, only_chat)
        self._start(batch)
        if batch:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        return len(batch)

    async def stop(self) -> None:
        self.stopping = True
        self.wake.set()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _send_logged(self, item: Claimed) -> None:
        try:
            await self.send(item)
        except Exception:
            log.exception("outbox %s: unexpected error", item.id)
            with self.runtime.session_factory() as session:
                outbox.mark_failed(session, item.id, "unexpected error in the sender")

    async def send(self, item: Claimed) -> None:
        """Send one claimed message and record the outcome."""
        runtime = self.runtime
        try:
            if item.edits is not None:  # the same message, updated (a thread of questions)
                await self._edit(item)
                with runtime.session_factory() as session:
                    outbox.mark_sent(session, item.id, item.edits, runtime.clock.now())
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
            with runtime.session_factory() as session:
                outbox.moved(session, item, error.new_chat_id)
        except Forbidden as error:
            with runtime.session_factory() as session:
                outbox.mark_blocked(session, item.id, str(error))
                alerts.participant_blocked(session, item.chat_id, runtime.clock.now())
        except BadRequest as error:
            with runtime.session_factory() as session:
                outbox.mark_failed(session, item.id, str(error))
        except NetworkError as error:  # timeouts, dropped connections, 5xx
            self._retry(item, str(error), timedelta(seconds=min(2**item.attempts, 300)))
        else:
            with runtime.session_factory() as session:
                outbox.mark_sent(session, item.id, message.message_id, runtime.clock.now())

    async def _edit(self, item: Claimed) -> None:
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
        runtime = self.runtime
        with runtime.session_factory() as session:
            outbox.retry_later(
                session,
                item,
                error,
                runtime.clock.now() + after,
                runtime.settings.sender_max_attempts,
            )


async def run_sender_only(runtime: Runtime) -> None:
    """`wegwijzer sender`: drain the outbox until SIGTERM or SIGINT, without taking updates."""
    from bot.telegram.app import build_application

    application = build_application(runtime)
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
    sender: Sender | None = application.bot_data.get("sender")
    if sender is not None:
        await sender.stop()
        await application.bot_data["sender_task"]
