"""The daily disengagement scan. The rules read the state of the last weeks, not events, so a
scan missed while the bot was down is made up by the next one (one also runs at start)."""

from __future__ import annotations

import asyncio
import logging

from bot.services.coaching import routines, safety
from bot.telegram.context import WegwijzerContext

log = logging.getLogger("wegwijzer.jobs")


async def disengagement_scan(context: WegwijzerContext) -> None:
    """Check every active participant; in a thread, so 100,000 of them never block replies."""
    runtime = context.runtime
    raised = await asyncio.to_thread(
        routines.scan_disengagement, runtime.db, runtime.clock.now(), runtime.settings.zone
    )
    log.info("disengagement scan: %d new alerts", raised)
    if raised:
        context.wake_sender()


async def morning_digest(context: WegwijzerContext) -> None:
    """08:30 on working days: each coach's digest (once a day, even after a late start), the
    admins told once a year when its amounts are missing, and each question from an earlier
    day still unanswered, shown to its coach once more."""
    runtime = context.runtime
    queued, reminded = await asyncio.to_thread(
        routines.morning_digest,
        runtime.db,
        runtime.clock.now(),
        runtime.settings.zone,
        runtime.answers,
    )
    if queued or reminded:
        log.info("morning digest: %d coaches, %d unanswered questions", queued, reminded)
        context.wake_sender()


async def escalate_urgent(context: WegwijzerContext) -> None:
    """Urgent alerts nobody picked up in four working hours go to the organisation's staff."""
    runtime = context.runtime
    passed = routines.escalate_urgent(runtime.db, runtime.clock.now(), runtime.settings.zone)
    if passed:
        log.info("escalated %d urgent alerts", passed)
        context.wake_sender()


async def unanswered_safety(context: WegwijzerContext) -> None:
    """ "Are you safe right now?" left unanswered for two hours: the coach is told, once."""
    runtime = context.runtime
    told = await asyncio.to_thread(safety.tell_coaches_of_silence, runtime.db, runtime.clock.now())
    if told:
        log.info("unanswered safety questions: %d coaches told", told)
        context.wake_sender()
