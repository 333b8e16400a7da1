"""Scheduler jobs: the clock only wakes things up; what is due lives in the database."""

from __future__ import annotations

from datetime import timedelta

from telegram.ext import JobQueue

from bot.jobs.housekeeping import forget_old_updates


def schedule(job_queue: JobQueue) -> None:
    job_queue.run_repeating(
        forget_old_updates, interval=timedelta(hours=1), first=60, name="forget_old_updates"
    )
