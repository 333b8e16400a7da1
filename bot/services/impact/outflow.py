"""Outflow as seed 001 (table B3.1) reports it: one category per person who entered the
programme, as column percentages of everyone who entered, per programme and in total; and
"reached participation" (the first six categories, "one in three" in seed 001)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from bot.services.impact.rules import OUTFLOW, PARTICIPATION, percent


def column(categories: list[str]) -> dict[str, Any]:
    """The figures of one column: n, the count and percentage per category, participation."""
    counts = Counter(categories)
    unknown = set(counts) - set(OUTFLOW)
    if unknown:
        raise ValueError(f"not outflow categories: {sorted(unknown)}")
    n = len(categories)
    reached = sum(counts[c] for c in PARTICIPATION)
    return {
        "n": n,
        "counts": {c: counts[c] for c in OUTFLOW},
        "pct": {c: percent(counts[c], n) for c in OUTFLOW},
        "participation": {"count": reached, "pct": percent(reached, n)},
    }


def outflow(people: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """(programme, category) per person who entered → the total and one column per programme."""
    by_programme: dict[str, list[str]] = {}
    everyone: list[str] = []
    for programme, category in people:
        by_programme.setdefault(programme, []).append(category)
        everyone.append(category)
    return {
        "total": column(everyone),
        "by_programme": {p: column(cats) for p, cats in sorted(by_programme.items())},
    }
