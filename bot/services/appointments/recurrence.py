"""When an appointment (or a location's opening) happens: its rule in local wall-clock time,
kept across DST changes, minus the occurrences that were moved or cancelled. Pure functions
that the reminders, attendance, rescheduling and the participant's agenda all read."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from storage.models import Appointment


def next_in_rule(
    rule: str, first: datetime | None, now: datetime, zone: ZoneInfo
) -> datetime | None:
    """The first occurrence after `now` of a local wall-clock rule (kept across DST changes)."""
    local_first = first.astimezone(zone).replace(tzinfo=None) if first else None
    parsed = _rule(rule, local_first) if local_first else _own_rule(rule)
    found = parsed.after(now.astimezone(zone).replace(tzinfo=None))
    return found.replace(tzinfo=zone) if found is not None else None


@lru_cache(maxsize=1024)
def _own_rule(text: str) -> Any:
    """A rule with its own DTSTART (a location's opening hours), parsed once."""
    return rrulestr(text)


def skip_key(start: datetime) -> str:
    """How a moved or cancelled occurrence is written in `Appointment.skipped`."""
    return start.astimezone(UTC).isoformat()


def next_start(appointment: Appointment, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The first start of an appointment after `now`, passing over skipped occurrences."""
    if appointment.rrule is None:
        return appointment.starts_at if appointment.starts_at > now else None
    skipped = set(appointment.skipped or ())
    moment = now
    for _ in range(len(skipped) + 1):
        found = next_in_rule(appointment.rrule, appointment.starts_at, moment, zone)
        if found is None or skip_key(found) not in skipped:
            return found
        moment = found
    return None


@lru_cache(maxsize=4096)
def _rule(text: str, first: datetime) -> Any:
    """Parsed once per distinct schedule: groups share the same rule and first date."""
    return rrulestr(text, dtstart=first)


def occurrences(
    appointment: Appointment, after: datetime, before: datetime, zone: ZoneInfo
) -> list[datetime]:
    """Starts (in UTC) in [after, before); a recurrence keeps its local wall-clock time, and
    occurrences that were moved or cancelled are left out."""
    if appointment.rrule is None:
        start = appointment.starts_at
        return [start] if after <= start < before else []
    first = appointment.starts_at.astimezone(zone).replace(tzinfo=None)
    local = _rule(appointment.rrule, first).between(
        after.astimezone(zone).replace(tzinfo=None),
        before.astimezone(zone).replace(tzinfo=None),
        inc=True,
    )
    found = [moment.replace(tzinfo=zone).astimezone(UTC) for moment in local]
    skipped = set(appointment.skipped or ())
    return [
        start
        for start in found
        if after <= start < before and (not skipped or skip_key(start) not in skipped)
    ]
