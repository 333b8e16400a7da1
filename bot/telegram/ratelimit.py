"""Telegram's limits, with replies first.

python-telegram-bot's own limiter pauses every request on one RetryAfter, so a running broadcast
can freeze a bot's answers for minutes. Here replies and bulk share the global budget, but a reply
always takes the next free slot, and a RetryAfter met by bulk pauses only bulk.

The global budget is counted over a sliding second, as Telegram states it ("about 30 messages
per second") and as python-telegram-bot's AIORateLimiter counts it: a reply is not held back
behind an even spacing while the second still has room. Bulk (the outbox) is also spread
evenly over the second, so a broadcast never arrives at Telegram as a burst.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

THROTTLED = ("send", "edit", "copy", "forward")  # endpoints that post into a chat
GROUP_WINDOW, GROUP_MAX = 60.0, 20


def seconds(error: RetryAfter) -> float:
    after = error.retry_after
    return after.total_seconds() if isinstance(after, timedelta) else float(after)


class PriorityRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Global N/s shared by all; 1/s per private chat and 20/min per group for bulk.

    `rate_limit_args={"bulk": True}` marks outbox traffic; everything else is a reply.
    """

    def __init__(
        self,
        per_second: float = 30.0,
        max_retries: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.budget = max(1, round(per_second))  # messages per window…
        self.window = self.budget / per_second  # …of about a second (longer below 1/s)
        self.max_retries = max_retries
        self.clock = clock
        self._sent: deque[float] = deque()
        self.interval = 1.0 / per_second  # bulk is spread evenly, never sent in bursts
        self._next_bulk = 0.0
        self._replies_waiting = 0
        self._bulk_paused_until = 0.0
        self._chat_next: dict[int, float] = {}
        self._group_sent: dict[int, deque[float]] = {}
        self.retry_afters = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if not endpoint.startswith(THROTTLED):
            return await callback(*args, **kwargs)
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        chat_id = data.get("chat_id")
        for attempt in range(self.max_retries + 1):
            if bulk:
                await self._bulk_turn(chat_id if isinstance(chat_id, int) else None)
            else:
                await self._reply_turn()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.retry_afters += 1
                if attempt == self.max_retries:
                    raise
                wait = seconds(error)
                if bulk:
                    self._bulk_paused_until = max(self._bulk_paused_until, self.clock() + wait)
                else:
                    await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    def _global_wait(self, now: float) -> float:
        """Seconds until the sliding window has room (0: now)."""
        while self._sent and self._sent[0] + self.window <= now:
            self._sent.popleft()
        return 0.0 if len(self._sent) < self.budget else self._sent[0] + self.window - now

    def _take_global(self, now: float) -> bool:
        if self._global_wait(now) > 0:
            return False
        self._sent.append(now)
        return True

    async def _reply_turn(self) -> None:
        self._replies_waiting += 1
        try:
            while not self._take_global(self.clock()):
                await asyncio.sleep(max(self._global_wait(self.clock()), 0.0005))
        finally:
            self._replies_waiting -= 1

    async def _bulk_turn(self, chat_id: int | None) -> None:
        while True:
            now = self.clock()
            wait = max(
                self._bulk_paused_until - now, self._chat_wait(chat_id, now), self._next_bulk - now
            )
            if wait <= 0 and not self._replies_waiting and self._take_global(now):
                self._chat_taken(chat_id, now)
                self._next_bulk = max(now, self._next_bulk) + self.interval
                return
            await asyncio.sleep(max(wait, self._global_wait(now), 0.002))

    def _chat_wait(self, chat_id: int | None, now: float) -> float:
        if chat_id is None:
            return 0.0
        if chat_id < 0:
            sent = self._group_sent.get(chat_id)
            if sent and len(sent) >= GROUP_MAX:
                return sent[0] + GROUP_WINDOW - now
            return 0.0
        return self._chat_next.get(chat_id, 0.0) - now

    def _chat_taken(self, chat_id: int | None, now: float) -> None:
        if chat_id is None:
            return
        if chat_id < 0:
            sent = self._group_sent.setdefault(chat_id, deque())
            while sent and sent[0] + GROUP_WINDOW <= now:
                sent.popleft()
            sent.append(now)
        else:
            self._chat_next[chat_id] = now + 1.0
            if len(self._chat_next) > 50_000:  # forget chats whose second has long passed
                self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
