"""Charts drawn on the server as SVG, with their text as text (selectable, translatable, read
by screen readers) and no script: one small panel per ZRM domain of a participant's check-ins
beside the coach's scores, and horizontal bars for the impact report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.coaching.progress import Progress

WIDTH, HEIGHT = 300, 120
LEFT, RIGHT, TOP, BOTTOM = 28, 8, 8, 22


@dataclass(frozen=True)
class Series:
    source: str  # self or coach
    points: tuple[tuple[float, float, int, datetime], ...]  # x, y, level, when
    path: str


@dataclass(frozen=True)
class Panel:
    domain: str
    series: tuple[Series, ...]
    first: datetime
    last: datetime


def panels(progress: Progress) -> list[Panel]:
    """One panel per domain with anything, in ZRM order; x is time, y the level 1–5."""
    found = []
    for row in progress.rows:
        points = [(s, at, level) for d, s, at, level in progress.history if d == row.domain]
        if not points:
            continue
        first = min(at for _s, at, _l in points)
        last = max(at for _s, at, _l in points)
        span = (last - first).total_seconds() or 1.0
        series = []
        for source in ("self", "coach"):
            mine = sorted((at, level) for s, at, level in points if s == source)
            if not mine:
                continue
            xy = tuple(
                (
                    round(LEFT + (WIDTH - LEFT - RIGHT) * (at - first).total_seconds() / span, 1)
                    if len(points) > 1
                    else (LEFT + WIDTH - RIGHT) / 2,
                    y_of(level),
                    level,
                    at,
                )
                for at, level in mine
            )
            path = " ".join(
                f"{'M' if i == 0 else 'L'}{x},{y}" for i, (x, y, _l, _a) in enumerate(xy)
            )
            series.append(Series(source, xy, path))
        found.append(Panel(row.domain, tuple(series), first, last))
    return found


def y_of(level: float) -> float:
    """Level 5 at the top, 1 at the bottom."""
    inner = HEIGHT - TOP - BOTTOM
    return round(TOP + inner * (5 - level) / 4, 1)


def bar(share: float | None, width: float = 200) -> float:
    """The length of a bar for a share 0–1 (nothing for a suppressed or missing figure)."""
    return 0.0 if share is None else round(max(0.0, min(1.0, share)) * width, 1)
