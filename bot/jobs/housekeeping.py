"""Tidy-up jobs that keep tables small."""

from __future__ import annotations

import asyncio
import logging

from bot.services.people import onboarding, privacy
from bot.services.updates import forget_old
from bot.telegram.context import WegwijzerContext

log = logging.getLogger("wegwijzer.jobs")


async def forget_old_updates(context: WegwijzerContext) -> None:
    """Drop remembered update ids that Telegram can no longer redeliver."""
    runtime = context.runtime
    with runtime.session_factory() as session:
        removed = forget_old(session, runtime.clock.now())
        onboarding.forget_failed_starts(session, runtime.clock.now())
    if removed:
        log.info("forgot %d old update ids", removed)


async def erase_after_retention(context: WegwijzerContext) -> None:
    """Erase the data of people who left more than RETENTION_MONTHS ago (counts stay)."""
    runtime = context.runtime
    settings = runtime.settings

    def work() -> int:
        with runtime.session_factory() as session:
            return privacy.retention(
                session, runtime.clock.now(), settings.zone, settings.retention_months
            )

    erased = await asyncio.to_thread(work)
    log.info("retention: %d participants erased", erased)
