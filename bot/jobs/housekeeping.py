"""Tidy-up jobs that keep tables small."""

from __future__ import annotations

import asyncio
import logging

from bot.services import housekeeping
from bot.telegram.context import WegwijzerContext

log = logging.getLogger("wegwijzer.jobs")


async def forget_old_updates(context: WegwijzerContext) -> None:
    """Drop remembered update ids that Telegram can no longer redeliver."""
    runtime = context.runtime
    removed = housekeeping.forget_old_updates(runtime.db, runtime.clock.now())
    if removed:
        log.info("forgot %d old update ids", removed)


async def erase_after_retention(context: WegwijzerContext) -> None:
    """Erase the data of people who left more than RETENTION_MONTHS ago (counts stay)."""
    runtime = context.runtime
    settings = runtime.settings
    erased = await asyncio.to_thread(
        housekeeping.erase_after_retention,
        runtime.db,
        runtime.clock.now(),
        settings.zone,
        settings.retention_months,
    )
    log.info("retention: %d participants erased", erased)
