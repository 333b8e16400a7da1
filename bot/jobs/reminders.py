"""The clock for reminders: every minute due ones go to the outbox; now and then the window of
materialised reminders is pushed forward."""

from __future__ import annotations

import logging

from bot.services.appointments import reminders
from bot.telegram.context import WegwijzerContext

log = logging.getLogger("wegwijzer.jobs")


async def reminder_tick(context: WegwijzerContext) -> None:
    """Move due reminders to the outbox and wake the sender."""
    runtime = context.runtime
    settings = runtime.settings
    with runtime.session_factory() as session:
        queued = reminders.tick(session, runtime.clock.now(), settings.zone, settings.quiet)
    if queued:
        log.info("queued %d reminders", queued)
        sender = context.bot_data.get("sender")
        if sender is not None:
            sender.wake.set()


async def extend_reminders(context: WegwijzerContext) -> None:
    """Materialise reminders up to two weeks ahead for every active appointment."""
    runtime = context.runtime
    settings = runtime.settings
    with runtime.session_factory() as session:
        added = reminders.extend_all(session, runtime.clock.now(), settings.zone, settings.quiet)
    if added:
        log.info("materialised %d reminders", added)
