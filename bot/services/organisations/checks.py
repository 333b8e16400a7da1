"""The rules a value must pass before an organisation stores it: names, time zones, walk-in
hours and each setting in a JSON column. Pure functions, shared by every use case (command
line and web), so both refuse the same things with the same reasons."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import LANGUAGES
from bot.services.appointments.reminders import due_for
from bot.services.appointments.scheduling import TooOften, repeat_rule
from bot.services.checkins.invitations import DEFAULT_PLAN
from bot.services.checkins.invitations import _valid as valid_plan_value
from bot.services.coaching.disengagement import DEFAULT_RULES
from bot.services.errors import Refused
from storage.models import AppointmentKind

LONGEST_NAME = 200
MOST_OFFSETS = 5
LONGEST_RULE = 365  # days or times in a row; 0 turns a disengagement rule off
REMINDER_KINDS = ("*", *(kind.value for kind in AppointmentKind))


def name(text: str) -> str:
    """A name as people read it: spaces tidied, never empty, at most 200 characters (a longer
    one is a mistake, not something to cut silently)."""
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise Refused("name_missing")
    if len(cleaned) > LONGEST_NAME:
        raise Refused("name_too_long", most=LONGEST_NAME)
    return cleaned


def timezone(value: str) -> str:
    """An IANA time zone such as Europe/Amsterdam."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise Refused("bad_timezone", timezone=value) from None
    return value


def language(value: str) -> str:
    if value not in LANGUAGES:
        raise Refused("language", language=value)
    return value


def offsets(kind: str, value: str) -> dict[str, list[str]]:
    """ "intake" "-1d@18:00,-2h": when reminders go before that kind of appointment."""
    if kind not in REMINDER_KINDS:
        raise Refused("bad_setting", key=kind, value=value)
    found = [part.strip() for part in value.split(",") if part.strip()]
    if not found or len(found) > MOST_OFFSETS or not all(_offset(o) for o in found):
        raise Refused("bad_offsets", value=value)
    return {kind: found}


def _offset(text: str) -> bool:
    """An offset the reminders can use: read by the same function that plans them."""
    try:
        due = due_for(datetime(2026, 1, 15, 12, tzinfo=ZoneInfo("UTC")), text, ZoneInfo("UTC"))
    except (ValueError, TypeError):
        return False
    return due < datetime(2026, 1, 15, 12, tzinfo=ZoneInfo("UTC"))


def rule(key: str, value: str) -> dict[str, int]:
    """A disengagement rule's number; 0 turns the rule off."""
    if key not in DEFAULT_RULES:
        raise Refused("bad_setting", key=key, value=value)
    if not value.strip().isdigit() or int(value) > LONGEST_RULE:
        raise Refused("bad_rule", value=value)
    return {key: int(value)}


PLAN_REFUSALS = {
    "weekday": "bad_weekday",
    "at": "bad_clock",
    "domains": "bad_domains",
    "monthly": "bad_yes_no",
    "enabled": "bad_yes_no",
}


def plan(key: str, value: str) -> dict[str, Any]:
    """A check-in setting, read as the plan stores it and checked by the same rule."""
    if key not in DEFAULT_PLAN:
        raise Refused("bad_setting", key=key, value=value)
    parsed: Any = None
    if key in ("monthly", "enabled"):
        parsed = {"yes": True, "true": True, "no": False, "false": False}.get(value.lower())
    elif key == "domains":
        parsed = [d.strip() for d in value.split(",") if d.strip()]
    elif key == "weekday":
        parsed = value.strip().lower()
    elif key == "at":
        parsed = value.strip() if _clock(value.strip()) else None
    elif value.strip().isdigit():
        parsed = int(value)
    if parsed is None or not valid_plan_value(key, parsed):
        raise Refused(PLAN_REFUSALS.get(key, "bad_count"), value=value)
    return {key: parsed}


def _clock(value: str) -> bool:
    try:
        time.fromisoformat(value)
    except ValueError:
        return False
    return True


def opening(text: str) -> str:
    """ "2026-12-01 09:30 weekly:tu,th" → an RFC 5545 rule in local wall-clock time."""
    parts = text.split(maxsplit=2)
    try:
        first = datetime.fromisoformat(f"{parts[0]} {parts[1]}")
        repeat = repeat_rule(parts[2] if len(parts) > 2 else "")
    except (IndexError, ValueError, KeyError, TooOften):
        raise Refused("bad_opening", value=text) from None
    if repeat is None:
        raise Refused("bad_opening", value=text)
    return f"DTSTART:{first:%Y%m%dT%H%M%S}\n{repeat}"


WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def opening_parts(rule: str | None) -> tuple[datetime | None, tuple[int, ...], str]:
    """A stored walk-in rule read back: the first time, the weekdays (0 is Monday) when it is
    a plain weekly rule, and the text `opening` reads ("2026-12-01 09:30 weekly:tu,th")."""
    if not rule or not rule.startswith("DTSTART:") or "\n" not in rule:
        return None, (), ""
    start, repeat = rule.removeprefix("DTSTART:").split("\n", 1)
    repeat = repeat.removeprefix("RRULE:")
    try:
        first = datetime.strptime(start, "%Y%m%dT%H%M%S")
    except ValueError:
        return None, (), ""
    days: tuple[int, ...] = ()
    if repeat.startswith("FREQ=WEEKLY;BYDAY=") and repeat.count(";") == 1:
        codes = repeat.removeprefix("FREQ=WEEKLY;BYDAY=").split(",")
        if all(code in WEEKDAY_CODES for code in codes):
            days = tuple(WEEKDAY_CODES.index(code) for code in codes)
    how = "weekly:" + ",".join(code.lower() for code in codes) if days else repeat
    return first, days, f"{first:%Y-%m-%d %H:%M} {how}"
