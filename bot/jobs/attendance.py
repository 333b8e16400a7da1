"""The daily disengagement scan. The rules read the state of the last weeks, not events, so a
scan missed while the bot was down is made up by the next one (one also runs at start)."""

from __future__ import annotations

import asyncio
import logging

from bot.services import disengagement
from bot.telegram.context import WegwijzerContext

log = logging.getLogger("wegwijzer.jobs")


async def disengagement_scan(context: WegwijzerContext) -> None:
    """Check every active participant; in a thread, so 100,000 of them never block replies."""
    runtime = context.runtime

    def scan() -> int:
        with runtime.session_factory() as session:
            return disengagement.run(session, runtime.clock.now(), runtime.settings.zone)

    raised = await asyncio.to_thread(scan)
    log.info("disengagement scan: %d new alerts", raised)
    if raised:
        sender = context.bot_data.get("sender")
        if sender is not None:
            sender.wake.set()
