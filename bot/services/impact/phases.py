"""Phases as seed 000 reports them: per programme, the people who started in the period, how
many reached each phase, that as a share of the starters and of those who reached the phase
before, and the mean days from the start. Someone in a later phase has passed the earlier ones
(a step may be skipped), so a phase's count includes everyone who got at least that far."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bot.services.impact.rules import percent

ORDER = ("activering", "vrijwilliger", "opleiding", "werk")


@dataclass(frozen=True)
class Trajectory:
    """One person's trajectory: programme, start, and the first day in each phase reached."""

    programme: str
    started_on: date
    reached: dict[str, date]


def _first_at_least(trajectory: Trajectory, phase: str) -> date | None:
    """The first day at this phase or a later one."""
    later = ORDER[ORDER.index(phase) :]
    days = [day for p, day in trajectory.reached.items() if p in later]
    return min(days) if days else None


def _mean(days: list[int]) -> int | None:
    if not days:
        return None
    return int((Decimal(sum(days)) / len(days)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def programme(trajectories: list[Trajectory]) -> dict[str, Any]:
    started = len(trajectories)
    reached: dict[str, Any] = {}
    previous = started
    for phase in ORDER:
        days = [
            (day - t.started_on).days
            for t in trajectories
            if (day := _first_at_least(t, phase)) is not None
        ]
        count = len(days)
        reached[phase] = {
            "count": count,
            "pct_of_started": percent(count, started),
            "pct_of_previous": percent(count, previous),
            "mean_days_from_start": _mean(days),
        }
        previous = count
    return {"started": started, "reached": reached}


def phases(trajectories: Iterable[Trajectory]) -> dict[str, Any]:
    """`by_programme[PROGRAMME]` for everyone who started in the period."""
    grouped: dict[str, list[Trajectory]] = {}
    for t in trajectories:
        grouped.setdefault(t.programme, []).append(t)
    return {"by_programme": {p: programme(ts) for p, ts in sorted(grouped.items())}}
