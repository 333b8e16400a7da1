"""Scheduler jobs: the clock only wakes things up; what is due lives in the database."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from telegram.ext import JobQueue

from bot.jobs.attendance import (
    disengagement_scan,
    escalate_urgent,
    morning_digest,
    unanswered_safety,
)
from bot.jobs.checkins import invitation_tick, plan_invitations
from bot.jobs.housekeeping import erase_after_retention, forget_old_updates
from bot.jobs.reminders import extend_reminders, reminder_tick
from bot.services.coaching import digest


def schedule(job_queue: JobQueue, zone: ZoneInfo) -> None:
    job_queue.run_repeating(
        reminder_tick, interval=timedelta(minutes=1), first=5, name="reminder_tick"
    )
    job_queue.run_repeating(
        extend_reminders, interval=timedelta(hours=6), first=10, name="extend_reminders"
    )
    job_queue.run_repeating(
        forget_old_updates, interval=timedelta(hours=1), first=60, name="forget_old_updates"
    )
    job_queue.run_daily(
        disengagement_scan, time=time(18, 30, tzinfo=zone), name="disengagement_scan"
    )
    job_queue.run_once(disengagement_scan, when=120, name="disengagement_scan_at_start")
    job_queue.run_daily(
        morning_digest, time=digest.DIGEST_AT.replace(tzinfo=zone), name="morning_digest"
    )
    job_queue.run_once(morning_digest, when=30, name="morning_digest_at_start")
    job_queue.run_repeating(
        escalate_urgent, interval=timedelta(minutes=10), first=90, name="escalate_urgent"
    )
    job_queue.run_repeating(
        unanswered_safety, interval=timedelta(minutes=10), first=100, name="unanswered_safety"
    )
    job_queue.run_repeating(
        plan_invitations, interval=timedelta(hours=1), first=40, name="plan_invitations"
    )
    job_queue.run_repeating(
        invitation_tick, interval=timedelta(minutes=1), first=15, name="invitation_tick"
    )
    job_queue.run_daily(
        erase_after_retention, time=time(3, 30, tzinfo=zone), name="erase_after_retention"
    )
