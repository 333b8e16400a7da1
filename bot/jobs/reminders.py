"""The clock for reminders: every minute due ones go to the outbox; now and then the window of
materialised reminders is pushed forward."""

from __future__ import annotations

import logging

from bot.services.appointments import reminder_clock
from bot.telegram.context import WegwijzerContext

log = logging.getLogger("wegwijzer.jobs")


async def reminder_tick(context: WegwijzerContext) -> None:
    """Move due reminders to the outbox and wake the sender."""
    runtime = context.runtime
    settings = runtime.settings
    queued = reminder_clock.queue_due(
        runtime.db, runtime.clock.now(), settings.zone, settings.quiet
    )
    if queued:
        log.info("queued %d reminders", queued)
        context.wake_sender()


async def extend_reminders(context: WegwijzerContext) -> None:
    """Materialise reminders up to two weeks ahead for every active appointment."""
    runtime = context.runtime
    settings = runtime.settings
    added = reminder_clock.extend(runtime.db, runtime.clock.now(), settings.zone, settings.quiet)
    if added:
        log.info("materialised %d reminders", added)
