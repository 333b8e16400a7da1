"""Tidy-up jobs that keep tables small."""

from __future__ import annotations

import logging

from bot.services.updates import forget_old
from bot.telegram.context import WegwijzerContext

log = logging.getLogger("wegwijzer.jobs")


async def forget_old_updates(context: WegwijzerContext) -> None:
    """Drop remembered update ids that Telegram can no longer redeliver."""
    runtime = context.runtime
    with runtime.session_factory() as session:
        removed = forget_old(session, runtime.clock.now())
    if removed:
        log.info("forgot %d old update ids", removed)
