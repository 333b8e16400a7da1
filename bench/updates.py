"""10,000 text updates from 1,000 participants through the full application, on SQLite.

Reports updates/s, p50/p99 latency per update and peak memory; the last line is JSON.
Usage: python -m bench.updates [--updates N] [--participants N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from telegram import Update

from bot import demo
from bot.clock import SystemClock
from bot.console.emulator import BotAPIEmulator, EmulatedRequest, user_dict
from bot.runtime import bootstrap
from bot.services.people import codes
from bot.services.people.onboarding import CONSENT_VERSION
from bot.settings import Settings
from bot.telegram.app import build_application
from storage.db import upgrade
from storage.models import ConsentRecord, InviteKind, Participant, ParticipantStatus, Phase

TEXTS = [
    "hallo",
    "Wanneer is mijn afspraak?",
    "krijg ik reiskosten",
    "شكرا",
    "ሰላም",
    "mahadsanid",
    "/help",
    "ik kan morgen niet komen",
    "ok",
    "👍",
    "/start",
    "wat moet ik meenemen",
]
LANGS = ["nl", "ar", "ti", "so", "en"]


def seed(runtime, participants: int) -> list[tuple[int, str]]:
    """Linked participants, as onboarding would leave them."""
    now = datetime.now(UTC)
    with runtime.session_factory() as session:
        demo.load(session, now, runtime.settings.zone)
        with session.begin():
            people = []
            for i in range(participants):
                chat, lang = 100_000 + i, LANGS[i % len(LANGS)]
                session.add(
                    Participant(
                        chat_id=chat,
                        language=lang,
                        display_name=f"P{i}",
                        organisation_id=1,
                        coach_id=1,
                        location_id=1,
                        phase=Phase.ACTIVERING,
                        phase_since=now,
                        status=ParticipantStatus.ACTIVE,
                        created_at=now,
                        linked_at=now,
                    )
                )
                people.append((chat, lang))
            session.flush()
            ids = session.scalars(select(Participant.id).where(Participant.chat_id >= 100_000))
            session.add_all(  # as onboarding leaves them: they said yes to the consent text
                ConsentRecord(participant_id=pid, version=CONSENT_VERSION, accepted=True, at=now)
                for pid in ids
            )
            codes.create(session, now, 1, InviteKind.LOCATION, code="BENCH", valid_for=None)
    return people


async def run(updates: int, participants: int, folder: Path) -> dict[str, object]:
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    upgrade(url)
    # Replies are capped by the shared rate limiter; lift the cap to measure the application.
    settings = Settings(_env_file=None, database_url=url, send_rate=1000)  # type: ignore[call-arg]
    runtime = bootstrap(settings, clock=SystemClock())
    people = seed(runtime, participants)
    api = BotAPIEmulator(record_calls=False)
    app = build_application(runtime, request=EmulatedRequest(api))
    rng = random.Random(7)
    latencies: list[float] = []
    async with app:
        batch = [rng.choice(people) for _ in range(updates)]
        started = time.perf_counter()
        for chat, lang in batch:
            data = api.message_update(chat, rng.choice(TEXTS), user=user_dict(chat, lang))
            t0 = time.perf_counter()
            await app.process_update(Update.de_json(data, app.bot))
            latencies.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - started
    errors = app.bot_data.get("errors", 0)
    replies = len(api.sent())
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "bench": "updates",
        "updates": updates,
        "participants": participants,
        "seconds": round(elapsed, 2),
        "updates_per_s": round(updates / elapsed, 1),
        "p50_ms": round(cuts[49] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "replies": replies,
        "errors": errors,
        "database": "sqlite",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--participants", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = asyncio.run(run(args.updates, args.participants, Path(folder)))
    print(
        f"{result['updates']} updates from {result['participants']} participants in "
        f"{result['seconds']} s: {result['updates_per_s']} updates/s, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms, peak {result['peak_mb']} MB, {result['replies']} replies, "
        f"{result['errors']} errors"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
