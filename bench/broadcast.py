"""One broadcast to N participants through a fake Telegram that allows R messages/s.

The rate is measured from the first broadcast message the fake Telegram accepted to the last;
`seconds` also counts starting the bot process.

The bot runs as a real `wegwijzer run` process (polling + sender) against the fake Bot API over
HTTP. Run 1: plain, while some people write to the bot (reply latency). Run 2: the bot is killed
(SIGKILL) halfway and started again. Run 3: the same at 1,000/s, the ceiling of paid broadcasts,
to show the sender is not the bottleneck. Duplicates and losses come from the fake server's record.
Usage: python -m bench.broadcast [--messages N] [--limit R] [--skip-fast]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select

from bot.console.emulator import user_dict
from bot.services.messaging import broadcasts
from bot.services.messaging.broadcasts import Draft
from storage.db import make_engine, make_session_factory, upgrade
from storage.models import (
    Organisation,
    Outbox,
    OutboxState,
    Participant,
    ParticipantStatus,
    StaffMember,
    StaffRole,
)
from tests.helpers.fake_bot_api import FakeBotAPI

FIRST_CHAT = 5_000_000
LANGS = ["nl", "ar", "ti", "so", "en"]


def seed(url: str, messages: int) -> int:
    """An organisation with `messages` linked participants and one broadcast to everyone."""
    now = datetime.now(UTC)
    factory = make_session_factory(make_engine(url))
    with factory() as session, session.begin():
        org = Organisation(slug="bench", name="Bench", created_at=now)
        session.add(org)
        session.flush()
        coach = StaffMember(
            organisation_id=org.id, name="Coach", role=StaffRole.COACH, created_at=now
        )
        session.add(coach)
        session.flush()
        session.add_all(
            Participant(
                chat_id=FIRST_CHAT + i,
                language=LANGS[i % 5],
                display_name=f"P{i}",
                organisation_id=org.id,
                coach_id=coach.id,
                status=ParticipantStatus.ACTIVE,
                created_at=now,
            )
            for i in range(messages)
        )
        org_id = org.id
    with factory() as session:
        broadcast = broadcasts.create(
            session,
            Draft(
                organisation_id=org_id,
                everyone=True,
                insist=True,
                texts={"nl": "De werkplaats is vrijdag dicht.", "ar": "الورشة مغلقة يوم الجمعة."},
            ),
            now,
        )
    factory.kw["bind"].dispose()
    return broadcast.id


class Progress:
    """Counts sent rows in a thread, so the fake Telegram in this event loop never waits on
    the database (a blocked loop here would look like a slow Telegram to the bot)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)  # plain: no journal-mode pragma, which takes a lock

    def _count(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(
                select(func.count(Outbox.id)).where(Outbox.state == OutboxState.SENT)
            ).scalar_one()

    async def sent(self) -> int:
        return await asyncio.to_thread(self._count)


async def start_bot(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", env=env)


def tally(server: FakeBotAPI, messages: int) -> tuple[int, int]:
    per_chat = Counter(
        int(r.params["chat_id"])
        for r in server.delivered()
        if int(r.params["chat_id"]) >= FIRST_CHAT
    )
    duplicates = sum(count - 1 for count in per_chat.values() if count > 1)
    losses = sum(1 for i in range(messages) if per_chat[FIRST_CHAT + i] == 0)
    return duplicates, losses


async def one_run(
    messages: int, limit: float, kill: bool, ask: bool, folder: Path, concurrency: int = 4
) -> dict[str, float]:
    url = f"sqlite:///{folder / f'bench-{limit}-{kill}.sqlite3'}"
    upgrade(url)
    seed(url, messages)
    server = FakeBotAPI(limit_per_s=limit)
    await server.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TELEGRAM"))}
    env.update(
        {
            "DATABASE_URL": url,
            "TELEGRAM_TOKEN": "123456:BENCH",
            "TELEGRAM_API_BASE_URL": server.base_url,
            "SEND_RATE": str(limit),
            "SENDER_CONCURRENCY": str(concurrency),
            "OUTBOX_LEASE_SECONDS": "5",
            "LOG_LEVEL": "WARNING",
        }
    )
    progress = Progress(url)
    started = time.monotonic()
    bot = await start_bot(env)
    latencies: list[float] = []
    asked: dict[int, float] = {}
    killed = False
    next_question = time.monotonic() + 2
    scanned = 0
    try:
        while await progress.sent() < messages:
            await asyncio.sleep(0.2)
            delivered = len(server.delivered())
            if kill and not killed and delivered >= messages // 2:
                bot.send_signal(signal.SIGKILL)
                await bot.wait()
                bot = await start_bot(env)
                killed = True
            if ask and time.monotonic() >= next_question:  # someone writes every 2 s
                chat = 900_000 + len(asked)
                asked[chat] = time.monotonic()
                server.push(server.api.message_update(chat, "/help", user=user_dict(chat, "nl")))
                next_question += 2
            fresh = server.records[scanned:]
            scanned += len(fresh)
            for record in fresh:
                if record.method != "sendMessage" or record.status != 200:
                    continue
                chat = int(record.params["chat_id"])
                if chat in asked and asked[chat] > 0:
                    latencies.append(record.at - asked[chat])
                    asked[chat] = 0
            if time.monotonic() - started > messages / limit * 3 + 120:
                raise SystemExit("benchmark did not finish in time")
        elapsed = time.monotonic() - started
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(bot.wait(), 30)
        except TimeoutError:
            bot.kill()
        await server.stop()
    duplicates, losses = tally(server, messages)
    bulk = [r.at for r in server.delivered() if int(r.params["chat_id"]) >= FIRST_CHAT]
    span = bulk[-1] - bulk[0] + 1 / limit  # from the first broadcast message out to the last
    rate = messages / span
    return {
        "seconds": round(elapsed, 1),
        "sending_s": round(span, 1),
        "rate": round(rate, 2),
        "rate_ratio": round(rate / limit, 3),
        "http_429": sum(1 for r in server.records if r.status == 429),
        "duplicates": duplicates,
        "losses": losses,
        "reply_p99_s": round(statistics.quantiles(latencies, n=100, method="inclusive")[98], 3)
        if len(latencies) >= 2
        else None,
        "reply_median_s": round(statistics.median(latencies), 3) if latencies else None,
        "replies": sorted(round(x, 2) for x in latencies)[-5:],
        "replies_measured": len(latencies),
    }


async def main_async(messages: int, limit: float, fast: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        plain = await one_run(messages, limit, kill=False, ask=True, folder=Path(folder))
        print(f"plain: {plain}", flush=True)
        killed = await one_run(messages, limit, kill=True, ask=False, folder=Path(folder))
        print(f"killed and restarted halfway: {killed}", flush=True)
        quick = None
        if fast:
            quick = await one_run(
                messages, 1000.0, kill=False, ask=False, folder=Path(folder), concurrency=16
            )
            print(f"at 1,000/s: {quick}", flush=True)
    return {
        "bench": "broadcast",
        "messages": messages,
        "limit_per_s": limit,
        "seconds": plain["seconds"],
        "rate_ratio": plain["rate_ratio"],
        "http_429": plain["http_429"],
        "duplicates": plain["duplicates"],
        "losses": plain["losses"],
        "kill_rate_ratio": killed["rate_ratio"],
        "kill_duplicates": killed["duplicates"],
        "kill_losses": killed["losses"],
        "kill_http_429": killed["http_429"],
        "reply_p99_s": plain["reply_p99_s"],
        "fast_limit_per_s": 1000.0 if quick else None,
        "fast_rate_ratio": quick["rate_ratio"] if quick else None,
        "fast_duplicates": quick["duplicates"] if quick else None,
        "fast_losses": quick["losses"] if quick else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--limit", type=float, default=30.0)
    parser.add_argument("--skip-fast", action="store_true", help="leave out the 1,000/s run")
    parser.add_argument("--only-fast", action="store_true", help="only the 1,000/s run")
    args = parser.parse_args()
    if args.only_fast:
        with tempfile.TemporaryDirectory() as folder:
            quick = asyncio.run(
                one_run(
                    args.messages,
                    1000.0,
                    kill=False,
                    ask=False,
                    folder=Path(folder),
                    concurrency=16,
                )
            )
        print(
            json.dumps(
                {
                    "bench": "broadcast_fast",
                    "messages": args.messages,
                    "limit_per_s": 1000.0,
                    **quick,
                }
            )
        )
        return
    print(json.dumps(asyncio.run(main_async(args.messages, args.limit, not args.skip_fast))))


if __name__ == "__main__":
    main()
