"""10,000 participants each answering a six-question check-in through the full application,
interleaved as real traffic is, plus planning and sending 10,000 invitations; on SQLite.

Reports per-step p50/p99 latency, steps/s, the time to plan the invitations and to queue them in
the outbox, and the database size per 1,000 completed check-ins; the last line is JSON.
Usage: python -m bench.checkins [--participants N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from telegram import Update

from bench.updates import seed as seed_people
from bot.clock import FixedClock
from bot.console.emulator import BotAPIEmulator, EmulatedRequest, user_dict
from bot.runtime import bootstrap
from bot.services.checkins import planning
from bot.settings import Settings
from bot.telegram.app import build_application
from storage.db import upgrade
from storage.models import (
    CheckinInvitation,
    Organisation,
    Outbox,
    Signal,
)

QUESTIONS = 6
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday; invitations are due Tuesday


def seed(runtime, participants: int) -> list[tuple[int, str]]:
    """Active, consented participants as onboarding leaves them (bench.updates makes them), in an
    organisation whose check-in asks six domains."""
    people = seed_people(runtime, participants)
    with runtime.session_factory() as session, session.begin():
        session.get(Organisation, 1).checkin_plan = {"size": QUESTIONS}
    return people


def size_kb(runtime) -> float:
    """Pages in use after a checkpoint (the write-ahead log folded in, free pages left out)."""
    with runtime.session_factory() as session, session.begin():
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        pages = session.scalar(text("PRAGMA page_count")) - session.scalar(
            text("PRAGMA freelist_count")
        )
        return pages * session.scalar(text("PRAGMA page_size")) / 1024


async def run(participants: int, folder: Path) -> dict[str, object]:
    path = folder / "bench.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    settings = Settings(_env_file=None, database_url=url, send_rate=1000)  # type: ignore[call-arg]
    clock = FixedClock(START)
    runtime = bootstrap(settings, clock=clock)
    people = seed(runtime, participants)

    with runtime.session_factory() as session:
        t0 = time.perf_counter()
        planned = planning.plan_all(session, clock.now(), settings.zone, settings.quiet)
        plan_s = time.perf_counter() - t0
        with session.begin():
            clock.moment = session.scalar(select(func.max(CheckinInvitation.due_at)))
        t0 = time.perf_counter()
        queued = planning.tick(session, clock.now())
        tick_s = time.perf_counter() - t0
        with session.begin():
            outboxed = session.scalar(select(func.count()).select_from(Outbox))

    api = BotAPIEmulator(record_calls=False)
    app = build_application(runtime, request=EmulatedRequest(api))
    rng = random.Random(11)
    latencies: list[float] = []
    before_kb = size_kb(runtime)
    left = {chat: QUESTIONS + 1 for chat, _lang in people}  # /hoegaathet, then six taps
    langs = dict(people)
    open_chats = list(left)
    async with app:
        started = time.perf_counter()
        while open_chats:
            index = rng.randrange(len(open_chats))
            chat = open_chats[index]
            user = user_dict(chat, langs[chat])
            if left[chat] == QUESTIONS + 1:
                data = api.message_update(chat, "/hoegaathet", user=user)
            else:
                buttons = api.buttons(chat)
                message = api.message_with_buttons(chat)
                level = rng.choices(range(6), weights=(1, 8, 20, 35, 26, 10))[0]
                data = api.callback_update(chat, buttons[level][1], message, user)
            t0 = time.perf_counter()
            await app.process_update(Update.de_json(data, app.bot))
            latencies.append(time.perf_counter() - t0)
            # The fake Telegram keeps every message it was sent; a real one keeps them elsewhere.
            # Only the newest few matter here, and a heap that grows by 10,000 chats' messages
            # would measure the fake's garbage collection, not the bot.
            del api.messages[chat][:-3]
            clock.moment += timedelta(milliseconds=50)
            left[chat] -= 1
            if left[chat] == 0:
                open_chats[index] = open_chats[-1]
                open_chats.pop()
        elapsed = time.perf_counter() - started
    with runtime.session_factory() as session, session.begin():
        signals = session.scalar(select(func.count()).select_from(Signal))
        done = session.scalar(
            select(func.count()).select_from(
                select(Signal.participant_id, Signal.checkin)
                .where(Signal.source == "self")
                .distinct()
                .subquery()
            )
        )
    after_kb = size_kb(runtime)
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "bench": "checkins",
        "participants": participants,
        "steps": len(latencies),
        "signals": signals,
        "completed": done,
        "step_p50_ms": round(cuts[49] * 1000, 2),
        "step_p99_ms": round(cuts[98] * 1000, 2),
        "steps_per_s": round(len(latencies) / elapsed, 1),
        "invitations_planned": planned,
        "plan_s": round(plan_s, 2),
        "invitations_queued": queued,
        "outbox_rows": outboxed,
        "invitations_s": round(tick_s, 2),
        "db_kb_per_1000": round((after_kb - before_kb) / max(done, 1) * 1000, 1),
        "errors": app.bot_data.get("errors", 0),
        "database": "sqlite",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = asyncio.run(run(args.participants, Path(folder)))
    print(
        f"{result['participants']} participants, {result['steps']} steps: p50 "
        f"{result['step_p50_ms']} ms, p99 {result['step_p99_ms']} ms, "
        f"{result['steps_per_s']} steps/s; {result['invitations_planned']} invitations planned in "
        f"{result['plan_s']} s, {result['invitations_queued']} queued in "
        f"{result['invitations_s']} s; {result['db_kb_per_1000']} kB per 1,000 check-ins; "
        f"{result['errors']} errors"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
