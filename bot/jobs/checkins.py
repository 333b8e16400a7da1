"""The clock for check-in invitations: now and then the next week's are planned as rows; every
minute the due ones go to the outbox (and reminders, and expiry)."""

from __future__ import annotations

import asyncio
import logging

from bot.services.checkins import invitation_clock
from bot.telegram.context import WegwijzerContext

log = logging.getLogger("wegwijzer.jobs")


async def plan_invitations(context: WegwijzerContext) -> None:
    """Plan every participant's next invitation (off the event loop: it reads everyone)."""
    runtime = context.runtime
    settings = runtime.settings
    added = await asyncio.to_thread(
        invitation_clock.plan, runtime.db, runtime.clock.now(), settings.zone, settings.quiet
    )
    if added:
        log.info("planned %d check-in invitations", added)


async def invitation_tick(context: WegwijzerContext) -> None:
    """Move due invitations and reminders to the outbox and wake the sender."""
    runtime = context.runtime
    queued = invitation_clock.queue_due(runtime.db, runtime.clock.now())
    if queued:
        log.info("queued %d check-in invitations", queued)
        context.wake_sender()
