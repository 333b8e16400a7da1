"""Telegram's global limit counted over a sliding second: replies are not held back behind an
even spacing while the second has room, and never more than the budget goes in one second."""

from __future__ import annotations

import asyncio
import itertools

from bot.telegram.ratelimit import PriorityRateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_second_with_room_sends_at_once_and_a_full_one_waits(monkeypatch) -> None:
    clock = Clock()
    limiter = PriorityRateLimiter(per_second=30, clock=clock)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:  # time passes only while someone waits
        slept.append(seconds)
        clock.now += seconds

    monkeypatch.setattr(asyncio, "sleep", sleep)
    sent: list[float] = []

    async def send() -> bool:
        sent.append(clock.now)
        return True

    for _ in range(30):
        await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert sent == [100.0] * 30 and slept == []  # thirty replies within the same instant
    await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 2}, None)
    assert sent[-1] >= 101.0  # the 31st waits until the first has left the window
    assert sum(1 for at in sent if at < sent[0] + 1.0) == 30


def test_a_budget_below_one_a_second_spreads_over_a_longer_window() -> None:
    limiter = PriorityRateLimiter(per_second=0.5)
    assert (limiter.budget, limiter.window) == (1, 2.0)


async def test_bulk_is_spread_evenly_over_the_second(monkeypatch) -> None:
    clock = Clock()
    limiter = PriorityRateLimiter(per_second=10, clock=clock)

    async def sleep(seconds: float) -> None:
        clock.now += seconds

    monkeypatch.setattr(asyncio, "sleep", sleep)
    sent: list[float] = []

    async def send() -> bool:
        sent.append(clock.now)
        return True

    for chat in range(5):
        await limiter.process_request(
            send, (), {}, "sendMessage", {"chat_id": chat}, {"bulk": True}
        )
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(sent)]
    assert all(gap >= 0.1 for gap in gaps), gaps
