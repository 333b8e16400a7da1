"""What a flow's `action` step runs: a function over the step's session, its shape and the actor.
Its own module so the features that provide actions and the flow runner need not import each
other; `bot.runtime` puts the actions together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from flows.model import Effect


@dataclass(frozen=True)
class Actor:
    """Who drives the flow, as the actions need it: a first name, the local time zone and the
    quiet hours (reminders planned by an action must respect them)."""

    name: str = ""
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Amsterdam"))
    quiet: tuple[time, time] = (time(21), time(8))


# An action may answer with effects of its own (a preview, a report) shown in its place.
ActionFn = Callable[[Session, int, dict[str, Any], datetime, Actor], list[Effect] | None]
