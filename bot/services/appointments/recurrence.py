"""When an appointment (or a location's opening) happens: its rule in local wall-clock time,
kept across DST changes, minus the occurrences that were moved or cancelled. Pure functions
that the reminders, attendance, rescheduling and the participant's agenda all read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from storage.models import Appointment


class Timed(Protocol):
    """What `occurrences` reads of an appointment (an ORM object, or a row of these columns)."""

    @property
    def starts_at(self) -> datetime: ...
    @property
    def rrule(self) -> str | None: ...
    @property
    def skipped(self) -> Sequence[str] | None: ...


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
    """Parsed once per distinct schedule: groups share the same rule and first date, and
    dateutil keeps the occurrences it found (a day list asks a thousand people's same rule)."""
    return rrulestr(text, dtstart=first, cache=True)


@lru_cache(maxsize=8192)
def _between(
    text: str, first: datetime, after: datetime, before: datetime, zone: ZoneInfo
) -> tuple[datetime, ...]:
    """A rule's starts (UTC) in a local window: a day list asks it of everyone in a group."""
    local = _rule(text, first).between(after, before, inc=True)
    return tuple(moment.replace(tzinfo=zone).astimezone(UTC) for moment in local)


def occurrences(
    appointment: Timed, after: datetime, before: datetime, zone: ZoneInfo
) -> list[datetime]:
    """Starts (in UTC) in [after, before); a recurrence keeps its local wall-clock time, and
    occurrences that were moved or cancelled are left out."""
    if appointment.rrule is None:
        start = appointment.starts_at
        return [start] if after <= start < before else []
    first = appointment.starts_at.astimezone(zone).replace(tzinfo=None)
    found = _between(
        appointment.rrule,
        first,
        after.astimezone(zone).replace(tzinfo=None),
        before.astimezone(zone).replace(tzinfo=None),
        zone,
    )
    skipped = set(appointment.skipped or ())
    return [
        start
        for start in found
        if after <= start < before and (not skipped or skip_key(start) not in skipped)
    ]
